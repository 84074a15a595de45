import FuseboxProtocol

/// The whole screen for `state`: header, the current view, status line and key hints, with any
/// dialog or input line on top. Pure: the same state always gives the same canvas.
public func render(_ state: ConsoleState) -> Canvas {
    let canvas = renderScreen(state)
    // Without a UTF-8 locale, nothing but ASCII reaches the terminal: no `?` for an arrow.
    return state.glyphs == .ascii ? canvas.asciiOnly() : canvas
}

private func renderScreen(_ state: ConsoleState) -> Canvas {
    var canvas = Canvas(width: state.width, height: state.height)
    guard state.width >= 20 && state.height >= 6 else {
        canvas.put("terminal too small", x: 0, y: 0, role: .warning)
        canvas.put("\(state.width)x\(state.height); need 20x6", x: 0, y: 1, role: .dim)
        return canvas
    }
    drawHeader(state, &canvas)
    // Header (and a replay's timeline), body, status line, key hints.
    let timelineRows = state.replay == nil ? 0 : 1
    if state.replay != nil { drawTimeline(state, row: 1, &canvas) }
    let body = canvas.bounds.inset(top: 1 + timelineRows, bottom: 2)
    switch state.screen {
    case .overview: drawOverview(state, body, &canvas)
    case .detail: drawDetail(state, body, &canvas)
    case .flags: drawFlags(state, body, &canvas)
    case .events: drawEvents(state, body, &canvas)
    case .help: drawHelp(state, body, &canvas)
    }
    drawStatus(state, &canvas)
    drawKeyHints(state, &canvas)
    // The dialog goes on top of everything.
    if state.dialog != nil { drawDialog(state, &canvas) }
    return canvas
}

extension Rect {
    /// The last row inside the rect.
    var lastRow: Int { bottom - 1 }
}

/// One piece of the header line.
private struct HeaderPart {
    let text: String
    let role: Role
}

/// The header: what is watched, whether it is live and writable, how fresh the data is and how many
/// breakers are in each state. When the line is too narrow, the least needed parts go first (the
/// poll interval, then the source's name) and the counts shorten, so the counts and the data's
/// age stay in view.
private func drawHeader(_ state: ConsoleState, _ canvas: inout Canvas) {
    let freshness: HeaderPart
    let shortFreshness: HeaderPart
    var stale = false
    if let replay = state.replay, replay.origin == .live, let at = replay.shownFrame {
        // A paused live view looks back over what this session saw: how old the frame shown is.
        let age = Double(max(0, state.nowMilliseconds - at)) / 1000
        freshness = HeaderPart(
            text: "frozen at \(Format.clock(at)) UTC (\(Format.age(seconds: age)) ago)", role: .warning)
        shortFreshness = HeaderPart(text: "frozen \(Format.age(seconds: age))", role: .warning)
    } else if let replay = state.replay, let at = replay.shownFrame {
        // The recorded wall-clock time, and how far into the recording.
        let into = replay.start.map { " (+\(Format.age(seconds: Double(at - $0) / 1000)))" } ?? ""
        freshness = HeaderPart(text: "at \(Format.clock(at)) UTC\(into)", role: .warning)
        shortFreshness = HeaderPart(text: Format.clock(at), role: .warning)
    } else if state.paused, let age = state.dataAgeSeconds, let at = state.shown.updatedAtMilliseconds {
        // Frozen data never claims to be fresh.
        freshness = HeaderPart(
            text: "frozen at \(Format.clock(at)) (\(Format.age(seconds: age)) ago)", role: .warning)
        shortFreshness = HeaderPart(text: "frozen \(Format.age(seconds: age))", role: .warning)
    } else if let age = state.dataAgeSeconds {
        stale = state.sourceError != nil || age > max(3, state.intervalSeconds * 3)
        freshness = HeaderPart(text: "updated \(Format.age(seconds: age)) ago", role: stale ? .warning : .dim)
        shortFreshness = HeaderPart(text: "\(Format.age(seconds: age)) ago", role: freshness.role)
    } else {
        freshness = HeaderPart(text: "waiting for data", role: .warning)
        shortFreshness = HeaderPart(text: "no data", role: .warning)
    }
    let counts = { (short: Bool) -> [HeaderPart] in
        [BreakerState.open, .forcedOpen, .halfOpen, .recovering, .disabled, .closed].compactMap { breakerState in
            guard let count = state.shown.countsByState[breakerState], count > 0 else { return nil }
            return HeaderPart(
                text: "\(short ? breakerState.shortLabel : breakerState.label) \(count)", role: breakerState.role)
        }
    }
    // Data that stopped arriving is not live, whatever the mode; nor is a source that never answered.
    let live: HeaderPart
    let ascii = state.glyphs == .ascii
    let (play, pause) = ascii ? (">", "||") : ("▶", "❚❚")
    if let replay = state.replay, case .recording = replay.origin {
        live = HeaderPart(text: "REPLAY \(replay.playing ? play : pause) \(replay.speedLabel)", role: .badgePaused)
    } else if let replay = state.replay, replay.playing {
        live = HeaderPart(text: "PAUSED \(play) \(replay.speedLabel)", role: .badgePaused)
    } else if state.paused {
        live = HeaderPart(text: "PAUSED", role: .badgePaused)
    } else if stale {
        live = HeaderPart(text: "STALE", role: .warning)
    } else if state.dataAgeSeconds == nil {
        live = HeaderPart(text: "NO DATA", role: .warning)
    } else {
        live = HeaderPart(text: "LIVE", role: .badgeLive)
    }
    let access = HeaderPart(
        text: (state.isReadOnly ? "[RO]" : "[RW]") + recordingBadge(state),
        role: state.isReadOnly ? .badgeReadOnly : .badgeReadWrite)
    let interval = HeaderPart(text: "every \(Format.age(seconds: state.intervalSeconds))", role: .dim)
    let source: HeaderPart
    if state.sources.isEmpty {
        source = HeaderPart(text: state.source, role: .text)
    } else {
        // Several sources: how many answer, rather than every address.
        let failing = state.sources.filter { $0.error != nil }.count
        let waiting = state.sources.filter(\.isWaiting).count
        let total = state.sources.count
        let environment = state.environment.map { "\($0): " } ?? ""
        let text: String
        if failing > 0 {
            text = "\(total - failing)/\(total) sources live"
        } else if waiting > 0 {
            text = "\(total) sources (\(waiting) not answered yet)"
        } else {
            text = "\(total) sources"
        }
        source = HeaderPart(text: environment + text, role: failing > 0 ? .warning : .text)
    }
    let layouts: [(parts: [HeaderPart?], counts: [HeaderPart])] = [
        ([source, live, access, interval, freshness], counts(false)),
        ([source, live, access, freshness], counts(false)),
        ([source, live, access, freshness], counts(true)),
        ([live, access, freshness], counts(true)),
        // Closed breakers are the least news.
        ([live, access, shortFreshness], counts(true).filter { !$0.text.hasPrefix(BreakerState.closed.shortLabel) }),
    ]
    let separator = " \(state.glyphs.vertical) "
    func width(_ layout: (parts: [HeaderPart?], counts: [HeaderPart])) -> Int {
        let parts = layout.parts.compactMap { $0 }
        return TextWidth.of("Fusebox") + parts.reduce(0) { $0 + TextWidth.of(separator) + TextWidth.of($1.text) }
            + layout.counts.reduce(0) { $0 + 2 + TextWidth.of($1.text) }
    }
    let chosen = layouts.first { width($0) <= state.width } ?? layouts[layouts.count - 1]
    var x = canvas.put("Fusebox", x: 0, y: 0, role: .title)
    for (index, part) in chosen.parts.compactMap({ $0 }).enumerated() {
        // LIVE and [RW] sit together, one space apart.
        let isAccess = part.text == access.text && index > 0
        x = canvas.put(isAccess ? " " : separator, x: x, y: 0, role: .dim)
        x = canvas.put(part.text, x: x, y: 0, role: part.role)
    }
    for part in chosen.counts {
        x = canvas.put("  ", x: x, y: 0)
        x = canvas.put(part.text, x: x, y: 0, role: part.role)
    }
}

