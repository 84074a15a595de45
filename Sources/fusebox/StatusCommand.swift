import ArgumentParser
import Foundation
import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol

/// `fusebox status`: the overview once, as text or JSON, from any source.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the overview once (no terminal needed), as a table or as JSON."
    )

    @OptionGroup var sourceOptions: SourceOptions

    @Flag(name: .long, help: "Print the snapshots as JSON instead of a table.")
    var json = false

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "For sim sources: seconds of the scenario to play (in virtual time) before printing"
                + " (1...3600; default: 30).",
            valueName: "seconds"),
        transform: OptionValue.integer(1...3600, "seconds"))
    var at = 30

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds between the two polls that rates are computed from (0.1...60; default: the environment's"
                + " interval, else 1).", valueName: "seconds"),
        transform: OptionValue.decimal(0.1...60, "seconds"))
    var interval: Double?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Table width (60...1000; default: 120).", valueName: "columns"),
        transform: OptionValue.integer(60...1000, "columns"))
    var width = 120

    func run() async throws {
        let environment = try sourceOptions.environment()
        let backend = try sourceOptions.makeBackend(for: .snapshot(atSeconds: at), environment: environment)
        let work = Task { try await backend.run() }
        defer { work.cancel() }
        let previous: [Snapshot]
        let snapshots: [Snapshot]
        do {
            // Two polls an interval apart, so rates are real rather than invented.
            let interval = self.interval ?? environment?.interval ?? 1
            previous = try await backend.poll()
            if !backend.capabilities.selfPaced { try? await Task.sleep(nanoseconds: UInt64(interval * 1e9)) }
            var latest = try await backend.poll()
            // A snapshot no newer than the first (an agent busy refreshing hands out its previous one)
            // gives no rates: ask again, a little later, a few times.
            for _ in 0..<5 where !backend.capabilities.selfPaced && !Self.allNewer(latest, than: previous) {
                try? await Task.sleep(nanoseconds: 300_000_000)
                latest = try await backend.poll()
            }
            snapshots = latest
        } catch {
            // Through printError: the message may quote a server, and must not reach the terminal raw.
            // Several sources: the message names each one already.
            FuseboxMain.printError(backend.sources.isEmpty ? "\(backend.description): \(error.message)" : error.message)
            throw ExitCode(1)
        }
        if json {
            reportUnreadableSources(backend)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(snapshots), as: UTF8.self))
            return
        }
        // The header's interval is what the rates were measured over: the middle of the instances' own.
        let before = Dictionary(previous.map { ($0.instance, $0.takenAtMilliseconds) }, uniquingKeysWith: max)
        let gaps = snapshots.compactMap { snapshot in
            before[snapshot.instance].map { snapshot.takenAtMilliseconds - $0 }
        }.filter { $0 > 0 }.sorted()
        let now = snapshots.map(\.takenAtMilliseconds).max() ?? 0
        let then = now - (gaps.isEmpty ? 1_000 : gaps[gaps.count / 2])
        // The header's interval is the one the rates were measured over.
        var state = ConsoleState(
            source: environment.map { "\($0.name): \(backend.description)" } ?? backend.description, readOnly: true,
            capabilities: backend.capabilities,
            intervalSeconds: Double(now > then ? now - then : 1_000) / 1000, width: width, height: 40, glyphs: .ascii)
        state.environment = environment?.name
        _ = update(&state, .data(previous, atMilliseconds: then))
        _ = update(&state, .data(snapshots, atMilliseconds: now))
        if !backend.sources.isEmpty { _ = update(&state, .sources(backend.sources, atMilliseconds: now)) }
        if let timeline = backend.timeline {
            // A recording's last moment, dated as recorded (never "LIVE, updated 0s ago"), on its timeline.
            var replay = ReplayState(
                origin: .recording((backend.description as NSString).lastPathComponent),
                frameTimes: timeline.frameTimes(), markers: timeline.markers(), damage: timeline.damage)
            replay.shownFrame = now
            state.replay = replay
            state.paused = true
        }
        // Printed, every fleet shows its instances under it.
        state.expandedFleets = Set(state.shown.fleetRows.map(\.identity))
        state.refreshRows()
        print(plainOverview(state))
        reportUnreadableSources(backend)
    }

    /// Whether every instance of `latest` was read after it was in `earlier`.
    private static func allNewer(_ latest: [Snapshot], than earlier: [Snapshot]) -> Bool {
        let before = Dictionary(earlier.map { ($0.instance, $0.takenAtMilliseconds) }, uniquingKeysWith: max)
        return latest.allSatisfy { snapshot in
            before[snapshot.instance].map { snapshot.takenAtMilliseconds > $0 } ?? true
        }
    }

    /// Names, on stderr, every source that could not be read while others could (the table shows
    /// their last good data, if any).
    private func reportUnreadableSources(_ backend: any ResilienceBackend) {
        for source in backend.sources {
            guard let error = source.error else { continue }
            let shown = source.instances.isEmpty ? "nothing shown from it" : "shown as first read"
            FuseboxMain.printError("could not read \(source.source): \(error.message) (\(shown))")
        }
    }
}
