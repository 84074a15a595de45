/// A concurrency limit that finds itself: additive increase, multiplicative decrease on latency
/// (AIMD, as Netflix's concurrency-limits `AIMDLimit` does, and in the spirit of Envoy's adaptive
/// concurrency filter). Set it on a ``BulkheadConfiguration`` in place of a fixed `maxConcurrent`.
///
/// Every attempt that succeeds or times out is a sample (other failures say nothing about queueing
/// and are not). One slower than `latencyThreshold`, or one that timed out, is taken for queueing
/// downstream: the limit is multiplied by `backoffRatio`. Otherwise, while the calls in flight use
/// at least half the limit, it grows by one, as `AIMDLimit` does. It stays within
/// `minLimit...maxLimit`.
///
/// ```swift
/// configuration.bulkhead = BulkheadConfiguration(
///     adaptive: AdaptiveConcurrency(initialLimit: 20, maxLimit: 200, latencyThreshold: .milliseconds(250)))
/// ```
public struct AdaptiveConcurrency: Sendable, Hashable {
    /// Where the limit starts.
    public var initialLimit: Int
    /// The limit never goes below this, however slow the downstream.
    public var minLimit: Int
    /// The limit never goes above this, however fast the downstream.
    public var maxLimit: Int
    /// An attempt slower than this is a sign of queueing.
    public var latencyThreshold: Duration
    /// What the limit is multiplied by on a sign of queueing, in [0.5, 1).
    public var backoffRatio: Double

    /// An AIMD limit; `latencyThreshold` is the one setting without a default: set it above the
    /// downstream's healthy p99.
    public init(
        initialLimit: Int = 20, minLimit: Int = 1, maxLimit: Int = 200, latencyThreshold: Duration,
        backoffRatio: Double = 0.9
    ) {
        self.initialLimit = initialLimit
        self.minLimit = minLimit
        self.maxLimit = maxLimit
        self.latencyThreshold = latencyThreshold
        self.backoffRatio = backoffRatio
    }

    /// A one-line description of what is wrong, or `nil`.
    func validationProblem() -> String? {
        guard minLimit >= 1, minLimit <= initialLimit, initialLimit <= maxLimit else {
            return "adaptive limits need 1 <= minLimit <= initialLimit <= maxLimit"
                + " (got \(minLimit), \(initialLimit), \(maxLimit))"
        }
        guard latencyThreshold > .zero else { return "adaptive latencyThreshold must be positive" }
        guard backoffRatio >= 0.5 && backoffRatio < 1 else {
            return "adaptive backoffRatio must be in [0.5, 1) (got \(backoffRatio))"
        }
        return nil
    }

    /// Where the limit starts: `initialLimit`, within the bounds.
    var startingLimit: Double { Double(min(max(initialLimit, minLimit), maxLimit)) }

    /// The next limit after one sample.
    func next(limit: Double, inFlight: Int, latencyNanoseconds: UInt64, timedOut: Bool) -> Double {
        if timedOut || latencyNanoseconds > latencyThreshold.clampedNanoseconds {
            return max(Double(minLimit), limit * backoffRatio)
        }
        guard inFlight * 2 >= Int(limit) else { return limit }
        return min(Double(maxLimit), limit + 1)
    }
}
