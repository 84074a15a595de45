import FuseboxConsole
import FuseboxProtocol
import Testing

/// What an operator under pressure relies on: the cursor stays on its dependency, a frozen view
/// says so, the event log holds still while read and never loses an operator action.
@Suite struct OperatorSafetyTests {
    typealias Builder = SnapshotBuilder
    let origin = ConsoleFixtures.origin

    func press(_ keys: [Key], _ state: inout ConsoleState) { _ = ConsoleFixtures.press(keys, &state) }

    /// The standard fleet, with `change` applied to its dependencies.
    func poll(at: Int64, scale: UInt64, _ change: (inout [DependencySnapshot]) -> Void = { _ in }) -> [Snapshot] {
        var snapshots = Builder.fleet(at: at, callsScale: scale)
        change(&snapshots[0].dependencies)
        return snapshots
    }

    func selectRow(named name: String, _ state: inout ConsoleState) throws {
        let index = try #require(state.visibleRows.firstIndex { $0.name == name })
        press(Array(repeating: .down, count: index), &state)
        #expect(state.selectedRow?.name == name)
    }

    @Test func theCursorStaysOnItsDependencyWhenTheRowsReorder() throws {
        var state = Builder.state()
        try selectRow(named: "catalog", &state)
        let position = state.selection
        // auth trips: worst first puts it at the top and pushes catalog down a row.
        _ = update(
            &state,
            .data(poll(at: origin + 1_000, scale: 3) { $0[1].breaker.state = .open }, atMilliseconds: origin + 1_000))
        #expect(state.visibleRows.first { $0.name == "auth" }!.dependency.breaker.state == .open)
        #expect(state.selectedRow?.name == "catalog", "the cursor follows catalog, not the row position")
        #expect(state.selection != position)
        press([.character("o")], &state)
        #expect(state.dialog?.target == "catalog", "o acts on the dependency the operator was looking at")
    }

    /// The standard fleet with breaker states set by name.
    func poll(at: Int64, scale: UInt64, states: [String: BreakerState], failureRates: [String: Double] = [:])
        -> [Snapshot]
    {
        poll(at: at, scale: scale) { dependencies in
            for index in dependencies.indices {
                let name = dependencies[index].name
                if let state = states[name] { dependencies[index].breaker.state = state }
                if let rate = failureRates[name] { dependencies[index].breaker.failureRate = rate }
            }
        }
    }

    /// Delivers the poll at `at` (the standard fleet with `states` and `failureRates`) to the console.
    func deliver(
        at: Int64, scale: UInt64, states: [String: BreakerState] = [:], failureRates: [String: Double] = [:],
        _ state: inout ConsoleState
    ) {
        _ = update(
            &state, .data(poll(at: at, scale: scale, states: states, failureRates: failureRates), atMilliseconds: at))
    }

    /// One second on: payments recovers and auth trips.
    func authTakesOverFromPayments(_ state: inout ConsoleState) {
        deliver(at: origin + 1_000, scale: 3, states: ["payments": .closed, "auth": .open], &state)
    }

    @Test func untilTheOperatorMovesItTheCursorFollowsTheWorstDependency() throws {
        var state = Builder.state()
        #expect(state.selectedRow?.name == "payments" && state.visibleRows.first?.name == "payments")
        // payments recovers and auth trips: the cursor and the details pane go to auth.
        authTakesOverFromPayments(&state)
        #expect(state.visibleRows.first?.name == "auth")
        #expect(state.selectedRow?.name == "auth", "the first thing an operator sees selected is the worst row")
        #expect(render(state).text.contains("── auth "), "the details pane shows the open breaker")
        // Opening its details pins it: payments trips again and goes back on top; the details stay.
        press([.enter], &state)
        #expect(!state.selectionFollowsWorst)
        deliver(at: origin + 2_000, scale: 4, &state)
        #expect(state.visibleRows.first?.name == "payments")
        #expect(state.selectedRow?.name == "auth", "a screen being read never changes under the operator")
    }

