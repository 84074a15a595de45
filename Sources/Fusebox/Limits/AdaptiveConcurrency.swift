/// A concurrency limit that finds itself: additive increase, multiplicative decrease on latency
/// (AIMD, as Netflix's concurrency-limits `AIMDLimit` does, and in the spirit of Envoy's adaptive
/// concurrency filter). Set it on a ``BulkheadConfiguration`` in place of a fixed `maxConcurrent`.
///
/// Every attempt is a sample. One slower than `latencyThreshold`, or one that timed out, is taken
/// for queueing downstream: the limit is multiplied by `backoffRatio`. Otherwise, while the calls
/// in flight use at least half the limit, it grows by one per limit's worth of calls (one per
/// round trip, as TCP's congestion avoidance does). It stays within `minLimit...maxLimit`.
///
/// ```swift
/// configuration.bulkhead = BulkheadConfiguration(
///     adaptive: AdaptiveConcurrency(initialLimit: 20, maxLimit: 200, latencyThreshold: .milliseconds(250)))
/// ```
public struct AdaptiveConcurrency: Sendable, Hashable {
    public var initialLimit: Int
    public var minLimit: Int
    public var maxLimit: Int
    /// An attempt slower than this is a sign of queueing.
    public var latencyThreshold: Duration
    /// What the limit is multiplied by on a sign of queueing, in [0.5, 1).
    public var backoffRatio: Double

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

    /// The next limit after one sample.
    func next(limit: Double, inFlight: Int, latencyNanoseconds: UInt64, timedOut: Bool) -> Double {
        if timedOut || latencyNanoseconds > latencyThreshold.clampedNanoseconds {
            return max(Double(minLimit), limit * backoffRatio)
        }
        guard inFlight * 2 >= Int(limit) else { return limit }
        return min(Double(maxLimit), limit + 1 / limit)
    }
}
