import FuseboxProtocol

/// Flags with value, owner and last change.
func drawFlags(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    let flags = state.shown.flags
    canvas.put(
        "FLAG                               VALUE       INSTANCE      OWNER          LAST CHANGE", x: 0, y: body.y,
        role: .header)
    canvas.paint(row: body.y, role: .header)
    if flags.isEmpty { canvas.put("no flags yet", x: 1, y: body.y + 1, role: .dim) }
    // Scroll so the selected flag stays on screen.
    let capacity = max(0, body.height - 1)
    let start = state.flagSelection < capacity ? 0 : state.flagSelection - capacity + 1
    for (offset, entry) in flags.dropFirst(start).prefix(capacity).enumerated() {
        let index = start + offset
        let y = body.y + 1 + offset
        let flag = entry.flag
        var x = canvas.put(Format.left(Format.fit(flag.name, 34, ellipsis: state.glyphs.ellipsis), 35), x: 0, y: y)
        let on: Bool
        switch flag.value {
        case .boolean(let value): on = value
        case .percentage(let value): on = value > 0
        case .degradation(let level): on = level != .normal
        }
        x = canvas.put(Format.left(flag.value.description, 12), x: x, y: y, role: on ? .warning : .ok)
        x = canvas.put(Format.left(entry.instance, 14), x: x, y: y, role: .dim)
        x = canvas.put(Format.left(flag.owner ?? "-", 15), x: x, y: y, role: .dim)
        let change =
            flag.lastChange.map {
                "\($0.actor) at \(Format.clock($0.atMilliseconds)): \($0.reason.isEmpty ? "(no reason)" : $0.reason)"
            } ?? "never changed"
        canvas.put(Format.fit(change, max(0, state.width - x), ellipsis: state.glyphs.ellipsis), x: x, y: y, role: .dim)
        if index == state.flagSelection { canvas.paint(row: y, role: .selected) }
    }
}

/// The console's event log: transitions, aggregated fallbacks, commands with results, backend errors.
func drawEvents(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    let needle = state.filter.lowercased()
    let lines = state.log.filter {
        needle.isEmpty || $0.text.lowercased().contains(needle) || $0.kind.rawValue.contains(needle)
    }
    canvas.put(
        "EVENTS (\(lines.count))\(needle.isEmpty ? "" : "  filter: \(state.filter)")", x: 0, y: body.y, role: .header)
    canvas.paint(row: body.y, role: .header)
    let capacity = body.height - 1
    let end = max(0, lines.count - state.eventScroll)
    let visible = lines[max(0, end - capacity)..<end]
    for (index, line) in visible.enumerated() {
        let y = body.y + 1 + index
        let role: Role
        switch line.kind {
        case .transition: role = .text
        case .command, .flag: role = .keyName
        case .backend: role = .error
        case .fallback: role = .dim
        }
        let instance = line.instance.isEmpty ? "" : line.instance + "  "
        let text =
            "\(Format.clock(line.atMilliseconds))  \(Format.left(line.kind.rawValue, 10)) \(instance)\(line.text)"
        canvas.put(Format.fit(text, state.width, ellipsis: state.glyphs.ellipsis), x: 0, y: y, role: role)
    }
}

/// Every key of the mode help was opened from.
func drawHelp(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    canvas.put("HELP: \(state.screenBeforeHelp.rawValue)", x: 0, y: body.y, role: .header)
    canvas.paint(row: body.y, role: .header)
    var y = body.y + 1
    let actions = state.screenBeforeHelp.bindings.map(\.action)
    for action in actions where y <= body.lastRow {
        let keys = state.keymap.keys(for: action).map(\.label).joined(separator: " ")
        guard !keys.isEmpty else { continue }
        var x = canvas.put(Format.left(keys, 12), x: 2, y: y, role: .keyName)
        x = canvas.put(action.summary, x: x, y: y)
        if let kind = action.commandKind {
            canvas.put(
                state.allows(kind) ? "  (asks for confirmation)" : "  (disabled: read-only)", x: x, y: y, role: .dim)
        }
        y += 1
    }
    if y + 1 <= body.lastRow {
        canvas.put(
            ":theme NAME  :filter TEXT  :sort worst|name|calls|failures|latency  :flags  :events  :q", x: 2, y: y + 1,
            role: .dim)
    }
}