    @Test func rowsInTheSameStateSwappingPlacesNeverMoveTheCursor() throws {
        var state = Builder.state()
        #expect(state.selectedRow?.name == "payments")
        // auth trips too, with a higher failure rate: worst first puts it above payments, but both
        // are open, so the cursor stays (it would flap between them every poll otherwise).
        deliver(at: origin + 1_000, scale: 3, states: ["auth": .open], failureRates: ["auth": 90], &state)
        #expect(state.visibleRows.first?.name == "auth")
        #expect(state.selectedRow?.name == "payments" && state.selectionFollowsWorst)
    }

    @Test func anActionKeyJustAfterTheCursorFollowedAsksAgain() throws {
        var state = Builder.state()
        authTakesOverFromPayments(&state)
        #expect(state.selectedRow?.name == "auth")
        // `o` 200 ms after the cursor moved to auth: it may have been meant for payments.
        _ = update(&state, .tick(atMilliseconds: origin + 1_200))
        press([.character("o")], &state)
        #expect(state.dialog == nil)
        #expect(state.status?.text == "the cursor just moved to auth: press again to act on it")
        #expect(state.selectionFollowsWorst, "asking chose nothing: the cursor still follows")
        // `o` again acts on auth, and the question no longer shows under the dialog.
        press([.character("o")], &state)
        #expect(state.dialog?.target == "auth")
        #expect(state.status == nil)
    }

