import FuseboxProtocol

// The confirmation dialog: opening it for a breaker action or a flag, keys inside it, and the one
// place a command leaves the console.

/// Opens the confirmation for a breaker action on the selected dependency. From the overview it is
/// aimed at every instance of the selected row's service that has the dependency (never at another
/// service's dependency of the same name); from the detail of one instance, at that instance.
func openDependencyDialog(_ state: inout ConsoleState, _ action: (String) -> Command.Action) {
    guard let row = state.selectedRow else {
        state.status = .init(text: "select a dependency in the overview first", isError: true)
        return
    }
    guard state.selectionIsSettledForAction() else { return }
    // The instances and their states from the latest data, even while the view is paused.
    let peers = state.fleet.rows.filter { $0.name == row.name && $0.service == row.service }
    let current = peers.first { $0.instance == row.instance } ?? row
    // A fleet row aims at every instance; one instance's row (under its fleet, or in its detail) at that one.
    let instances = Array(Set(peers.map(\.instance) + (row.isFleet ? [] : [row.instance]))).sorted()
    let single =
        !row.isFleet
        && (state.screen == .detail
            || state.expandedFleets.contains(
                DependencyRow.Identity(service: row.service, instance: "", name: row.name)))
    var dialog = ConfirmationDialog(
        action: action(row.name), target: row.name, criticality: row.dependency.criticality,
        instances: instances, selectedInstance: row.isFleet ? nil : row.instance,
        scope: single ? .one(row.instance) : .all,
        before: .breaker(current.dependency.breaker.state))
    dialog.service = row.service
    dialog.beforeDiffers = Set(peers.map(\.dependency.breaker.state)).count > 1
    dialog.requiresReason = state.requireReason
    // Nothing to change is not a change: no dialog, no audit line, no transition to nowhere.
    if !dialog.beforeDiffers, case .breaker(let now) = dialog.before {
        if .breaker(now) == dialog.after {
            state.status = .init(text: "\(row.name) is already \(now.label); nothing to change", isError: true)
            return
        }
        if now == .closed, case .startBackIn = dialog.action {
            state.status = .init(
                text: "\(row.name) is CLOSED: a back-in ramps traffic back after an outage; nothing to ramp",
                isError: true)
            return
        }
    }
    // Acting on a row is choosing it: from now on the cursor stays on it.
    state.pinSelection()
    if state.status?.isSelectionQuestion == true { state.status = nil }
    state.dialog = dialog
}

/// Opens the confirmation for the selected flag: a boolean flips; a percentage or a degradation
/// level is picked in the dialog, with the value before the last change one key away.
func openFlagDialog(_ state: inout ConsoleState) {
    let shown = state.shown.flags
    guard !shown.isEmpty else { return }
    let selected = shown[min(state.flagSelection, shown.count - 1)]
    // The value and the instances from the latest data, even while the view is paused.
    let flags = state.fleet.flags
    let entry = flags.first { $0.instance == selected.instance && $0.flag.name == selected.flag.name } ?? selected
    let flag = entry.flag
    let next: FlagValue
    switch flag.value {
    case .boolean(let on): next = .boolean(!on)
    case .percentage, .degradation: next = flag.value
    }
    let service = state.fleet.snapshots.first { $0.instance == entry.instance }?.service
    let peers = flags.filter { candidate in
        candidate.flag.name == flag.name
            && state.fleet.snapshots.first { $0.instance == candidate.instance }?.service == service
    }
    var dialog = ConfirmationDialog(
        action: .setFlag(name: flag.name, value: next), target: flag.name, criticality: nil,
        instances: peers.map(\.instance), selectedInstance: entry.instance, before: .flag(flag.value))
    dialog.service = service ?? ""
    dialog.beforeDiffers = Set(peers.map(\.flag.value)).count > 1
    dialog.previousValue = flag.lastChange?.previous
    dialog.requiresReason = state.requireReason
    state.dialog = dialog
}

func handleDialog(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
    guard var dialog = state.dialog else { return [] }
    let order = dialog.focusOrder
    let index = order.firstIndex(of: dialog.focus) ?? 0
    switch key {
    case .escape:
        state.dialog = nil
        state.status = .init(text: "cancelled", isError: false)
        return []
    case .tab, .down:
        dialog.focus = order[(index + 1) % order.count]
    case .backTab, .up:
        // Backwards stops at the first field: Confirm is never one key away from it.
        dialog.focus = order[max(0, index - 1)]
    case .left, .right:
        choose(key == .right ? 1 : -1, &dialog)
    case .backspace:
        switch dialog.focus {
        case .value:
            if !dialog.valueText.isEmpty {
                dialog.valueText.removeLast()
                applyTypedValue(&dialog)
            }
        case .typedName: if !dialog.typedName.isEmpty { dialog.typedName.removeLast() }
        case .reason, .scope, .schedule, .cancel, .confirm: if !dialog.reason.isEmpty { dialog.reason.removeLast() }
        }
    case .character(let c):
        type(String(c), into: &dialog)
    case .paste(let text):
        type(singleLine(text), into: &dialog)
    case .enter:
        switch dialog.focus {
        case .cancel:
            state.dialog = nil
            state.status = .init(text: "cancelled", isError: false)
            return []
        case .confirm:
            return confirm(dialog, &state)
        case .value, .reason, .scope, .schedule, .typedName:
            dialog.focus = order[(index + 1) % order.count]
        }
    case .home, .end, .pageUp, .pageDown, .interrupt, .redraw:
        break
    }
    state.dialog = dialog
    return []
}

