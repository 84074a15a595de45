import FuseboxBackend
import FuseboxProtocol

/// The console's one state transition: a message in, the new state and any effects out.
public func update(_ state: inout ConsoleState, _ message: Message) -> [Effect] {
    let before = RowsKey(state)
    let status = state.status
    let effects = apply(message, &state)
    if state.status != status { state.status?.atMilliseconds = state.nowMilliseconds }
    if RowsKey(state) != before {
        state.refreshRows()
        state.syncSelection()
    }
    state.noteSelectionShown()
    return effects
}

/// What the overview's rows depend on; when it changes, they are filtered and sorted again.
private struct RowsKey: Equatable {
    let updated: Int64?
    let rows: Int
    let filter: String
    let sort: ConsoleState.SortKey
    let expanded: Set<DependencyRow.Identity>

    init(_ state: ConsoleState) {
        updated = state.shown.updatedAtMilliseconds
        rows = state.shown.rows.count
        filter = state.filter
        sort = state.sort
        expanded = state.expandedFleets
    }
}

private func apply(_ message: Message, _ state: inout ConsoleState) -> [Effect] {
    switch message {
    case .key(let key):
        // A command's outcome has been read once the operator does something next with it on
        // screen; a repaint (Ctrl-L, or the console coming back from a stop) is not the operator
        // acting, and a prompt or dialog hides the status line.
        if key != .redraw, state.input == nil, state.dialog == nil, state.status?.staysUntilKey == true {
            state.status = nil
        }
        return handle(key, &state)
    case .data(let snapshots, let now):
        state.nowMilliseconds = now
        // The live session's memory grows under a paused console, and forgets its oldest hour's end.
        if state.replay?.origin == .live {
            state.replay?.frameTimes.append(now)
            let oldest = now - ReplayState.liveRetentionMilliseconds
            if let times = state.replay?.frameTimes, let first = times.first, first < oldest {
                state.replay?.frameTimes.removeFirst(times.partitionPoint { $0 < oldest })
            }
        }
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
        let previousCode = state.sourceError?.code
        state.sourceError = error
        if previousCode != error.code { state.clearOutcomeForNewTrouble(failing: nil) }
        guard error.isRetryable else {
            // Asking again cannot help until someone fixes it (a token, a version), but someone may:
            // poll at the slowest rate rather than never, so the console comes back by itself.
            if previousCode != error.code {
                appendLog(&state, now, "", .backend, "\(error.message) (\(error.code.rawValue); polling every 30s)")
            }
            state.pollFailures += 1
            state.nextPollMilliseconds = PollSchedule.maximumBackoffMilliseconds
            return [.poll(afterMilliseconds: state.nextPollMilliseconds, jittered: true)]
        }
        state.pollFailures += 1
        state.nextPollMilliseconds = PollSchedule.delayMilliseconds(
            afterFailures: state.pollFailures, intervalMilliseconds: state.intervalMilliseconds)
        let retry = "retrying in \(Format.age(seconds: Double(state.nextPollMilliseconds) / 1000))"
        appendLog(&state, now, "", .backend, "\(error.message) (\(retry))")
        return [.poll(afterMilliseconds: state.nextPollMilliseconds, jittered: true)]
    case .tick(let now):
        state.nowMilliseconds = now
        return advanceReplay(&state, now: now)
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
        if var summary = commandSummary(results) {
            summary.staysUntilKey = true
            summary.missedInstances = Set(results.filter { $0.status != .applied }.compactMap(\.instance))
            summary.missedEverything = !results.contains { $0.status == .applied }
            state.status = summary
        }
        return []
    case .commandFailed(let error, let now):
        appendLog(&state, now, "", .command, "failed: \(error.message)")
        state.status = .init(text: "command failed: \(error.message)", isError: true)
        state.status?.staysUntilKey = true
        state.status?.missedEverything = true
        return []
    case .themeApplied(let name):
        state.themeName = name
        state.status = .init(text: "theme \(name)", isError: false)
        return []
    case .themeFailed(let problem):
        state.status = .init(text: problem, isError: true)
        return []
    case .timeline(let frameTimes, let markers, let notes, let damage):
        return openTimeline(frameTimes: frameTimes, markers: markers, notes: notes, damage: damage, &state)
    case .frames(let frames, let reset, let request, let damage):
        applyFrames(frames, reset: reset, request: request, damage: damage, &state)
        return []
    case .timelineFailed(let line):
        state.replay?.pendingRequest = nil
        state.replay?.playing = false
        state.status = .init(text: line, isError: true)
        return []
    case .notice(let line):
        state.notice(line)
        return []
    case .recordingStopped(let line):
        state.recordingStopped = line
        state.status = .init(text: line, isError: true)
        appendLog(&state, state.nowMilliseconds, "", .backend, line)
        return []
    case .sources(let sources, let now):
        state.nowMilliseconds = max(state.nowMilliseconds, now)
        logSourceChanges(from: state.sources, to: sources, &state, at: now)
        state.sources = sources
        return []
    case .capabilities(let capabilities, let now):
        guard capabilities != state.capabilities else { return [] }
        let lost = state.capabilities.commands.subtracting(capabilities.commands)
        state.capabilities = capabilities
        if !lost.isEmpty {
            let why = capabilities.commandsUnavailableReason ?? "\(state.source) takes fewer commands now"
            appendLog(&state, now, "", .backend, "read-only [RO]: \(why)")
        }
        return []
    }
}