    @Test func aCursorThatMovesAgainBeforeTheSecondPressAsksAgain() throws {
        var state = Builder.state()
        authTakesOverFromPayments(&state)
        _ = update(&state, .tick(atMilliseconds: origin + 1_200))
        press([.character("o")], &state)
        #expect(state.status?.text.hasPrefix("the cursor just moved to auth") == true)
        // auth recovers and payments trips again before the second press: that press asks again.
        deliver(at: origin + 1_400, scale: 4, &state)
        #expect(state.selectedRow?.name == "payments")
        press([.character("o")], &state)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("the cursor just moved to payments") == true)
    }

    @Test func aStepMadeFromARowNotYetSeenStillAsks() throws {
        var state = Builder.state()
        authTakesOverFromPayments(&state)
        // ↓ 100 ms after the data moved the cursor to auth, meant as a step from payments.
        _ = update(&state, .tick(atMilliseconds: origin + 1_100))
        press([.down], &state)
        let landed = try #require(state.selectedRow?.name)
        press([.character("o")], &state)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("the cursor just moved to \(landed)") == true)
    }

    @Test func aPinnedRowHiddenByFleetsFormingOrAFilterAsksBeforeActingOnAnother() throws {
        var state = Builder.state()
        press([.down, .down], &state)
        let pinned = try #require(state.selectedRow?.name)
        // A filter that hides the pinned row puts the cursor on another: the next action asks first.
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("pay") + [.enter], &state)
        #expect(state.selectedRow?.name != pinned)
        press([.character("o")], &state)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("the cursor just moved to") == true)
    }

    @Test func anActionKeyAsTheFirstDataAppearsAsksFirst() throws {
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        deliver(at: origin, scale: 1, &state)
        press([.character("o")], &state)
        let first = try #require(state.selectedRow?.name)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("the cursor just moved to \(first)") == true)
    }

    @Test func aBreakerProbingKeepsTheCursor() throws {
        var state = Builder.state()
        #expect(state.selectedRow?.name == "payments")
        // payments probes (half-open) while auth trips: payments has not recovered, so it stays.
        deliver(at: origin + 1_000, scale: 3, states: ["payments": .halfOpen, "auth": .open], &state)
        #expect(state.visibleRows.first?.name == "auth")
        #expect(state.selectedRow?.name == "payments")
    }

    @Test func clearingAFilterOntoATrippedRowAsksAgainBeforeActing() throws {
        var state = Builder.state()
        ConsoleFixtures.filter(to: "auth", &state)
        #expect(state.selectedRow?.name == "auth")
        press([.escape], &state)
        #expect(state.selectedRow?.name == "payments", "the filter hid payments; now it is the worst")
        press([.character("o")], &state)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("the cursor just moved to payments") == true)
    }

    @Test func aMoveMadeWhileAnotherScreenWasOpenCountsFromTheReturn() throws {
        var state = Builder.state()
        press([.character("e")], &state)
        authTakesOverFromPayments(&state)
        // Long after the data moved the cursor, but the overview shows it only now.
        _ = update(&state, .tick(atMilliseconds: origin + 10_000))
        press([.escape], &state)
        #expect(state.screen == .overview && state.selectedRow?.name == "auth")
        press([.character("o")], &state)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("the cursor just moved to auth") == true)
        press([.character("o")], &state)
        #expect(state.dialog?.target == "auth")
    }

    @Test func anActionKeyLongAfterTheCursorFollowedActsAtOnce() throws {
        var state = Builder.state()
        authTakesOverFromPayments(&state)
        _ = update(&state, .tick(atMilliseconds: origin + 1_000 + ConsoleState.followGuardMilliseconds))
        press([.character("o")], &state)
        #expect(state.dialog?.target == "auth")
    }

    @Test func theSortIsNamedWholeAtAnyWidthAndItsColumnKept() throws {
        for width in [120, 100, 80, 70, 60, 50, 40, 30, 24] {
            var state = Builder.state(width: width, height: 24)
            press([.character("s"), .character("s"), .character("s")], &state)
            #expect(state.sort == .failures)
            ConsoleFixtures.filter(to: "a", &state)
            let title = try #require(render(state).text.split(separator: "\n").first { $0.contains("STATE") })
            // Whole from 40 columns; below, as much of it as DEPENDENCY's place holds.
            #expect(title.contains(width >= 40 ? "by failures" : "by f"), "\(width) columns: \(title)")
            if width >= 60 { #expect(title.contains("FAIL%/THR"), "the sorted column stays at \(width): \(title)") }
        }
    }

    @Test func theSortIsAlwaysOnTheTitleRow() throws {
        for width in [120, 80, 60] {
            var state = Builder.state(width: width, height: 24)
            press([.character("s")], &state)
            #expect(state.sort == .name)
            let title = try #require(render(state).text.split(separator: "\n").first { $0.hasPrefix("DEPENDENCY") })
            #expect(title.hasSuffix("by name"), "\(width) columns: \(title)")
            // With a filter too, the sort comes first and the filter's count after it.
            press([.character(":")] + ConsoleFixtures.type("filter a") + [.enter], &state)
            let filtered = try #require(render(state).text.split(separator: "\n").first { $0.hasPrefix("DEPENDENCY") })
            #expect(filtered.contains(width >= 120 ? "by name  filter 'a'" : "by name"), "\(width): \(filtered)")
        }
    }

    @Test func aRefusedActionLeavesTheCursorFollowing() throws {
        var state = Builder.state()
        ConsoleFixtures.filter(to: "auth", &state)
        #expect(state.selectedRow?.name == "auth")
        press([.character("c")], &state)
        #expect(state.dialog == nil && state.status?.text == "auth is already CLOSED; nothing to change")
        #expect(state.selectionFollowsWorst, "no dialog opened: the operator chose nothing")
        press([.escape], &state)
        #expect(state.selectedRow?.name == "payments", "with the filter gone, the cursor is on the worst again")
    }

    @Test func actingOnTheTopRowPinsIt() throws {
        var state = Builder.state()
        let top = try #require(state.visibleRows.first?.name)
        press([.character("o")], &state)
        #expect(state.dialog?.target == top)
        press([.escape], &state)
        #expect(!state.selectionFollowsWorst, "after a dialog the cursor stays where the operator acted")
        deliver(at: origin + 1_000, scale: 3, states: [top: .closed, "auth": .open], &state)
        #expect(state.visibleRows.first?.name == "auth")
        #expect(state.selectedRow?.name == top)
    }

    @Test func aDependencyThatLeavesIsNotReplacedUnderTheCursor() throws {
        var state = Builder.state()
        try selectRow(named: "catalog", &state)
        press([.enter], &state)
        _ = update(
            &state,
            .data(
                poll(at: origin + 1_000, scale: 3) { $0.removeAll { $0.name == "catalog" } },
                atMilliseconds: origin + 1_000))
        #expect(state.selectedRow == nil && state.selectionGone)
        #expect(render(state).text.contains("catalog on checkout-1 is no longer reported by the source"))
        press([.character("o")], &state)
        #expect(state.dialog == nil, "no other dependency takes the gone one's place")
        press([.escape], &state)
        #expect(render(state).line(1).contains("catalog (checkout-1) is gone"))
        press([.down], &state)
        #expect(state.selectedRow != nil && !state.selectionGone, "moving selects a real row again")
        let chosen = state.selectedRow!.identity
        // And when catalog comes back, the cursor stays on what was chosen since.
        deliver(at: origin + 2_000, scale: 4, &state)
        #expect(state.selectedRow?.identity == chosen)
    }

    @Test func theFlagsCursorFollowsItsFlagWhenAnInstanceJoins() throws {
        var state = Builder.state()
        press([.character("F"), .down], &state)
        let chosen = state.shown.flags[state.flagSelection]
        // Another instance appears: its flags sort in among the first one's.
        var second = Builder.fleet(at: origin + 1_000, callsScale: 3)[0]
        second.instance = "checkout-0"
        _ = update(
            &state, .data(Builder.fleet(at: origin + 1_000, callsScale: 3) + [second], atMilliseconds: origin + 1_000))
        let now = state.shown.flags[state.flagSelection]
        #expect(now.instance == chosen.instance && now.flag.name == chosen.flag.name)
        press([.character("f")], &state)
        #expect(state.dialog?.target == chosen.flag.name && state.dialog?.selectedInstance == chosen.instance)
    }

    @Test func aPausedViewSaysItsDataIsFrozenAndHowOld() {
        var state = Builder.state()
        press([.character("p")], &state)
        deliver(at: origin + 1_000, scale: 3, &state)
        _ = update(&state, .tick(atMilliseconds: origin + 12_000))
        let header = render(state).line(0)
        #expect(header.contains("PAUSED"))
        #expect(header.contains("frozen at") && header.contains("(12s ago)"), "\(header)")
        #expect(!header.contains("updated 1"), "no claim of fresh data: \(header)")
    }

    /// A snapshot of checkout-1 with these events (sequence numbers from 1 after `after`).
    func events(_ events: [Event], after: UInt64, at: Int64) -> [Snapshot] {
        var builder = SnapshotBuilder(at: at).with(Builder.dependency("payments", state: .open, failureRate: 60))
        var numbered = events
        for index in numbered.indices { numbered[index].sequence = after + UInt64(index) + 1 }
        builder = builder.with(events: numbered)
        return [builder.build()]
    }

    func fallback(_ dependency: String, _ fallback: String, count: UInt64, at: Int64) -> Event {
        Event(
            atMilliseconds: at, kind: .fallback, dependency: dependency, fallback: fallback, fallbackKind: .staleCache,
            fallbackReason: .breakerOpen, count: count, message: "\(dependency): \(fallback) served \(count)x")
    }

    @Test func fallbackBurstsFoldAndNeverPushOutAnOperatorAction() {
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        let command = Event(
            atMilliseconds: origin, kind: .command, dependency: "payments", actor: "alice", commandId: "a-1",
            message: "force-open payments by alice: applied")
        _ = update(&state, .data(events([command], after: 0, at: origin), atMilliseconds: origin))
        // A storm: 3 reports per poll for 2,000 polls.
        var sequence: UInt64 = 1
        for poll in 1...2_000 {
            let at = origin + Int64(poll) * 1_000
            let storm = [
                fallback("payments", "cache", count: 5, at: at - 900),
                fallback("payments", "static", count: 2, at: at - 500),
                fallback("payments", "cache", count: 3, at: at - 100),
            ]
            _ = update(&state, .data(events(storm, after: sequence, at: at), atMilliseconds: at))
            sequence += 3
        }
        #expect(state.log.contains { $0.text == "force-open payments by alice: applied" }, "the action is still there")
        #expect(state.fallbackLog.count == ConsoleState.fallbackLogLimit)
        #expect(
            state.fallbackLog.last?.text == "payments: fallbacks 10x (cache breaker-open 8x, static breaker-open 2x)")
    }

    @Test func theEventLogHoldsStillWhileReadAndCountsWhatArrived() {
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 20)
        var sequence: UInt64 = 0
        func transitions(_ count: Int, at: Int64) {
            let batch = (0..<count).map { index in
                Event(
                    atMilliseconds: at, kind: .transition, dependency: "payments", from: .breaker(.closed),
                    to: .breaker(.open), message: "payments: transition \(Int(sequence) + index + 1)")
            }
            _ = update(&state, .data(events(batch, after: sequence, at: at), atMilliseconds: at))
            sequence += UInt64(count)
        }
        transitions(30, at: origin)
        press([.character("e"), .up, .up], &state)
        let reading = render(state)
        #expect(reading.text.contains("payments: transition 28"))
        transitions(5, at: origin + 1_000)
        let after = render(state)
        #expect((2..<19).allSatisfy { after.line($0) == reading.line($0) }, "the lines being read did not move")
        #expect(after.line(1).contains("5 new: G follows"))
        press([.character("G")], &state)
        #expect(render(state).text.contains("payments: transition 35"))
        // Only commands: t cycles the kind.
        press([.character("t"), .character("t")], &state)
        #expect(state.eventKind == .command && render(state).line(1).contains("kind: command"))
    }

    @Test func oneEventCanBeReadWhole() {
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 80, height: 24)
        let long =
            "payments: CLOSED -> OPEN (failure rate 61.0% >= 50.0% over 100 calls; open for 30.0s; "
            + "the gateway answered 503 for most calls in the window)"
        let event = Event(
            atMilliseconds: origin, kind: .transition, dependency: "payments", from: .breaker(.closed),
            to: .breaker(.open), message: long)
        _ = update(&state, .data(events([event], after: 0, at: origin), atMilliseconds: origin))
        press([.character("e"), .enter], &state)
        let text = render(state).text
        #expect(text.contains("the gateway answered 503 for most calls in the window)"), "the full reason, wrapped")
        #expect(text.contains("about: payments"))
        press([.escape], &state)
        #expect(state.expandedEvent == nil && state.screen == .events)
    }

    @Test func theDetailNeverReadsAsHealthyWhenNothingWasMeasured() throws {
        var state = Builder.state()
        _ = update(
            &state,
            .data(
                poll(at: origin + 1_000, scale: 2) { deps in
                    let i = deps.firstIndex { $0.name == "payments" }!
                    deps[i].fallbacks = FallbackSnapshot(
                        chain: [], activations: [], unserved: 0, maxStalenessMilliseconds: nil)
                }, atMilliseconds: origin + 1_000))
        try selectRow(named: "payments", &state)
        press([.enter], &state)
        let text = render(state).text
        #expect(text.contains("FALLBACKS: none configured"), "not 'FALLBACKS ()'")
        #expect(text.contains("- (rejecting)"), "an open breaker rejects: no rate, not a healthy 0%")
    }

    @Test func risingNeedsAFewPollsOfHistory() {
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        for second in 0..<3 {
            let at = origin + Int64(second) * 1_000
            let snapshot = SnapshotBuilder(at: at)
                .with(Builder.dependency("catalog", calls: UInt64(100 * (second + 1)), failures: UInt64(20 * second)))
                .build()
            _ = update(&state, .data([snapshot], atMilliseconds: at))
        }
        #expect(state.visibleRows.allSatisfy { !$0.rising }, "three seconds in, nothing is 'rising' yet")
    }

    @Test func theHintBarKeepsHelpAndQuitAndLooksBeforeItActs() {
        let state = Builder.state(width: 80, height: 24)
        let hints = render(state).line(23)
        #expect(hints.hasSuffix("? help  q quit"), "\(hints)")
        #expect(hints.hasPrefix("enter details  / filter"), "looking comes before changing production: \(hints)")
    }
}

