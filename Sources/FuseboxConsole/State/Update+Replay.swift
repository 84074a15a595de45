import FuseboxBackend
import FuseboxProtocol

/// What a key does to a replay. Fixed keys, as in media players and asciinema; in a replay they
/// come before the screen's own (so `←` `→` step rather than collapse and expand).
public enum ReplayAction: String, Sendable, Hashable, CaseIterable {
    case playPause = "play-pause", faster, slower, stepBack = "step-back", stepForward = "step-forward"
    case tenth, previousMarker = "previous-marker", nextMarker = "next-marker", start, end, jump
    /// A paused live console: back to live data.
    case live

    /// The replay's keys, declared once: dispatch, hints and help read this.
    public static let keys: [(key: Key, action: ReplayAction)] =
        [
            (.character(" "), .playPause), (.character("p"), .live), (.character("+"), .faster),
            (.character("-"), .slower), (.left, .stepBack), (.right, .stepForward),
            (.character("["), .previousMarker), (.character("]"), .nextMarker), (.character("j"), .jump),
            (.character("g"), .start), (.character("G"), .end),
        ] + (0...9).map { (.character(Character("\($0)")), .tenth) }

    /// The hint bar's part, read from ``keys``: pairs of actions share a hint (`←→ step`).
    static func hints(_ replay: ReplayState) -> [(String, String)] {
        let groups: [([ReplayAction], String)] =
            [
                ([.playPause], replay.playing ? "pause" : "play"), ([.stepBack, .stepForward], "step"),
                ([.faster, .slower], "speed"), ([.previousMarker, .nextMarker], "marker"), ([.jump], "jump"),
            ] + (replay.origin == .live ? [([.live], "live")] : [])
        return groups.map { actions, label in
            (actions.compactMap { action in keys.first { $0.action == action }?.key.label }.joined(), label)
        }
    }

    static func action(for key: Key, origin: ReplayState.Origin) -> ReplayAction? {
        guard let action = keys.first(where: { $0.key == key })?.action else { return nil }
        // A recording has no live data to go back to: p plays and pauses there, as space does.
        if action == .live, case .recording = origin { return .playPause }
        return action
    }

    /// A few words for help and hints.
    public var summary: String {
        switch self {
        case .playPause: return "play/pause"
        case .faster: return "faster"
        case .slower: return "slower"
        case .stepBack: return "step back"
        case .stepForward: return "step forward"
        case .tenth: return "jump to that tenth"
        case .previousMarker: return "previous marker"
        case .nextMarker: return "next marker"
        case .start: return "start"
        case .end: return "end"
        case .jump: return "jump to a time (10:42:05, -5m, +30s)"
        case .live: return "back to live"
        }
    }
}

