import FuseboxSimulator

/// A `--source` argument, parsed.
public enum SourceSpecification: Sendable, Hashable {
    /// `sim` or `sim:SCENARIO`.
    case simulator(scenario: String)
    /// `http://host:port` or `https://...`: a Fusebox agent.
    case agent(url: String)
    /// `prometheus+http://host:9090`.
    case prometheus(url: String)
    /// `resilience4j+http://host:8080/actuator`.
    case resilience4j(url: String)
    /// A recording file.
    case recording(path: String)

    /// Parses a source argument.
    /// - Throws: ``BackendError`` naming what is accepted.
    public init(parsing text: String) throws {
        if text == "sim" {
            self = .simulator(scenario: Scenario.defaultScenario.name)
        } else if text.hasPrefix("sim:") {
            let name = String(text.dropFirst(4))
            guard Scenario.named(name) != nil else {
                throw BackendError(
                    "unknown scenario '\(name)' in '\(text)'; try: \(Scenario.all.map(\.name).joined(separator: ", "))")
            }
            self = .simulator(scenario: name)
        } else if text.hasPrefix("prometheus+http://") || text.hasPrefix("prometheus+https://") {
            self = .prometheus(url: String(text.dropFirst("prometheus+".count)))
        } else if text.hasPrefix("resilience4j+http://") || text.hasPrefix("resilience4j+https://") {
            self = .resilience4j(url: String(text.dropFirst("resilience4j+".count)))
        } else if text.hasPrefix("http://") || text.hasPrefix("https://") {
            self = .agent(url: text)
        } else if !text.isEmpty && !text.contains("://") {
            self = .recording(path: text)
        } else {
            throw BackendError(
                "cannot read source '\(text)'; use sim[:SCENARIO], http://host:port, prometheus+http://host:9090,"
                    + " resilience4j+http://host:8080/actuator, or a recording file")
        }
    }
}
