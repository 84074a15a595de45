import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Testing

/// The replay's time controls as pure state: keys in, effects and position out.
@Suite struct ReplayTests {
    static let start: Int64 = 1_796_000_100_000
    /// Frames one second apart, with a 60 s quiet stretch after the fifth.
    static let times: [Int64] = (0..<5).map { start + $0 * 1_000 } + (0..<5).map { start + 64_000 + $0 * 1_000 }
    static let markers = [
        TimelineMarker(kind: .transition, atMilliseconds: start + 2_000, text: "checkout-1 payments closed → open"),
        TimelineMarker(kind: .command, atMilliseconds: start + 3_500, text: "alice: force-open payments: applied"),
        TimelineMarker(kind: .annotation, atMilliseconds: start + 65_000, text: "alice: paged payments"),
    ]

    static let notes = [
        TimelineNote(
            kind: .command, atMilliseconds: start + 3_500, actor: "alice", reason: "timeouts",
            text: "force-open payments: applied (forced open)", instance: "checkout-1", target: "payments"),
        TimelineNote(kind: .annotation, atMilliseconds: start + 65_000, actor: "alice", text: "paged payments"),
    ]

    static func replayState() async -> (ConsoleState, [Effect]) {
        var state = ConsoleState(
            source: "incident.fuserec", readOnly: true, intervalSeconds: 1, width: 120, height: 40, actor: "bob")
        state.replay = ReplayState(origin: .recording("incident.fuserec"), frameTimes: [], markers: [], damage: nil)
        state.paused = true
        _ = update(&state, .tick(atMilliseconds: 1_000))
        let effects = update(&state, .timeline(frameTimes: times, markers: markers, notes: Self.notes, damage: nil))
        return (state, effects)
    }

    static func frames(_ times: [Int64]) async -> [TimelineFrame] {
        let (_, last) = await ConsoleFixtures.snapshots
        return times.map { time in
            var snapshots = last
            for index in snapshots.indices { snapshots[index].takenAtMilliseconds = time }
            // As a recording hands them out: each frame with the notes since the frame before it.
            let before = Self.times.last { $0 < time } ?? .min
            let notes = Self.notes.filter { $0.atMilliseconds > before && $0.atMilliseconds <= time }
            return TimelineFrame(atMilliseconds: time, snapshots: snapshots, notes: notes)
        }
    }

    /// Answers the frame requests in `effects` as the program would, in order.
    static func answer(_ effects: [Effect], _ state: inout ConsoleState) async {
        for effect in effects {
            guard case .loadFrames(let request, let id) = effect else { continue }
            switch request {
            case .jump(let time, let history):
                let upTo = times.filter { $0 <= time }.suffix(history + 1)
                let reply = Message.frames(await frames(Array(upTo)), reset: true, request: id, damage: nil)
                await answer(update(&state, reply), &state)
            case .advance(let after, let through):
                let passed = await frames(times.filter { $0 > after && $0 <= through })
                await answer(update(&state, .frames(passed, reset: false, request: id, damage: nil)), &state)
            }
        }
    }

    @Test func aRecordingOpensAtItsStartPaused() async {
        var (state, effects) = await Self.replayState()
        #expect(effects == [.loadFrames(.jump(to: Self.start, history: ReplayState.historyFrames), id: 1)])
        await Self.answer(effects, &state)
        #expect(state.replay?.shownFrame == Self.start)
        #expect(state.replay?.playing == false)
        #expect(state.shown.updatedAtMilliseconds == Self.start)
        let header = render(state).text.split(separator: "\n")[0]
        #expect(header.contains("REPLAY ❚❚ 1x"))
        #expect(header.contains("[RO]"))
        #expect(header.contains("at \(Self.clock(Self.start)) UTC"))
    }