/// A replay's keys; `nil` when the key is not one of them.
func handleReplayKey(_ key: Key, _ state: inout ConsoleState) -> [Effect]? {
    guard var replay = state.replay, let action = ReplayAction.action(for: key, origin: replay.origin) else {
        return nil
    }
    // Help has its own keys; the timeline's wait until it is closed.
    if state.screen == .help { return nil }
    guard let start = replay.start, let end = replay.end else {
        if action == .live { return resumeLive(&state) }
        state.status = .init(text: "nothing recorded yet", isError: false)
        return []
    }
    let shown = replay.cursor
    if action != .previousMarker && action != .nextMarker { state.replay?.markerIndex = nil }
    switch action {
    case .live:
        return resumeLive(&state)
    case .playPause:
        if replay.playing {
            replay.playing = false
            state.replay = replay
            state.status = .init(text: "paused at \(Format.clock(replay.position)) UTC", isError: false)
            return []
        }
        if shown >= end {
            if replay.origin == .live { return resumeLive(&state) }
            replay.playing = true
            replay.tickedAt = state.nowMilliseconds
            state.replay = replay
            state.status = .init(text: "playing from the start at \(replay.speedLabel)", isError: false)
            return jump(&state, to: start)
        }
        replay.playing = true
        replay.position = shown
        replay.tickedAt = state.nowMilliseconds
        state.replay = replay
        state.status = .init(text: "playing at \(replay.speedLabel)", isError: false)
        return []
    case .faster, .slower:
        let speeds = ReplayState.speeds
        let index = speeds.firstIndex(of: replay.speed) ?? 2
        replay.speed = speeds[max(0, min(speeds.count - 1, index + (action == .faster ? 1 : -1)))]
        state.replay = replay
        state.status = .init(text: "speed \(replay.speedLabel)", isError: false)
        return []
    case .stepForward:
        replay.playing = false
        state.replay = replay
        // From where the replay stands, which is past the frame shown after a jump into damage.
        guard let next = replay.frame(after: max(shown, replay.position)) else {
            state.status = .init(text: "at the end (\(Format.clock(end)) UTC)", isError: false)
            return []
        }
        return jump(&state, to: next)
    case .stepBack:
        replay.playing = false
        state.replay = replay
        guard let index = replay.frameIndex(atOrBefore: shown), index > 0 else {
            state.status = .init(text: "at the start (\(Format.clock(start)) UTC)", isError: false)
            return []
        }
        return jump(&state, to: replay.frameTimes[index - 1])
    case .tenth:
        guard case .character(let c) = key, let tenth = c.wholeNumberValue, let time = replay.time(atTenth: tenth)
        else { return [] }
        return jump(&state, to: time)
    case .start:
        return jump(&state, to: start)
    case .end:
        return jump(&state, to: end)
    case .previousMarker, .nextMarker:
        // A marker shows on the first frame at or after it; several can share a frame, and each is
        // visited in turn.
        let shownBy = { (marker: TimelineMarker) in replay.frame(after: marker.atMilliseconds - 1) ?? end }
        let markers = replay.markers
        let here = replay.markerIndex.flatMap {
            markers.indices.contains($0) && shownBy(markers[$0]) == shown ? $0 : nil
        }
        let index: Int?
        if action == .nextMarker {
            index = here.map { $0 + 1 < markers.count ? $0 + 1 : nil } ?? markers.firstIndex { shownBy($0) > shown }
        } else {
            index = here.map { $0 > 0 ? $0 - 1 : nil } ?? markers.lastIndex { shownBy($0) < shown }
        }
        guard let index else {
            let text = action == .nextMarker ? "no marker after this" : "no marker before this"
            state.status = .init(text: text, isError: false)
            return []
        }
        let marker = markers[index]
        state.replay?.markerIndex = index
        state.status = .init(
            text: "\(marker.kind.rawValue) \(index + 1)/\(markers.count): \(marker.text)", isError: false)
        let target = shownBy(marker)
        return target == shown && !replay.loading ? [] : jump(&state, to: target, keepStatus: true)
    case .jump:
        state.status = nil
        state.input = .init(purpose: .jump, text: "")
        return []
    }
}

/// Jumps the replay to `time` (clamped to the recording), asking for the frames to show there.
func jump(_ state: inout ConsoleState, to time: Int64, keepStatus: Bool = false) -> [Effect] {
    guard let start = state.replay?.start, let end = state.replay?.end else { return [] }
    state.replay?.position = min(end, max(start, time))
    if !keepStatus, let position = state.replay?.position {
        state.status = .init(text: "at \(Format.clock(position)) UTC", isError: false)
    }
    return request(.jump(to: min(end, max(start, time)), history: ReplayState.historyFrames), &state)
}

/// Asks for frames; the replay waits for this request's answer and drops older ones.
private func request(_ frames: FramesRequest, _ state: inout ConsoleState) -> [Effect] {
    guard var replay = state.replay else { return [] }
    replay.requests += 1
    replay.pendingRequest = replay.requests
    state.replay = replay
    return [.loadFrames(frames, id: replay.requests)]
}

