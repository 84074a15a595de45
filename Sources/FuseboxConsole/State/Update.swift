import FuseboxProtocol

/// The console's one state transition: a message in, the new state and any effects out.
public func update(_ state: inout ConsoleState, _ message: Message) -> [Effect] {
    let before = RowsKey(state)
    let status = state.status
    let effects = apply(message, &state)
    if state.status != status { state.status?.atMilliseconds = state.nowMilliseconds }
    if RowsKey(state) != before {
        state.refreshRows()
        clampSelection(&state)
    }
    return effects
}

/// What the overview's rows depend on; when it changes, they are filtered and sorted again.
private struct RowsKey: Equatable {
    let updated: Int64?
    let rows: Int
    let filter: String
    let sort: ConsoleState.SortKey

    init(_ state: ConsoleState) {
        updated = state.shown.updatedAtMilliseconds
        rows = state.shown.rows.count
        filter = state.filter
        sort = state.sort
    }
}

private func apply(_ message: Message, _ state: inout ConsoleState) -> [Effect] {
    switch message {
    case .key(let key):
        return handle(key, &state)
    case .data(let snapshots, let now):
        state.nowMilliseconds = now
        state.fleet = state.fleet.advanced(to: snapshots, atMilliseconds: now)
        if !state.paused { state.shown = state.fleet }
        if state.sourceError != nil { appendLog(&state, now, "", .backend, "source is answering again") }
        state.sourceError = nil
        state.pollFailures = 0
        absorbEvents(snapshots, &state)
        state.nextPollMilliseconds = state.intervalMilliseconds
        return [.poll(afterMilliseconds: state.nextPollMilliseconds, jittered: false)]
    case .pollFailed(let error, let now):
        state.nowMilliseconds = now
        state.sourceError = error
        guard error.isRetryable else {
            appendLog(&state, now, "", .backend, "\(error.message) (\(error.code.rawValue); polling stopped)")
            state.nextPollMilliseconds = 0
            return [.stopPolling]
        }
        state.pollFailures += 1
        state.nextPollMilliseconds = PollSchedule.delayMilliseconds(
            afterFailures: state.pollFailures, intervalMilliseconds: state.intervalMilliseconds)
        let retry = "retrying in \(Format.age(seconds: Double(state.nextPollMilliseconds) / 1000))"
        appendLog(&state, now, "", .backend, "\(error.message) (\(retry))")
        return [.poll(afterMilliseconds: state.nextPollMilliseconds, jittered: true)]
    case .tick(let now):
        state.nowMilliseconds = now
        return []
    case .resize(let width, let height):
        state.width = width
        state.height = height
        return []
    case .commandResults(let results, let now):
        for result in results {
            let text = "\(result.status.rawValue): \(result.message)"
            appendLog(
                &state, now, result.instance ?? "", .command, "\(result.commandId) \(text)",
                dependency: result.target)
        }
        let applied = results.filter { $0.status == .applied }.count
        if let refused = results.first(where: { $0.status == .refused }) {
            let scope = results.count > 1 ? " (applied on \(applied) of \(results.count))" : ""
            state.status = .init(text: "refused: \(refused.message)\(scope)", isError: true)
        } else if let first = results.first {
            let scope = results.count > 1 ? " on \(results.count) instances" : ""
            state.status = .init(text: "applied: \(first.message)\(scope)", isError: false)
        }
        return []
    case .commandFailed(let error, let now):
        appendLog(&state, now, "", .command, "not delivered: \(error.message)")
        state.status = .init(text: "command not delivered: \(error.message)", isError: true)
        return []
    case .themeApplied(let name):
        state.themeName = name
        state.status = .init(text: "theme \(name)", isError: false)
        return []
    case .themeFailed(let problem):
        state.status = .init(text: problem, isError: true)
        return []
    }
}

// MARK: - Keys

