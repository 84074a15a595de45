public import FuseboxProtocol

/// A breaker's permission to make one call; hand it back to ``CircuitBreaker/record(_:_:durationNanoseconds:)``.
public struct BreakerPermit: Sendable, Hashable {
    /// What admitted the call.
    public enum Kind: Sendable, Hashable {
        /// Closed or disabled: normal traffic.
        case normal
        /// One of half-open's probes.
        case probe
        /// Inside the admitted share of a controlled back-in.
        case backIn
    }

    /// The breaker's generation when it admitted the call; outcomes of an older generation are not counted.
    let generation: UInt64
    public let kind: Kind
}

/// Why a breaker turned a call away.
public enum BreakerRejection: String, Sendable, Hashable {
    case open
    case forcedOpen = "forced-open"
    /// Half-open has already admitted all its probes.
    case halfOpenFull = "half-open-full"
    /// Controlled back-in: outside the admitted share.
    case backIn = "back-in"
}

/// The answer to ``CircuitBreaker/acquire()``.
public enum BreakerAdmission: Sendable, Hashable {
    case admitted(BreakerPermit)
    case rejected(BreakerRejection)
}

/// How a call admitted by a breaker ended.
public enum BreakerOutcome: Sendable, Hashable {
    case success
    case failure
    /// An error the classifier ignores; for a probe it frees the probe slot.
    case ignored
}

/// A state change, reported to the breaker's observer.
public struct BreakerTransition: Sendable, Hashable {
    public let breaker: String
    public let from: BreakerState
    public let to: BreakerState
    /// Why, in one line (`failure rate 62.0% >= 50.0% over 100 calls`).
    public let reason: String
    /// Window failure rate (percent) at the moment of the change.
    public let failureRate: Double
    /// Window slow-call rate (percent) at the moment of the change.
    public let slowCallRate: Double
    /// The operator who caused it, if any.
    public let actor: String?
    /// Monotonic nanoseconds on the breaker's clock.
    public let atNanoseconds: UInt64
}
