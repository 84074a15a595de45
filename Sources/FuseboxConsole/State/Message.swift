public import FuseboxProtocol

/// Everything that can happen to the console.
public enum Message: Sendable {
    case key(Key)
    /// A poll succeeded.
    case data([Snapshot], atMilliseconds: Int64)
    /// A poll failed; the message says why in one line.
    case pollFailed(String, atMilliseconds: Int64)
    /// Time passed (ages update even without data).
    case tick(atMilliseconds: Int64)
    case resize(width: Int, height: Int)
    /// The backend answered a command.
    case commandResults([CommandResult], atMilliseconds: Int64)
    /// A command could not be delivered.
    case commandFailed(String, atMilliseconds: Int64)
}

/// What the console asks its runner to do.
public enum Effect: Sendable, Hashable {
    case send(Command, toInstance: String?)
    case applyTheme(String)
    case quit
}
