/// What applying a ``Command`` did.
public struct CommandResult: Codable, Sendable, Hashable {
    /// Whether the command changed anything.
    public enum Status: String, Codable, Sendable {
        case applied
        case refused
        /// The command never reached the instance, or its answer was lost: the message says which,
        /// and whether it may have been applied. Written by clients that send to several sources
        /// (an agent never answers with it).
        case failed
    }

    /// Why a command was refused.
    public enum Refusal: String, Codable, Sendable {
        /// No dependency or flag has that name.
        case unknownTarget = "unknown-target"
        /// The service does not allow this action on this target.
        case notAllowed = "not-allowed"
        /// The value or schedule is malformed or of the wrong kind.
        case invalidArgument = "invalid-argument"
    }

    public var commandId: String
    /// The instance that answered, when the source has several.
    public var instance: String?
    public var status: Status
    public var target: String
    /// The breaker state or flag value before, if the target exists.
    public var before: TargetState?
    /// The breaker state or flag value after.
    public var after: TargetState?
    public var refusal: Refusal?
    /// One line a person can act on.
    public var message: String
    public var atMilliseconds: Int64

    public init(
        commandId: String, instance: String? = nil, status: Status, target: String, before: TargetState?,
        after: TargetState?, refusal: Refusal?, message: String, atMilliseconds: Int64
    ) {
        self.commandId = commandId
        self.instance = instance
        self.status = status
        self.target = target
        self.before = before
        self.after = after
        self.refusal = refusal
        self.message = message
        self.atMilliseconds = atMilliseconds
    }
}
