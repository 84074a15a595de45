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
        if dependencies.count == 1 { return first }
        return DependencySnapshot(
            name: first.name,
            criticality: dependencies.contains { $0.criticality == .critical } ? .critical : first.criticality,
            metadata: first.metadata, breaker: breaker(dependencies), calls: calls(dependencies),
            retry: retry(dependencies), fallbacks: fallbacks(dependencies), bulkhead: bulkhead(dependencies),
            rateLimiter: rateLimiter(dependencies), latency: latency(dependencies), slo: slo(dependencies))
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

    static func breaker(_ all: [DependencySnapshot]) -> BreakerSnapshot {
        var worst = all[0].breaker.state
        for dependency in all where badness(dependency.breaker.state) > badness(worst) {
            worst = dependency.breaker.state
        }
        return BreakerSnapshot(
            state: worst, stateSinceMilliseconds: nil, windowKind: same(all) { $0.breaker.windowKind },
            windowSize: same(all) { $0.breaker.windowSize }, windowCalls: sum(all) { $0.breaker.windowCalls },
            windowFailures: sum(all) { $0.breaker.windowFailures },
            windowSlowCalls: sum(all) { $0.breaker.windowSlowCalls },
            failureRate: weightedRate(all) { $0.breaker.failureRate },
            slowCallRate: weightedRate(all) { $0.breaker.slowCallRate },
            failureRateThreshold: same(all) { $0.breaker.failureRateThreshold },
            slowCallRateThreshold: same(all) { $0.breaker.slowCallRateThreshold },
            slowCallDurationMilliseconds: same(all) { $0.breaker.slowCallDurationMilliseconds },
            minimumCalls: same(all) { $0.breaker.minimumCalls })
    }

    /// The rate over every window that has one, weighted by its calls; with unknown window sizes,
    /// the highest rate (the one that trips first).
    private static func weightedRate(_ all: [DependencySnapshot], _ rate: (DependencySnapshot) -> Double?) -> Double? {
        var weighted = 0.0
        var calls = 0
        var highest: Double?
        var windowsKnown = true
        for dependency in all {
            guard let value = rate(dependency) else { continue }
            highest = Swift.max(highest ?? value, value)
            if let window = dependency.breaker.windowCalls {
                weighted += value * Double(window)
                calls &+= window
            } else {
                windowsKnown = false
            }
        }
        guard let highest else { return nil }
        return windowsKnown && calls > 0 ? weighted / Double(calls) : highest
    }

    static func calls(_ all: [DependencySnapshot]) -> CallCounts {
        var reasons: [RejectionReason: UInt64]? = [:]
        for dependency in all {
            guard let byReason = dependency.calls.rejectedByReason else {
                reasons = nil
                break
            }
            if !byReason.isEmpty { reasons!.merge(byReason, uniquingKeysWith: +) }
        }
        return CallCounts(
            calls: total(all) { $0.calls.calls }, successes: total(all) { $0.calls.successes },
            failures: total(all) { $0.calls.failures }, rejected: total(all) { $0.calls.rejected },
            bypassed: sum(all) { $0.calls.bypassed }, timeouts: sum(all) { $0.calls.timeouts },
            cacheHits: sum(all) { $0.calls.cacheHits }, rejectedByReason: reasons)
    }

    static func retry(_ all: [DependencySnapshot]) -> RetrySnapshot {
        RetrySnapshot(
            maxAttempts: same(all) { $0.retry.maxAttempts }, attempts: sum(all) { $0.retry.attempts },
            retries: sum(all) { $0.retry.retries }, successesAfterRetry: sum(all) { $0.retry.successesAfterRetry },
            exhausted: sum(all) { $0.retry.exhausted }, budgetDenied: sum(all) { $0.retry.budgetDenied },
            budgetRatio: same(all) { $0.retry.budgetRatio }, budgetAvailable: sum(all) { $0.retry.budgetAvailable })
    }

    static func fallbacks(_ all: [DependencySnapshot]) -> FallbackSnapshot {
        let first = all[0].fallbacks
        let unserved = total(all) { $0.fallbacks.unserved }
        var staleness: Double?
        for dependency in all {
            if let value = dependency.fallbacks.maxStalenessMilliseconds {
                staleness = Swift.max(staleness ?? value, value)
            }
        }
        // Most often every instance has the same fallbacks in the same order: add them up in place.
        var activations = first.activations
        var aligned = true
        for dependency in all.dropFirst() where aligned {
            let theirs = dependency.fallbacks.activations
            guard theirs.count == activations.count else {
                aligned = false
                break
            }
            for index in theirs.indices {
                guard theirs[index].fallback == activations[index].fallback,
                    theirs[index].kind == activations[index].kind,
                    theirs[index].reason == activations[index].reason
                else {
                    aligned = false
                    break
                }
                activations[index].count &+= theirs[index].count
            }
        }
        if !aligned { activations = mergedActivations(all) }
        return FallbackSnapshot(
            chain: first.chain, activations: activations, unserved: unserved, maxStalenessMilliseconds: staleness)
    }

    private static func mergedActivations(_ all: [DependencySnapshot]) -> [FallbackActivationCount] {
        struct Key: Hashable {
            var fallback: String
            var kind: FallbackKind
            var reason: FallbackReason
        }
        var order: [Key] = []
        var counts: [Key: UInt64] = [:]
        for dependency in all {
            for activation in dependency.fallbacks.activations {
                let key = Key(fallback: activation.fallback, kind: activation.kind, reason: activation.reason)
                if counts[key] == nil { order.append(key) }
                counts[key, default: 0] &+= activation.count
            }
        }
        return order.map {
            FallbackActivationCount(fallback: $0.fallback, kind: $0.kind, reason: $0.reason, count: counts[$0]!)
        }
    }

    static func bulkhead(_ all: [DependencySnapshot]) -> BulkheadSnapshot? {
        guard all.allSatisfy({ $0.bulkhead != nil }) else { return nil }
        let adaptive = all.allSatisfy { $0.bulkhead!.adaptiveMinLimit != nil && $0.bulkhead!.adaptiveMaxLimit != nil }
        return BulkheadSnapshot(
            maxConcurrent: all.reduce(0) { $0 &+ $1.bulkhead!.maxConcurrent },
            inFlight: all.reduce(0) { $0 &+ $1.bulkhead!.inFlight },
            waiting: all.reduce(0) { $0 &+ $1.bulkhead!.waiting },
            maxWaiting: all.reduce(0) { $0 &+ $1.bulkhead!.maxWaiting },
            rejected: all.reduce(0) { $0 &+ $1.bulkhead!.rejected },
            // A fleet's limit adapts when every instance's does.
            adaptiveMinLimit: adaptive ? all.reduce(0) { $0 &+ $1.bulkhead!.adaptiveMinLimit! } : nil,
            adaptiveMaxLimit: adaptive ? all.reduce(0) { $0 &+ $1.bulkhead!.adaptiveMaxLimit! } : nil)
    }

    static func rateLimiter(_ all: [DependencySnapshot]) -> RateLimiterSnapshot? {
        guard all.allSatisfy({ $0.rateLimiter != nil }) else { return nil }
        return RateLimiterSnapshot(
            ratePerSecond: all.reduce(0) { $0 + $1.rateLimiter!.ratePerSecond },
            burst: all.reduce(0) { $0 &+ $1.rateLimiter!.burst },
            availableTokens: all.reduce(0) { $0 + $1.rateLimiter!.availableTokens },
            rejected: all.reduce(0) { $0 &+ $1.rateLimiter!.rejected })
    }

    /// Histograms merged bucket by bucket, percentiles read from the merged histogram.
    static func latency(_ all: [DependencySnapshot]) -> LatencySnapshot {
        let count = sum(all) { $0.latency.count }
        var highest: Double?
        var lowest: Double?
        for dependency in all {
            if let value = dependency.latency.max { highest = Swift.max(highest ?? value, value) }
            if let value = dependency.latency.min { lowest = Swift.min(lowest ?? value, value) }
        }
        var merged = LatencySnapshot(
            count: count, windowMilliseconds: same(all) { $0.latency.windowMilliseconds }, min: lowest, max: highest)
        if let count, count > 0, all.allSatisfy({ $0.latency.mean != nil }) {
            merged.mean = all.reduce(0.0) { $0 + $1.latency.mean! * Double($1.latency.count ?? 0) } / Double(count)
        }
        guard all.allSatisfy({ $0.latency.buckets != nil }) else { return merged }
        let buckets = mergedBuckets(all.lazy.map { $0.latency.buckets! })
        merged.buckets = buckets
        // A quantile of the whole fleet lies between the instances' own values of it, so where every
        // instance knows its own, they bound the bucket estimate (coarse buckets interpolate loosely).
        func estimate(_ quantile: Double, _ own: (LatencySnapshot) -> Double?) -> Double? {
            guard let value = percentile(quantile, of: buckets, highest: highest) else { return nil }
            var low: Double?
            var high: Double?
            for dependency in all where (dependency.latency.count ?? 1) > 0 {
                guard let mine = own(dependency.latency) else { return value }
                low = Swift.min(low ?? mine, mine)
                high = Swift.max(high ?? mine, mine)
            }
            guard let low, let high else { return value }
            return Swift.min(high, Swift.max(low, value))
        }
        merged.p50 = estimate(0.5) { $0.p50 }
        merged.p90 = estimate(0.9) { $0.p90 }
        merged.p99 = estimate(0.99) { $0.p99 }
        merged.p999 = estimate(0.999) { $0.p999 }
        return merged
    }

    /// Buckets with the same upper bound added up, in order of bound, the unbounded one last.
    public static func mergedBuckets<Histograms: Sequence>(_ histograms: Histograms) -> [LatencyBucket]
    where Histograms.Element == [LatencyBucket] {
        var iterator = histograms.makeIterator()
        guard var merged = iterator.next() else { return [] }
        // Instances of one service share one layout: add bucket by bucket while the bounds agree.
        var rest: [[LatencyBucket]] = []
        while let histogram = iterator.next() {
            if histogram.count == merged.count
                && zip(histogram, merged).allSatisfy({ $0.upperBoundMilliseconds == $1.upperBoundMilliseconds })
            {
                for index in histogram.indices { merged[index].count &+= histogram[index].count }
            } else {
                rest.append(histogram)
            }
        }
        guard !rest.isEmpty else { return merged }
        var bounded: [Double: UInt64] = [:]
        var unbounded: UInt64 = 0
        var sawUnbounded = false
        for histogram in rest + [merged] {
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

    static func slo(_ all: [DependencySnapshot]) -> SLOSnapshot? {
        guard all.allSatisfy({ $0.slo != nil }), let target = same(all, { $0.slo!.targetSuccessRatio }) else {
            return nil
        }
        let calls = all.reduce(UInt64(0)) { $0 &+ $1.slo!.windowCalls }
        let ratio =
            calls == 0 ? 1 : all.reduce(0.0) { $0 + $1.slo!.successRatio * Double($1.slo!.windowCalls) } / Double(calls)
        let burn = target < 1 ? (1 - ratio) / (1 - target) : all.map(\.slo!.burnRate).max()!
        return SLOSnapshot(
            targetSuccessRatio: target, latencyTargetMilliseconds: same(all) { $0.slo!.latencyTargetMilliseconds },
            successRatio: ratio, burnRate: burn, windowCalls: calls)
    }

    /// The value every instance has, or `nil` when they differ or some do not know it.
    private static func same<T: Equatable>(_ all: [DependencySnapshot], _ value: (DependencySnapshot) -> T?) -> T? {
        guard let first = value(all[0]) else { return nil }
        for index in 1..<all.count where value(all[index]) != first { return nil }
        return first
    }

    /// The sum, or `nil` when some instance does not know its part.
    private static func sum<T: FixedWidthInteger>(_ all: [DependencySnapshot], _ value: (DependencySnapshot) -> T?)
        -> T?
    {
        var total: T = 0
        for index in all.indices {
            guard let part = value(all[index]) else { return nil }
            total &+= part
        }
        return total
    }

    private static func total<T: FixedWidthInteger>(_ all: [DependencySnapshot], _ value: (DependencySnapshot) -> T)
        -> T
    {
        var total: T = 0
        for index in all.indices { total &+= value(all[index]) }
        return total
    }
}
