import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Testing

/// The confirmation dialog: what an operator types is never lost, Confirm is never the easy key,
/// every command shows before → after and goes exactly where the operator meant.
@Suite struct DialogTests {
    typealias Builder = SnapshotBuilder

    func press(_ keys: [Key], _ state: inout ConsoleState) -> [Effect] { ConsoleFixtures.press(keys, &state) }
    func type(_ text: String) -> [Key] { ConsoleFixtures.type(text) }

    /// Selects the row named `name` (by filtering) and returns to the overview.
    func select(_ name: String, _ state: inout ConsoleState) {
        ConsoleFixtures.filter(to: name, &state)
    }

    func sent(_ effects: [Effect]) -> (Command, [String])? {
        guard case .send(let command, let instances) = effects.first else { return nil }
        return (command, instances)
    }

    @Test func theReasonIsFocusedFirstAndTypingIsNeverLost() {
        var state = Builder.state()
        select("catalog", &state)
        _ = press([.character("x")], &state)
        #expect(state.dialog?.focus == .reason)
        _ = press(type("flapping") + [.tab], &state)
        #expect(state.dialog?.focus == .cancel)
        _ = press(type(" since 3am"), &state)
        #expect(state.dialog?.reason == "flapping since 3am", "typing on a button goes to the reason")
        #expect(state.dialog?.focus == .reason)
        _ = press([.tab, .tab], &state)
        guard let (command, _) = sent(press([.enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(command.reason == "flapping since 3am")
    }

    @Test func confirmIsTheLastStopNeverTheFirst() {
        var state = Builder.state()
        select("catalog", &state)
        // o, tab, enter: once force-opened with no reason at all; now it cancels.
        #expect(press([.character("o"), .tab, .enter], &state).isEmpty)
        #expect(state.dialog == nil && state.status?.text == "cancelled")
        _ = press([.character("o")], &state)
        #expect(state.dialog?.focusOrder.last == .confirm)
        #expect(press([.enter], &state).isEmpty, "enter in the reason moves on, it does not confirm")
        #expect(state.dialog?.focus == .cancel)
    }

    @Test func everyDialogShowsBeforeAndAfter() {
        var state = Builder.state()
        select("payments", &state)
        _ = press([.character("o")], &state)
        #expect(render(state).text.contains("Change: OPEN → FORCED-OPEN"))
        _ = press([.escape], &state)
        select("pricing", &state)
        _ = press([.character("c")], &state)
        #expect(render(state).text.contains("Change: RECOVERING → CLOSED"))
    }

    @Test func criticalTargetsNeedTheirNameTyped() {
        var state = Builder.state()
        select("auth", &state)
        _ = press([.character("o")] + type("drill") + [.tab, .tab, .tab], &state)
        #expect(state.dialog?.focus == .confirm)
        #expect(press([.enter], &state).isEmpty)
        #expect(state.status?.text == "type 'auth' to confirm" && state.dialog?.focus == .typedName)
        _ = press(type("auth") + [.tab, .tab], &state)
        guard let (command, instances) = sent(press([.enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(command.action == .forceOpen(dependency: "auth") && command.reason == "drill")
        #expect(command.actor == "alice" && instances == ["checkout-1"])
    }

    @Test func aReasonCanBeRequired() {
        var state = Builder.state()
        state.requireReason = true
        select("catalog", &state)
        #expect(press([.character("x"), .tab, .tab, .enter], &state).isEmpty)
        #expect(state.status?.text == "a reason is required here (require-reason is on)")
        #expect(state.dialog?.focus == .reason)
        #expect(render(state).text.contains("Reason (required):"))
        #expect(sent(press(type("db failover") + [.tab, .tab, .enter], &state)) != nil)
    }

    @Test func backInPicksASchedule() {
        var state = Builder.state()
        select("search", &state)
        _ = press([.character("b"), .tab, .right, .tab, .tab], &state)
        guard let (command, _) = sent(press([.enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(
            command.action
                == .startBackIn(dependency: "search", schedule: ConfirmationDialog.scheduleChoices[1].schedule))
    }

    /// Two instances of checkout and one of billing, all with `payments`.
    func fleet() -> ConsoleState {
        let at = ConsoleFixtures.origin
        let snapshots = [("checkout", "checkout-1"), ("checkout", "checkout-2"), ("billing", "billing-1")].map {
            SnapshotBuilder(service: $0.0, instance: $0.1, at: at)
                .with(
                    SnapshotBuilder.dependency("payments", state: $0.0 == "checkout" ? .open : .closed, failureRate: 60)
                )
                .build()
        }
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        _ = update(&state, .data(snapshots, atMilliseconds: at))
        ConsoleFixtures.settle(&state)
        return state
    }

    @Test func aCommandGoesToTheSelectedServiceAllInstancesOrOne() throws {
        var state = fleet()
        #expect(state.selectedRow?.service == "checkout")
        #expect(state.selectedRow?.isFleet == true, "two instances of checkout show as one fleet row")
        _ = press([.character("o")], &state)
        #expect(state.dialog?.instances == ["checkout-1", "checkout-2"], "billing's payments is not touched")
        #expect(state.dialog?.question == "2 instances of checkout: force open payments?", "the count comes first")
        // More than one instance: the service's name is typed, not the dependency's.
        _ = press(type("drill") + [.tab, .tab] + type("payments") + [.tab, .tab, .enter], &state)
        #expect(state.status?.text == "type 'checkout' to confirm")
        state.dialog?.typedName = ""
        _ = press([.escape], &state)
        _ = press([.character("o")] + type("drill") + [.tab, .tab] + type("checkout") + [.tab, .tab], &state)
        guard let (_, all) = sent(press([.enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(all == ["checkout-1", "checkout-2"])

        // One instance: chosen in the dialog with ←→ on the scope.
        _ = press([.character("c"), .tab, .right], &state)
        let chosen = state.dialog!.selectedInstance
        #expect(state.dialog?.scope == .one(chosen))
        #expect(render(state).text.contains("Scope (←→): \(chosen) only"))
        // The next instance: the scope line names the one the command would go to.
        _ = press([.right], &state)
        let other = try #require(state.dialog?.instances.first)
        #expect(other != chosen)
        #expect(render(state).text.contains("Scope (←→): \(other) only"))
        _ = press([.left], &state)
        #expect(state.dialog?.requiresTypedName == false, "one non-critical instance needs no typed name")
        _ = press([.tab, .tab], &state)
        guard let (_, one) = sent(press([.enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(one == [chosen])
    }

    @Test func fromTheDetailOfAnInstanceTheCommandIsForThatInstance() {
        var state = fleet()
        // Expanded, the fleet row shows its instances under it; the detail of one aims at that one.
        _ = press([.right, .down, .enter, .character("x")], &state)
        let instance = state.selectedRow!.instance
        #expect(instance == "checkout-1" || instance == "checkout-2")
        #expect(state.dialog?.scope == .one(instance) && state.dialog?.instances == [instance])
    }

    @Test func aBooleanFlagFlipsAndShowsBeforeAndAfter() throws {
        var state = Builder.state()
        _ = press([.character("F")], &state)
        let index = try #require(state.shown.flags.firstIndex { $0.flag.name == "recommendations.static-fallback" })
        _ = press(Array(repeating: .down, count: index) + [.character("f")], &state)
        #expect(render(state).text.contains("Change: off → on"))
        guard let (command, _) = sent(press([.tab, .tab, .enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(command.action == .setFlag(name: "recommendations.static-fallback", value: .boolean(true)))
    }

    /// A state whose flags have a history: a percentage at 10% (was 25%), a degradation level at reduced.
    func flagState() -> ConsoleState {
        var builder = SnapshotBuilder(at: ConsoleFixtures.origin)
        builder.flags = [
            FlagSnapshot(
                name: "search.new-ranker", value: .percentage(10), description: "", owner: "search",
                lastChange: FlagChange(actor: "bob", reason: "canary", atMilliseconds: 1, previous: .percentage(25))),
            FlagSnapshot(
                name: "service.degradation", value: .degradation(.reduced), description: "", owner: "sre",
                lastChange: FlagChange(actor: "bob", reason: "load", atMilliseconds: 1, previous: .degradation(.normal))
            ),
        ]
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        _ = update(&state, .data([builder.build()], atMilliseconds: ConsoleFixtures.origin))
        _ = press([.character("F")], &state)
        return state
    }

    @Test func aPercentageIsTypedAndThePreviousValueIsOneKeyAway() {
        var state = flagState()
        _ = press([.character("f")], &state)
        #expect(state.dialog?.focus == .value)
        #expect(render(state).text.contains("Previous value: 25.0% (p restores it)"))
        #expect(press([.tab, .tab, .tab, .enter], &state).isEmpty, "no value typed: nothing is sent")
        #expect(state.status?.text == "type the new percentage, 0 to 100")
        _ = press(type("12.5"), &state)
        #expect(render(state).text.contains("Value: 10.0% → 12.5%"))
        guard let (typed, _) = sent(press([.tab, .tab, .tab, .enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(typed.action == .setFlag(name: "search.new-ranker", value: .percentage(12.5)))
        // 10% can be restored after a mistake: p puts back the value before the last change.
        _ = press([.character("f"), .character("p")], &state)
        guard let (restored, _) = sent(press([.tab, .tab, .tab, .enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(restored.action == .setFlag(name: "search.new-ranker", value: .percentage(25)))
    }

    @Test func aDegradationLevelIsPickedWithoutPassingThroughWorse() {
        var state = flagState()
        _ = press([.down, .character("f")], &state)
        #expect(state.dialog?.target == "service.degradation")
        #expect(press([.tab, .tab, .tab, .enter], &state).isEmpty, "the same level is not a change")
        // From reduced, ← is normal: undoing reduced never applies read-only on the way.
        #expect(state.dialog?.focus == .value)
        _ = press([.left], &state)
        #expect(render(state).text.contains("Value: reduced → normal"))
        guard let (command, _) = sent(press([.tab, .tab, .tab, .enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(command.action == .setFlag(name: "service.degradation", value: .degradation(.normal)))
    }

    @Test func pastedTextIsTextNeverKeys() {
        var state = Builder.state()
        _ = press([.character("/"), .paste("payments\nx")], &state)
        #expect(state.input?.text == "payments x" && state.dialog == nil)
        _ = press([.escape, .paste("x")], &state)
        #expect(state.dialog == nil, "a paste outside a text field does nothing")
        #expect(state.status?.text.hasPrefix("paste ignored") == true)
        select("catalog", &state)
        _ = press([.character("x"), .paste("line one\nline two\u{1b}[31m")], &state)
        #expect(state.dialog?.reason == "line one line two[31m")
    }

    @Test func readOnlyRefusesEnterOnAFlagAndADialogCannotOutliveIt() {
        var state = Builder.state(readOnly: true)
        _ = press([.character("F"), .enter], &state)
        #expect(state.dialog == nil, "enter sets a flag, so read-only refuses it as it refuses f")
        #expect(state.status?.text.hasPrefix("read-only [RO]") == true)
        var writable = Builder.state()
        _ = press([.character("F"), .enter], &writable)
        #expect(writable.dialog != nil)
        writable.capabilities = BackendCapabilities(commands: [.forceOpen])
        #expect(press([.tab, .tab, .enter], &writable).isEmpty)
        #expect(writable.dialog == nil && writable.status?.text.hasPrefix("read-only [RO]") == true)
    }

    @Test func whatIsSentIsWhatTheValueFieldShows() {
        var state = flagState()
        _ = press([.character("f")] + type("75") + [.backspace], &state)
        #expect(render(state).text.contains("Value: 10.0% → 7%"))
        guard let (command, _) = sent(press([.tab, .tab, .tab, .enter], &state)) else {
            Issue.record("nothing sent")
            return
        }
        #expect(command.action == .setFlag(name: "search.new-ranker", value: .percentage(7)), "7, as shown, not 75")
        _ = press([.character("f")] + type("1.2.3"), &state)
        #expect(press([.tab, .tab, .tab, .enter], &state).isEmpty, "a value that does not parse is not sent")
        #expect(state.status?.text == "type the new percentage, 0 to 100")
    }

    @Test func wordsTypedInTheValueFieldGoToTheReason() {
        var state = flagState()
        _ = press([.character("f")] + type("12 prod incident"), &state)
        #expect(state.dialog?.valueText == "12")
        #expect(state.dialog?.reason == " prod incident" && state.dialog?.focus == .reason)
        guard case .setFlag(_, .percentage(12)) = state.dialog?.action else {
            Issue.record("p in 'prod' must not restore the previous value: \(String(describing: state.dialog?.action))")
            return
        }
    }

    @Test func backwardsStopsAtTheFirstFieldNeverWrapsToConfirm() {
        var state = Builder.state()
        select("catalog", &state)
        _ = press([.character("x"), .backTab, .up], &state)
        #expect(state.dialog?.focus == .reason)
        #expect(press([.enter], &state).isEmpty && state.dialog?.focus == .cancel)
    }

    @Test func aHugePasteIsCapped() {
        var state = Builder.state()
        select("catalog", &state)
        _ = press([.character("x"), .paste(String(repeating: "a", count: 70_000))], &state)
        #expect(state.dialog?.reason.count == 500)
        _ = press([.escape, .character("/"), .paste(String(repeating: "b", count: 10_000))], &state)
        #expect(state.input?.text.count == 500)
    }
}

@Suite struct SmallTerminalDialogTests {
    @Test func aDialogTooBigForTheTerminalSaysSoAndCannotBeConfirmed() {
        var state = SnapshotBuilder.state(width: 20, height: 6)
        ConsoleFixtures.filter(to: "catalog", &state)
        _ = ConsoleFixtures.press([.character("x"), .tab, .tab], &state)
        #expect(state.dialog?.focus == .confirm)
        let needed = try! #require(state.dialog?.minimumTerminal)
        #expect(render(state).line(0).hasPrefix("enlarge to \(needed.width)x\(needed.height)"))
        #expect(ConsoleFixtures.press([.enter], &state).isEmpty, "nothing is sent blind")
        #expect(state.status?.text.hasPrefix("enlarge the terminal to \(needed.width)x") == true)
        // Once the terminal is big enough, the same dialog confirms.
        _ = update(&state, .resize(width: 80, height: 24))
        #expect(ConsoleFixtures.press([.enter], &state).count == 1)
    }

    /// A terminal tall enough but too narrow to show the blast radius whole cannot confirm either.
    @Test func aBlastRadiusCutShortCannotBeConfirmed() throws {
        var state = SnapshotBuilder.state(width: 120, height: 40)
        ConsoleFixtures.filter(to: "catalog", &state)
        _ = ConsoleFixtures.press([.character("x"), .tab, .tab], &state)
        let dialog = try #require(state.dialog)
        #expect(dialog.minimumTerminal.width == TextWidth.of(dialog.blastRadius) + 6)
        _ = update(&state, .resize(width: dialog.minimumTerminal.width - 1, height: 40))
        #expect(ConsoleFixtures.press([.enter], &state).isEmpty, "a blast radius cut short is not confirmed")
        _ = update(&state, .resize(width: dialog.minimumTerminal.width, height: 40))
        #expect(render(state).text.contains(dialog.blastRadius), "shown whole at the size it asks for")
        #expect(ConsoleFixtures.press([.enter], &state).count == 1)
    }

    @Test func everyDialogFitsTheSizeItAsksFor() {
        // The biggest dialog: a back-in of a critical dependency on several instances.
        let at = ConsoleFixtures.origin
        let snapshots = ["a-1", "a-2"].map {
            SnapshotBuilder(service: "a", instance: $0, at: at)
                .with(SnapshotBuilder.dependency("db", state: .open, criticality: .critical, failureRate: 60)).build()
        }
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        _ = update(&state, .data(snapshots, atMilliseconds: at))
        ConsoleFixtures.settle(&state)
        _ = ConsoleFixtures.press([.character("b")], &state)
        let needed = state.dialog!.minimumTerminal
        _ = update(&state, .resize(width: needed.width, height: needed.height))
        let screen = render(state).text
        #expect(screen.contains("Cancel") && screen.contains("Type 'a' to confirm") && screen.contains("Schedule"))
        #expect(screen.contains(state.dialog!.blastRadius))
    }
}

@Suite struct NoOpCommandTests {
    @Test func nothingToChangeOpensNoDialog() {
        var state = SnapshotBuilder.state()
        ConsoleFixtures.filter(to: "inventory", &state)
        _ = ConsoleFixtures.press([.character("o")], &state)
        #expect(state.dialog == nil && state.status?.text == "inventory is already FORCED-OPEN; nothing to change")
        ConsoleFixtures.filter(to: "catalog", &state)
        _ = ConsoleFixtures.press([.character("b")], &state)
        #expect(state.dialog == nil && state.status?.text.hasPrefix("catalog is CLOSED: a back-in ramps") == true)
        _ = ConsoleFixtures.press([.character("c")], &state)
        #expect(state.dialog == nil, "closing a closed breaker changes nothing")
    }
}
