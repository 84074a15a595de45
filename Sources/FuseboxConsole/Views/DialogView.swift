import FuseboxProtocol

/// The confirmation dialog, boxed and centred over the current view: the question, before → after,
/// the blast radius, the choices, the reason and the typed name, then Cancel and Confirm.
func drawDialog(_ state: ConsoleState, _ canvas: inout Canvas) {
    guard let dialog = state.dialog else { return }
    let needed = dialog.minimumTerminal
    guard state.width >= needed.width && state.height >= needed.height else {
        // Too small to read: say so over everything, in the header row, and refuse to confirm.
        let note = "enlarge to \(needed.width)x\(needed.height) to confirm: \(dialog.question) (esc cancels)"
        canvas.fill(Rect(x: 0, y: 0, width: state.width, height: 1), role: .dialogFocus)
        canvas.put(Format.fit(note, state.width, ellipsis: state.glyphs.ellipsis), x: 0, y: 0, role: .dialogFocus)
        return
    }
    let width = min(state.width - 2, 90)
    var lines: [(String, Role)] = []
    func field(_ focus: ConfirmationDialog.Focus, _ label: String, _ text: String, cursor: Bool = true) {
        let focused = dialog.focus == focus
        // A long text shows its end, where the typing is.
        let room = max(4, width - 6 - TextWidth.of(label))
        let value = TextWidth.of(text) > room ? state.glyphs.ellipsis + String(text.suffix(room - 1)) : text
        lines.append(("\(label)\(value)\(focused && cursor ? "_" : "")", focused ? .dialogFocus : .dialog))
    }
    lines.append((dialog.question, .title))
    let before = dialog.beforeDiffers ? "mixed" : dialog.before.map(describe) ?? Format.unknown
    if ConfirmationDialog.takesValue(dialog.action) {
        let shown: String
        if case .setFlag(_, .percentage) = dialog.action {
            shown = dialog.valueText.isEmpty ? "" : dialog.valueText + "%"
        } else {
            shown = describe(dialog.after) + "  (←→)"
        }
        field(.value, "Value: \(before) → ", shown, cursor: dialog.valueText.isEmpty || shown.hasSuffix("%"))
        if let previous = dialog.previousValue {
            lines.append(("Previous value: \(previous) (p restores it)", .dim))
        }
    } else {
        lines.append(("Change: \(before) → \(describe(dialog.after))", .text))
    }
    lines.append((dialog.blastRadius, .warning))
    // In the order Tab visits them: the reason, then the choices, then the name.
    field(.reason, dialog.requiresReason ? "Reason (required): " : "Reason: ", dialog.reason)
    if dialog.allInstances.count > 1 {
        let scope =
            dialog.scope == .all
            ? "all \(dialog.allInstances.count) instances" : "\(dialog.instances.first ?? dialog.selectedInstance) only"
        field(.scope, "Scope (←→): ", scope, cursor: false)
    }
    if case .startBackIn = dialog.action {
        field(
            .schedule, "Schedule (←→): ", ConfirmationDialog.scheduleChoices[dialog.scheduleIndex].label, cursor: false)
    }
    if dialog.requiresTypedName {
        field(.typedName, "Type '\(dialog.expectedTypedName)' to confirm: ", dialog.typedName)
    }
    let height = lines.count + 4
    assert(height + 2 <= needed.height, "minimumTerminal must cover every line of the dialog")
    let left = max(0, (state.width - width) / 2)
    let top = max(1, (state.height - height) / 2)
    // A column of plain space on each side, so nothing behind the box reads as part of it.
    let box = Rect(x: left, y: top, width: width, height: height).intersection(canvas.bounds)
    canvas.fill(Rect(x: box.x - 1, y: box.y, width: box.width + 2, height: box.height).intersection(canvas.bounds))
    canvas.fill(box, role: .dialog)
    let border = String(repeating: state.glyphs.horizontal, count: max(0, width - 2))
    canvas.put(border, x: left + 1, y: top, role: .dialog)
    canvas.put(border, x: left + 1, y: top + height - 1, role: .dialog)
    for y in top..<min(state.height, top + height) {
        canvas.put(state.glyphs.vertical, x: left, y: y, role: .dialog)
        canvas.put(state.glyphs.vertical, x: left + width - 1, y: y, role: .dialog)
    }
    for (index, corner) in state.glyphs.corners.enumerated() {
        canvas.put(
            corner, x: index % 2 == 0 ? left : left + width - 1, y: index < 2 ? top : top + height - 1, role: .dialog)
    }
    for (index, line) in lines.enumerated() {
        canvas.put(
            Format.fit(line.0, width - 4, ellipsis: state.glyphs.ellipsis), x: left + 2, y: top + 1 + index,
            role: line.1)
    }
    let buttonsY = top + height - 2
    let cancel = dialog.focus == .cancel ? "[ Cancel ]" : "  Cancel  "
    let confirm = dialog.focus == .confirm ? "[ Confirm ]" : "  Confirm  "
    let x = canvas.put(cancel, x: left + 2, y: buttonsY, role: dialog.focus == .cancel ? .dialogFocus : .dialog)
    canvas.put(confirm, x: x + 2, y: buttonsY, role: dialog.focus == .confirm ? .dialogFocus : .dialog)
}

/// `FORCED-OPEN`, `25.0%`, `read-only`.
private func describe(_ state: TargetState) -> String {
    switch state {
    case .breaker(let breaker): return breaker.label
    case .flag(let value): return value.description
    }
}
