import Foundation
import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Testing

/// The console's program loop, driven end to end in memory: a scripted backend, a manual clock and
/// a terminal that types once the screen shows what it waits for.
@Suite struct ProgramTests {
    static let start = ConsoleFixtures.origin
    static let fleet = SnapshotBuilder.fleet(at: start, callsScale: 1)
    static let down = BackendError(.unreachable, "connection refused by 127.0.0.1:9901")

    func state(width: Int = 100, height: Int = 30) -> ConsoleState {
        ConsoleState(
            source: "scripted", readOnly: false, intervalSeconds: 1, width: width, height: height, actor: "alice",
            availableThemes: ["dark", "light"])
    }

    func program(
        _ backend: ScriptedBackend, _ terminal: MemoryTerminal, _ clock: ManualConsoleClock,
        random: @escaping @Sendable () -> Double = { 0.5 }
    ) -> ConsoleProgram {
        let themes = ThemeLoader(
            searchDirectories: [
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("themes").path
            ])
        return ConsoleProgram(
            backend: backend, terminal: terminal, themes: themes, clock: clock, random: random,
            pollTimeoutMilliseconds: Self.pollTimeout)
    }

    /// A value no backoff takes, so the waits a test reads are the polls' own.
    static let pollTimeout: Int64 = 9_999

    /// The waits between polls (the per-poll timeouts left out).
    func pollWaits(_ clock: ManualConsoleClock) -> [Int64] { clock.waits.filter { $0 != Self.pollTimeout } }