private func handle(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
    if key == .interrupt { return [.quit] }
    if key == .redraw { return [.repaint] }
    if state.dialog != nil { return handleDialog(key, &state) }
    if state.input != nil { return handleInput(key, &state) }
    guard var action = state.keymap.action(for: key), state.screen.answers(action) else { return [] }
    // On the flags screen, enter toggles: it is the same write as `f`, and gated the same way.
    if action == .select && state.screen == .flags { action = .toggleFlag }
    if let kind = action.commandKind, !state.allows(kind) {
        let why =
            state.readOnly
            ? "read-only [RO]: actions are disabled (started with --read-only)"
            : "read-only [RO]: \(state.source) does not accept \(kind.rawValue) commands"
        state.status = .init(text: why, isError: true)
        return []
    }
    switch action {
    case .quit:
        return [.quit]
    case .help:
        toggleHelp(&state)
    case .back:
        if state.screen == .help {
            state.screen = state.screenBeforeHelp
        } else {
            // esc on the overview clears its filter; from another screen it only comes back.
            if state.screen == .overview { state.filter = "" }
            state.screen = .overview
        }
    case .pause:
        state.paused.toggle()
        if !state.paused { state.shown = state.fleet }
        state.status = .init(text: state.paused ? "paused: data keeps arriving; p resumes" : "live", isError: false)
    case .sort:
        let all = ConsoleState.SortKey.allCases
        state.sort = all[(all.firstIndex(of: state.sort)! + 1) % all.count]
        state.status = .init(text: "sorted by \(state.sort.rawValue)", isError: false)
    case .filter:
        state.input = .init(purpose: .filter, text: state.filter)
    case .command:
        state.input = .init(purpose: .command, text: "")
    case .up: move(&state, by: -1)
    case .down: move(&state, by: 1)
    case .pageUp: move(&state, by: -max(1, state.height - 6))
    case .pageDown: move(&state, by: max(1, state.height - 6))
    case .select:
        switch state.screen {
        case .overview: if state.selectedRow != nil { state.screen = .detail }
        case .detail, .flags, .events, .help: break
        }
    case .flags: state.screen = .flags
    case .events: state.screen = .events
    case .overview: state.screen = .overview
    case .toggleFlag:
        openFlagDialog(&state)
    case .forceOpen:
        openDependencyDialog(&state) { .forceOpen(dependency: $0) }
    case .close:
        openDependencyDialog(&state) { .close(dependency: $0) }
    case .disable:
        openDependencyDialog(&state) { .disable(dependency: $0) }
    case .backIn:
        openDependencyDialog(&state) { .startBackIn(dependency: $0, schedule: nil) }
    }
    return []
}

/// `?` and `:help` open help over the current screen; `?` again (or esc) returns to it.
private func toggleHelp(_ state: inout ConsoleState) {
    if state.screen == .help {
        state.screen = state.screenBeforeHelp
    } else {
        openHelp(&state)
    }
}

private func openHelp(_ state: inout ConsoleState) {
    guard state.screen != .help else { return }
    state.screenBeforeHelp = state.screen
    state.screen = .help
}

private func move(_ state: inout ConsoleState, by delta: Int) {
    switch state.screen {
    case .flags: state.flagSelection = max(0, min(state.shown.flags.count - 1, state.flagSelection + delta))
    case .events: state.eventScroll = max(0, min(max(0, state.log.count - 1), state.eventScroll - delta))
    case .overview, .detail, .help:
        state.selection = max(0, min(state.visibleRows.count - 1, state.selection + delta))
    }
}

private func clampSelection(_ state: inout ConsoleState) {
    state.selection = max(0, min(state.visibleRows.count - 1, state.selection))
    state.flagSelection = max(0, min(state.shown.flags.count - 1, state.flagSelection))
}

