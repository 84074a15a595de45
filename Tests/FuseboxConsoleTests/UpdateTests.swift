import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Testing

/// Each key in each mode does what help says.
@Suite struct UpdateTests {
    func fresh(readOnly: Bool = false) async -> ConsoleState { await ConsoleFixtures.state(readOnly: readOnly) }

    @Test func quitOnQAndCtrlC() async {
        var state = await fresh()
        #expect(ConsoleFixtures.press([.character("q")], &state) == [.quit])
        #expect(ConsoleFixtures.press([.interrupt], &state) == [.quit])
        state.dialog = ConfirmationDialog(
            action: .close(dependency: "x"), target: "x", criticality: nil, instances: ["i"])
        #expect(ConsoleFixtures.press([.interrupt], &state) == [.quit], "Ctrl-C quits even from a dialog")
    }

    @Test func overviewIsWorstFirstAndSortCycles() async {
        var state = await fresh()
        let worst = state.visibleRows.first!
        #expect(worst.dependency.breaker.state != .closed, "a tripped breaker comes first")
        ConsoleFixtures.press([.character("s")], &state)
        #expect(state.sort == .name)
        #expect(state.visibleRows.map(\.name) == state.visibleRows.map(\.name).sorted())
        ConsoleFixtures.press(Array(repeating: .character("s"), count: 4), &state)
        #expect(state.sort == .worst)
    }

    @Test func navigationMovesTheSelectionWithinBounds() async {
        var state = await fresh()
        ConsoleFixtures.press([.up], &state)
        #expect(state.selection == 0)
        ConsoleFixtures.press([.down, .character("j")], &state)
        #expect(state.selection == 2)
        ConsoleFixtures.press([.pageDown, .pageDown], &state)
        #expect(state.selection == state.visibleRows.count - 1)
        ConsoleFixtures.press([.character("k")], &state)
        #expect(state.selection == state.visibleRows.count - 2)
    }