// MARK: - Keys

private func handle(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
    if key == .interrupt { return [.quit] }
    if key == .redraw { return [.repaint] }
    if state.dialog != nil { return handleDialog(key, &state) }
    if state.input != nil { return handleInput(key, &state) }
    if case .paste = key {
        // Pasted text is never a string of commands.
        state.status = .init(text: "paste ignored: open / (filter) or : (command) first", isError: true)
        return []
    }
    if let effects = handleReplayKey(key, &state) { return effects }
    guard var action = state.keymap.action(for: key), state.screen.answers(action) else { return [] }
    // On the flags screen, enter toggles: it is the same write as `f`, and gated the same way.
    if action == .select && state.screen == .flags { action = .toggleFlag }
    if let kind = action.commandKind, !state.allows(kind) {
        let why: String
        if state.readOnly {
            why = "read-only [RO]: actions are disabled (--read-only, or the environment's read-only: true)"
        } else if state.capabilities.isReadOnly {
            why =
                state.capabilities.commandsUnavailableReason.map { "read-only [RO]: \($0)" }
                ?? "read-only [RO]: \(state.source) takes no commands"
        } else {
            // The source takes other commands, not this one (a Resilience4j actuator has no back-in).
            why =
                "\(kind.rawValue) is not available from this source"
                + (state.capabilities.commandsUnavailableReason.map { ": \($0)" } ?? "")
        }
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
        } else if state.screen == .events && state.expandedEvent != nil {
            state.expandedEvent = nil
        } else {
            // esc on the overview clears its filter; from another screen it only comes back.
            if state.screen == .overview { state.filter = "" }
            state.screen = .overview
        }
    case .pause:
        guard state.paused else { return pauseLive(&state) }
        state.paused = false
        state.replay = nil
        state.shown = state.fleet
        state.status = .init(text: "live", isError: false)
    case .annotate:
        if case .recording = state.replay?.origin {
            state.status = .init(text: "a recording is read as it was: annotate during a live session", isError: true)
            return []
        }
        state.status = nil
        state.input = .init(purpose: .annotation, text: "")
    case .sort:
        let all = ConsoleState.SortKey.allCases
        state.sort = all[(all.firstIndex(of: state.sort)! + 1) % all.count]
        state.status = .init(text: "sorted by \(state.sort.rawValue)", isError: false)
    case .filter:
        state.status = nil
        state.input =
            state.screen == .events
            ? .init(purpose: .eventFilter, text: state.eventFilter) : .init(purpose: .filter, text: state.filter)
    case .command:
        state.status = nil
        state.input = .init(purpose: .command, text: "")
    case .up: move(&state, by: -1)
    case .down: move(&state, by: 1)
    case .pageUp: move(&state, by: -max(1, state.height - 6))
    case .pageDown: move(&state, by: max(1, state.height - 6))
    case .select:
        switch state.screen {
        case .overview:
            if state.selectedRow != nil {
                state.pinSelection()
                state.screen = .detail
            }
        case .events:
            let lines = state.visibleEvents
            let id = state.eventCursor ?? lines.last?.id
            state.expandedEvent = state.expandedEvent == nil ? id : nil
        case .detail, .flags, .help: break
        }
    case .kindFilter:
        let kinds: [ConsoleState.LogLine.Kind?] = [nil, .transition, .command, .flag, .fallback, .backend, .annotation]
        state.eventKind = kinds[((kinds.firstIndex(of: state.eventKind) ?? 0) + 1) % kinds.count]
        state.eventCursor = nil
    case .newest:
        state.eventCursor = nil
    case .expand: setExpanded(&state, true)
    case .collapse: setExpanded(&state, false)
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
    state.helpScroll = 0
}

private func move(_ state: inout ConsoleState, by delta: Int) {
    switch state.screen {
    case .flags: state.moveFlagSelection(by: delta)
    case .events: moveEventCursor(&state, by: delta)
    case .help: state.helpScroll = max(0, state.helpScroll + delta)
    case .overview, .detail: state.moveSelection(by: delta)
    }
}