/// ` REC` while recording, ` REC STOPPED` once it failed.
private func recordingBadge(_ state: ConsoleState) -> String {
    guard state.recordingPath != nil else { return "" }
    return state.recordingStopped == nil ? " \(state.glyphs.bullet)REC" : " REC STOPPED"
}

/// A status line's text fitted to the width. A command's outcome kept past the usual fade says how
/// old it is, so it is not read as news: `applied on all 3 instances: ... (4m20s ago)`.
private func statusText(_ status: ConsoleState.StatusLine, _ state: ConsoleState) -> String {
    var age = ""
    if status.staysUntilKey, let at = status.atMilliseconds,
        state.nowMilliseconds - at >= ConsoleState.StatusLine.lifetimeMilliseconds
    {
        age = " (\(Format.age(seconds: Double(state.nowMilliseconds - at) / 1000)) ago)"
    }
    return Format.fit(status.text, max(0, state.width - TextWidth.of(age)), ellipsis: state.glyphs.ellipsis) + age
}

private func drawStatus(_ state: ConsoleState, _ canvas: inout Canvas) {
    let y = state.height - 2
    if let input = state.input {
        let prompt: String
        switch input.purpose {
        case .command: prompt = ":"
        case .filter, .eventFilter: prompt = "/"
        case .annotation: prompt = "annotate: "
        case .jump: prompt = "jump to (10:42:05, -5m, +30s): "
        }
        canvas.put(prompt + input.text + "_", x: 0, y: y, role: .keyName)
        return
    }
    // What the operator just did is answered first; the source's trouble shows again after.
    if let status = state.status, status.isCurrent(at: state.nowMilliseconds), state.sourceError != nil {
        canvas.put(
            statusText(status, state), x: 0, y: y,
            role: status.isError ? .error : .status)
        return
    }
    if let error = state.sourceError {
        let age = state.dataAgeSeconds.map { "data \(Format.age(seconds: $0)) old" } ?? "no data yet"
        let next =
            error.isRetryable
            ? "retrying in \(Format.age(seconds: Double(state.nextPollMilliseconds) / 1000))"
            : "fix it; trying again every 30s"
        canvas.put(
            Format.fit(
                "source error: \(error.message) (\(age); \(next))", state.width, ellipsis: state.glyphs.ellipsis),
            x: 0, y: y, role: .error)
        return
    }
    if let status = state.status, status.isCurrent(at: state.nowMilliseconds) {
        canvas.put(
            statusText(status, state), x: 0, y: y,
            role: status.isError ? .error : .status)
    } else if let failing = failingSourcesLine(state) {
        canvas.put(Format.fit(failing, state.width, ellipsis: state.glyphs.ellipsis), x: 0, y: y, role: .error)
    } else if state.width < 60 || state.height < 15 {
        // Below the full layout, said where nothing more urgent (a prompt, an outcome, an error) is.
        let hint =
            "small terminal (\(state.width)x\(state.height)): showing what fits; 60x15 or more for the full layout"
        canvas.put(Format.fit(hint, state.width, ellipsis: state.glyphs.ellipsis), x: 0, y: y, role: .warning)
    } else if !state.filter.isEmpty && state.screen == .overview {
        canvas.put("filter: \(state.filter)  (esc clears)", x: 0, y: y, role: .dim)
    }
}

