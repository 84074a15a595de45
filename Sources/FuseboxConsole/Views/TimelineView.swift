import FuseboxBackend

/// The replay's timeline bar: the recording from end to end, its markers, and where the replay
/// stands. `|` a breaker transition, `◆` an operator command, `▲` an annotation.
func drawTimeline(_ state: ConsoleState, row y: Int, _ canvas: inout Canvas) {
    guard let replay = state.replay, let start = replay.start, let end = replay.end else {
        canvas.put("timeline: nothing recorded yet", x: 0, y: y, role: .dim)
        return
    }
    let ascii = state.glyphs == .ascii
    let left = Format.clock(start) + " "
    let right = " " + Format.clock(end)
    var x = canvas.put(left, x: 0, y: y, role: .dim)
    let width = state.width - TextWidth.of(left) - TextWidth.of(right)
    guard width >= 10 else {
        canvas.put(Format.clock(replay.shownFrame ?? replay.position), x: 0, y: y, role: .text)
        return
    }
    let span = max(1, end - start)
    func column(_ time: Int64) -> Int {
        let offset = Double(min(end, max(start, time)) - start)
        let fraction: Double = offset / Double(span)
        return Int((fraction * Double(width - 1)).rounded())
    }
    // Per cell, the most telling marker: an annotation, else a command, else a transition.
    var cells = [TimelineMarker.Kind?](repeating: nil, count: width)
    let rank: [TimelineMarker.Kind: Int] = [.transition: 0, .command: 1, .annotation: 2]
    for marker in replay.markers {
        let cell = column(marker.atMilliseconds)
        if let current = cells[cell], rank[current]! >= rank[marker.kind]! { continue }
        cells[cell] = marker.kind
    }
    let cursor = column(replay.shownFrame ?? replay.position)
    for (index, kind) in cells.enumerated() {
        let (text, role): (String, Role)
        switch kind {
        case nil: (text, role) = (state.glyphs.horizontal, .dim)
        case .transition: (text, role) = ("|", .warning)
        case .command: (text, role) = (ascii ? "*" : "◆", .keyName)
        case .annotation: (text, role) = (ascii ? "^" : "▲", .status)
        }
        x = canvas.put(text, x: x, y: y, role: index == cursor ? .selected : role)
    }
    canvas.put(right, x: x, y: y, role: .dim)
}
