public import FuseboxProtocol

/// What a registry's event stream carries (``EventLog/stream(dependency:bufferingNewest:)``): the
/// events it logs, and the per-call events Resilience4j's and Polly's hooks offer, which are too
/// many to log and are made only while someone listens.
public enum RuntimeEvent: Sendable, Hashable {
    /// An event the log keeps too: a breaker transition, a fallback report, a command, a flag change.
    case logged(Event)
    /// A call turned away before any attempt: a rate limit, a full bulkhead, an open breaker.
    case callNotPermitted(dependency: String, reason: RejectionReason)
    /// An attempt failed and the call waits `delayNanoseconds` to try again (the rate limiter and
    /// the breaker may still refuse the retry when the wait is over).
    case retry(dependency: String, attempt: Int, delayNanoseconds: UInt64)
    /// A hedged attempt started beside the first (`hedge` 1 is the first hedge).
    case hedged(dependency: String, hedge: Int)
    /// The retry budget refused a retry: the call ends with the failure it had.
    case budgetDenied(dependency: String)
    /// A dependency was registered.
    case registered(dependency: String)
    /// A dependency's policies were replaced (``FuseboxRegistry/reconfigure(_:)``).
    case reconfigured(dependency: String)
    /// A dependency was removed (``FuseboxRegistry/unregister(_:)``).
    case unregistered(dependency: String)

    /// The dependency the event is about, if one.
    public var dependency: String? {
        switch self {
        case .logged(let event): return event.dependency
        case .callNotPermitted(let name, _), .retry(let name, _, _), .hedged(let name, _), .budgetDenied(let name),
            .registered(let name),
            .reconfigured(let name), .unregistered(let name):
            return name
        }
    }
}