@Suite struct ScreenTextTests {
    @Test func aFullyRecoveredBreakerReadsAsOneHundredPercent() {
        var dependency = SnapshotBuilder.dependency("payments", state: .recovering)
        dependency.breaker.backIn?.share = 1
        let snapshot = SnapshotBuilder(at: ConsoleFixtures.origin).with(dependency).build()
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 80, height: 24)
        _ = update(&state, .data([snapshot], atMilliseconds: ConsoleFixtures.origin))
        #expect(render(state).line(2).contains("RECOVERING 100%"), "not cut to 'RECOVERING 10…'")
    }

    @Test func theRowCounterAndTheSortNeverCoverAColumnTitle() {
        let dependencies = (0..<60).map { SnapshotBuilder.dependency("dependency-\($0)") }
        var builder = SnapshotBuilder(at: ConsoleFixtures.origin)
        builder.dependencies = dependencies
        for width in [60, 80, 120] {
            var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: width, height: 15)
            _ = update(&state, .data([builder.build()], atMilliseconds: ConsoleFixtures.origin))
            let titles = render(state).line(1)
            // Wide enough, the range shows; narrow, data columns come first and it gives way whole.
            #expect(
                titles.hasSuffix(" 1-11 of 60") || (width < 120 && !titles.contains("of 60")), "\(width): \(titles)")
            if width == 120 { #expect(titles.hasSuffix(" 1-11 of 60")) }
            let known: Set<Substring> = [
                "DEPENDENCY", "by", "worst", "STATE", "CALLS/s", "FAIL%/THR", "P99", "FB/s", "SLOW%/THR", "RETRY/s",
                "CRIT", "BURN", "BULK", "ERRORS",
            ]
            let words = (titles.hasSuffix(" 1-11 of 60") ? titles.dropLast(" 1-11 of 60".count) : Substring(titles))
                .split(separator: " ")
            #expect(words.allSatisfy { known.contains($0) }, "\(width): every title whole: \(titles)")
        }
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        _ = update(&state, .data([builder.build()], atMilliseconds: ConsoleFixtures.origin))
        #expect(render(state).line(1).hasPrefix("DEPENDENCY  by worst"), "the sort is always on screen")
    }
}