private func handleInput(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
    guard var input = state.input else { return [] }
    switch key {
    case .escape:
        state.input = nil
        if input.purpose == .filter { state.filter = "" }
        if input.purpose == .eventFilter { state.eventFilter = "" }
        return []
    case .backspace:
        if !input.text.isEmpty { input.text.removeLast() }
    case .character(let c):
        input.text = capped(input.text + String(c))
    case .paste(let text):
        input.text = capped(input.text + singleLine(text))
    case .enter:
        state.input = nil
        switch input.purpose {
        case .filter:
            state.filter = input.text
            return []
        case .eventFilter:
            state.eventFilter = input.text
            state.eventCursor = nil
            return []
        case .command:
            break
        case .jump:
            return jump(&state, toText: input.text)
        case .annotation:
            let text = input.text.trimmingCharacters()
            guard !text.isEmpty else { return [] }
            appendLog(&state, state.nowMilliseconds, "", .annotation, "\(state.actor): \(text)")
            let recorded = state.recordingPath == nil || state.recordingStopped != nil ? "" : " (recorded)"
            state.status = .init(
                text: "annotated at \(Format.clock(state.nowMilliseconds)) UTC\(recorded)", isError: false)
            return [.annotate(text)]
        }
        return runCommandLine(input.text, &state)
    default:
        break
    }
    state.input = input
    if input.purpose == .filter { state.filter = input.text }
    if input.purpose == .eventFilter { state.eventFilter = input.text }
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
            text: "unknown command ':\(verb)'; try :theme, :filter, :sort, :overview, :flags, :events, :help, :q",
            isError: true)
    }
    return []
}

/// Shows or hides the selected fleet row's instances; collapsing from an instance goes to its fleet row.
private func setExpanded(_ state: inout ConsoleState, _ expanded: Bool) {
    guard let row = state.selectedRow else { return }
    let fleet = DependencyRow.Identity(service: row.service, instance: "", name: row.name)
    let child = !row.isFleet && state.expandedFleets.contains(fleet)
    guard row.isFleet || (child && !expanded) else {
        if !child {
            state.status = .init(text: "\(row.name) runs on one instance here: no fleet to show", isError: false)
        }
        return
    }
    if expanded { state.expandedFleets.insert(fleet) } else { state.expandedFleets.remove(fleet) }
    state.selectedID = fleet
    state.pinSelection()
    state.refreshRows()
    state.syncSelection()
    // The operator moved the cursor here: nothing to ask about.
    state.selectionLastShown = state.selectedID
}

extension ConsoleState {
    /// A source that starts failing, or fails differently, is news that outranks the last command's
    /// outcome on the status line (the event log keeps the outcome), unless the outcome already
    /// says the command missed it: `failing` are the source's instances, `nil` for the only source.
    mutating func clearOutcomeForNewTrouble(failing instances: [String]?) {
        guard let outcome = status, outcome.staysUntilKey, !outcome.missedEverything else { return }
        if let instances, !instances.isEmpty, Set(instances).isSubset(of: outcome.missedInstances) { return }
        status = nil
    }
}

/// One line for a command's results: `applied: ...` for one instance; for several,
/// `applied on 3 of 4; checkout-4 failed: cannot reach ...`, naming every instance it did not apply on.
func commandSummary(_ results: [CommandResult]) -> ConsoleState.StatusLine? {
    guard let first = results.first else { return nil }
    if results.count == 1 {
        let outcome = first.status == .failed ? "not delivered" : first.status.rawValue
        return .init(text: "\(outcome): \(first.message)", isError: first.status != .applied)
    }
    let applied = results.filter { $0.status == .applied }
    let missed = results.filter { $0.status != .applied }
    guard !missed.isEmpty else {
        // Instances where it changed nothing are named: "applied on all 3" must not hide them.
        let unchanged = results.filter { $0.before != nil && $0.before == $0.after }.compactMap(\.instance)
        let note = unchanged.isEmpty ? "" : " (already so on \(unchanged.joined(separator: ", ")))"
        return .init(text: "applied on all \(results.count) instances\(note): \(first.message)", isError: false)
    }
    let why = missed.map { result in
        let instance = result.instance ?? "an instance"
        guard result.status == .failed else { return "\(instance) refused: \(result.message)" }
        // No answer is not no delivery: the message says it may have been applied. Otherwise the
        // message says why (cannot reach it, a token refused): "failed" claims no more than that.
        return result.message.hasPrefix("no answer")
            ? "\(instance) \(result.message)" : "\(instance) failed: \(result.message)"
    }
    return .init(
        text: "applied on \(applied.count) of \(results.count); " + why.joined(separator: "; "), isError: true)
}

/// One event-log line per source that starts failing, fails differently, or answers again.
private func logSourceChanges(
    from old: [SourceStatus], to new: [SourceStatus], _ state: inout ConsoleState, at now: Int64
) {
    let before = Dictionary(old.map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first })
    for source in new {
        let previous = before[source.source]
        if let error = source.error, previous?.error?.code != error.code {
            state.clearOutcomeForNewTrouble(failing: source.instances)
            let retry =
                source.retryAtMilliseconds.map {
                    " (retrying in \(Format.age(seconds: Double(max(0, $0 - now)) / 1000)))"
                } ?? ""
            appendLog(&state, now, source.source, .backend, "source failing: \(error.message)\(retry)")
        } else if source.error == nil, previous?.error != nil {
            appendLog(&state, now, source.source, .backend, "source answering again")
        }
    }
}
