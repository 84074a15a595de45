/// How one source of a ``MultiSourceBackend`` is doing: what it last delivered, when, and why it
/// failed since. The console shows it per source, so one dead agent among fifty is named.
public struct SourceStatus: Sendable, Hashable {
    /// The source as named on the command line (credentials never included).
    public var source: String
    /// The instances its last good poll returned.
    public var instances: [String]
    /// Wall-clock milliseconds of its last good poll; `nil` if it never answered.
    public var lastSuccessMilliseconds: Int64?
    /// Why its latest poll failed; `nil` while it answers.
    public var error: BackendError?
    /// Polls that failed in a row.
    public var consecutiveFailures: Int
    /// When it is polled next while it backs off; `nil` when it is polled every time.
    public var retryAtMilliseconds: Int64?
    /// A poll of it is under way (an attempt after a failure, or a slow answer).
    public var polling = false

    /// A source's status; see the properties.
    public init(
        source: String, instances: [String] = [], lastSuccessMilliseconds: Int64? = nil, error: BackendError? = nil,
        consecutiveFailures: Int = 0, retryAtMilliseconds: Int64? = nil
    ) {
        self.source = source
        self.instances = instances
        self.lastSuccessMilliseconds = lastSuccessMilliseconds
        self.error = error
        self.consecutiveFailures = consecutiveFailures
        self.retryAtMilliseconds = retryAtMilliseconds
    }

    /// Whether its latest poll succeeded.
    public var isLive: Bool { error == nil && lastSuccessMilliseconds != nil }

    /// Whether it has neither answered nor failed yet (its first poll is under way).
    public var isWaiting: Bool { error == nil && lastSuccessMilliseconds == nil }
}