    @Test func playingAdvancesByElapsedTimeTimesSpeedAndSkipsQuietStretches() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        await Self.answer(update(&state, .key(.character(" "))), &state)
        #expect(state.replay?.playing == true)
        // 1x: 1.2 s of wall time shows the frame one second in.
        await Self.answer(update(&state, .tick(atMilliseconds: 2_200)), &state)
        #expect(state.replay?.shownFrame == Self.start + 1_000)
        // 4x: another second of wall time is four recorded seconds.
        await Self.answer(update(&state, .key(.character("+"))), &state)
        await Self.answer(update(&state, .key(.character("+"))), &state)
        #expect(state.replay?.speed == 4)
        await Self.answer(update(&state, .tick(atMilliseconds: 3_200)), &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        // The 60 s of nothing plays as the 5 s idle limit (the position is 1.2 s past the frame: 3.8 s
        // more at 4x), then lands on the next frame.
        var now: Int64 = 3_200
        while state.replay?.shownFrame == Self.start + 4_000 && now < 10_000 {
            now += 100
            await Self.answer(update(&state, .tick(atMilliseconds: now)), &state)
        }
        #expect(state.replay?.shownFrame == Self.start + 64_000)
        #expect((900...1_100).contains(now - 3_200), "skipped after \(now - 3_200) ms")
        // To the end, where it stops.
        for now in stride(from: now + 200, through: now + 2_000, by: 200) {
            await Self.answer(update(&state, .tick(atMilliseconds: now)), &state)
        }
        #expect(state.replay?.shownFrame == Self.times.last)
        #expect(state.replay?.playing == false)
        #expect(state.status?.text.hasPrefix("end of the recording") == true)
    }

