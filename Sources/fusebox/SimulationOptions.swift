import ArgumentParser
import FuseboxSimulator

/// The simulator's knobs, shared by every command that can run it.
struct SimulationOptions: ParsableArguments {
    @Option(name: .long, help: "Seed for every random draw; the same seed replays the same run.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Checkout requests per second per instance.")
    var rate: Double = 20

    @Option(name: .long, help: "Instances of the simulated service.")
    var instances = 1

    @Option(name: .long, help: "Synthetic dependencies to add (0...10000).")
    var dependencies = 0

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
