import FuseboxProtocol

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
    case .annotation: return .status
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
