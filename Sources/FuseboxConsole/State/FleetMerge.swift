public import FuseboxProtocol

/// One dependency across every instance of a service, as a fleet row shows it: the worst breaker
/// state, counts summed, rates weighted by the calls behind them, and latency percentiles read
/// from the instances' histograms merged — never an average of percentiles, which means nothing.
///
/// A figure some instance does not know is unknown for the fleet (`nil`), never a partial sum
/// passed off as the whole.
public enum FleetMerge {
    /// The fleet's view of `dependencies`, the same dependency on several instances.
    /// - Precondition: `dependencies` is not empty.
    public static func merged(_ dependencies: [DependencySnapshot]) -> DependencySnapshot {
        let first = dependencies[0]
        return DependencySnapshot(
            name: first.name,
            criticality: dependencies.contains { $0.criticality == .critical } ? .critical : first.criticality,
            metadata: first.metadata, breaker: breaker(dependencies.map(\.breaker)),
            calls: calls(dependencies.map(\.calls)), retry: retry(dependencies.map(\.retry)),
            fallbacks: fallbacks(dependencies.map(\.fallbacks)), bulkhead: bulkhead(dependencies.map(\.bulkhead)),
            rateLimiter: rateLimiter(dependencies.map(\.rateLimiter)), latency: latency(dependencies.map(\.latency)),
            slo: slo(dependencies.map(\.slo)))
    }

    /// How bad a breaker state is, for "worst of the fleet": open first, closed last.
    public static func badness(_ state: BreakerState) -> Int {
        switch state {
        case .open: return 5
        case .forcedOpen: return 4
        case .halfOpen: return 3
        case .recovering: return 2
        case .disabled: return 1
        case .closed: return 0
        }
    }

    static func breaker(_ breakers: [BreakerSnapshot]) -> BreakerSnapshot {
        let worst = breakers.max { badness($0.state) < badness($1.state) }!
        return BreakerSnapshot(
            state: worst.state, stateSinceMilliseconds: nil, windowKind: same(breakers.map(\.windowKind)),
            windowSize: same(breakers.map(\.windowSize)), windowCalls: sum(breakers.map(\.windowCalls)),
            windowFailures: sum(breakers.map(\.windowFailures)), windowSlowCalls: sum(breakers.map(\.windowSlowCalls)),
            failureRate: weightedRate(breakers, \.failureRate),
            slowCallRate: weightedRate(breakers, \.slowCallRate),
            failureRateThreshold: same(breakers.map(\.failureRateThreshold)),
            slowCallRateThreshold: same(breakers.map(\.slowCallRateThreshold)),
            slowCallDurationMilliseconds: same(breakers.map(\.slowCallDurationMilliseconds)),
            minimumCalls: same(breakers.map(\.minimumCalls)))
    }

    /// The rate over every window that has one, weighted by its calls; with unknown window sizes,
    /// the highest rate (the one that trips first).
    private static func weightedRate(_ breakers: [BreakerSnapshot], _ rate: KeyPath<BreakerSnapshot, Double?>)
        -> Double?
    {
        let known = breakers.filter { $0[keyPath: rate] != nil }
        guard !known.isEmpty else { return nil }
        if known.allSatisfy({ $0.windowCalls != nil }) {
            let calls = known.reduce(0) { $0 + $1.windowCalls! }
            if calls > 0 {
                return known.reduce(0.0) { $0 + $1[keyPath: rate]! * Double($1.windowCalls!) } / Double(calls)
            }
        }
        return known.map { $0[keyPath: rate]! }.max()
    }

    static func calls(_ counts: [CallCounts]) -> CallCounts {
        var reasons: [RejectionReason: UInt64]? = [:]
        for count in counts {
            guard let byReason = count.rejectedByReason else {
                reasons = nil
                break
            }
            reasons!.merge(byReason, uniquingKeysWith: +)
        }
        return CallCounts(
            calls: counts.reduce(0) { $0 &+ $1.calls }, successes: counts.reduce(0) { $0 &+ $1.successes },
            failures: counts.reduce(0) { $0 &+ $1.failures }, rejected: counts.reduce(0) { $0 &+ $1.rejected },
            bypassed: sum(counts.map(\.bypassed)), timeouts: sum(counts.map(\.timeouts)),
            cacheHits: sum(counts.map(\.cacheHits)), rejectedByReason: reasons)
    }