/// Opens the confirmation for a breaker action on the selected dependency, aimed at every instance
/// of the selected row's service that has it (never at another service's dependency of the same name).
private func openDependencyDialog(_ state: inout ConsoleState, _ action: (String) -> Command.Action) {
    guard let row = state.selectedRow else {
        state.status = .init(text: "select a dependency in the overview first", isError: true)
        return
    }
    let instances = state.shown.rows.filter { $0.name == row.name && $0.service == row.service }.map(\.instance)
    state.dialog = ConfirmationDialog(
        action: action(row.name), target: row.name, criticality: row.dependency.criticality,
        instances: Array(Set(instances)).sorted())
}

private func openFlagDialog(_ state: inout ConsoleState) {
    let flags = state.shown.flags
    guard !flags.isEmpty else { return }
    let entry = flags[min(state.flagSelection, flags.count - 1)]
    let flag = entry.flag
    let next: FlagValue
    switch flag.value {
    case .boolean(let on): next = .boolean(!on)
    case .percentage(let p): next = .percentage(p > 0 ? 0 : 100)
    case .degradation(let level):
        let all = DegradationLevel.allCases
        next = .degradation(all[(all.firstIndex(of: level)! + 1) % all.count])
    }
    let service = state.shown.snapshots.first { $0.instance == entry.instance }?.service
    let instances = flags.filter { candidate in
        candidate.flag.name == flag.name
            && state.shown.snapshots.first { $0.instance == candidate.instance }?.service == service
    }.map(\.instance)
    state.dialog = ConfirmationDialog(
        action: .setFlag(name: flag.name, value: next), target: flag.name, criticality: nil, instances: instances)
}

private func handleDialog(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
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
        dialog.focus = order[(index + order.count - 1) % order.count]
    case .left, .right:
        if case .startBackIn = dialog.action, dialog.focus == .cancel || dialog.focus == .confirm {
            let count = ConfirmationDialog.scheduleChoices.count
            dialog.scheduleIndex = (dialog.scheduleIndex + (key == .right ? 1 : count - 1)) % count
        } else if dialog.focus == .cancel || dialog.focus == .confirm {
            dialog.focus = dialog.focus == .cancel ? .confirm : .cancel
        }
    case .backspace:
        if dialog.focus == .reason, !dialog.reason.isEmpty { dialog.reason.removeLast() }
        if dialog.focus == .typedName, !dialog.typedName.isEmpty { dialog.typedName.removeLast() }
    case .character(let c):
        switch dialog.focus {
        case .reason: dialog.reason.append(c)
        case .typedName: dialog.typedName.append(c)
        default: break
        }
    case .enter:
        switch dialog.focus {
        case .cancel:
            state.dialog = nil
            state.status = .init(text: "cancelled", isError: false)
            return []
        case .reason, .typedName:
            dialog.focus = order[(index + 1) % order.count]
        case .confirm:
            // A dialog cannot outlive a read-only switch or a source that stops taking this command.
            guard state.allows(dialog.action.kind) else {
                state.dialog = nil
                state.status = .init(
                    text: "read-only [RO]: \(dialog.action.kind.rawValue) is not allowed", isError: true)
                return []
            }
            if dialog.requiresTypedName && dialog.typedName != dialog.target {
                state.status = .init(text: "type '\(dialog.target)' to confirm", isError: true)
                dialog.focus = .typedName
                state.dialog = dialog
                return []
            }
            state.dialog = nil
            state.commandCounter += 1
            let command = Command(
                id: "\(state.actor)-\(state.nowMilliseconds)-\(state.commandCounter)", actor: state.actor,
                reason: dialog.reason, action: dialog.finalAction)
            state.status = .init(text: "sent: \(dialog.verb.lowercased()) \(dialog.target)", isError: false)
            appendLog(
                &state, state.nowMilliseconds, "", .command,
                "\(command.id) sent: \(command.action.verb) \(dialog.target) to \(dialog.instances.joined(separator: ", "))"
                    + " (reason: \(command.reason.isEmpty ? "none given" : command.reason))",
                dependency: dialog.target)
            return [.send(command, to: dialog.instances)]
        }
    default:
        break
    }
    state.dialog = dialog
    return []
}

