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

/// The console's event log: transitions, commands with results, flag changes and source errors,
/// with fallback bursts folded per dependency and poll. While the operator reads (the cursor is
/// off the newest line) the view stays put and a badge counts the lines that arrived since.
func drawEvents(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    let lines = state.visibleEvents
    let (titleRow, list) = body.splitTop(1)
    var title = "EVENTS (\(lines.count))  kind: \(state.eventKind?.rawValue ?? "all")"
    if !state.eventFilter.isEmpty { title += "  filter: \(state.eventFilter)" }
    canvas.fill(titleRow, role: .header)
    canvas.put(clip(title, titleRow.width, state), in: titleRow, role: .header)
    let cursor = state.eventCursor.flatMap { id in lines.lastIndex { $0.id <= id } }
    if cursor != nil {
        let fresh = lines.reversed().prefix { $0.id > state.eventReadFrom }.count
        let badge = fresh == 0 ? " reading: G follows " : " \(fresh) new: G follows "
        if TextWidth.of(title) + TextWidth.of(badge) + 2 <= titleRow.width {
            canvas.put(badge, in: titleRow, column: titleRow.width - TextWidth.of(badge), role: .warning)
        }
    }
    if lines.isEmpty {
        canvas.put(
            "no events\(state.eventKind == nil && state.eventFilter.isEmpty ? " yet" : " match")", in: list, column: 1,
            role: .dim)
        return
    }
    // Following: the newest lines. Reading: the cursor's line at the bottom, so new lines move nothing.
    let last = cursor ?? lines.count - 1
    let start = max(0, last - list.height + 1)
    for (offset, line) in lines[start...min(lines.count - 1, start + list.height - 1)].enumerated() {
        let instance = line.instance.isEmpty ? "" : line.instance + "  "
        let text =
            "\(Format.clock(line.atMilliseconds))  \(Format.left(line.kind.rawValue, 10)) \(instance)\(line.text)"
        canvas.put(clip(text, list.width, state), in: list, row: offset, role: role(of: line.kind))
        if start + offset == cursor { canvas.paint(list.row(offset), role: .selected) }
    }
    if let id = state.expandedEvent,
        let line = lines.first(where: { $0.id == id }) ?? state.log.first(where: { $0.id == id })
    {
        drawExpandedEvent(line, state, in: list, &canvas)
    }
}

private func role(of kind: ConsoleState.LogLine.Kind) -> Role {
    switch kind {
    case .transition: return .text
    case .command, .flag: return .keyName
    case .backend: return .error
    case .fallback: return .dim
    }
}

/// One event whole, in a box over the list: when, where, what kind, and its full text wrapped.
private func drawExpandedEvent(
    _ line: ConsoleState.LogLine, _ state: ConsoleState, in area: Rect, _ canvas: inout Canvas
) {
    let width = min(area.width - 2, 100)
    guard width > 10 else { return }
    let textWidth = width - 4
    var rows = [
        "\(Format.clock(line.atMilliseconds))  \(line.kind.rawValue)",
        "instance: \(line.instance.isEmpty ? "this console" : line.instance)"
            + (line.dependency.map { "   about: \($0)" } ?? ""),
        "",
    ]
    rows += wrap(line.text, width: textWidth)
    rows += ["", "esc or enter closes"]
    let height = min(area.height, rows.count + 2)
    let box = Rect(
        x: area.x + (area.width - width) / 2, y: area.y + max(0, (area.height - height) / 2), width: width,
        height: height)
    // A clear margin and a frame, so nothing of the list reads as part of the event.
    canvas.fill(Rect(x: box.x - 1, y: box.y, width: box.width + 2, height: box.height).intersection(area))
    canvas.fill(box, role: .dialog)
    let border = String(repeating: state.glyphs.horizontal, count: max(0, box.width - 2))
    canvas.put(border, x: box.x + 1, y: box.y, role: .dialog)
    canvas.put(border, x: box.x + 1, y: box.bottom - 1, role: .dialog)
    for y in box.rows {
        canvas.put(state.glyphs.vertical, x: box.x, y: y, role: .dialog)
        canvas.put(state.glyphs.vertical, x: box.right - 1, y: y, role: .dialog)
    }
    for (index, row) in rows.prefix(height - 2).enumerated() {
        canvas.put(
            row, in: box.inset(top: 1, left: 2, bottom: 1, right: 2), row: index, role: index == 0 ? .title : .dialog)
    }
}

/// `text` broken into lines of at most `width` columns, at spaces where it can.
func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
        let candidate = current.isEmpty ? word : current + " " + word
        if TextWidth.of(candidate) <= width {
            current = candidate
            continue
        }
        if !current.isEmpty { lines.append(current) }
        var rest = word
        while TextWidth.of(rest) > width {
            let head = Format.fit(rest, width, ellipsis: "")
            lines.append(head)
            rest = String(rest.dropFirst(head.count))
        }
        current = rest
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}

/// Every key of the mode help was opened from.
func drawHelp(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    canvas.put("HELP: \(state.screenBeforeHelp.rawValue)", x: 0, y: body.y, role: .header)
    canvas.paint(row: body.y, role: .header)
    var y = body.y + 1
    for binding in state.screenBeforeHelp.bindings where y <= body.lastRow {
        let action = binding.action
        let keys = state.keymap.keys(for: action).map(\.label).joined(separator: " ")
        guard !keys.isEmpty else { continue }
        var x = canvas.put(Format.left(keys, 12), x: 2, y: y, role: .keyName)
        x = canvas.put(binding.summary, x: x, y: y)
        // Enter on the flags screen sets a flag: it is marked like f.
        let write = action == .select && state.screenBeforeHelp == .flags ? CommandKind.setFlag : action.commandKind
        if let kind = write {
            canvas.put(
                state.allows(kind) ? "  (asks for confirmation)" : "  (disabled: read-only)", x: x, y: y, role: .dim)
        }
        y += 1
    }
    if y + 1 <= body.lastRow {
        canvas.put(
            ":theme NAME  :filter TEXT  :sort worst|name|calls|failures|latency  :flags  :events  :q   C-l repaint",
            x: 2, y: y + 1,
            role: .dim)
    }
}
