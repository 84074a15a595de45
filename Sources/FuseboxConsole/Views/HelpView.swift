import FuseboxProtocol

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