private func handleInput(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
    guard var input = state.input else { return [] }
    switch key {
    case .escape:
        state.input = nil
        if input.purpose == .filter {
            state.filter = ""
            clampSelection(&state)
        }
        return []
    case .backspace:
        if !input.text.isEmpty { input.text.removeLast() }
    case .character(let c):
        input.text.append(c)
    case .enter:
        state.input = nil
        if input.purpose == .filter {
            state.filter = input.text
            state.selection = 0
            return []
        }
        return runCommandLine(input.text, &state)
    default:
        break
    }
    state.input = input
    if input.purpose == .filter {
        state.filter = input.text
        clampSelection(&state)
    }
    return []
}

/// `:theme NAME`, `:filter TEXT`, `:sort KEY`, `:flags`, `:events`, `:overview`, `:help`, `:q`.
private func runCommandLine(_ line: String, _ state: inout ConsoleState) -> [Effect] {
    let words = line.split(separator: " ", maxSplits: 1).map(String.init)
    guard let verb = words.first else { return [] }
    let argument = words.count > 1 ? words[1].trimmingCharacters() : ""
    switch verb {
    case "q", "quit": return [.quit]
    case "theme":
        guard !argument.isEmpty else {
            state.status = .init(
                text: "usage: :theme NAME (\(state.availableThemes.joined(separator: ", ")))", isError: true)
            return []
        }
        return [.applyTheme(argument)]
    case "filter":
        state.filter = argument
        state.selection = 0
        state.screen = .overview
    case "sort":
        guard let key = ConsoleState.SortKey(rawValue: argument) else {
            let keys = ConsoleState.SortKey.allCases.map(\.rawValue).joined(separator: ", ")
            state.status = .init(text: "unknown sort '\(argument)'; use one of: \(keys)", isError: true)
            return []
        }
        state.sort = key
    case "flags": state.screen = .flags
    case "events": state.screen = .events
    case "overview": state.screen = .overview
    case "help":
        openHelp(&state)
    default:
        state.status = .init(
            text: "unknown command ':\(verb)'; try :theme, :filter, :sort, :flags, :events, :help, :q", isError: true)
    }
    return []
}

// MARK: - Event log

/// Logs each snapshot's events not seen before; the log is trimmed once, not once per event.
private func absorbEvents(_ snapshots: [Snapshot], _ state: inout ConsoleState) {
    for snapshot in snapshots {
        let seen = state.seenSequence[snapshot.instance] ?? 0
        for event in snapshot.events where event.sequence > seen {
            state.log.append(
                .init(
                    atMilliseconds: event.atMilliseconds, instance: snapshot.instance, kind: LogLine.Kind(event.kind),
                    dependency: event.dependency ?? event.flag, text: event.message))
        }
        state.seenSequence[snapshot.instance] = max(seen, snapshot.lastEventSequence)
    }
    trimLog(&state)
}

private func appendLog(
    _ state: inout ConsoleState, _ at: Int64, _ instance: String, _ kind: ConsoleState.LogLine.Kind, _ text: String,
    dependency: String? = nil
) {
    state.log.append(.init(atMilliseconds: at, instance: instance, kind: kind, dependency: dependency, text: text))
    trimLog(&state)
}

private typealias LogLine = ConsoleState.LogLine

extension ConsoleState.LogLine.Kind {
    init(_ kind: Event.Kind) {
        switch kind {
        case .transition: self = .transition
        case .fallback: self = .fallback
        case .command: self = .command
        case .flag: self = .flag
        }
    }
}

/// Keeps the newest ``ConsoleState/logLimit`` lines.
private func trimLog(_ state: inout ConsoleState) {
    if state.log.count > ConsoleState.logLimit { state.log.removeFirst(state.log.count - ConsoleState.logLimit) }
}
