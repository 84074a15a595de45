public import FuseboxBackend
public import FuseboxProtocol

/// Everything that can happen to the console. ``update(_:_:)`` is the only place that turns one
/// into a change of state.
public enum Message: Sendable {
    /// The operator pressed a key.
    case key(Key)
    /// A poll succeeded.
    case data([Snapshot], atMilliseconds: Int64)
    /// A poll failed; the error says whether polling again can help.
    case pollFailed(BackendError, atMilliseconds: Int64)
    /// Time passed (ages update even without data).
    case tick(atMilliseconds: Int64)
    /// The terminal is now this size.
    case resize(width: Int, height: Int)
    /// The backend answered a command.
    case commandResults([CommandResult], atMilliseconds: Int64)
    /// A command could not be delivered.
    case commandFailed(BackendError, atMilliseconds: Int64)
    /// What the source can do, as it says after a poll (an agent learns whether it takes commands).
    case capabilities(BackendCapabilities, atMilliseconds: Int64)
    /// How each source is doing, after a poll of several at once.
    case sources([SourceStatus], atMilliseconds: Int64)
    /// The terminal now draws with this theme.
    case themeApplied(String)
    /// A theme could not be loaded; the text says why in one line.
    case themeFailed(String)
    /// A timeline to replay opened (a recording, or the live session's memory when paused).
    case timeline(frameTimes: [Int64], markers: [TimelineMarker], notes: [TimelineNote], damage: String?)
    /// Frames of the timeline arrived for request `request`; `reset` starts the picture over from
    /// them (a jump). `damage` is what the timeline has found it cannot read so far.
    case frames([TimelineFrame], reset: Bool, request: Int, damage: String?)
    /// Frames could not be read; the text says why in one line.
    case timelineFailed(String)
    /// The recording stopped (a full disk, a failed write); the text says why in one line.
    case recordingStopped(String)
    /// Something the operator should know that needs no answer (the local audit log failed).
    case notice(String)
}

/// What frames the replay needs next.
public enum FramesRequest: Sendable, Hashable {
    /// A jump: the frame at or before this time, with a few before it for rates.
    case jump(to: Int64, history: Int)
    /// Playing on: the frames after the one shown, up to this time.
    case advance(after: Int64, through: Int64)
}

/// What the console asks its program to do; each result comes back as a ``Message``.
public enum Effect: Sendable, Hashable {
    /// Send a command to exactly these instances.
    case send(Command, to: [String])
    /// Load a theme by name or path and draw with it.
    case applyTheme(String)
    /// Poll the source after this many milliseconds (the program adds jitter to waits after failures).
    case poll(afterMilliseconds: Int64, jittered: Bool)
    /// Repaint the whole screen on the next frame.
    case repaint
    /// Open the live session's memory as a timeline (pausing a live console).
    case openTimeline
    /// Read frames from the timeline; the answer names `id`, so only the latest request's counts.
    case loadFrames(FramesRequest, id: Int)
    /// Add an operator's line of text to the recording and the session's memory.
    case annotate(String)
    /// End the console.
    case quit
}
