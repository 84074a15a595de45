public import FuseboxProtocol

extension Dependency {
    /// The dependency's state for a ``Snapshot``. Counters come from one lock, so they add up.
    public func snapshot() -> DependencySnapshot {
        let now = clock.nanoseconds()
        for report in aggregator.flush(now: now) { emit(report, now: now) }
        let breakerSnapshot = breaker.snapshot()
        var copy = statistics.withLock { s -> DependencyStatistics in
            s.rotate(now: now)
            return s
        }
        copy.previous.histogram.add(copy.current.histogram)
        let windowMilliseconds = Int64((now &- copy.intervalStart + copy.intervalLength) / 1_000_000)
        let latency = copy.previous.histogram.latencySnapshot(windowMilliseconds: windowMilliseconds)
        var rejectedByReason: [String: UInt64] = [:]
        for reason in RejectionReason.allCases where copy.rejectedByReason[reason.rawValue] > 0 {
            rejectedByReason[reason.label] = copy.rejectedByReason[reason.rawValue]
        }
        let calls = CallCounts(
            calls: copy.calls, successes: copy.successes, failures: copy.failures, rejected: copy.rejected,
            bypassed: copy.bypassed, timeouts: copy.timeouts, cacheHits: copy.cacheHits,
            rejectedByReason: rejectedByReason)
        let retry = RetrySnapshot(
            maxAttempts: configuration.retry.maxAttempts, attempts: copy.attempts, retries: copy.retries,
            successesAfterRetry: copy.successesAfterRetry, exhausted: copy.exhausted,
            budgetDenied: copy.budgetDenied, budgetRatio: retryBudget?.configuration.ratio,
            budgetAvailable: retryBudget?.available())
        let activations = copy.fallbacks
            .map { FallbackActivationCount(fallback: $0.key.name, kind: $0.key.kind, reason: $0.key.reason, count: $0.value) }
            .sorted { ($0.fallback, $0.reason.rawValue) < ($1.fallback, $1.reason.rawValue) }
        var chain = configuration.declaredFallbacks
        for activation in activations where !chain.contains(activation.fallback) { chain.append(activation.fallback) }
        let staleness = max(copy.current.maxStaleness, copy.previous.maxStaleness)
        let fallbacks = FallbackSnapshot(
            chain: chain, activations: activations, unserved: copy.unserved,
            maxStalenessMilliseconds: staleness > 0 ? Double(staleness) / 1e6 : nil)
        var slo: SLOSnapshot?
        if let objective = configuration.slo {
            let total = copy.current.total + copy.previous.total
            let good = copy.current.good + copy.previous.good
            let ratio = total == 0 ? 1 : Double(good) / Double(total)
            slo = SLOSnapshot(
                targetSuccessRatio: objective.successRatio,
                latencyTargetMilliseconds: objective.latencyTarget?.milliseconds, successRatio: ratio,
                burnRate: (1 - ratio) / (1 - objective.successRatio), windowCalls: total)
        }
        return DependencySnapshot(
            name: name, criticality: criticality, metadata: configuration.metadata, breaker: breakerSnapshot,
            calls: calls, retry: retry, fallbacks: fallbacks, bulkhead: bulkhead?.snapshot(),
            rateLimiter: rateLimiter?.snapshot(), latency: latency, slo: slo)
    }

    /// Reports fallback activations still held back by the once-per-second aggregation.
    func flushFallbackEvents() {
        let now = clock.nanoseconds()
        for report in aggregator.flush(now: now, force: true) { emit(report, now: now) }
    }
}
