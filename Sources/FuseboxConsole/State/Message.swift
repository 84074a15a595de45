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
    /// End the console.
    case quit
}