/// `←` / `→` on a choice: the value of a degradation flag, the scope, the schedule, or the buttons.
private func choose(_ step: Int, _ dialog: inout ConfirmationDialog) {
    switch dialog.focus {
    case .value:
        guard case .setFlag(let name, .degradation(let level)) = dialog.action else { return }
        let all = DegradationLevel.allCases
        let next = all[(all.firstIndex(of: level)! + step + all.count) % all.count]
        dialog.action = .setFlag(name: name, value: .degradation(next))
    case .scope:
        // All, then each instance in turn (the one being looked at first), then all again.
        let choices: [ConfirmationDialog.Scope] =
            [.all, .one(dialog.selectedInstance)]
            + dialog.allInstances.filter { $0 != dialog.selectedInstance }.map { .one($0) }
        let index = choices.firstIndex(of: dialog.scope) ?? 0
        dialog.scope = choices[(index + step + choices.count) % choices.count]
    case .schedule:
        let count = ConfirmationDialog.scheduleChoices.count
        dialog.scheduleIndex = (dialog.scheduleIndex + step + count) % count
    case .cancel, .confirm:
        dialog.focus = dialog.focus == .cancel ? .confirm : .cancel
    case .reason, .typedName:
        break
    }
}

/// Typing: a number into a percentage's value, a name into the typed name; everything else into the
/// reason, wherever the focus is, so nothing typed is ever lost. In an empty value, `p` restores the
/// value before the flag's last change.
private func type(_ text: String, into dialog: inout ConfirmationDialog) {
    switch dialog.focus {
    case .value:
        guard case .setFlag(let name, let value) = dialog.action else { return }
        if text == "p", dialog.valueText.isEmpty, let previous = dialog.previousValue, previous.kind == value.kind {
            dialog.action = .setFlag(name: name, value: previous)
            if case .percentage(let p) = previous { dialog.valueText = Format.number(p) }
            return
        }
        if case .percentage = value, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            dialog.valueText = String((dialog.valueText + text).prefix(8))
            applyTypedValue(&dialog)
            return
        }
        dialog.reason = capped(dialog.reason + text)
        dialog.focus = .reason
    case .typedName:
        dialog.typedName = capped(dialog.typedName + text)
    case .reason, .scope, .schedule, .cancel, .confirm:
        dialog.reason = capped(dialog.reason + text)
        dialog.focus = .reason
    }
}

/// The percentage as typed becomes the value sent, or no value at all while it does not parse.
private func applyTypedValue(_ dialog: inout ConfirmationDialog) {
    guard case .setFlag(let name, .percentage) = dialog.action else { return }
    dialog.action = .setFlag(name: name, value: .percentage(Double(dialog.valueText) ?? .nan))
}

/// The longest reason, name or filter the console keeps (a paste can be far longer).
let textFieldLimit = 500

/// `text` cut to ``textFieldLimit`` characters.
func capped(_ text: String) -> String { text.count > textFieldLimit ? String(text.prefix(textFieldLimit)) : text }

/// The one place a command leaves the console, after every guard.
private func confirm(_ original: ConfirmationDialog, _ state: inout ConsoleState) -> [Effect] {
    var dialog = original
    func refuse(_ text: String, focus: ConfirmationDialog.Focus) -> [Effect] {
        state.status = .init(text: text, isError: true)
        dialog.focus = focus
        state.dialog = dialog
        return []
    }
    // Nobody confirms what they cannot read: a terminal too small for the whole dialog refuses.
    let needed = dialog.minimumTerminal
    if state.width < needed.width || state.height < needed.height {
        state.status = .init(
            text: "enlarge the terminal to \(needed.width)x\(needed.height) to confirm; esc cancels", isError: true)
        state.dialog = dialog
        return []
    }
    // A dialog cannot outlive a read-only switch or a source that stops taking this command.
    guard state.allows(dialog.action.kind) else {
        state.dialog = nil
        state.status = .init(text: "read-only [RO]: \(dialog.action.kind.rawValue) is not allowed", isError: true)
        return []
    }
    if case .setFlag(_, let value) = dialog.action {
        // What is sent is exactly what the screen shows.
        if case .percentage(let p) = value, Double(dialog.valueText) != p || !(0...100).contains(p) {
            return refuse("type the new percentage, 0 to 100", focus: .value)
        }
        if .flag(value) == dialog.before && !dialog.beforeDiffers {
            return refuse("the flag is already \(value); pick another value", focus: .value)
        }
    }
    if dialog.requiresReason && dialog.reason.trimmingCharacters().isEmpty {
        return refuse("a reason is required here (require-reason is on)", focus: .reason)
    }
    if dialog.requiresTypedName && dialog.typedName != dialog.expectedTypedName {
        return refuse("type '\(dialog.expectedTypedName)' to confirm", focus: .typedName)
    }
    state.dialog = nil
    state.commandCounter += 1
    let command = Command(
        id: "\(state.actor)-\(state.nowMilliseconds)-\(state.commandCounter)", actor: state.actor,
        reason: dialog.reason.trimmingCharacters(), action: dialog.finalAction)
    state.status = .init(text: "sent: \(dialog.verb.lowercased()) \(dialog.target)", isError: false)
    logSentCommand(command, to: dialog.instances, target: dialog.target, &state)
    return [.send(command, to: dialog.instances)]
}

/// Pasted text as one line: line breaks become spaces, other control characters go.
func singleLine(_ text: String) -> String {
    String(
        text.unicodeScalars.compactMap { scalar -> Character? in
            if scalar == "\n" || scalar == "\t" { return " " }
            if scalar == "\r" { return nil }  // CRLF is one line break
            return scalar.properties.generalCategory == .control ? nil : Character(scalar)
        })
}
