public import Fusebox
import FuseboxProtocol
public import Logging
public import Prometheus
import Synchronization

/// Serves a ``FuseboxRegistry`` over HTTP: snapshots, operator commands, an event stream, the
/// audit trail, Prometheus metrics and a health check.
///
/// Mount it on any Hummingbird router:
/// ```swift
/// let agent = try FuseboxAgent(registry: registry, configuration: .init(token: token), logger: logger)
/// let router = Router()
/// agent.addRoutes(to: router)
/// ```
/// or run ``AgentServer`` beside a service built on another framework.
public final class FuseboxAgent: Sendable {
    /// The registry served.
    public let registry: FuseboxRegistry
    /// The token, limits and audit settings it was made with.
    public let configuration: AgentConfiguration
    /// Every command attempt.
    public let audit: AuditTrail
    /// What `/metrics` renders; nil answers 404 there.
    let prometheus: PrometheusCollectorRegistry?
    let logger: Logger
    let limiter: ClientRateLimiter
    let refusals = RefusalThrottle()
    let cache: SnapshotCache
    /// Event streams being served.
    let openStreams = Atomic<Int>(0)

    /// - Parameters:
    ///   - registry: the registry to serve and command.
    ///   - configuration: token, limits and audit file.
    ///   - metrics: the Prometheus registry that the application's `PrometheusMetricsFactory`
    ///     writes to; the agent renders it and never bootstraps the metrics system itself.
    ///   - logger: where refused attempts and audit write errors are logged (never the token).
    /// - Throws: ``AuditFileError`` if the audit log cannot be opened.
    public init(
        registry: FuseboxRegistry, configuration: AgentConfiguration = AgentConfiguration(),
        metrics: PrometheusCollectorRegistry? = nil, logger: Logger
    ) throws(AuditFileError) {
        self.registry = registry
        self.configuration = configuration
        self.prometheus = metrics
        self.logger = logger
        self.audit = try AuditTrail(
            capacity: configuration.auditCapacity, filePath: configuration.auditLogPath, logger: logger)
        self.limiter = ClientRateLimiter(
            ratePerSecond: configuration.commandsPerSecond, burst: configuration.commandBurst, clock: SystemClock())
        self.cache = SnapshotCache(
            registry: registry, maxAge: configuration.snapshotMaxAge, eventLimit: configuration.snapshotEventLimit)
    }

    /// The routes' paths.
    public enum Path {
        /// `GET`: the registry's snapshot.
        public static let snapshot = "/fusebox/v1/snapshot"
        /// `POST`: one operator command.
        public static let commands = "/fusebox/v1/commands"
        /// `GET`: server-sent events.
        public static let events = "/fusebox/v1/events"
        /// `GET`: the audit trail, newest first.
        public static let audit = "/fusebox/v1/audit"
        /// `GET`: the Prometheus text exposition.
        public static let metrics = "/metrics"
        /// `GET`: liveness and the agent's settings.
        public static let health = "/healthz"
    }
}
