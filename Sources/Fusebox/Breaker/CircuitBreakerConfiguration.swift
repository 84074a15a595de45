public import FuseboxProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The knobs of a ``CircuitBreaker``. Defaults follow common practice (Resilience4j's, with a
/// shorter wait in open and fewer probes).
public struct CircuitBreakerConfiguration: Sendable {
    /// The sliding window whose outcomes decide when to trip.
    public enum Window: Sendable, Hashable {
        /// The last `n` calls.
        case count(Int)
        /// The calls of the last `seconds` seconds, in one-second buckets.
        case time(seconds: Int)
    }

    public var window: Window = .count(100)
    /// Trip when at least this percentage of calls in the window failed.
    public var failureRateThreshold: Double = 50
    /// Trip when at least this percentage of calls in the window were slow.
    public var slowCallRateThreshold: Double = 100
    /// A call at least this long is slow.
    public var slowCallDuration: Duration = .seconds(5)
    /// Rates count only once the window holds this many calls.
    public var minimumCalls: Int = 20
    /// How long an open breaker rejects calls before letting probes through.
    public var waitInOpen: Duration = .seconds(30)
    /// Each trip in a row multiplies the wait by this factor (1 keeps it constant)...
    public var waitMultiplier: Double = 1
    /// ...up to this cap.
    public var maxWaitInOpen: Duration = .seconds(300)
    /// How many probe calls half-open admits; all must complete before it decides.
    public var halfOpenProbes: Int = 5
    /// If the probes have not all completed after this long (a caller never recorded its outcome),
    /// half-open gives up and opens again rather than rejecting forever.
    public var maxWaitInHalfOpen: Duration = .seconds(60)
    /// If set, successful probes lead into this controlled back-in instead of straight to closed.
    public var backInAfterHalfOpen: BackInSchedule? = nil
    /// The schedule an operator's back-in uses when the command names none.
    public var defaultBackInSchedule: BackInSchedule = .standard
    /// Which errors count as failures.
    public var classifier: ErrorClassifier = .default

    public init() {}

    /// Checks the numbers; returns a one-line description of the first problem, or `nil`.
    public func validationProblem() -> String? {
        switch window {
        case .count(let n) where n < 1: return "a count window needs at least 1 call (got \(n))"
        case .time(let s) where s < 1 || s > 3600: return "a time window must span 1...3600 seconds (got \(s))"
        default: break
        }
        // 0 would trip on any window and never let half-open close (rates compare with >=).
        if !(failureRateThreshold > 0 && failureRateThreshold <= 100) {
            return "failureRateThreshold must be a percentage above 0 and at most 100 (got \(failureRateThreshold))"
        }
        if !(slowCallRateThreshold > 0 && slowCallRateThreshold <= 100) {
            return "slowCallRateThreshold must be a percentage above 0 and at most 100 (got \(slowCallRateThreshold));"
                + " 100 turns the slow-call check off"
        }
        if minimumCalls < 1 { return "minimumCalls must be at least 1" }
        if halfOpenProbes < 1 { return "halfOpenProbes must be at least 1" }
        if maxWaitInHalfOpen <= .zero { return "maxWaitInHalfOpen must be positive" }
        if slowCallDuration <= .zero { return "slowCallDuration must be positive" }
        if waitInOpen <= .zero { return "waitInOpen must be positive" }
        if waitMultiplier < 1 { return "waitMultiplier must be at least 1" }
        if let problem = backInAfterHalfOpen?.validationProblem() { return problem }
        return defaultBackInSchedule.validationProblem()
    }

    /// The calls a window must hold before its rates can trip the breaker: `minimumCalls`, but never
    /// more than a count window holds (as Resilience4j does), or a small window could never trip.
    public var effectiveMinimumCalls: Int {
        if case .count(let size) = window { return min(minimumCalls, size) }
        return minimumCalls
    }

    /// The wait in open after `trips` consecutive trips (1 for the first).
    func waitInOpen(afterTrips trips: Int) -> UInt64 {
        let base = Double(waitInOpen.clampedNanoseconds)
        let grown = base * pow(waitMultiplier, Double(max(0, trips - 1)))
        return UInt64(min(grown, Double(maxWaitInOpen.clampedNanoseconds), Double(UInt64.max / 2)))
    }
}