@Suite struct TrialFixTests {
    func press(_ keys: [Key], _ state: inout ConsoleState) { _ = ConsoleFixtures.press(keys, &state) }

    @Test func withoutUTF8NothingButASCIIIsDrawn() {
        var state = SnapshotBuilder.state()
        state.glyphs = .ascii
        ConsoleFixtures.filter(to: "catalog", &state)
        press([.character("x")], &state)
        let canvas = render(state)
        #expect(canvas.text.contains("Change: CLOSED > DISABLED"), "an arrow, not a '?'")
        #expect(canvas.text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(canvas.text.contains(" +----") && canvas.text.contains("----+"), "the dialog's corners")
    }

    @Test func theStateStaysOnTheNarrowestLayout() {
        var state = SnapshotBuilder.state(width: 20, height: 6)
        _ = update(&state, .resize(width: 21, height: 8))
        #expect(render(state).text.contains("OPEN"), "\(render(state).text)")
    }

    @Test func helpScrollsAndItsKeysMoveNothingElse() {
        var state = SnapshotBuilder.state(width: 60, height: 15)
        let selected = state.selectedRow?.identity
        press([.character("?")], &state)
        #expect(!render(state).text.contains(":help  :q"), "the end of help is below the fold")
        press(Array(repeating: .down, count: 30), &state)
        #expect(render(state).text.contains(":help  :q"), "scrolled to the end")
        #expect(state.selectedRow?.identity == selected, "j on help does not move the overview's cursor")
    }

    @Test func aPastedCRLFIsOneSpaceAndALongReasonShowsItsEnd() {
        var state = SnapshotBuilder.state()
        ConsoleFixtures.filter(to: "catalog", &state)
        press([.character("x")], &state)
        press([.paste("first\r\nsecond")], &state)
        #expect(state.dialog?.reason == "first second")
        press([.paste(" " + String(repeating: "a", count: 200) + " the end")], &state)
        #expect(render(state).text.contains("a the end_"), "the end of the reason, where the typing is")
    }
}
