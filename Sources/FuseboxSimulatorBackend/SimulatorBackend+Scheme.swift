public import FuseboxBackend
public import FuseboxSimulator

extension SimulatorBackend {
    /// The `sim` and `sim:SCENARIO` sources.
    /// - Parameters:
    ///   - configuration: seed, rate, instances and synthetic dependencies; the scenario comes from the specification.
    ///   - pacing: real time for the console, virtual time for a one-off status.
    public static func scheme(configuration: SimulationConfiguration, pacing: Pacing = .realTime) -> SourceScheme {
        SourceScheme(
            usage: "sim[:SCENARIO]", summary: "the built-in outage simulator",
            matches: { $0 == "sim" || $0.hasPrefix("sim:") },
            make: { specification throws(BackendError) in
                var configuration = configuration
                configuration.scenario = try scenario(in: specification)
                return try SimulatorBackend(configuration: configuration, pacing: pacing)
            })
    }

    /// The scenario a `sim` or `sim:NAME` specification names.
    static func scenario(in specification: String) throws(BackendError) -> Scenario {
        guard specification != "sim" else { return .defaultScenario }
        let name = String(specification.dropFirst("sim:".count))
        guard let scenario = Scenario.named(name) else {
            throw BackendError(
                .invalidSource,
                "unknown scenario '\(name)' in '\(specification)'; try: \(Scenario.all.map(\.name).joined(separator: ", "))"
            )
        }
        return scenario
    }
}
