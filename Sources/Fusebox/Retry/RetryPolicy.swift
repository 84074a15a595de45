#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// When and how often to retry a failed attempt.
public struct RetryPolicy: Sendable {
    /// How a backoff delay is randomised, so that clients that failed together do not retry together.
    /// See the AWS Architecture Blog's "Exponential Backoff And Jitter" for the trade-offs.
    public enum Jitter: String, Sendable, Hashable, CaseIterable {
        /// Exactly `min(cap, initial * multiplier^(n-1))`.
        case none
        /// Uniform in `0 ... exponential`.
        case full
        /// Half the exponential delay plus a uniform share of the other half.
        case equal
        /// Uniform in `initial ... 3 * previous delay`, capped.
        case decorrelated
    }

    /// Attempts in all, the first included; 1 disables retries.
    public var maxAttempts: Int = 3
    public var initialBackoff: Duration = .milliseconds(50)
    public var maxBackoff: Duration = .seconds(2)
    public var multiplier: Double = 2
    public var jitter: Jitter = .full
    /// Retry operations not declared idempotent too. Off by default: a retried payment may charge twice.
    public var retryNonIdempotent = false
    /// Wait as long as an error's retry-after hint says (instead of the computed backoff)...
    public var honorsRetryAfter = true
    /// ...unless it asks for more than this, in which case the call fails at once.
    public var maxRetryAfter: Duration = .seconds(10)
    /// Which errors are transient.
    public var classifier: ErrorClassifier = .default

    public init() {}

    /// No retries.
    public static var disabled: RetryPolicy {
        var policy = RetryPolicy()
        policy.maxAttempts = 1
        return policy
    }

    /// Checks the numbers; returns a one-line description of the first problem, or `nil`.
    public func validationProblem() -> String? {
        if maxAttempts < 1 { return "maxAttempts must be at least 1" }
        if !(multiplier >= 1 && multiplier.isFinite) { return "the backoff multiplier must be a number >= 1" }
        if initialBackoff < .zero || maxBackoff < initialBackoff {
            return "backoff must satisfy 0 <= initialBackoff <= maxBackoff"
        }
        if maxBackoff > .seconds(86_400) { return "maxBackoff must be at most a day" }
        if maxRetryAfter < .zero { return "maxRetryAfter must be zero or more" }
        return nil
    }

    /// The delay before the attempt after `attempt` (1-based), in nanoseconds.
    /// - Parameters:
    ///   - attempt: the attempt that just failed.
    ///   - previous: the delay used before `attempt` (for decorrelated jitter; `initialBackoff` at first).
    public func backoff(afterAttempt attempt: Int, previous: UInt64, random: SeededRandom) -> UInt64 {
        let base = Double(initialBackoff.clampedNanoseconds)
        let cap = Double(maxBackoff.clampedNanoseconds)
        let exponential = min(cap, base * pow(multiplier, Double(max(0, attempt - 1))))
        let delay: Double
        switch jitter {
        case .none: delay = exponential
        case .full: delay = random.unit() * exponential
        case .equal: delay = exponential / 2 + random.unit() * exponential / 2
        case .decorrelated:
            let upper = max(base, Double(previous) * 3)
            delay = min(cap, base + random.unit() * (upper - base))
        }
        return UInt64(max(0, delay))
    }
}