    @Test func failedPollsBackOffThenRecoverAndTheLogSaysSo() async {
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend(
            [.failure(Self.down), .failure(Self.down), .failure(Self.down), .snapshots(Self.fleet)], clock: clock)
        let terminal = MemoryTerminal(
            clock: clock, steps: [.init(until: { _ in backend.polls >= 6 }, input: .key(.character("q")))])
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        #expect(exit.reason == .quit)
        // The first poll is immediate; then 2, 4 and 8 intervals after failures (jitter fixed at its
        // midpoint here), then one interval once the source answers.
        #expect(Array(pollWaits(clock).prefix(5)) == [2_000, 4_000, 8_000, 1_000, 1_000], "\(clock.waits)")
        let backendLines = exit.state.log.filter { $0.kind == .backend }.map(\.text)
        #expect(
            backendLines == [
                "connection refused by 127.0.0.1:9901 (retrying in 2.0s)",
                "connection refused by 127.0.0.1:9901 (retrying in 4.0s)",
                "connection refused by 127.0.0.1:9901 (retrying in 8.0s)",
                "source is answering again",
            ])
        #expect(exit.state.sourceError == nil && exit.state.shown.rows.count == 7)
        #expect(backend.runWasCancelled, "the backend's own work stops with the console")
    }

    @Test func jitterSpreadsRetriesByUpToAFifth() async {
        for (unit, expected) in [(0.0, Int64(1_600)), (0.999_999, Int64(2_400))] {
            let clock = ManualConsoleClock(now: Self.start)
            let backend = ScriptedBackend([.failure(Self.down), .snapshots(Self.fleet)], clock: clock)
            let terminal = MemoryTerminal(
                clock: clock, steps: [.init(until: { _ in backend.polls >= 2 }, input: .key(.character("q")))])
            _ = await runOnThread({ program(backend, terminal, clock, random: { unit }) }, state())
            #expect(pollWaits(clock).first == expected)
        }
    }

    @Test func aDeadSourceKeepsTheLastDataMarkedStaleWithItsAge() async throws {
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend([.snapshots(Self.fleet), .failure(Self.down)], clock: clock)
        let terminal = MemoryTerminal(
            clock: clock,
            steps: [
                // However slowly the pool runs the polls, wait for the failure and an age of 5 s or more.
                .init(until: { $0.contains("source error") && Self.ageSeconds($0) >= 5 }, input: .key(.character("q")))
            ])
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        #expect(exit.state.shown.rows.count == 7, "the last good data stays")
        let canvas = try #require(terminal.lastCanvas)
        let header = canvas.line(0)
        let age = try #require(header.range(of: "updated ")).upperBound
        #expect(Self.ageSeconds(header) >= 5, "\(header)")
        let column = header.distance(from: header.startIndex, to: age) - 1
        #expect(canvas[column, 0].role == .warning, "a stale age is a warning")
        #expect(canvas.line(canvas.height - 2).hasPrefix("source error: connection refused by 127.0.0.1:9901 (data"))
    }

    /// The age the header shows (`updated 8.2s ago`, `updated 1m05s ago`), in whole seconds.
    static func ageSeconds(_ screen: String) -> Int {
        guard let start = screen.range(of: "updated ")?.upperBound,
            let end = screen[start...].range(of: " ago")?.lowerBound
        else { return -1 }
        let text = screen[start..<end]
        var seconds = 0
        var number = 0
        for character in text {
            if let digit = character.wholeNumberValue {
                number = number * 10 + digit
            } else if character == "m" {
                seconds += number * 60
                number = 0
            } else if character == "h" {
                seconds += number * 3600
                number = 0
            } else {
                seconds += number
                number = 0
                if character == "." { break }
            }
        }
        return seconds
    }

    @Test func aFatalErrorSlowsPollingToTwiceAMinuteAndRecoversWhenFixed() async {
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend(
            [.failure(BackendError(.unauthorized, "token refused (401)")), .snapshots(Self.fleet)], clock: clock)
        let terminal = MemoryTerminal(
            clock: clock,
            steps: [
                .init(
                    until: { $0.contains("trying again every 30s") && clock.nowMilliseconds() >= Self.start + 20_000 },
                    input: .key(.redraw)),
                .init(until: { $0.contains("LIVE") && !$0.contains("source error") }, input: .key(.character("q"))),
            ])
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        #expect(backend.polls == 2, "one failure, then one poll 30 s later that worked")
        #expect(exit.state.sourceError == nil)
        #expect(exit.state.log.contains { $0.text.contains("token refused (401) (unauthorized; polling every 30s)") })
    }

    @Test func aPollThatNeverAnswersTimesOutAndTheConsoleGoesOn() async {
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend([.snapshots(Self.fleet), .hang, .snapshots(Self.fleet)], clock: clock)
        let terminal = MemoryTerminal(
            clock: clock,
            steps: [
                .init(until: { $0.contains("did not answer within 10.0s") }, input: .key(.character("?"))),
                .init(until: { $0.contains("HELP") }, input: .key(.escape)),
                .init(until: { _ in backend.polls >= 3 }, input: .key(.character("q"))),
            ])
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        #expect(exit.reason == .quit, "keys still work while a poll hangs")
        #expect(
            exit.state.log.contains { $0.text.hasPrefix("the source did not answer within 10.0s (retrying in 2.0s)") })
    }

    @Test func effectsReportBackThroughUpdate() async {
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend([.snapshots(Self.fleet)], clock: clock)
        let steps: [MemoryTerminal.Step] =
            [.init(until: { $0.contains("catalog") }, input: .key(.character(":")))]
            + TerminalInput.typing("theme light").map { .init(until: { _ in true }, input: $0) }
            + [.init(until: { _ in true }, input: .key(.enter))]
            + [.init(until: { $0.contains("theme light") }, input: .key(.character(":")))]
            + TerminalInput.typing("theme neon").map { .init(until: { _ in true }, input: $0) }
            + [.init(until: { _ in true }, input: .key(.enter))]
            + [.init(until: { $0.contains("no such theme") }, input: .key(.character("/")))]
            + TerminalInput.typing("catalog").map { .init(until: { _ in true }, input: $0) }
            + [
                .init(until: { _ in true }, input: .key(.enter)),
                .init(until: { _ in true }, input: .key(.character("x"))),
                // The filter just moved the cursor to catalog: the first x asks again.
                .init(until: { $0.contains("just moved to catalog") }, input: .key(.character("x"))),
                .init(until: { $0.contains("Disable breaker of catalog?") }, input: .key(.tab)),
                .init(until: { _ in true }, input: .key(.tab)),
                .init(until: { _ in true }, input: .key(.enter)),
                .init(until: { $0.contains("applied: 'catalog'") }, input: .key(.character("q"))),
            ]
        let terminal = MemoryTerminal(clock: clock, steps: steps)
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        #expect(terminal.themes == ["light"], "the terminal draws with the theme that loaded")
        #expect(exit.state.themeName == "light", "and the state knows it, through update")
        #expect(backend.sent.count == 1)
        #expect(backend.sent.first?.0.action == .disable(dependency: "catalog"))
        #expect(backend.sent.first?.1 == ["checkout-1"])
        #expect(exit.state.log.contains { $0.kind == .command && $0.instance == "checkout-1" })
    }

    @Test func everyWayOutEndsTheLoop() async {
        let inputs: [(TerminalInput, ConsoleProgram.Exit.Reason)] = [
            (.key(.character("q")), .quit), (.key(.interrupt), .quit), (.stop(signal: 15), .signal(15)),
            (.stop(signal: 1), .signal(1)),
        ]
        for (input, reason) in inputs {
            let clock = ManualConsoleClock(now: Self.start)
            let backend = ScriptedBackend([.snapshots(Self.fleet)], clock: clock)
            let terminal = MemoryTerminal(clock: clock, steps: [.init(until: { $0.contains("auth") }, input: input)])
            let exit = await runOnThread({ program(backend, terminal, clock) }, state())
            #expect(exit.reason == reason, "\(input)")
            #expect(terminal.released, "the terminal is given back before anything winds down")
        }
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend([.snapshots(Self.fleet)], clock: clock)
        let steps: [MemoryTerminal.Step] =
            [.init(until: { $0.contains("auth") }, input: .key(.character(":")))]
            + [
                .init(until: { _ in true }, input: .key(.character("q"))),
                .init(until: { _ in true }, input: .key(.enter)),
            ]
        let terminal = MemoryTerminal(clock: clock, steps: steps)
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        #expect(exit.reason == .quit, ":q quits")
    }

    @Test func aResizeRedrawsAtTheNewSizeAndIdleTurnsDrawNothing() async throws {
        let clock = ManualConsoleClock(now: Self.start)
        let backend = ScriptedBackend([.snapshots(Self.fleet)], clock: clock)
        let terminal = MemoryTerminal(
            clock: clock,
            steps: [
                .init(until: { $0.contains("auth") }, input: .resize(width: 60, height: 15)),
                .init(until: { _ in true }, input: .key(.character("q"))),
            ])
        let exit = await runOnThread({ program(backend, terminal, clock) }, state())
        let canvas = try #require(terminal.lastCanvas)
        #expect(canvas.width == 60 && canvas.height == 15)
        #expect(exit.state.width == 60 && exit.state.height == 15)
        // The loop turns every 50 ms; it draws only after a message, a key or a 250 ms tick.
        let turns = Int((clock.nowMilliseconds() - Self.start) / 50)
        #expect(terminal.draws < turns / 2 + 4, "\(terminal.draws) draws in \(turns) turns")
    }
}
