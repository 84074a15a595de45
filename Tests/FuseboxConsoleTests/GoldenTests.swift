import Foundation
import FuseboxBackend
import FuseboxConsole
import Testing

/// Every view rendered to text and compared with `Golden/NAME-WxH.txt`: the text, then each row's
/// style roles (runs of cells that are not plain text), so an OPEN breaker drawn in the CLOSED
/// colour fails as surely as a wrong number.
///
/// The views are fed by ``SnapshotBuilder``, so a change to a simulator scenario never rewrites them;
/// one golden (`simulator-overview`) runs the real simulator as an integration check.
/// To accept new renderings after a deliberate change: `FUSEBOX_UPDATE_GOLDEN=1 swift test --filter GoldenTests`,
/// then review the diff of `Tests/FuseboxConsoleTests/Golden/` before committing.
@Suite struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// The canvas as golden text: its lines, a separator, then `row: from-to role, ...` for every
    /// row with styled cells.
    static func golden(_ canvas: Canvas) -> String {
        var roles: [String] = []
        for y in 0..<canvas.height {
            var runs: [String] = []
            var x = 0
            while x < canvas.width {
                let role = canvas[x, y].role
                var end = x
                while end + 1 < canvas.width && canvas[end + 1, y].role == role { end += 1 }
                if role != .text { runs.append("\(x)-\(end) \(role)") }
                x = end + 1
            }
            if !runs.isEmpty { roles.append("\(y): " + runs.joined(separator: ", ")) }
        }
        return canvas.text + "\n--- roles ---\n" + roles.joined(separator: "\n") + "\n"
    }

    func check(_ name: String, _ canvas: Canvas) throws {
        let file = Self.directory.appendingPathComponent("\(name)-\(canvas.width)x\(canvas.height).txt")
        let rendered = Self.golden(canvas)
        if ProcessInfo.processInfo.environment["FUSEBOX_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try #require(
            try? String(contentsOf: file, encoding: .utf8),
            "no golden file \(file.lastPathComponent); run FUSEBOX_UPDATE_GOLDEN=1 swift test --filter GoldenTests")
        #expect(rendered == expected, "\(file.lastPathComponent) differs:\n\(rendered)")
    }

    static let sizes = [(120, 40), (80, 24)]

    @Test(arguments: sizes.map { "\($0.0)x\($0.1)" })
    func everyViewMatchesItsGoldenFile(size: String) throws {
        let parts = size.split(separator: "x").map { Int($0)! }
        var state = SnapshotBuilder.state(width: parts[0], height: parts[1])
        try check("overview", render(state))

        var detail = state
        ConsoleFixtures.press([.enter], &detail)
        try check("detail", render(detail))

        var flags = state
        ConsoleFixtures.press([.character("F")], &flags)
        try check("flags", render(flags))

        var events = state
        ConsoleFixtures.press([.character("e")], &events)
        try check("events", render(events))

        var help = state
        ConsoleFixtures.press([.character("?")], &help)
        try check("help", render(help))

        ConsoleFixtures.press([.character("o")], &state)
        try check("dialog", render(state))
    }

    @Test func readOnlyAsciiAndTinyTerminals() throws {
        try check("overview-readonly", render(SnapshotBuilder.state(width: 100, height: 20, readOnly: true)))
        var ascii = SnapshotBuilder.state(width: 80, height: 24)
        ascii.glyphs = .ascii
        try check("overview-ascii", render(ascii))
        try check("small", render(SnapshotBuilder.state(width: 50, height: 12)))
        try check("tiny", render(SnapshotBuilder.state(width: 19, height: 5)))
    }

    /// A service with three instances: the fleet rows, then one expanded under its fleet row.
    @Test func theFleetView() throws {
        var state = FleetGroupingTests.state(width: 120, height: 24)
        try check("fleet", render(state))
        ConsoleFixtures.press([.right], &state)
        try check("fleet-expanded", render(state))
    }

    /// A replay: its header, the timeline bar with a transition, a command and an annotation
    /// marked, and its keys; at 120 columns, in ASCII at 60, and in a terminal of 20x6.
    @Test func theReplay() throws {
        func replaying(width: Int, height: Int) -> ConsoleState {
            // A replay is read-only, as `fusebox replay` makes it.
            var state = SnapshotBuilder.state(width: width, height: height, readOnly: true)
            let at = state.shown.updatedAtMilliseconds!
            var replay = ReplayState(
                origin: .recording("incident.fuserec"),
                frameTimes: (0..<60).map { at - 30_000 + Int64($0) * 1_000 },
                markers: [
                    TimelineMarker(kind: .transition, atMilliseconds: at - 20_000, text: "payments closed → open"),
                    TimelineMarker(kind: .command, atMilliseconds: at - 10_000, text: "alice: force-open payments"),
                    TimelineMarker(kind: .annotation, atMilliseconds: at + 10_000, text: "alice: paged payments"),
                ], damage: nil)
            replay.shownFrame = at
            replay.position = at
            replay.speed = 4
            state.replay = replay
            state.paused = true
            return state
        }
        try check("replay", render(replaying(width: 120, height: 30)))
        var ascii = replaying(width: 60, height: 20)
        ascii.glyphs = .ascii
        try check("replay-ascii", render(ascii))
        try check("replay-tiny", render(replaying(width: 20, height: 6)))
    }

    /// The one golden fed by the real simulator: the runtime, the simulator and the views together.
    @Test func theSimulatorsOverview() async throws {
        try check("simulator-overview", render(await ConsoleFixtures.state(width: 120, height: 40)))
    }

    @Test func aWrongColourFailsTheComparison() {
        let state = SnapshotBuilder.state()
        var canvas = render(state)
        let golden = Self.golden(canvas)
        let row = (0..<canvas.height).first { canvas.line($0).contains("payments") }!
        let column = canvas.line(row).range(of: "OPEN")!.lowerBound.utf16Offset(in: canvas.line(row))
        #expect(canvas[column, row].role == .stateOpen)
        canvas.paint(Rect(x: column, y: row, width: 4, height: 1), role: .stateClosed)
        #expect(Self.golden(canvas) != golden, "the same text in another colour is a different golden")
    }
}
