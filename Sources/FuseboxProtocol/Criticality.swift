/// How much a service depends on a downstream.
public enum Criticality: String, Codable, Sendable, CaseIterable {
    /// The service cannot do its job without this dependency.
    case critical
    /// The service degrades gracefully (a fallback, a reduced feature) without it.
    case degradable
}
