import ArgumentParser
import FuseboxSimulator

/// The simulator's knobs, shared by every command that can run it.
struct SimulationOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help: "Seed for every random draw; the same seed replays the same run (0...\(UInt64.max); default: 1).",
        transform: OptionValue.unsigned)
    var seed: UInt64 = 1

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Checkout requests per second per instance (above 0, at most 100000; default: 20).", valueName: "rate"),
        transform: { text in
            guard let value = Double(text), value > 0, value <= SimulationConfiguration.requestsPerSecondLimit else {
                let limit = Int(SimulationConfiguration.requestsPerSecondLimit)
                throw ValidationError("must be a number of requests per second, above 0 and at most \(limit)")
            }
            return value
        })
    var rate: Double = 20

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Instances of the simulated service (1...1000; default: 1).", valueName: "count"),
        transform: OptionValue.integer(SimulationConfiguration.instancesRange))
    var instances = 1

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Synthetic dependencies to add to each instance (0...10000; default: 0).", valueName: "count"),
        transform: OptionValue.integer(SimulationConfiguration.syntheticDependenciesRange))
    var dependencies = 0

    /// The limits across the fleet, named as options (each option's own range is checked as it is parsed).
    func validate() throws {
        let fleetRate = rate * Double(instances)
        if fleetRate > SimulationConfiguration.fleetRequestsPerSecondLimit {
            throw ValidationError(
                "--rate × --instances must be at most \(Int(SimulationConfiguration.fleetRequestsPerSecondLimit))"
                    + " requests per second across the fleet (got \(rate.formatted) × \(instances))")
        }
        if instances * dependencies > SimulationConfiguration.fleetSyntheticDependenciesLimit {
            let limit = SimulationConfiguration.fleetSyntheticDependenciesLimit
            throw ValidationError(
                "--instances × --dependencies must be at most \(limit) synthetic dependencies across the fleet"
                    + " (got \(instances) × \(dependencies))")
        }
        _ = try configuration()
    }

    /// A simulator configuration for the scenario named `scenario` (the default scenario if `nil`).
    /// - Throws: `ValidationError` (exit 2) if a number is out of range.
    func configuration(scenario: String? = nil) throws -> SimulationConfiguration {
        var configuration = SimulationConfiguration()
        configuration.scenario = scenario.flatMap(Scenario.named) ?? .defaultScenario
        configuration.seed = seed
        configuration.requestsPerSecond = rate
        configuration.instances = instances
        configuration.syntheticDependencies = dependencies
        if let problem = configuration.validationProblem() { throw ValidationError(problem) }
        return configuration
    }
}

extension Double {
    /// `200` rather than `200.0`; other numbers as Swift prints them.
    fileprivate var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
