import ArgumentParser
import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Logging

/// `fusebox simulate`: runs a scenario headless and prints what the runtime did.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run an outage scenario without the console and print the events as they happen.",
        discussion:
            "By default the scenario runs in virtual time (as fast as the machine allows, same output for the"
            + " same seed); --realtime plays it on the wall clock."
    )

    @Option(name: .long, help: "The scenario (see 'fusebox scenarios').")
    var scenario = Scenario.defaultScenario.name

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds to simulate, up to 604800 (7 days; default: one pass of the scenario).", valueName: "seconds"),
        transform: OptionValue.integer(1...SimulateCommand.longestDuration, "seconds"))
    var duration: Int?

    /// Seven days.
    static let longestDuration = 7 * 24 * 3600

    @OptionGroup var simulation: SimulationOptions

    @Flag(name: .long, help: "Play on the wall clock instead of in virtual time.")
    var realtime = false

    func validate() throws {
        guard Scenario.named(scenario) != nil else {
            throw ValidationError(
                "unknown scenario '\(scenario)'; choose one of: \(Scenario.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let configuration = try simulation.configuration(scenario: scenario)
        let seconds = duration ?? Int(configuration.scenario.durationSeconds)
        let quiet = Logger(label: "fusebox.simulator", factory: { _ in SwiftLogNoOpLogHandler() })
        let printer = EventPrinter()
        if realtime {
            let simulation: Simulation
            do {
                simulation = try Simulation(configuration: configuration, clock: SystemClock(), logger: quiet)
            } catch {
                throw ValidationError("\(error)")
            }
            await simulation.run(for: .seconds(seconds), observingEvery: .seconds(1)) { printer.printNew(from: $0) }
            printer.printNew(from: simulation, flush: true)
            printer.printSummary(of: simulation)
        } else {
            let clock = ManualClock(wallOriginMilliseconds: SystemClock().wallMilliseconds())
            let simulation: Simulation
            do {
                simulation = try Simulation(configuration: configuration, clock: clock, logger: quiet)
            } catch {
                throw ValidationError("\(error)")
            }
            try await VirtualTime.run(clock: clock) {
                await simulation.run(for: .seconds(seconds), observingEvery: .seconds(1)) { printer.printNew(from: $0) }
            }
            printer.printNew(from: simulation, flush: true)
            printer.printSummary(of: simulation)
        }
    }
}
