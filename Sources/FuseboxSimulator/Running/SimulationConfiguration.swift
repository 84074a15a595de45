/// What to simulate.
public struct SimulationConfiguration: Sendable {
    public var scenario: Scenario = .defaultScenario
    /// Every random draw derives from this seed.
    public var seed: UInt64 = 1
    /// Checkout requests per second, per instance (Poisson arrivals).
    public var requestsPerSecond: Double = 20
    /// Instances of the service, each with its own registry.
    public var instances: Int = 1
    /// Synthetic downstreams added for large fleets (0...10,000); each request calls two of them.
    public var syntheticDependencies: Int = 0
    /// The service's name in snapshots.
    public var service: String = "checkout"

    public init() {}

    /// Checks the numbers; returns a one-line description of the first problem, or `nil`.
    public func validationProblem() -> String? {
        if !(requestsPerSecond > 0 && requestsPerSecond <= 100_000) {
            return "the request rate must be in (0, 100000] per second (got \(requestsPerSecond))"
        }
        if !(1...1_000).contains(instances) { return "instances must be 1...1000 (got \(instances))" }
        if !(0...10_000).contains(syntheticDependencies) {
            return "synthetic dependencies must be 0...10000 (got \(syntheticDependencies))"
        }
        return nil
    }
}