    @Test func filterByNameOrStateThenEscapeClears() async {
        var state = await fresh()
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("pay"), &state)
        #expect(state.input?.purpose == .filter)
        #expect(Set(state.visibleRows.map(\.name)) == ["payments", "payments-eu"])
        ConsoleFixtures.press([.enter], &state)
        #expect(state.input == nil && state.filter == "pay")
        ConsoleFixtures.press([.character("/"), .escape], &state)
        #expect(state.filter == "" && state.visibleRows.count == 12)
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("open") + [.enter], &state)
        #expect(state.visibleRows.allSatisfy { $0.dependency.breaker.state.label.lowercased().contains("open") })
    }

    @Test func enterOpensDetailAndEscapeReturns() async {
        var state = await fresh()
        ConsoleFixtures.press([.enter], &state)
        #expect(state.screen == .detail)
        ConsoleFixtures.press([.escape], &state)
        #expect(state.screen == .overview)
    }

    @Test func helpTogglesAndRemembersWhereItCameFrom() async {
        var state = await fresh()
        ConsoleFixtures.press([.character("F"), .character("?")], &state)
        #expect(state.screen == .help && state.screenBeforeHelp == .flags)
        ConsoleFixtures.press([.character("?")], &state)
        #expect(state.screen == .flags)
        ConsoleFixtures.press([.character("?"), .escape], &state)
        #expect(state.screen == .flags)
    }

    @Test func pauseFreezesTheViewWhileDataKeepsArriving() async {
        var state = await fresh()
        ConsoleFixtures.press([.character("p")], &state)
        #expect(state.paused)
        let frozen = state.shown
        let (_, last) = await ConsoleFixtures.snapshots
        _ = update(&state, .data(last, atMilliseconds: last[0].takenAtMilliseconds + 5_000))
        #expect(state.shown == frozen)
        #expect(state.fleet.updatedAtMilliseconds == last[0].takenAtMilliseconds + 5_000)
        ConsoleFixtures.press([.character(" ")], &state)
        #expect(!state.paused && state.shown == state.fleet)
    }

    @Test func readOnlyBlocksEveryActionInOnePlace() async {
        var state = await fresh(readOnly: true)
        for key in ["o", "c", "x", "b"] {
            #expect(ConsoleFixtures.press([.character(Character(key))], &state).isEmpty)
            #expect(state.dialog == nil)
            #expect(state.status?.text.hasPrefix("read-only [RO]") == true)
        }
        ConsoleFixtures.press([.character("F"), .character("f")], &state)
        #expect(state.dialog == nil)
        #expect(!keyHintsText(state).contains("force open"))
    }

    @Test func commandLineThemeFilterSortAndErrors() async {
        var state = await fresh()
        #expect(
            ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("theme light") + [.enter], &state) == [
                .applyTheme("light")
            ])
        ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("sort latency") + [.enter], &state)
        #expect(state.sort == .latency)
        ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("filter catal") + [.enter], &state)
        #expect(state.visibleRows.map(\.name) == ["catalog"])
        ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("sort sideways") + [.enter], &state)
        #expect(state.status?.isError == true && state.status!.text.contains("unknown sort 'sideways'"))
        ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("bogus") + [.enter], &state)
        #expect(state.status!.text.hasPrefix("unknown command ':bogus'"))
        #expect(ConsoleFixtures.press([.character(":"), .character("q"), .enter], &state) == [.quit])
    }

    @Test func commandResultsAndFailuresReachTheStatusLineAndLog() async {
        var state = await fresh()
        let applied = CommandResult(
            commandId: "c1", status: .applied, target: "payments", before: .breaker(.open),
            after: .breaker(.forcedOpen),
            refusal: nil,
            message: "'payments' OPEN -> FORCED-OPEN", atMilliseconds: 1)
        _ = update(&state, .commandResults([applied], atMilliseconds: 2))
        #expect(state.status?.text == "applied: 'payments' OPEN -> FORCED-OPEN" && state.status?.isError == false)
        var refused = applied
        refused.status = .refused
        refused.message = "'payments' does not allow disable from operators"
        _ = update(&state, .commandResults([refused], atMilliseconds: 3))
        #expect(state.status?.isError == true)
        _ = update(&state, .commandFailed(BackendError(.unreachable, "connection refused"), atMilliseconds: 4))
        #expect(state.status?.text == "command failed: connection refused")
        #expect(state.log.suffix(3).map(\.kind) == [.command, .command, .command])
    }

    @Test func aFailingSourceKeepsTheLastDataAndSaysHowOld() async {
        var state = await fresh()
        let rows = state.shown.rows
        let now = state.fleet.updatedAtMilliseconds! + 12_000
        let effects = update(
            &state, .pollFailed(BackendError(.unreachable, "connection refused by 127.0.0.1:9901"), atMilliseconds: now)
        )
        #expect(effects == [.poll(afterMilliseconds: 2_000, jittered: true)], "retries after twice the interval")
        #expect(state.shown.rows == rows, "last good data stays")
        let screen = render(state)
        let status = screen.line(state.height - 2)
        #expect(status == "source error: connection refused by 127.0.0.1:9901 (data 12s old; retrying in 2.0s)")
        #expect(state.log.last?.kind == .backend)
        #expect(screen.line(0).contains("updated 12s ago"))
    }

    @Test func eventsAreLoggedOncePerSequence() async {
        var state = await fresh()
        let count = state.log.count
        let (_, last) = await ConsoleFixtures.snapshots
        _ = update(&state, .data(last, atMilliseconds: last[0].takenAtMilliseconds + 1_000))
        #expect(state.log.count == count, "the same events again add nothing")
        #expect(state.log.contains { $0.kind == .transition && $0.text.contains("CLOSED -> OPEN") })
    }

    @Test func aNewStartTimeIsARestartEvenWhenEventNumbersWentUp() async {
        var state = await fresh()
        let (_, last) = await ConsoleFixtures.snapshots
        var before = last[0]
        before.startedAtMilliseconds = 1_000
        _ = update(&state, .data([before], atMilliseconds: before.takenAtMilliseconds + 1_000))
        let now = before.takenAtMilliseconds + 2_000
        var restarted = before
        restarted.takenAtMilliseconds = now
        restarted.startedAtMilliseconds = 2_000
        // The new process has already passed the old numbers: only the start time tells.
        restarted.lastEventSequence = before.lastEventSequence + 5
        restarted.events = [
            Event(
                sequence: 2, atMilliseconds: now - 500, kind: .transition, dependency: "catalog",
                from: .breaker(.closed), to: .breaker(.open), reason: "early in the new process",
                message: "catalog: CLOSED -> OPEN (early in the new process)")
        ]
        _ = update(&state, .data([restarted], atMilliseconds: now))
        #expect(state.log.contains { $0.kind == .backend && $0.text.contains("started over") })
        #expect(state.log.contains { $0.text.contains("early in the new process") })
    }

    @Test func aSourceThatStopsTakingCommandsMakesTheConsoleReadOnly() async {
        var state = await fresh()
        #expect(!state.isReadOnly)
        let refusing = BackendCapabilities(
            commands: [], commandsUnavailableReason: "127.0.0.1:9901 was started --read-only and refuses every command")
        _ = update(&state, .capabilities(refusing, atMilliseconds: state.nowMilliseconds))
        #expect(state.isReadOnly)
        #expect(
            state.log.last?.text == "read-only [RO]: 127.0.0.1:9901 was started --read-only and refuses every command")
        _ = ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("filter catalog") + [.enter], &state)
        _ = ConsoleFixtures.press([.character("x")], &state)
        #expect(state.dialog == nil)
        #expect(state.status?.text.contains("started --read-only") == true)
        let count = state.log.count
        _ = update(&state, .capabilities(refusing, atMilliseconds: state.nowMilliseconds))
        #expect(state.log.count == count, "the same capabilities again change nothing")
    }

    @Test func aRestartedInstancesEventsAreLoggedAgainFromTheStart() async {
        var state = await fresh()
        let (_, last) = await ConsoleFixtures.snapshots
        let now = last[0].takenAtMilliseconds + 2_000
        var restarted = last[0]
        restarted.takenAtMilliseconds = now
        // A source that sends no start time (format 1.1): only the numbers going down tell.
        restarted.startedAtMilliseconds = nil
        restarted.lastEventSequence = 1
        restarted.events = [
            Event(
                sequence: 1, atMilliseconds: now - 500, kind: .transition, dependency: "catalog",
                from: .breaker(.closed), to: .breaker(.open), reason: "after restart",
                message: "catalog: CLOSED -> OPEN (after restart)")
        ]
        _ = update(&state, .data([restarted], atMilliseconds: now))
        #expect(state.log.contains { $0.kind == .backend && $0.text.contains("started over") })
        #expect(state.log.contains { $0.text.contains("catalog: CLOSED -> OPEN (after restart)") })
    }

    @Test func resizeChangesTheLayout() async {
        var state = await fresh()
        _ = update(&state, .resize(width: 60, height: 15))
        let canvas = render(state)
        #expect(canvas.width == 60 && canvas.height == 15)
        #expect(canvas.line(13).hasPrefix("small terminal (60x15)") == false, "60x15 is the full layout's minimum")
        _ = update(&state, .resize(width: 40, height: 10))
        #expect(render(state).line(8).hasPrefix("small terminal (40x10)"))
    }

    @Test func severalServicesAreGroupedWorstFirst() async {
        var state = await fresh()
        let (_, last) = await ConsoleFixtures.snapshots
        var other = last[0]
        other.service = "search-api"
        other.instance = "search-api-1"
        other.dependencies = other.dependencies.filter { $0.breaker.state == .closed }
        _ = update(&state, .data(last + [other], atMilliseconds: last[0].takenAtMilliseconds + 1_000))
        let services = state.visibleRows.map(\.service)
        #expect(services.first == "checkout", "the service with a tripped breaker comes first")
        let firstOther = services.firstIndex(of: "search-api")!
        #expect(services[firstOther...].allSatisfy { $0 == "search-api" }, "each service's rows stay together")
        #expect(render(state).line(1).contains("SERVICE"))
    }

    @Test func pollFailuresBackOffExponentiallyUpToACapAndRecover() async {
        var state = SnapshotBuilder.state()
        var waits: [Int64] = []
        for attempt in 1...8 {
            let error = BackendError(.timedOut, "no answer within 2s")
            let effects = update(&state, .pollFailed(error, atMilliseconds: ConsoleFixtures.origin + Int64(attempt)))
            guard case .poll(let wait, true) = effects.first else {
                Issue.record("no jittered poll after failure \(attempt): \(effects)")
                return
            }
            waits.append(wait)
        }
        #expect(waits == [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000])
        #expect(state.pollFailures == 8)
        let fleet = SnapshotBuilder.fleet(at: ConsoleFixtures.origin + 60_000, callsScale: 3)
        let effects = update(&state, .data(fleet, atMilliseconds: ConsoleFixtures.origin + 60_000))
        #expect(effects == [.poll(afterMilliseconds: 1_000, jittered: false)])
        #expect(state.pollFailures == 0 && state.sourceError == nil)
        #expect(state.log.last?.text == "source is answering again")
    }

    @Test func aFatalSourceErrorSlowsPollingToTheCapAndSaysWhatToDo() {
        var state = SnapshotBuilder.state()
        let error = BackendError(.unauthorized, "the agent refused the token (401); check --token-file")
        #expect(
            update(&state, .pollFailed(error, atMilliseconds: ConsoleFixtures.origin + 5_000))
                == [.poll(afterMilliseconds: PollSchedule.maximumBackoffMilliseconds, jittered: true)])
        let status = render(state).line(state.height - 2)
        #expect(status.hasPrefix("source error: the agent refused the token (401); check --token-file"))
        #expect(status.contains("fix it; trying again every 30s"))
        // Once in the log, not once per attempt.
        let logged = state.log.count
        _ = update(&state, .pollFailed(error, atMilliseconds: ConsoleFixtures.origin + 35_000))
        #expect(state.log.count == logged)
        // A command's outcome shows on the status line over the source error while it is current.
        _ = update(
            &state,
            .commandFailed(
                BackendError(.unauthorized, "token rejected"), atMilliseconds: ConsoleFixtures.origin + 35_100))
        #expect(render(state).line(state.height - 2).hasPrefix("command failed: token rejected"))
    }

    @Test func helpOpenedTwiceStillReturnsWhereItCameFrom() {
        var state = SnapshotBuilder.state()
        ConsoleFixtures.press([.character("F"), .character(":")] + ConsoleFixtures.type("help") + [.enter], &state)
        #expect(state.screen == .help && state.screenBeforeHelp == .flags)
        ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("help") + [.enter], &state)
        #expect(state.screenBeforeHelp == .flags, ":help on help keeps where help came from")
        ConsoleFixtures.press([.character("?")], &state)
        #expect(state.screen == .flags, "? leaves help")
        ConsoleFixtures.press([.character(":")] + ConsoleFixtures.type("help") + [.enter, .escape], &state)
        #expect(state.screen == .flags, "esc leaves help")
    }

    @Test func keysOutsideTheirScreenDoNothing() {
        var state = SnapshotBuilder.state()
        ConsoleFixtures.press([.character("F")], &state)
        #expect(ConsoleFixtures.press([.character("o")], &state).isEmpty)
        #expect(state.dialog == nil, "force open is not a flags-screen action")
        ConsoleFixtures.press([.character("?")], &state)
        #expect(ConsoleFixtures.press([.character("s")], &state).isEmpty)
        #expect(state.sort == .worst, "help does not sort")
    }

    @Test func hintsHelpAndDispatchReadOneDeclaration() {
        for screen in [ConsoleState.Screen.overview, .detail, .flags, .events] {
            var state = SnapshotBuilder.state()
            state.screen = screen
            let kept = [KeyAction.help.summary, KeyAction.quit.summary]
            // Expanding is hinted only where there are fleets (none here).
            let hinted = screen.bindings.filter { $0.hinted && $0.action != .expand }.map(\.summary)
                .filter { !kept.contains($0) }
            let hintBar = render(state).line(state.height - 1)
            // Every hint the bar has room for is one the screen declares, in its order; help and quit always.
            let shown = hinted.filter { hintBar.contains($0) }
            #expect(!shown.isEmpty && hinted.starts(with: shown), "\(screen): \(hintBar)")
            #expect(hintBar.hasSuffix("? help  q quit"), "\(screen): \(hintBar)")
            state.screenBeforeHelp = screen
            state.screen = .help
            let helpScreen = render(state).text
            for binding in screen.bindings {
                #expect(helpScreen.contains(binding.summary), "help for \(screen) lists \(binding.action)")
            }
        }
    }

    @Test func aSourceThatTakesNoCommandsIsReadOnly() {
        var state = SnapshotBuilder.state()
        state.capabilities = BackendCapabilities(commands: [.setFlag])
        #expect(state.isReadOnly == false)
        #expect(ConsoleFixtures.press([.character("o")], &state).isEmpty && state.dialog == nil)
        #expect(state.status?.text == "force-open is not available from this source", "it takes flags: not read-only")
        state.capabilities = BackendCapabilities(commands: [])
        #expect(render(state).line(0).contains("[RO]"))
        #expect(!keyHintsText(state).contains("force open"))
    }

    @Test func unknownFieldsShowAsADashNotAZero() {
        let at = ConsoleFixtures.origin
        let sparse = { (calls: UInt64, time: Int64) in
            SnapshotBuilder(service: "jvm", instance: "jvm-1", at: time)
                .with(SnapshotBuilder.sparseDependency("inventory", state: .open, calls: calls, failures: calls / 2))
                .build()
        }
        var state = ConsoleState(source: "test", readOnly: true, intervalSeconds: 1, width: 120, height: 40)
        _ = update(&state, .data([sparse(100, at - 1_000)], atMilliseconds: at - 1_000))
        _ = update(&state, .data([sparse(200, at)], atMilliseconds: at))
        let row = render(state).line(2)
        #expect(row.contains("OPEN") && row.contains("100"), "known: state and calls/s: \(row)")
        #expect(row.contains("-/-"), "failure rate and threshold unknown: \(row)")
        #expect(!row.contains("0.0/"), "no invented zero rate: \(row)")
        ConsoleFixtures.press([.enter], &state)
        let detail = render(state).text
        #expect(detail.contains("trips in a row -   half-open probes -/-"))
        #expect(detail.contains("no histogram from this source"))
        #expect(detail.contains("attempts -  retries -"))
    }

    @Test func escFromDetailKeepsTheFilterAndEscOnTheOverviewClearsIt() {
        var state = SnapshotBuilder.state()
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("pay") + [.enter, .enter], &state)
        #expect(state.screen == .detail && state.filter == "pay")
        ConsoleFixtures.press([.escape], &state)
        #expect(state.screen == .overview && state.filter == "pay", "back to the filtered overview")
        #expect(render(state).line(1).hasSuffix("filter 'pay': 1 of 7"), "the overview says it is filtered")
        ConsoleFixtures.press([.escape], &state)
        #expect(state.filter == "" && state.visibleRows.count == 7)
    }

    @Test func aStatusLineFadesButTheLogKeepsIt() {
        var state = SnapshotBuilder.state()
        ConsoleFixtures.press([.character("o"), .escape], &state)
        #expect(render(state).line(state.height - 2) == "cancelled")
        _ = update(&state, .tick(atMilliseconds: state.nowMilliseconds + ConsoleState.StatusLine.lifetimeMilliseconds))
        #expect(render(state).line(state.height - 2) == "")
    }

    @Test func aCommandsOutcomeStaysUntilTheNextKey() {
        var state = SnapshotBuilder.state()
        let missed = CommandResult(
            commandId: "c1", instance: "checkout-2", status: .failed, target: "payments", before: nil, after: nil,
            refusal: nil, message: "cannot reach 10.0.0.2:9901: connection refused", atMilliseconds: 1)
        var applied = missed
        applied.instance = "checkout-1"
        applied.status = .applied
        applied.message = "payments forced open"
        _ = update(&state, .commandResults([applied, missed], atMilliseconds: state.nowMilliseconds))
        let outcome = "applied on 1 of 2; checkout-2 failed: cannot reach 10.0.0.2:9901: connection refused"
        let later = state.nowMilliseconds + 10 * ConsoleState.StatusLine.lifetimeMilliseconds
        _ = update(&state, .tick(atMilliseconds: later))
        #expect(
            render(state).line(state.height - 2) == outcome + " (1m20s ago)",
            "an operator who looked away still reads it, and how old it is")
        ConsoleFixtures.press([.redraw], &state)
        #expect(render(state).line(state.height - 2).hasPrefix(outcome), "a repaint is not the operator acting")
        ConsoleFixtures.press([.down], &state)
        #expect(render(state).line(state.height - 2) == "", "read once the operator does something next")
        _ = update(&state, .commandFailed(BackendError(.unreachable, "connection refused"), atMilliseconds: later))
        _ = update(&state, .tick(atMilliseconds: later + 10 * ConsoleState.StatusLine.lifetimeMilliseconds))
        #expect(render(state).line(state.height - 2) == "command failed: connection refused (1m20s ago)")
        #expect(state.log.suffix(3).map(\.kind) == [.command, .command, .command], "the log keeps every outcome")
        // It applied nowhere: the source failing next is the same news, and the outcome stays.
        _ = update(&state, .pollFailed(BackendError(.unreachable, "connection refused"), atMilliseconds: later + 1))
        #expect(render(state).line(state.height - 2).hasPrefix("command failed: connection refused"))
        // On a narrow terminal the text gives way, never its age.
        let long = "cannot reach checkout-7.payments.eu-west-1.internal:9901: connection refused"
        _ = update(&state, .commandFailed(BackendError(.unreachable, long), atMilliseconds: later + 1))
        _ = update(&state, .tick(atMilliseconds: later + 9_000))
        _ = update(&state, .resize(width: 60, height: state.height))
        #expect(render(state).line(state.height - 2) == "command failed: cannot reach checkout-7.payments… (9.0s ago)")
        _ = update(&state, .resize(width: 120, height: state.height))
        // A source failing after an outcome that applied somewhere is news: it takes the line over.
        _ = update(&state, .commandResults([applied], atMilliseconds: later))
        _ = update(&state, .pollFailed(BackendError(.timedOut, "no answer within 10s"), atMilliseconds: later + 1))
        #expect(render(state).line(state.height - 2).hasPrefix("source error: no answer within 10s"))
    }

    @Test func belowTheFullLayoutAPromptAndAnOutcomeStillShow() {
        var state = SnapshotBuilder.state(width: 50, height: 12)
        #expect(render(state).line(10).hasPrefix("small terminal (50x12)"))
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("pay"), &state)
        #expect(render(state).line(10) == "/pay_", "the operator sees what they type")
        ConsoleFixtures.press([.escape, .escape], &state)
        _ = update(&state, .commandFailed(BackendError(.unreachable, "connection refused"), atMilliseconds: 1))
        #expect(render(state).line(10) == "command failed: connection refused")
    }

    @Test func anOutcomeThatArrivesUnderAPromptWaitsForThePromptToClose() {
        var state = SnapshotBuilder.state()
        let applied = CommandResult(
            commandId: "c1", instance: "checkout-1", status: .applied, target: "payments", before: nil, after: nil,
            refusal: nil, message: "payments forced open", atMilliseconds: 1)
        ConsoleFixtures.press([.character("a")] + ConsoleFixtures.type("paged"), &state)
        _ = update(&state, .commandResults([applied], atMilliseconds: state.nowMilliseconds))
        ConsoleFixtures.press(ConsoleFixtures.type(" the team") + [.escape], &state)
        #expect(render(state).line(state.height - 2) == "applied: payments forced open", "never shown, so not read")
        ConsoleFixtures.press([.down], &state)
        #expect(render(state).line(state.height - 2) == "")
    }

    @Test func aFleetsOutcomeYieldsOnlyToASourceItDoesNotNameAlready() {
        func result(_ instance: String, _ status: CommandResult.Status) -> CommandResult {
            CommandResult(
                commandId: "c1", instance: instance, status: status, target: "payments", before: nil, after: nil,
                refusal: nil, message: status == .applied ? "payments closed" : "cannot reach it", atMilliseconds: 1)
        }
        func source(_ instance: String, failing: Bool) -> SourceStatus {
            var status = SourceStatus(source: "http://\(instance)", instances: [instance])
            status.lastSuccessMilliseconds = 1
            if failing { status.error = BackendError(.unreachable, "cannot reach \(instance)") }
            return status
        }
        var state = SnapshotBuilder.state()
        let now = state.nowMilliseconds
        let live = ["checkout-1", "checkout-2", "checkout-3"].map { source($0, failing: false) }
        _ = update(&state, .sources(live, atMilliseconds: now))
        _ = update(
            &state,
            .commandResults(
                [result("checkout-1", .applied), result("checkout-2", .applied), result("checkout-3", .failed)],
                atMilliseconds: now))
        let outcome = "applied on 2 of 3; checkout-3 failed: cannot reach it"
        // The agent died just before the command: its failure showing up next is the outcome's news.
        _ = update(&state, .sources([live[0], live[1], source("checkout-3", failing: true)], atMilliseconds: now + 1))
        #expect(render(state).line(state.height - 2) == outcome)
        // Another one failing is news.
        let failing = [live[0], source("checkout-2", failing: true), source("checkout-3", failing: true)]
        _ = update(&state, .sources(failing, atMilliseconds: now + 2))
        #expect(render(state).line(state.height - 2).hasPrefix("2 of 3 sources failing: "))
    }

    @Test func detailsAreOfferedOnlyWhereThereIsARow() {
        var state = SnapshotBuilder.state()
        #expect(keyHintsText(state).hasPrefix("enter details"))
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("no-such-dependency") + [.enter], &state)
        #expect(state.visibleRows.isEmpty)
        #expect(!keyHintsText(state).contains("details"), "\(keyHintsText(state))")
        #expect(!keyHintsText(state).contains("force open") && !keyHintsText(state).contains("fleet"))
        #expect(keyHintsText(state).contains("/ filter"))
    }

    func keyHintsText(_ state: ConsoleState) -> String { render(state).line(state.height - 1) }
}