    @Test func stepsMarkersTenthsAndEndsJumpWhereTheySay() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        await Self.answer(update(&state, .key(.right)), &state)
        #expect(state.replay?.shownFrame == Self.start + 1_000)
        await Self.answer(update(&state, .key(.right)), &state)
        await Self.answer(update(&state, .key(.left)), &state)
        #expect(state.replay?.shownFrame == Self.start + 1_000)
        // ] goes to the transition at +2 s, then the command at +3.5 s shows on the frame at +4 s.
        await Self.answer(update(&state, .key(.character("]"))), &state)
        #expect(state.replay?.shownFrame == Self.start + 2_000)
        #expect(state.status?.text == "transition 1/3: checkout-1 payments closed → open")
        await Self.answer(update(&state, .key(.character("]"))), &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        await Self.answer(update(&state, .key(.character("]"))), &state)
        #expect(state.replay?.shownFrame == Self.start + 65_000)
        #expect(state.status?.text == "annotation 3/3: alice: paged payments")
        await Self.answer(update(&state, .key(.character("]"))), &state)
        #expect(state.status?.text == "no marker after this")
        await Self.answer(update(&state, .key(.character("["))), &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        await Self.answer(update(&state, .key(.character("G"))), &state)
        #expect(state.replay?.shownFrame == Self.times.last)
        await Self.answer(update(&state, .key(.character("g"))), &state)
        #expect(state.replay?.shownFrame == Self.start)
        // 5: half way through 68 s is 34 s in: the last frame before it is at +4 s.
        await Self.answer(update(&state, .key(.character("5"))), &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        await Self.answer(update(&state, .key(.character("0"))), &state)
        #expect(state.replay?.shownFrame == Self.start)
    }

    @Test func jTakesATimeOfDayOrAnOffset() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        await Self.answer(update(&state, .key(.character("j"))), &state)
        #expect(state.input?.purpose == .jump)
        await Self.answer(ConsoleFixtures.press(ConsoleFixtures.type("+65s") + [.enter], &state), &state)
        #expect(state.replay?.shownFrame == Self.start + 65_000)
        await Self.answer(
            ConsoleFixtures.press([.character("j")] + ConsoleFixtures.type("-1m") + [.enter], &state), &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        let target = Self.clock(Self.start + 66_000)
        await Self.answer(
            ConsoleFixtures.press([.character("j")] + ConsoleFixtures.type(target) + [.enter], &state), &state)
        #expect(state.replay?.shownFrame == Self.start + 66_000)
        // Several units at once.
        await Self.answer(
            ConsoleFixtures.press([.character("j")] + ConsoleFixtures.type("-1m2s") + [.enter], &state), &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        await Self.answer(
            ConsoleFixtures.press([.character("j")] + ConsoleFixtures.type("+1m1s") + [.enter], &state), &state)
        #expect(state.replay?.shownFrame == Self.start + 65_000)
        ConsoleFixtures.press([.character("j")] + ConsoleFixtures.type("lunch") + [.enter], &state)
        #expect(state.status?.text == "cannot read 'lunch' as a time: use 10:42:05 (UTC), -5m, +30s or +1h")
        #expect(state.status?.isError == true)
        #expect(state.replay?.shownFrame == Self.start + 65_000)
    }

    @Test func speedStaysWithinAQuarterAnd64() async {
        var (state, _) = await Self.replayState()
        for _ in 0..<12 { _ = update(&state, .key(.character("+"))) }
        #expect(state.replay?.speed == 64)
        for _ in 0..<12 { _ = update(&state, .key(.character("-"))) }
        #expect(state.replay?.speed == 0.25)
        #expect(render(state).text.split(separator: "\n")[0].contains("REPLAY ❚❚ 0.25x"))
    }

    @Test func aRecordingTakesNoAnnotationAndNoCommand() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        ConsoleFixtures.press([.character("a")], &state)
        #expect(state.input == nil)
        #expect(state.status?.text == "a recording is read as it was: annotate during a live session")
        ConsoleFixtures.press([.character("o")], &state)
        #expect(state.dialog == nil)
        #expect(state.status?.isError == true)
    }

    @Test func pausingALiveConsoleLooksBackAndPlaysIntoLive() async {
        var state = await ConsoleFixtures.state()
        let liveAt = state.shown.updatedAtMilliseconds
        let effects = update(&state, .key(.character("p")))
        #expect(effects == [.openTimeline])
        #expect(state.paused)
        // The program answers with the session's memory.
        _ = update(&state, .timeline(frameTimes: Self.times, markers: Self.markers, notes: Self.notes, damage: nil))
        #expect(state.replay?.origin == .live)
        #expect(state.replay?.shownFrame == Self.times.last)
        await Self.answer(update(&state, .key(.left)), &state)
        #expect(state.replay?.shownFrame == Self.times[Self.times.count - 2])
        // The header says how old the frame shown is, never where it sits in the session.
        _ = update(&state, .tick(atMilliseconds: Self.times[Self.times.count - 2] + 15_000))
        let header = render(state).line(0)
        #expect(header.contains("frozen at") && header.contains("(15s ago)") && !header.contains("(+"), "\(header)")
        // Data keeps arriving underneath, and the timeline grows with it.
        let (_, last) = await ConsoleFixtures.snapshots
        _ = update(&state, .data(last, atMilliseconds: Self.times.last! + 1_000))
        #expect(state.replay?.frameTimes.last == Self.times.last! + 1_000)
        #expect(state.shown.updatedAtMilliseconds == Self.times[Self.times.count - 2])
        // p goes back to live.
        _ = update(&state, .key(.character("p")))
        #expect(state.replay == nil)
        #expect(!state.paused)
        #expect(state.shown.updatedAtMilliseconds != liveAt)
        #expect(render(state).text.split(separator: "\n")[0].contains("LIVE"))
    }

    @Test func anAnnotationIsLoggedAndHandedToTheProgram() async {
        var state = await ConsoleFixtures.state()
        state.recordingPath = "incident.fuserec"
        ConsoleFixtures.press([.character("a")], &state)
        #expect(state.input?.purpose == .annotation)
        #expect(render(state).text.contains("annotate: _"))
        let effects = ConsoleFixtures.press(ConsoleFixtures.type("paged payments") + [.enter], &state)
        #expect(effects == [.annotate("paged payments")])
        #expect(state.log.last?.kind == .annotation)
        #expect(state.log.last?.text == "alice: paged payments")
        #expect(state.status?.text.hasSuffix("UTC (recorded)") == true)
        // Nothing typed is nothing sent.
        let none = ConsoleFixtures.press([.character("a"), .enter], &state)
        #expect(none.isEmpty)
    }

    @Test func aStoppedRecordingIsShownInTheHeaderAndStatus() async {
        var state = await ConsoleFixtures.state()
        state.recordingPath = "incident.fuserec"
        #expect(render(state).text.split(separator: "\n")[0].contains("[RW] ●REC"))
        _ = update(&state, .recordingStopped("recording stopped: the disk is full (incident.fuserec: 12 samples kept)"))
        let screen = render(state).text
        #expect(screen.split(separator: "\n")[0].contains("REC STOPPED"))
        #expect(screen.contains("recording stopped: the disk is full"))
        #expect(state.log.last?.kind == .backend)
    }

    @Test func anEmptyRecordingSaysSoAndAnEmptyAnswerKeepsThePicture() async throws {
        var empty = ConsoleState(
            source: "empty.fuserec", readOnly: true, intervalSeconds: 1, width: 120, height: 40, actor: "bob")
        empty.replay = ReplayState(origin: .recording("empty.fuserec"), frameTimes: [], markers: [], damage: nil)
        #expect(update(&empty, .timeline(frameTimes: [], markers: [], notes: Self.notes, damage: nil)).isEmpty)
        #expect(empty.status?.text == "empty.fuserec holds no readable samples")
        #expect(update(&empty, .key(.character(" "))).isEmpty)
        #expect(empty.status?.text == "nothing recorded yet")

        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        let shown = state.shown.updatedAtMilliseconds
        _ = update(&state, .key(.character("G")))
        let id = try #require(state.replay?.pendingRequest)
        _ = update(&state, .frames([], reset: true, request: id, damage: "3 of 10 samples unreadable"))
        #expect(state.shown.updatedAtMilliseconds == shown)
        #expect(state.replay?.loading == false)
        #expect(state.status?.text.hasPrefix("no readable sample at or before") == true)
        #expect(state.log.last?.text == "recording damaged: 3 of 10 samples unreadable")
    }

    @Test func anAnswerToAnOlderRequestIsDropped() async throws {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        // Two jumps before either is answered: only the second's frames may land.
        let first = update(&state, .key(.character("G")))
        let second = update(&state, .key(.character("5")))
        guard case .loadFrames(_, let firstID)? = first.first, case .loadFrames? = second.first else {
            Issue.record("no requests: \(first) \(second)")
            return
        }
        let stale = await Self.frames([Self.times.last!])
        _ = update(&state, .frames(stale, reset: true, request: firstID, damage: nil))
        #expect(state.replay?.shownFrame == Self.start)
        #expect(state.replay?.loading == true)
        await Self.answer(second, &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
        #expect(state.replay?.loading == false)
    }

    @Test func stepsGoOnPastDamagedSamples() async throws {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        // The frames at +1 s and +2 s cannot be read: a jump to +2 s shows +0 s.
        let readable = Self.times.filter { $0 != Self.start + 1_000 && $0 != Self.start + 2_000 }
        func answerReadable(_ effects: [Effect]) async {
            for case .loadFrames(let request, let id) in effects {
                guard case .jump(let time, _) = request else { continue }
                let frames = await Self.frames(Array(readable.filter { $0 <= time }.suffix(3)))
                await answerReadable(update(&state, .frames(frames, reset: true, request: id, damage: "2 unreadable")))
            }
        }
        await answerReadable(update(&state, .key(.right)))
        #expect(state.replay?.shownFrame == Self.start)
        await answerReadable(update(&state, .key(.right)))
        #expect(state.replay?.position == Self.start + 2_000)
        await answerReadable(update(&state, .key(.right)))
        #expect(state.replay?.shownFrame == Self.start + 3_000, "not stuck before the damage")
    }

    @Test func aPausedLiveConsoleForgetsFrameTimesPastItsMemory() async {
        var state = await ConsoleFixtures.state()
        _ = update(&state, .key(.character("p")))
        _ = update(&state, .timeline(frameTimes: Self.times, markers: [], notes: Self.notes, damage: nil))
        let (_, last) = await ConsoleFixtures.snapshots
        let later = Self.start + ReplayState.liveRetentionMilliseconds + 4_500
        _ = update(&state, .data(last, atMilliseconds: later))
        // Everything older than an hour before the newest frame is gone, as from the memory itself.
        #expect(
            state.replay?.frameTimes == Self.times.filter { $0 >= later - ReplayState.liveRetentionMilliseconds } + [
                later
            ])
    }

    @Test func aJumpRebuildsTheEventLogWithEveryNoteOnce() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        await Self.answer(update(&state, .key(.character("G"))), &state)
        let notes = state.log.filter { $0.kind == .command || $0.kind == .annotation }.map(\.text)
        #expect(
            notes == ["alice: force-open payments: applied (forced open); reason: timeouts", "alice: paged payments"])
        await Self.answer(update(&state, .key(.character("g"))), &state)
        #expect(state.log.filter { $0.kind == .command || $0.kind == .annotation }.isEmpty)
    }

