import FuseboxProtocol

// The event log: what enters it, how fallback bursts are folded, and reading it without it moving.

typealias LogLine = ConsoleState.LogLine

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

/// Logs each snapshot's events not seen before. Transitions, commands and flag changes go to the
/// log that keeps them; fallback reports of one poll are folded into one line per instance and
/// dependency, in a log of their own, so a fallback storm never pushes an operator action out.
func absorbEvents(_ snapshots: [Snapshot], _ state: inout ConsoleState) {
    var lines: [(at: Int64, instance: String, kind: LogLine.Kind, text: String, dependency: String?)] = []
    for snapshot in snapshots {
        var seen = state.seenSequence[snapshot.instance] ?? 0
        // A new start time, or (from sources that send none) event numbers going down: the
        // instance restarted, and its events are numbered from 1 again.
        let previousStart = state.seenStart[snapshot.instance]
        state.seenStart[snapshot.instance] = snapshot.startedAtMilliseconds ?? previousStart
        let restarted =
            if let started = snapshot.startedAtMilliseconds, let previousStart {
                started != previousStart
            } else {
                snapshot.lastEventSequence < seen
            }
        if restarted && seen > 0 {
            lines.append(
                (
                    snapshot.takenAtMilliseconds, snapshot.instance, .backend,
                    "\(snapshot.instance): event numbers started over (the instance restarted); its counters did too",
                    nil
                ))
            seen = 0
        }
        var bursts: [String: (at: Int64, total: UInt64, parts: [String: UInt64], order: [String])] = [:]
        var burstOrder: [String] = []
        for event in snapshot.events where event.sequence > seen {
            guard event.kind == .fallback, let dependency = event.dependency else {
                lines.append(
                    (
                        event.atMilliseconds, snapshot.instance, LogLine.Kind(event.kind), event.message,
                        event.dependency ?? event.flag
                    ))
                continue
            }
            let part = "\(event.fallback ?? "?") \(event.fallbackReason?.rawValue ?? "?")"
            var burst = bursts[dependency] ?? (event.atMilliseconds, 0, [:], [])
            if bursts[dependency] == nil { burstOrder.append(dependency) }
            burst.at = max(burst.at, event.atMilliseconds)
            burst.total += event.count ?? 0
            if burst.parts[part] == nil { burst.order.append(part) }
            burst.parts[part, default: 0] += event.count ?? 0
            bursts[dependency] = burst
        }
        for dependency in burstOrder {
            let burst = bursts[dependency]!
            let parts = burst.order.map { "\($0) \(burst.parts[$0]!)x" }.joined(separator: ", ")
            lines.append(
                (
                    burst.at, snapshot.instance, .fallback, "\(dependency): fallbacks \(burst.total)x (\(parts))",
                    dependency
                ))
        }
        state.seenSequence[snapshot.instance] = snapshot.lastEventSequence
    }
    // One poll's lines, from every instance, enter in time order, so the log reads as a timeline.
    for line in lines.enumerated().sorted(by: { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }) {
        appendLog(
            &state, line.element.at, line.element.instance, line.element.kind, line.element.text,
            dependency: line.element.dependency, trim: false)
    }
    trimLogs(&state)
}

/// The console's own line for a command it sends: who, what, to which instances, and why.
func logSentCommand(_ command: Command, to instances: [String], target: String, _ state: inout ConsoleState) {
    let reason = command.reason.isEmpty ? "no reason given" : "reason: \(command.reason)"
    appendLog(
        &state, state.nowMilliseconds, "", .command,
        "sent by \(command.actor): \(command.action.verb) \(target) to \(instances.joined(separator: ", "))"
            + " (\(reason); id \(command.id))", dependency: target)
}

func appendLog(
    _ state: inout ConsoleState, _ at: Int64, _ instance: String, _ kind: LogLine.Kind, _ text: String,
    dependency: String? = nil, trim: Bool = true
) {
    state.logCounter += 1
    let line = LogLine(
        id: state.logCounter, atMilliseconds: at, instance: instance, kind: kind, dependency: dependency, text: text)
    if kind == .fallback {
        state.fallbackLog.append(line)
    } else {
        state.log.append(line)
    }
    if trim { trimLogs(&state) }
}

/// Keeps the newest lines of each log. Operator commands are the last to go: a storm of
/// transitions trims older transitions first.
private func trimLogs(_ state: inout ConsoleState) {
    if state.log.count > ConsoleState.logLimit {
        var excess = state.log.count - ConsoleState.logLimit
        state.log.removeAll { line in
            guard excess > 0, line.kind != .command else { return false }
            excess -= 1
            return true
        }
        // Only commands left over the limit (thousands of them): the oldest go.
        if state.log.count > ConsoleState.logLimit { state.log.removeFirst(state.log.count - ConsoleState.logLimit) }
    }
    if state.fallbackLog.count > ConsoleState.fallbackLogLimit {
        state.fallbackLog.removeFirst(state.fallbackLog.count - ConsoleState.fallbackLogLimit)
    }
}

extension ConsoleState {
    /// The event log as the events screen shows it: both logs in arrival order, through the kind
    /// and text filters.
    public var visibleEvents: [LogLine] {
        let needle = eventFilter.lowercased()
        var merged: [LogLine] = []
        merged.reserveCapacity(log.count + fallbackLog.count)
        var (i, j) = (0, 0)
        while i < log.count || j < fallbackLog.count {
            let takeImportant = j >= fallbackLog.count || (i < log.count && log[i].id < fallbackLog[j].id)
            let line = takeImportant ? log[i] : fallbackLog[j]
            if takeImportant { i += 1 } else { j += 1 }
            if let kind = eventKind, line.kind != kind { continue }
            if !needle.isEmpty && !line.text.lowercased().contains(needle)
                && !line.instance.lowercased().contains(needle)
            {
                continue
            }
            merged.append(line)
        }
        return merged
    }
}

/// Moves the events screen's cursor. From the newest line it starts reading (the view stops
/// following new lines, which a badge counts); moving past the newest follows them again.
func moveEventCursor(_ state: inout ConsoleState, by delta: Int) {
    let lines = state.visibleEvents
    guard !lines.isEmpty else { return }
    let current = state.eventCursor.flatMap { id in lines.lastIndex { $0.id <= id } } ?? lines.count - 1
    let next = current + delta
    if next >= lines.count {
        state.eventCursor = nil
        return
    }
    if state.eventCursor == nil { state.eventReadFrom = lines[lines.count - 1].id }
    state.eventCursor = lines[max(0, next)].id
}

extension ConsoleState {
    /// A problem the console starts with (an audit log it cannot write): in the event log, and in
    /// the status line until something else is said.
    public mutating func notice(_ text: String) {
        appendLog(&self, nowMilliseconds, "", .backend, text)
        status = StatusLine(text: text, isError: true)
    }
}