/// `j`'s text, once entered.
func jump(_ state: inout ConsoleState, toText text: String) -> [Effect] {
    guard let replay = state.replay, let start = replay.start, let end = replay.end else { return [] }
    switch JumpTarget.parse(text, position: replay.shownFrame ?? replay.position, start: start, end: end) {
    case .success(let time):
        return jump(&state, to: time)
    case .failure(let error):
        state.status = .init(text: error.message, isError: true)
        return []
    }
}

/// A paused live console goes back to its live data.
private func resumeLive(_ state: inout ConsoleState) -> [Effect] {
    state.replay = nil
    state.paused = false
    state.shown = state.fleet
    state.status = .init(text: "live", isError: false)
    return []
}

/// Pausing a live console: the picture freezes and its memory opens as a timeline.
func pauseLive(_ state: inout ConsoleState) -> [Effect] {
    state.paused = true
    state.status = .init(
        text: "paused: data keeps arriving; ← → [ ] to look back, space plays, p back to live", isError: false)
    return [.openTimeline]
}

/// Time passes: a playing replay moves on, skipping long quiet stretches, and asks for the frames
/// it has passed.
func advanceReplay(_ state: inout ConsoleState, now: Int64) -> [Effect] {
    guard var replay = state.replay, replay.playing, let end = replay.end else { return [] }
    let elapsed = max(0, now - (replay.tickedAt ?? now))
    replay.tickedAt = now
    guard !replay.loading else {
        // Waiting for frames holds the clock: the replay never runs ahead of what it shows.
        state.replay = replay
        return []
    }
    let shown = replay.shownFrame ?? replay.position
    replay.position += Int64(Double(elapsed) * replay.speed)
    if let next = replay.frame(after: shown), next - shown > replay.idleLimitMilliseconds,
        replay.position - shown > replay.idleLimitMilliseconds
    {
        replay.position = max(replay.position, next)
    }
    if replay.position >= end {
        replay.position = end
        replay.playing = false
        if replay.origin == .live {
            state.replay = replay
            return resumeLive(&state)
        }
        state.status = .init(
            text: "end of the recording (\(Format.clock(end)) UTC); space plays it again", isError: false)
    }
    state.replay = replay
    guard let next = replay.frame(after: shown), next <= replay.position else { return [] }
    // A long way to go (a slow disk fell behind 64x) is a jump, not hours of frames folded one by one.
    let passed = (replay.frameIndex(atOrBefore: replay.position) ?? 0) - (replay.frameIndex(atOrBefore: shown) ?? 0)
    if passed > 120 { return jump(&state, to: replay.position, keepStatus: true) }
    return request(.advance(after: shown, through: replay.position), &state)
}

