/// Something that happened in a service's resilience layer, in the order it happened.
///
/// One flat type for every kind keeps the wire format simple for readers in any language; the
/// fields a kind does not use are `nil`.
public struct Event: Codable, Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A breaker changed state (`from`, `to`, `reason`, rates).
        case transition
        /// Fallbacks served (`fallback`, `fallbackKind`, `fallbackReason`, and `count`: activations
        /// since the last such event).
        case fallback
        /// An operator command was applied or refused (`commandId`, `actor`, `reason`, `message`).
        case command
        /// A flag changed (`flag`, `from`, `to`, `actor`, `reason`).
        case flag
    }

    /// Monotonic per instance, starting at 1; gaps mean the ring dropped events.
    public var sequence: UInt64
    public var atMilliseconds: Int64
    public var kind: Kind
    public var dependency: String?
    /// Before: the breaker's state (transitions, breaker commands) or the flag's value (flags, flag commands).
    public var from: TargetState?
    /// After, as ``from``.
    public var to: TargetState?
    public var reason: String?
    public var actor: String?
    public var commandId: String?
    public var flag: String?
    public var fallback: String?
    public var fallbackKind: FallbackKind?
    public var fallbackReason: FallbackReason?
    public var count: UInt64?
    /// Fallback events: when the first activation they count happened (`atMilliseconds` is the
    /// last); `nil` for other kinds and from sources that do not know.
    public var sinceMilliseconds: Int64?
    /// Failure rate (percent) in the window when the event happened.
    public var failureRate: Double?
    /// Slow-call rate (percent) in the window when the event happened.
    public var slowCallRate: Double?
    /// A one-line human summary.
    public var message: String

    public init(
        sequence: UInt64 = 0, atMilliseconds: Int64, kind: Kind, dependency: String? = nil, from: TargetState? = nil,
        to: TargetState? = nil, reason: String? = nil, actor: String? = nil, commandId: String? = nil,
        flag: String? = nil, fallback: String? = nil, fallbackKind: FallbackKind? = nil,
        fallbackReason: FallbackReason? = nil, count: UInt64? = nil, failureRate: Double? = nil,
        slowCallRate: Double? = nil, message: String
    ) {
        self.sequence = sequence
        self.atMilliseconds = atMilliseconds
        self.kind = kind
        self.dependency = dependency
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
        self.commandId = commandId
        self.flag = flag
        self.fallback = fallback
        self.fallbackKind = fallbackKind
        self.fallbackReason = fallbackReason
        self.count = count
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
        self.message = message
    }
}
