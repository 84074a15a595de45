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
    /// The number of the first instance (`checkout-N`); several simulations with different numbers
    /// (one demo service each) make one fleet of distinct instances.
    public var firstInstanceNumber: Int = 1

    public init() {}

    /// The highest request rate per instance; ``requestsPerSecond`` must be above 0 and at most this.
    public static let requestsPerSecondLimit: Double = 100_000
    /// The highest request rate of all instances together (each request is simulated: time grows with it).
    public static let fleetRequestsPerSecondLimit: Double = 100_000
    /// The number of instances there can be.
    public static let instancesRange = 1...1_000
    /// The synthetic dependencies each instance can have.
    public static let syntheticDependenciesRange = 0...10_000
    /// The most synthetic dependencies of all instances together (each takes about 35 KB in its registry).
    public static let fleetSyntheticDependenciesLimit = 10_000

    /// Checks the numbers; returns a one-line description of the first problem, or `nil`.
    public func validationProblem() -> String? {
        if !(requestsPerSecond > 0 && requestsPerSecond <= Self.requestsPerSecondLimit) {
            return "the request rate must be in (0, 100000] per second (got \(requestsPerSecond))"
        }
        if !Self.instancesRange.contains(instances) { return "instances must be 1...1000 (got \(instances))" }
        if !Self.syntheticDependenciesRange.contains(syntheticDependencies) {
            return "synthetic dependencies must be 0...10000 (got \(syntheticDependencies))"
        }
        if requestsPerSecond * Double(instances) > Self.fleetRequestsPerSecondLimit {
            return "the request rate of all instances together must be at most 100000 per second"
                + " (got \(requestsPerSecond) × \(instances))"
        }
        if syntheticDependencies * instances > Self.fleetSyntheticDependenciesLimit {
            return "synthetic dependencies of all instances together must be at most 10000"
                + " (got \(syntheticDependencies) × \(instances))"
        }
        if service.isEmpty { return "the service needs a name" }
        return nil
    }
}
