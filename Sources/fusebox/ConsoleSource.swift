import ArgumentParser
import Fusebox
import FuseboxBackends
import FuseboxSimulator

/// Options shared by the commands that read a source.
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: "Where to read from: sim[:SCENARIO] (default), http://host:port, a recording...")
    var source: [String] = []

    @OptionGroup var simulation: SimulationOptions

    func validate() throws {
        if source.count > 1 {
            throw ValidationError("one --source at a time for now; several sources arrive with fleet views")
        }
        for spec in source { _ = try parse(spec) }
    }

    /// The (only) source.
    var specification: SourceSpecification {
        get throws { try parse(source.first ?? "sim") }
    }

    private func parse(_ spec: String) throws -> SourceSpecification {
        do {
            return try SourceSpecification(parsing: spec)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A simulator configuration for `scenario`, from the simulator options.
    func simulation(scenario: String) throws -> SimulationConfiguration {
        try simulation.configuration(scenario: scenario)
    }

    /// The live backend for the console.
    func makeBackend() throws -> any ResilienceBackend {
        switch try specification {
        case .simulator(let scenario):
            let backend = try SimulatorBackend(configuration: try simulation(scenario: scenario))
            backend.start()
            return backend
        case .agent, .prometheus, .resilience4j, .recording:
            throw ValidationError(
                "only the simulator source (sim[:SCENARIO]) is available in this build; agents, Prometheus,"
                    + " Resilience4j and recordings arrive with their issues")
        }
    }
}
