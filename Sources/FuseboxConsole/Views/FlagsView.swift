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
