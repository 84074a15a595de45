public import FuseboxProtocol

/// A source of resilience data the console and `fusebox status` read: the embedded simulator,
/// Fusebox agents over HTTP, Prometheus, Resilience4j actuators, recordings. Every backend speaks
/// the same wire types, so nothing above this protocol knows which one it has.
///
/// Lifecycle: the owner calls ``run()`` in a task of its own for as long as it uses the backend
/// (backends that own work, such as a simulation's traffic or a stream, do it there; others return
/// at once) and cancels that task to stop it. ``poll()`` and ``send(_:to:)`` may be called
/// concurrently with ``run()``. The shape matches swift-service-lifecycle's `Service`, so a backend
/// can join a `ServiceGroup` without an adapter.
public protocol ResilienceBackend: AnyObject, Sendable {
    /// The source as named on the command line (`sim:partial-outage`, `http://host:9901`).
    var description: String { get }
    /// What the source can do and tell.
    var capabilities: BackendCapabilities { get }
    /// Does the backend's own work until the calling task is cancelled; returns at once for
    /// backends that own none.
    func run() async throws
    /// One snapshot per instance the source knows about.
    /// - Throws: ``BackendError``; ``BackendError/isRetryable`` says whether polling again can help.
    func poll() async throws(BackendError) -> [Snapshot]
    /// Sends an operator command to each of `instances` (names from the snapshots) and returns
    /// one result per instance that answered. A refusal is a result, not an error.
    /// - Throws: ``BackendError`` if the command could not be delivered at all.
    func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult]
    /// One status per source behind this backend when it reads several (``MultiSourceBackend``);
    /// empty for a single source, whose failures ``poll()`` throws.
    var sources: [SourceStatus] { get }
    /// A recorded session to replay with time controls (a recording file); `nil` for live sources.
    var timeline: (any ReplayTimeline)? { get }
}

extension ResilienceBackend {
    /// Backends that own no work have nothing to run.
    public func run() async throws {}

    /// A single source reports through ``poll()`` alone.
    public var sources: [SourceStatus] { [] }

    /// Live sources have no timeline.
    public var timeline: (any ReplayTimeline)? { nil }
}
