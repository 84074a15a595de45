/// How an agent guards and serves a registry.
///
/// The defaults are the safe ones: without a ``token`` commands are refused (the agent is
/// read-only, never open to all), bodies are capped at 64 KiB, and each client may send five
/// commands a second with bursts of ten.
public struct AgentConfiguration: Sendable {
    /// The bearer token that authorises commands; nil makes the agent read-only.
    public var token: AgentToken?
    /// Whether reads (snapshot, events, audit) need the token too. `/healthz` never does;
    /// `/metrics` does when this is set.
    public var readsRequireToken: Bool
    /// Refuses every command with 403 even when a token is configured.
    public var readOnly: Bool
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// Commands each client address may send per second, on average.
    public var commandsPerSecond: Double
    /// Commands a client may send at once before the rate applies.
    public var commandBurst: Int
    /// How long a taken snapshot is served before a new one is taken: requests arriving together
    /// share one, so a burst of pollers costs one snapshot. Snapshots carry the time they were taken.
    public var snapshotMaxAge: Duration
    /// How many recent events a snapshot carries at most.
    public var snapshotEventLimit: Int
    /// Command attempts kept in memory for `GET /fusebox/v1/audit`.
    public var auditCapacity: Int
    /// A JSON-lines file every command attempt is appended to.
    public var auditLogPath: String?
    /// Refuse commands (503) unless the audit file has recorded them first: a command is written
    /// as `accepted` before it is applied, and a failed write leaves it unapplied. Without it,
    /// commands apply and a failed write is reported.
    public var auditRequired: Bool
    /// Event streams served at once. They hold their connection for as long as the client reads,
    /// so without a cap of their own, readers (who need no token by default) could take every
    /// connection of ``AgentServer`` and lock out `/healthz` and operators' commands.
    public var maxEventStreams: Int
    /// How often the event stream looks for new events, and how long between keep-alive comments.
    public var eventStreamInterval: Duration
    /// How long an idle event stream waits before sending a keep-alive comment.
    public var eventStreamKeepAlive: Duration

    /// A configuration; every parameter is the property of the same name.
    public init(
        token: AgentToken? = nil,
        readsRequireToken: Bool = false,
        readOnly: Bool = false,
        maxBodyBytes: Int = 64 * 1024,
        commandsPerSecond: Double = 5,
        commandBurst: Int = 10,
        snapshotMaxAge: Duration = .milliseconds(100),
        snapshotEventLimit: Int = 256,
        auditCapacity: Int = 10_000,
        auditLogPath: String? = nil,
        auditRequired: Bool = false,
        maxEventStreams: Int = 32,
        eventStreamInterval: Duration = .milliseconds(250),
        eventStreamKeepAlive: Duration = .seconds(15)
    ) {
        self.token = token
        self.readsRequireToken = readsRequireToken
        self.readOnly = readOnly
        self.maxBodyBytes = maxBodyBytes
        self.commandsPerSecond = commandsPerSecond
        self.commandBurst = commandBurst
        self.snapshotMaxAge = snapshotMaxAge
        self.snapshotEventLimit = snapshotEventLimit
        self.auditCapacity = auditCapacity
        self.auditLogPath = auditLogPath
        self.auditRequired = auditRequired
        self.maxEventStreams = maxEventStreams
        self.eventStreamInterval = eventStreamInterval
        self.eventStreamKeepAlive = eventStreamKeepAlive
    }

    /// Whether commands can be applied at all.
    public var commandsEnabled: Bool { token != nil && !readOnly }
}