    static func retry(_ retries: [RetrySnapshot]) -> RetrySnapshot {
        RetrySnapshot(
            maxAttempts: same(retries.map(\.maxAttempts)), attempts: sum(retries.map(\.attempts)),
            retries: sum(retries.map(\.retries)), successesAfterRetry: sum(retries.map(\.successesAfterRetry)),
            exhausted: sum(retries.map(\.exhausted)), budgetDenied: sum(retries.map(\.budgetDenied)),
            budgetRatio: same(retries.map(\.budgetRatio)), budgetAvailable: sum(retries.map(\.budgetAvailable)))
    }

    static func fallbacks(_ fallbacks: [FallbackSnapshot]) -> FallbackSnapshot {
        struct Key: Hashable {
            var fallback: String
            var kind: FallbackKind
            var reason: FallbackReason
        }
        var order: [Key] = []
        var counts: [Key: UInt64] = [:]
        for activation in fallbacks.flatMap(\.activations) {
            let key = Key(fallback: activation.fallback, kind: activation.kind, reason: activation.reason)
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] &+= activation.count
        }
        return FallbackSnapshot(
            chain: fallbacks[0].chain,
            activations: order.map {
                FallbackActivationCount(fallback: $0.fallback, kind: $0.kind, reason: $0.reason, count: counts[$0]!)
            },
            unserved: fallbacks.reduce(0) { $0 &+ $1.unserved },
            maxStalenessMilliseconds: fallbacks.compactMap(\.maxStalenessMilliseconds).max())
    }

    static func bulkhead(_ bulkheads: [BulkheadSnapshot?]) -> BulkheadSnapshot? {
        guard let all = allKnown(bulkheads) else { return nil }
        return BulkheadSnapshot(
            maxConcurrent: all.reduce(0) { $0 + $1.maxConcurrent }, inFlight: all.reduce(0) { $0 + $1.inFlight },
            waiting: all.reduce(0) { $0 + $1.waiting }, maxWaiting: all.reduce(0) { $0 + $1.maxWaiting },
            rejected: all.reduce(0) { $0 &+ $1.rejected })
    }

    static func rateLimiter(_ limiters: [RateLimiterSnapshot?]) -> RateLimiterSnapshot? {
        guard let all = allKnown(limiters) else { return nil }
        return RateLimiterSnapshot(
            ratePerSecond: all.reduce(0) { $0 + $1.ratePerSecond }, burst: all.reduce(0) { $0 + $1.burst },
            availableTokens: all.reduce(0) { $0 + $1.availableTokens }, rejected: all.reduce(0) { $0 &+ $1.rejected })
    }

    /// Histograms merged bucket by bucket, percentiles read from the merged histogram.
    static func latency(_ latencies: [LatencySnapshot]) -> LatencySnapshot {
        let count = sum(latencies.map(\.count))
        let highest = latencies.compactMap(\.max).max()
        var merged = LatencySnapshot(
            count: count, windowMilliseconds: same(latencies.map(\.windowMilliseconds)),
            min: latencies.compactMap(\.min).min(), max: highest)
        if let count, count > 0, let means = allKnown(latencies.map(\.mean)) {
            merged.mean = zip(means, latencies).reduce(0.0) { $0 + $1.0 * Double($1.1.count ?? 0) } / Double(count)
        }
        guard let histograms = allKnown(latencies.map(\.buckets)) else { return merged }
        let buckets = mergedBuckets(histograms)
        merged.buckets = buckets
        // A quantile of the whole fleet lies between the instances' own values of it, so where every
        // instance knows its own, they bound the bucket estimate (coarse buckets interpolate loosely).
        func estimate(_ quantile: Double, _ own: KeyPath<LatencySnapshot, Double?>) -> Double? {
            guard let value = percentile(quantile, of: buckets, highest: highest) else { return nil }
            guard let instances = allKnown(latencies.filter { ($0.count ?? 1) > 0 }.map { $0[keyPath: own] }),
                let low = instances.min(), let high = instances.max()
            else { return value }
            return Swift.min(high, Swift.max(low, value))
        }
        merged.p50 = estimate(0.5, \.p50)
        merged.p90 = estimate(0.9, \.p90)
        merged.p99 = estimate(0.99, \.p99)
        merged.p999 = estimate(0.999, \.p999)
        return merged
    }

    /// Buckets with the same upper bound added up, in order of bound, the unbounded one last.
    public static func mergedBuckets(_ histograms: [[LatencyBucket]]) -> [LatencyBucket] {
        var bounded: [Double: UInt64] = [:]
        var unbounded: UInt64 = 0
        var sawUnbounded = false
        for histogram in histograms {
            for bucket in histogram {
                if let bound = bucket.upperBoundMilliseconds {
                    bounded[bound, default: 0] &+= bucket.count
                } else {
                    unbounded &+= bucket.count
                    sawUnbounded = true
                }
            }
        }
        var result = bounded.keys.sorted().map { LatencyBucket(upperBoundMilliseconds: $0, count: bounded[$0]!) }
        if sawUnbounded { result.append(LatencyBucket(upperBoundMilliseconds: nil, count: unbounded)) }
        return result
    }

    /// The `quantile` (0...1) of a histogram, interpolated within its bucket (as Prometheus's
    /// `histogram_quantile` does); in the unbounded bucket, the largest value seen if known.
    public static func percentile(_ quantile: Double, of buckets: [LatencyBucket], highest: Double?) -> Double? {
        let total = buckets.reduce(UInt64(0)) { $0 &+ $1.count }
        guard total > 0 else { return nil }
        let rank = quantile * Double(total)
        var below: UInt64 = 0
        var low = 0.0
        for bucket in buckets {
            let reached = below &+ bucket.count
            if Double(reached) >= rank && bucket.count > 0 {
                guard let high = bucket.upperBoundMilliseconds else { return highest.map { Swift.max($0, low) } ?? low }
                let within = (rank - Double(below)) / Double(bucket.count)
                return low + (high - low) * Swift.min(1, Swift.max(0, within))
            }
            below = reached
            if let bound = bucket.upperBoundMilliseconds { low = bound }
        }
        return low
    }

    static func slo(_ slos: [SLOSnapshot?]) -> SLOSnapshot? {
        guard let all = allKnown(slos), let target = same(all.map(\.targetSuccessRatio)) else { return nil }
        let calls = all.reduce(UInt64(0)) { $0 &+ $1.windowCalls }
        let ratio =
            calls == 0 ? 1 : all.reduce(0.0) { $0 + $1.successRatio * Double($1.windowCalls) } / Double(calls)
        let burn = target < 1 ? (1 - ratio) / (1 - target) : all.map(\.burnRate).max()!
        return SLOSnapshot(
            targetSuccessRatio: target, latencyTargetMilliseconds: same(all.map(\.latencyTargetMilliseconds)),
            successRatio: ratio, burnRate: burn, windowCalls: calls)
    }

    /// The value every instance has, or `nil` when they differ or some do not know it.
    private static func same<T: Equatable>(_ values: [T?]) -> T? {
        guard let first = values.first, let value = first, values.allSatisfy({ $0 == value }) else { return nil }
        return value
    }

    /// The sum, or `nil` when some instance does not know its part.
    private static func sum<T: FixedWidthInteger>(_ values: [T?]) -> T? {
        var total: T = 0
        for value in values {
            guard let value else { return nil }
            total &+= value
        }
        return total
    }

    private static func allKnown<T>(_ values: [T?]) -> [T]? {
        var known: [T] = []
        known.reserveCapacity(values.count)
        for value in values {
            guard let value else { return nil }
            known.append(value)
        }
        return known
    }
}