    @Test func markersThatShareAFrameAreEachVisitedAndQuickKeysAddUp() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        // Three markers on the frame at +2 s.
        let shared = (0..<3).map {
            TimelineMarker(kind: .transition, atMilliseconds: Self.start + 1_500 + Int64($0), text: "t\($0)")
        }
        _ = update(&state, .timeline(frameTimes: Self.times, markers: shared + Self.markers, notes: [], damage: nil))
        var visited: [String] = []
        for _ in 0..<5 {
            await Self.answer(update(&state, .key(.character("]"))), &state)
            visited.append(state.status?.text ?? "")
        }
        #expect(
            visited.map { $0.split(separator: ":").first.map(String.init) ?? "" } == [
                "transition 1/6", "transition 2/6", "transition 3/6", "transition 4/6", "command 5/6",
            ])
        await Self.answer(update(&state, .key(.character("["))), &state)
        #expect(state.status?.text.hasPrefix("transition 4/6") == true)
        // Keys pressed before their frames arrive add up: four steps from the start land four frames on.
        await Self.answer(update(&state, .key(.character("g"))), &state)
        var pending: [Effect] = []
        for _ in 0..<4 { pending += update(&state, .key(.right)) }
        await Self.answer(pending, &state)
        #expect(state.replay?.shownFrame == Self.start + 4_000)
    }

    @Test func theEventLogStaysInTimeOrderWhenEventsAndNotesShareAFrame() async throws {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        // The frame at +4 s carries a transition at +3.9 s; the command note is at +3.5 s.
        var frames = await Self.frames([Self.start + 4_000])
        var snapshot = frames[0].snapshots[0]
        snapshot.lastEventSequence += 1_000
        snapshot.events.append(
            Event(
                sequence: snapshot.lastEventSequence, atMilliseconds: Self.start + 3_900, kind: .transition,
                dependency: "payments", from: .breaker(.closed), to: .breaker(.open), reason: "failure rate",
                message: "payments: closed -> open"))
        frames[0].snapshots[0] = snapshot
        _ = update(&state, .key(.right))
        let id = try #require(state.replay?.pendingRequest)
        _ = update(&state, .frames(frames, reset: false, request: id, damage: nil))
        let times = state.log.map(\.atMilliseconds)
        #expect(times == times.sorted(), "the log reads in time order")
        let last = state.log.suffix(2).map(\.kind)
        #expect(last == [.command, .transition], "the command at +3.5 s before the transition at +3.9 s")
    }

    @Test func aLongJumpTextIsRefusedInOneLine() async {
        var (state, effects) = await Self.replayState()
        await Self.answer(effects, &state)
        ConsoleFixtures.press(
            [.character("j")] + ConsoleFixtures.type(String(repeating: "9", count: 300)) + [.enter], &state)
        #expect(state.input == nil, "enter closes the prompt")
        #expect(state.status?.isError == true && state.status?.text.hasPrefix("cannot read '999") == true)
    }

    static func clock(_ milliseconds: Int64) -> String {
        let seconds = Int((milliseconds / 1000) % 86_400)
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(pad(seconds / 3600)):\(pad(seconds % 3600 / 60)):\(pad(seconds % 60))"
    }
}
