import FuseboxProtocol

/// Every key of the screen help was opened from, then the `:` commands; `↑` `↓` scroll when it
/// does not fit.
func drawHelp(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    canvas.put("HELP: \(state.screenBeforeHelp.rawValue)", x: 0, y: body.y, role: .header)
    canvas.paint(row: body.y, role: .header)
    var lines: [[(String, Role)]] = []
    if let replay = state.replay {
        // The timeline's keys come before the screen's; they win where both use a key.
        lines.append([(replay.origin == .live ? "  LOOKING BACK (paused)" : "  REPLAY", Role.header)])
        var seen: Set<ReplayAction> = []
        for (key, action) in ReplayAction.keys where !seen.contains(action) {
            seen.insert(action)
            if action == .live, replay.origin != .live { continue }
            let label = action == .tenth ? "0-9" : key.label
            lines.append([("  " + Format.left(label, 12), Role.keyName), (action.summary, Role.text)])
        }
        lines.append([])
    }
    for binding in state.screenBeforeHelp.bindings {
        // A recording takes no annotation.
        if binding.action == .annotate, case .recording = state.replay?.origin { continue }
        let action = binding.action
        let taken = state.replay == nil ? [] : Set(ReplayAction.keys.map(\.key))
        let keys = state.keymap.keys(for: action).filter { !taken.contains($0) }.map(\.label).joined(separator: " ")
        guard !keys.isEmpty else { continue }
        var line = [("  " + Format.left(keys, 12), Role.keyName), (binding.summary, Role.text)]
        // Enter on the flags screen sets a flag: it is marked like f.
        let write = action == .select && state.screenBeforeHelp == .flags ? CommandKind.setFlag : action.commandKind
        if let kind = write {
            let note =
                state.allows(kind)
                ? "  (asks for confirmation)"
                : state.isReadOnly ? "  (disabled: read-only)" : "  (not available from this source)"
            line.append((note, .dim))
        }
        lines.append(line)
    }
    lines.append([("  " + Format.left("C-l", 12), .keyName), ("repaint the screen", .text)])
    lines.append([])
    for command in [
        ":theme NAME", ":filter TEXT", ":sort worst|name|calls|failures|latency", ":overview  :flags  :events",
        ":help  :q",
    ] {
        lines.append([("  " + command, .dim)])
    }
    let (_, list) = body.splitTop(1)
    let scroll = max(0, min(state.helpScroll, lines.count - list.height))
    for (offset, line) in lines.dropFirst(scroll).prefix(list.height).enumerated() {
        var x = 0
        for (text, role) in line { x = canvas.put(text, in: list, row: offset, column: x, role: role) }
    }
    if lines.count > list.height {
        let more = " \(scroll + 1)-\(min(lines.count, scroll + list.height)) of \(lines.count): ↑↓ scroll "
        canvas.put(more, x: max(0, state.width - TextWidth.of(more)), y: body.y, role: .dim)
    }
}