/// The keys that apply now, in the order an operator needs them.
func keyHints(_ state: ConsoleState) -> [(String, String)] {
    if state.dialog != nil {
        return [("tab", "next field"), ("←→", "choose"), ("enter", "activate"), ("esc", "cancel")]
    }
    if state.input != nil { return [("enter", "apply"), ("esc", "cancel"), ("bksp", "delete")] }
    // A replay's own keys come first, then the screen's that a replay leaves free.
    var replayHints: [(String, String)] = []
    if let replay = state.replay {
        let live = replay.origin == .live
        replayHints =
            [
                ("space", replay.playing ? "pause" : "play"), ("←→", "step"), ("+-", "speed"), ("[]", "marker"),
                ("j", "jump"),
            ] + (live ? [("p", "live")] : [])
    }
    let taken = Set(ReplayAction.keys.map(\.key))
    return replayHints
        + state.screen.bindings.filter { binding in
            // Expanding is offered only where there are fleets to expand; details, fleets and
            // actions only where there is a row to take them.
            binding.hinted && binding.action.commandKind.map(state.allows) ?? true
                && (binding.action != .expand || !state.shown.fleetRows.isEmpty)
                && !(state.screen == .overview && state.visibleRows.isEmpty
                    && (binding.action == .select || binding.action == .expand || binding.action.commandKind != nil))
        }.compactMap { binding in
            let keys = state.keymap.keys(for: binding.action).filter { state.replay == nil || !taken.contains($0) }
            return keys.first.map { ($0.label, binding.summary) }
        }
}

/// The hints that fit, in order, and always those for help (`?`) and quit (`q`) last, so every key
/// stays findable and the way out is always on screen.
private func drawKeyHints(_ state: ConsoleState, _ canvas: inout Canvas) {
    let y = state.height - 1
    let hints = keyHints(state)
    let width = { (hint: (String, String)) in TextWidth.of(hint.0) + TextWidth.of(hint.1) + 3 }
    let kept = hints.indices.filter { [KeyAction.help.summary, KeyAction.quit.summary].contains(hints[$0].1) }
    let reserved = kept.reduce(0) { $0 + width(hints[$1]) }
    var x = 0
    func draw(_ hint: (String, String)) {
        x = canvas.put(hint.0, x: x, y: y, role: .keyName)
        x = canvas.put(" " + hint.1 + "  ", x: x, y: y, role: .keyHint)
    }
    for (index, hint) in hints.enumerated() where !kept.contains(index) {
        if x + width(hint) + reserved > state.width { break }
        draw(hint)
    }
    for index in kept where x + width(hints[index]) <= state.width { draw(hints[index]) }
}

/// `source 10.0.0.4:9901: cannot reach it (data 12s old; retrying in 4s)`, or with several failing,
/// how many and each one's error; `nil` while every source answers.
func failingSourcesLine(_ state: ConsoleState) -> String? {
    let failing = state.sources.filter { $0.error != nil }
    guard !failing.isEmpty else { return nil }
    let each = failing.map { source -> String in
        let age =
            source.lastSuccessMilliseconds.map {
                "data \(Format.age(seconds: Double(max(0, state.nowMilliseconds - $0)) / 1000)) old"
            } ?? "no data yet"
        let retry: String
        if source.polling {
            retry = "; trying again now"
        } else if let at = source.retryAtMilliseconds {
            retry = "; retrying in \(Format.age(seconds: Double(max(0, at - state.nowMilliseconds)) / 1000))"
        } else {
            retry = ""
        }
        return "\(source.source): \(source.error!.message) (\(age)\(retry))"
    }
    let lead = failing.count == 1 ? "source " : "\(failing.count) of \(state.sources.count) sources failing: "
    return lead + each.joined(separator: "; ")
}
