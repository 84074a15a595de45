public import FuseboxProtocol

extension Dependency {
    /// The dependency's state for a ``Snapshot``.
    ///
    /// Counters, histogram figures and SLO tallies are read under the statistics lock in one go,
    /// so they add up; nothing large is copied, so callers never pay a copy-on-write afterwards.
    public func snapshot() -> DependencySnapshot {
        let now = clock.nanoseconds()
        for report in aggregator.flush(now: now) { emit(report) }
        let breakerSnapshot = breaker.snapshot()
        let sloTarget = configuration.slo
        let (calls, retryCounts, activations, unserved, latency, staleness, sloTallies) = statistics.withLock {
            s -> (CallCounts, RetryCounts, [FallbackActivationCount], UInt64, LatencySnapshot, UInt64, (UInt64, UInt64))
            in
            s.rotate(now: now)
            var rejectedByReason: [RejectionReason: UInt64] = [:]
            for reason in CallRejection.allCases where s.rejectedByReason[reason.rawValue] > 0 {
                rejectedByReason[reason.wire] = s.rejectedByReason[reason.rawValue]
            }
            let calls = CallCounts(
                calls: s.calls, successes: s.successes, failures: s.failures, rejected: s.rejected,
                bypassed: s.bypassed, timeouts: s.timeouts, cacheHits: s.cacheHits,
                rejectedByReason: rejectedByReason)
            let retries = RetryCounts(
                attempts: s.attempts, retries: s.retries, successesAfterRetry: s.successesAfterRetry,
                exhausted: s.exhausted, budgetDenied: s.budgetDenied, hedges: s.hedges, hedgeWins: s.hedgeWins)
            let activations = s.fallbacks.map {
                FallbackActivationCount(
                    fallback: $0.key.name, kind: $0.key.kind, reason: $0.key.reason, count: $0.value)
            }
            let windowMilliseconds = Int64((now &- s.intervalStart + s.intervalLength) / 1_000_000)
            let latency = latencySnapshot(
                merging: s.previous.histogram, s.current.histogram, windowMilliseconds: windowMilliseconds)
            let staleness = max(s.current.maxStaleness, s.previous.maxStaleness)
            let tallies = (s.current.total + s.previous.total, s.current.good + s.previous.good)
            return (calls, retries, activations, s.unserved, latency, staleness, tallies)
        }
        var retry = RetrySnapshot(
            maxAttempts: configuration.retry.maxAttempts, attempts: retryCounts.attempts, retries: retryCounts.retries,
            successesAfterRetry: retryCounts.successesAfterRetry, exhausted: retryCounts.exhausted,
            budgetDenied: retryCounts.budgetDenied, budgetRatio: retryBudget?.configuration.ratio,
            budgetAvailable: retryBudget?.available())
        // Hedging counts appear once hedging is configured, or when a reconfiguration kept them.
        if configuration.hedging != nil || retryCounts.hedges > 0 {
            retry.hedges = retryCounts.hedges
            retry.hedgeWins = retryCounts.hedgeWins
        }
        let sortedActivations = activations.sorted {
            ($0.fallback, $0.reason.rawValue) < ($1.fallback, $1.reason.rawValue)
        }
        var chain = configuration.declaredFallbacks
        for activation in sortedActivations where !chain.contains(activation.fallback) {
            chain.append(activation.fallback)
        }
        let fallbacks = FallbackSnapshot(
            chain: chain, activations: sortedActivations, unserved: unserved,
            maxStalenessMilliseconds: staleness > 0 ? Double(staleness) / 1e6 : nil)
        var slo: SLOSnapshot?
        if let sloTarget {
            let (total, good) = sloTallies
            let ratio = total == 0 ? 1 : Double(good) / Double(total)
            slo = SLOSnapshot(
                targetSuccessRatio: sloTarget.successRatio,
                latencyTargetMilliseconds: sloTarget.latencyTarget?.milliseconds, successRatio: ratio,
                burnRate: (1 - ratio) / (1 - sloTarget.successRatio), windowCalls: total)
        }
        return DependencySnapshot(
            name: name, criticality: criticality, metadata: configuration.metadata, breaker: breakerSnapshot,
            calls: calls, retry: retry, fallbacks: fallbacks, bulkhead: bulkhead?.snapshot(),
            rateLimiter: rateLimiter?.snapshot(), latency: latency, slo: slo)
    }

    /// Reports fallback activations still held back by the once-per-second aggregation.
    func flushFallbackEvents() {
        let now = clock.nanoseconds()
        for report in aggregator.flush(now: now, force: true) { emit(report) }
    }
}

/// Retry counters read together under the statistics lock.
struct RetryCounts {
    var attempts: UInt64
    var retries: UInt64
    var successesAfterRetry: UInt64
    var exhausted: UInt64
    var budgetDenied: UInt64
    var hedges: UInt64
    var hedgeWins: UInt64
}
