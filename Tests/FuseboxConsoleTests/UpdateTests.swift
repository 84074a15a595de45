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

    @Test func forceOpenGoesThroughConfirmationWithCancelFocused() async {
        var state = await fresh()
        let target = state.selectedRow!.name
        ConsoleFixtures.press([.character("o")], &state)
        let dialog = state.dialog!
        #expect(dialog.focus == .cancel && dialog.target == target && dialog.instances == ["checkout-1"])
        #expect(ConsoleFixtures.press([.enter], &state).isEmpty, "enter on Cancel sends nothing")
        #expect(state.dialog == nil)
    }

    @Test func criticalTargetsNeedTheirNameTyped() async {
        var state = await fresh()
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("auth") + [.enter, .character("o")], &state)
        #expect(state.dialog?.requiresTypedName == true, "auth is critical")
        ConsoleFixtures.press([.tab], &state)
        #expect(ConsoleFixtures.press([.enter], &state).isEmpty)
        #expect(state.status?.text == "type 'auth' to confirm")
        #expect(state.dialog?.focus == .typedName)
        ConsoleFixtures.press(ConsoleFixtures.type("auth") + [.backTab], &state)
        #expect(state.dialog?.focus == .reason)
        ConsoleFixtures.press(ConsoleFixtures.type("drill") + [.backTab], &state)
        let effects = ConsoleFixtures.press([.enter], &state)
        guard case .send(let command, nil) = effects.first else {
            Issue.record("no command sent: \(effects)")
            return
        }
        #expect(command.action == .forceOpen(dependency: "auth"))
        #expect(command.actor == "alice" && command.reason == "drill" && !command.id.isEmpty)
    }

    @Test func degradableTargetsConfirmWithoutTypingAndBackInPicksASchedule() async {
        var state = await fresh()
        ConsoleFixtures.press([.character("/")] + ConsoleFixtures.type("search") + [.enter], &state)
        ConsoleFixtures.press([.character("x"), .tab], &state)
        guard case .send(let disable, _) = ConsoleFixtures.press([.enter], &state).first else {
            Issue.record("disable not sent")
            return
        }
        #expect(disable.action == .disable(dependency: "search"))
        ConsoleFixtures.press([.character("b"), .right, .tab], &state)
        guard case .send(let backIn, _) = ConsoleFixtures.press([.enter], &state).first else {
            Issue.record("back-in not sent")
            return
        }
        #expect(
            backIn.action
                == .startBackIn(dependency: "search", schedule: ConfirmationDialog.scheduleChoices[1].schedule))
        ConsoleFixtures.press([.character("c"), .escape], &state)
        #expect(state.dialog == nil && state.status?.text == "cancelled")
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

    @Test func flagToggleConfirmsAndSendsTheNewValue() async {
        var state = await fresh()
        ConsoleFixtures.press([.character("F")], &state)
        let flags = state.shown.flags.map(\.flag.name)
        let index = flags.firstIndex(of: "recommendations.static-fallback")!
        ConsoleFixtures.press(Array(repeating: .down, count: index) + [.character("f"), .tab], &state)
        #expect(state.dialog?.target == "recommendations.static-fallback")
        guard case .send(let command, _) = ConsoleFixtures.press([.enter], &state).first else {
            Issue.record("flag not sent")
            return
        }
        #expect(command.action == .setFlag(name: "recommendations.static-fallback", value: .boolean(true)))
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
            commandId: "c1", status: .applied, target: "payments", before: "open", after: "forced-open", refusal: nil,
            message: "'payments' OPEN -> FORCED-OPEN", atMilliseconds: 1)
        _ = update(&state, .commandResults([applied], atMilliseconds: 2))
        #expect(state.status == .init(text: "applied: 'payments' OPEN -> FORCED-OPEN", isError: false))
        var refused = applied
        refused.status = .refused
        refused.message = "'payments' does not allow disable from operators"
        _ = update(&state, .commandResults([refused], atMilliseconds: 3))
        #expect(state.status?.isError == true)
        _ = update(&state, .commandFailed("connection refused", atMilliseconds: 4))
        #expect(state.status?.text == "command not delivered: connection refused")
        #expect(state.log.suffix(3).map(\.kind) == ["command", "command", "command"])
    }

    @Test func aFailingSourceKeepsTheLastDataAndSaysHowOld() async {
        var state = await fresh()
        let rows = state.shown.rows
        let now = state.fleet.updatedAtMilliseconds! + 12_000
        _ = update(&state, .pollFailed("connection refused by 127.0.0.1:9901", atMilliseconds: now))
        #expect(state.shown.rows == rows, "last good data stays")
        let screen = render(state)
        let status = screen.line(state.height - 2)
        #expect(status == "source error: connection refused by 127.0.0.1:9901 (data 12s old)")
        #expect(state.log.last?.kind == "backend")
        #expect(screen.line(0).contains("updated 12s ago"))
    }

    @Test func eventsAreLoggedOncePerSequence() async {
        var state = await fresh()
        let count = state.log.count
        let (_, last) = await ConsoleFixtures.snapshots
        _ = update(&state, .data(last, atMilliseconds: last[0].takenAtMilliseconds + 1_000))
        #expect(state.log.count == count, "the same events again add nothing")
        #expect(state.log.contains { $0.kind == "transition" && $0.text.contains("CLOSED -> OPEN") })
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

    func keyHintsText(_ state: ConsoleState) -> String { render(state).line(state.height - 1) }
}
