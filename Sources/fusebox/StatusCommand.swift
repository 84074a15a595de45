import ArgumentParser
import Foundation
import Fusebox
import FuseboxBackends
import FuseboxConsole
import FuseboxProtocol
import FuseboxSimulator
import Synchronization

/// `fusebox status`: the overview once, as text or JSON.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the overview once (no terminal needed), as a table or as JSON."
    )

    @OptionGroup var sourceOptions: SourceOptions

    @Flag(name: .long, help: "Print the snapshots as JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "For sim sources: seconds of the scenario to play (in virtual time) before printing.")
    var at = 30

    @Option(name: .long, help: "Table width in columns.")
    var width = 120

    func run() async throws {
        let snapshots: [Snapshot]
        let previous: [Snapshot]
        switch try sourceOptions.specification {
        case .simulator(let scenario):
            let clock = ManualClock(wallOriginMilliseconds: SystemClock().wallMilliseconds())
            let backend = try SimulatorBackend(
                configuration: try sourceOptions.simulation(scenario: scenario), clock: clock)
            let simulation = backend.simulation
            let samples = SnapshotPair()
            try await VirtualTime.run(clock: clock) {
                await simulation.run(for: .seconds(max(1, at)), observingEvery: .seconds(1)) { simulation in
                    samples.push(simulation.snapshots())
                }
            }
            snapshots = simulation.snapshots()
            previous = samples.previous
        default:
            _ = try sourceOptions.makeBackend()
            return
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(snapshots), as: UTF8.self))
            return
        }
        var state = ConsoleState(
            source: sourceOptions.source.first ?? "sim", readOnly: true, intervalSeconds: 1, width: max(60, width),
            height: 40, glyphs: .ascii)
        let now = snapshots.first?.takenAtMilliseconds ?? 0
        _ = update(&state, .data(previous, atMilliseconds: now - 1_000))
        _ = update(&state, .data(snapshots, atMilliseconds: now))
        print(plainOverview(state))
    }
}

/// Keeps the second-to-last sample so rates can be computed for the last one.
final class SnapshotPair: Sendable {
    private let samples = Mutex<[[Snapshot]]>([])
    func push(_ snapshots: [Snapshot]) { samples.withLock { $0 = Array(($0 + [snapshots]).suffix(2)) } }
    var previous: [Snapshot] { samples.withLock { $0.count == 2 ? $0[0] : [] } }
}