/// Frames arrived: fold them into the picture (and, for a recording, into the event log).
func applyFrames(
    _ frames: [TimelineFrame], reset: Bool, request: Int, damage: String?, _ state: inout ConsoleState
) {
    guard var replay = state.replay else { return }
    let isRecording = replay.origin != .live
    if let damage, damage != replay.damage {
        // Damage found while reading (a sample whose checksum fails): said at once, and logged.
        replay.damage = damage
        state.status = .init(text: "recording damaged: \(damage)", isError: true)
        appendLog(&state, state.nowMilliseconds, "", .backend, "recording damaged: \(damage)")
    }
    // An answer to a request the replay has moved on from would fold old frames onto new ones.
    guard request == replay.pendingRequest else {
        state.replay = replay
        return
    }
    replay.pendingRequest = nil
    if frames.isEmpty && !reset && replay.playing && isRecording {
        // Playing across samples that cannot be read: the picture holds, and says why.
        state.status = .init(text: "samples here cannot be read; playing on", isError: true)
    }
    // Nothing there: keep the picture, and say why.
    guard !frames.isEmpty || !reset else {
        state.replay = replay
        state.status = .init(
            text: isRecording
                ? "no readable sample at or before \(Format.clock(replay.position)) UTC: the recording is damaged there"
                : "nothing recorded at that time: it is no longer in memory",
            isError: true)
        return
    }
    if reset {
        state.shown = Fleet()
        if isRecording {
            state.log = []
            state.fallbackLog = []
            state.seenSequence = [:]
            state.seenStart = [:]
            state.eventCursor = nil
        }
    }
    let logged = state.log.count
    if reset && isRecording, let first = frames.first {
        // The log after a jump: every command, note and error up to here, not only the few frames folded.
        // (The first frame's own notes are those after the frame before it.)
        let before = replay.frameIndex(atOrBefore: first.atMilliseconds - 1).map { replay.frameTimes[$0] } ?? .min
        for note in replay.notes where note.atMilliseconds <= before { logNote(note, &state) }
    }
    for frame in frames {
        state.shown = state.shown.advanced(to: frame.snapshots, atMilliseconds: frame.atMilliseconds)
        if isRecording {
            absorbEvents(frame.snapshots, &state)
            for note in frame.notes { logNote(note, &state) }
        }
        replay.shownFrame = frame.atMilliseconds
    }
    if isRecording {
        state.fleet = state.shown
        keepTimeOrder(&state.log, from: min(logged, state.log.count))
    }
    state.replay = replay
}

/// A recording's log is rebuilt from events (which can be older than the notes before them) and
/// notes: the lines added from `start` on are put in time order among the ones before them.
private func keepTimeOrder(_ log: inout [ConsoleState.LogLine], from start: Int) {
    guard start < log.count, let earliest = log[start...].map(\.atMilliseconds).min() else { return }
    var first = start
    while first > 0 && log[first - 1].atMilliseconds > earliest { first -= 1 }
    // Ids grow in the order lines were added: the same time keeps that order.
    log[first...].sort { ($0.atMilliseconds, $0.id) < ($1.atMilliseconds, $1.id) }
}

private func logNote(_ note: TimelineNote, _ state: inout ConsoleState) {
    switch note.kind {
    case .command:
        let reason = note.reason.isEmpty ? "" : "; reason: \(note.reason)"
        appendLog(
            &state, note.atMilliseconds, note.instance ?? "", .command, "\(note.actor): \(note.text)\(reason)",
            dependency: note.target)
    case .annotation:
        appendLog(&state, note.atMilliseconds, "", .annotation, "\(note.actor): \(note.text)")
    case .error:
        appendLog(&state, note.atMilliseconds, "", .backend, "\(note.actor): \(note.text)")
    case .recovery:
        appendLog(&state, note.atMilliseconds, "", .backend, "\(note.actor): answers again")
    }
}

/// A timeline opened (or grew): a recording starts at its beginning; a paused live console stands
/// at its newest frame, which is what it shows.
func openTimeline(
    frameTimes: [Int64], markers: [TimelineMarker], notes: [TimelineNote], damage: String?,
    _ state: inout ConsoleState
) -> [Effect] {
    if var replay = state.replay {
        let first = replay.frameTimes.isEmpty
        replay.frameTimes = frameTimes
        replay.markers = markers
        replay.notes = notes
        replay.damage = damage
        state.replay = replay
        if let damage { state.status = .init(text: "recording damaged: \(damage)", isError: true) }
        if first, frameTimes.isEmpty, case .recording(let name) = replay.origin {
            state.status = .init(text: "\(name) holds no readable samples", isError: true)
        }
        guard first, let start = replay.start else { return [] }
        if damage == nil {
            state.status = .init(text: "replaying from the start: space plays, ] next marker, ? keys", isError: false)
        }
        return jump(&state, to: start, keepStatus: true)
    }
    guard state.paused else { return [] }
    var replay = ReplayState(origin: .live, frameTimes: frameTimes, markers: markers, damage: damage)
    replay.notes = notes
    replay.shownFrame = frameTimes.last
    state.replay = replay
    return []
}
