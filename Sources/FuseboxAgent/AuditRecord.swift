public import FuseboxProtocol

/// One command attempt as the audit trail keeps it: who, from where, what, why, and what came of it.
///
/// Attempts that were refused before reaching the registry (no token, wrong token, read-only,
/// rate-limited, unreadable body) are recorded too, with what could be read of the command. The
/// token itself is never part of a record.
public struct AuditRecord: Codable, Sendable, Hashable {
    /// What came of the attempt.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        /// The registry applied the command.
        case applied
        /// The registry refused the command (unknown target, not allowed, invalid argument).
        case refused
        /// The id had been applied before: nothing changed, and the first result was returned.
        case replayed
        /// No token, or the wrong one.
        case unauthorized
        /// Commands are turned off (read-only agent, or no token configured).
        case forbidden
        /// The client sent commands faster than the agent allows.
        case rateLimited = "rate-limited"
        /// The body could not be read as a command.
        case invalid
        /// About to be applied (written first when the audit file is required; its result follows).
        case accepted
        /// Not applied, because the audit file could not record it first.
        case unaudited
    }

    /// Position in the trail, from 1.
    public var sequence: UInt64
    /// When the attempt was answered, in wall-clock milliseconds.
    public var atMilliseconds: Int64
    /// What came of it.
    public var outcome: Outcome
    /// The HTTP status the client received.
    public var status: Int
    /// The client's address as the agent saw it, e.g. `127.0.0.1:51234`.
    public var remoteAddress: String?
    /// The actor named in the command (as the client declared it).
    public var actor: String?
    /// The command's id, its idempotency key.
    public var commandId: String?
    /// `force-open`, `close`, `disable`, `start-back-in` or `set-flag`.
    public var action: String?
    /// The dependency or flag named.
    public var target: String?
    /// Why, as the operator typed it.
    public var reason: String?
    /// The breaker state or flag value before the command, if it reached the registry.
    public var before: TargetState?
    /// The breaker state or flag value after it.
    public var after: TargetState?
    /// One line: the registry's message, or why the attempt was turned away.
    public var message: String

    public init(
        sequence: UInt64 = 0, atMilliseconds: Int64, outcome: Outcome, status: Int, remoteAddress: String?,
        command: Command?, before: TargetState? = nil, after: TargetState? = nil, message: String
    ) {
        self.sequence = sequence
        self.atMilliseconds = atMilliseconds
        self.outcome = outcome
        self.status = status
        self.remoteAddress = remoteAddress
        self.actor = command?.actor
        self.commandId = command?.id
        self.action = command?.action.kind.rawValue
        self.target = command?.action.target
        self.reason = command?.reason
        self.before = before
        self.after = after
        self.message = message
    }
}

/// One page of the audit trail, newest first.
public struct AuditPage: Codable, Sendable, Hashable {
    /// The page's records, newest first.
    public var records: [AuditRecord]
    /// Pass as `before` to read the next (older) page; absent on the last page.
    public var nextBefore: UInt64?
    /// Records kept in memory; older ones are only in the audit file, if one is configured.
    public var retained: Int
}
