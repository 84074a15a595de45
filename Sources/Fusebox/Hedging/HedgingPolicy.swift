/// Hedging: when an attempt is slow, or fails, start another beside it and keep whichever succeeds
/// first; the others are cancelled (Polly v8's hedging strategy). It trades extra load on the
/// downstream for a shorter tail, so only idempotent calls are hedged.
///
/// ```swift
/// configuration.hedging = HedgingPolicy(maxHedgedAttempts: 1, delay: .milliseconds(40))
/// let outcome = try await search.execute(idempotent: true, hedgingWith: [{ try await replica.search(q) }]) {
///     try await primary.search(q)
/// }
/// ```
public struct HedgingPolicy: Sendable, Hashable {
    /// Attempts started beside the first, at most (Polly's `MaxHedgedAttempts`).
    public var maxHedgedAttempts: Int
    /// How long the latest attempt runs alone before the next one starts (counted again from each
    /// attempt's start); `nil` hedges only when an attempt fails. Set it near the downstream's
    /// p90–p99 latency.
    public var delay: Duration?
    /// Whether a failed attempt starts the next one at once, without waiting for the delay. Such a
    /// hedge is a retry in all but name: the retry budget must allow it.
    public var hedgeOnFailure: Bool

    /// One hedge after 100 ms, or at once on a failure, by default.
    public init(maxHedgedAttempts: Int = 1, delay: Duration? = .milliseconds(100), hedgeOnFailure: Bool = true) {
        self.maxHedgedAttempts = maxHedgedAttempts
        self.delay = delay
        self.hedgeOnFailure = hedgeOnFailure
    }

    /// A one-line description of what is wrong, or `nil`.
    func validationProblem() -> String? {
        guard (1...10).contains(maxHedgedAttempts) else {
            return "maxHedgedAttempts must be between 1 and 10 (got \(maxHedgedAttempts))"
        }
        if let delay, delay < .zero { return "delay must be zero or more" }
        if delay == nil && !hedgeOnFailure {
            return "with no delay and hedgeOnFailure off, no attempt would ever be hedged"
        }
        return nil
    }
}
