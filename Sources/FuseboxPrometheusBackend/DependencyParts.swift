import FuseboxProtocol

/// What the metrics say about one dependency of one instance, gathered sample by sample.
struct DependencyParts {
    /// Which exporter the series come from.
    enum Family {
        case fusebox, resilience4j

        /// The label that names the dependency.
        var nameLabel: String { self == .fusebox ? "dependency" : "name" }
    }

    let family: Family
    private(set) var state: BreakerState = .closed
    private var hasState = false
    private var counts: [String: UInt64] = [:]
    private var rejectedByReason: [RejectionReason: UInt64] = [:]
    private var fallbacks: [FallbackActivationCount] = []
    private var failureRate: Double?
    private var slowCallRate: Double?
    private var gauges: [String: Double] = [:]
    /// Cumulative counts by upper bound in seconds (`+Inf` included), summed over Resilience4j's kinds.
    private var buckets: [Double: Double] = [:]
    private var latencySum: Double?

    init(family: Family) {
        self.family = family
    }

    /// A state series at 1. Should two be at 1 (a scrape caught mid-transition), the one furthest
    /// from closed wins, so a trip is never hidden.
    mutating func observe(_ state: BreakerState) {
        let rank = BreakerState.allCases.firstIndex(of: state) ?? 0
        if !hasState || rank > (BreakerState.allCases.firstIndex(of: self.state) ?? 0) { self.state = state }
        hasState = true
    }

    mutating func record(_ metric: String, _ labels: [String: String], _ value: Double) {
        switch metric {
        case "fusebox_calls_total":
            if let outcome = labels["outcome"] {
                counts["calls." + outcome] = Self.add(counts["calls." + outcome] ?? 0, Self.count(value))
            }
        case "fusebox_rejections_total":
            if let reason = labels["reason"].flatMap(RejectionReason.init) {
                rejectedByReason[reason] = Self.add(rejectedByReason[reason] ?? 0, Self.count(value))
            }
        case "fusebox_fallbacks_total":
            if let fallback = labels["fallback"], let kind = labels["kind"].flatMap(FallbackKind.init),
                let reason = labels["reason"].flatMap(FallbackReason.init)
            {
                fallbacks.append(
                    FallbackActivationCount(fallback: fallback, kind: kind, reason: reason, count: Self.count(value)))
            }
        case "fusebox_attempts_total", "fusebox_retries_total", "fusebox_retry_budget_denied_total",
            "resilience4j_circuitbreaker_not_permitted_calls_total":
            counts[metric] = Self.add(counts[metric] ?? 0, Self.count(value))
        case "resilience4j_circuitbreaker_calls_seconds_count", "resilience4j_retry_calls_total":
            if let kind = labels["kind"] {
                counts[metric + "." + kind] = Self.add(counts[metric + "." + kind] ?? 0, Self.count(value))
            }
        case "resilience4j_circuitbreaker_failure_rate":
            failureRate = Self.percent(value)
        case "resilience4j_circuitbreaker_slow_call_rate":
            slowCallRate = Self.percent(value)
        case "fusebox_bulkhead_in_flight", "fusebox_bulkhead_waiting", "fusebox_bulkhead_max_concurrent",
            "resilience4j_bulkhead_available_concurrent_calls", "resilience4j_bulkhead_max_allowed_concurrent_calls":
            if value.isFinite { gauges[metric] = value }
        default:
            break
        }
    }

    /// A bucket's increase over the window (`le` in seconds), or the sum's when `le` is absent.
    mutating func recordLatency(_ le: String?, _ value: Double) {
        guard value.isFinite else { return }
        let increase = Swift.max(0, value)
        guard let le else {
            latencySum = (latencySum ?? 0) + increase
            return
        }
        guard let bound = PrometheusResponse.number(le), !bound.isNaN, bound >= 0 else { return }
        buckets[bound, default: 0] += increase
    }

    func snapshot(name: String) -> DependencySnapshot {
        DependencySnapshot(
            name: name, criticality: .degradable, metadata: [:],
            breaker: BreakerSnapshot(state: state, failureRate: failureRate, slowCallRate: slowCallRate),
            calls: calls, retry: retry,
            fallbacks: FallbackSnapshot(
                chain: [],
                activations: fallbacks.sorted { ($0.fallback, $0.reason.rawValue) < ($1.fallback, $1.reason.rawValue) },
                unserved: 0, maxStalenessMilliseconds: nil),
            bulkhead: bulkhead, rateLimiter: nil, latency: latency, slo: nil)
    }

    private var calls: CallCounts {
        switch family {
        case .fusebox:
            let successes = counts["calls.success", default: 0]
            let failures = counts["calls.failure", default: 0]
            let bypassed = counts["calls.bypassed", default: 0]
            let rejected = rejectedByReason.values.reduce(0, Self.add)
            return CallCounts(
                calls: [successes, failures, bypassed, rejected].reduce(0, Self.add), successes: successes,
                failures: failures, rejected: rejected, bypassed: bypassed, rejectedByReason: rejectedByReason)
        case .resilience4j:
            // An ignored exception counts neither for nor against the breaker: it is not a failure.
            let base = "resilience4j_circuitbreaker_calls_seconds_count."
            let successes = Self.add(counts[base + "successful", default: 0], counts[base + "ignored", default: 0])
            let failures = counts[base + "failed", default: 0]
            let rejected = counts["resilience4j_circuitbreaker_not_permitted_calls_total", default: 0]
            return CallCounts(
                calls: [successes, failures, rejected].reduce(0, Self.add), successes: successes, failures: failures,
                rejected: rejected, rejectedByReason: [.breakerOpen: rejected])
        }
    }

    private var retry: RetrySnapshot {
        switch family {
        case .fusebox:
            return RetrySnapshot(
                attempts: counts["fusebox_attempts_total", default: 0],
                retries: counts["fusebox_retries_total", default: 0],
                budgetDenied: counts["fusebox_retry_budget_denied_total", default: 0])
        case .resilience4j:
            let base = "resilience4j_retry_calls_total."
            guard counts.keys.contains(where: { $0.hasPrefix(base) }) else { return .unknown }
            return RetrySnapshot(
                successesAfterRetry: counts[base + "successful_with_retry", default: 0],
                exhausted: counts[base + "failed_with_retry", default: 0])
        }
    }

    private var bulkhead: BulkheadSnapshot? {
        switch family {
        case .fusebox:
            guard let limit = gauges["fusebox_bulkhead_max_concurrent"], limit >= 1 else { return nil }
            return BulkheadSnapshot(
                maxConcurrent: Self.int(limit), inFlight: Self.int(gauges["fusebox_bulkhead_in_flight"] ?? 0),
                waiting: Self.int(gauges["fusebox_bulkhead_waiting"] ?? 0), maxWaiting: 0,
                rejected: rejectedByReason[.bulkheadFull] ?? 0)
        case .resilience4j:
            guard let limit = gauges["resilience4j_bulkhead_max_allowed_concurrent_calls"], limit >= 1 else {
                return nil
            }
            let available = gauges["resilience4j_bulkhead_available_concurrent_calls"] ?? limit
            return BulkheadSnapshot(
                maxConcurrent: Self.int(limit), inFlight: Swift.max(0, Self.int(limit - available)), waiting: 0,
                maxWaiting: 0, rejected: 0)
        }
    }

    private var latency: LatencySnapshot {
        guard !buckets.isEmpty else { return .unknown }
        let scale = 1000.0  // seconds to milliseconds
        var result: [LatencyBucket] = []
        var previous = 0.0
        for bound in buckets.keys.sorted() {
            // Cumulative counts may dip by extrapolation noise: never a negative bucket.
            let cumulative = Swift.max(previous, buckets[bound] ?? 0)
            result.append(
                LatencyBucket(
                    upperBoundMilliseconds: bound.isInfinite ? nil : bound * scale,
                    count: Self.count(cumulative.rounded() - previous.rounded())))
            previous = cumulative
        }
        let count = result.reduce(0) { Self.add($0, $1.count) }
        let mean = latencySum.flatMap { sum in count > 0 ? sum * scale / Double(count) : nil }
        return LatencySnapshot(
            count: count, windowMilliseconds: PrometheusQuery.latencyWindow.milliseconds, mean: mean,
            p50: Percentiles.value(0.5, of: result), p90: Percentiles.value(0.9, of: result),
            p99: Percentiles.value(0.99, of: result), p999: Percentiles.value(0.999, of: result), buckets: result)
    }

    /// A counter's value as a count: rounded, and 0 for what no counter can hold (NaN, negative).
    static func count(_ value: Double) -> UInt64 {
        guard value.isFinite, value > 0 else { return 0 }
        return value >= 1.8e19 ? 1 << 63 : UInt64(value.rounded())
    }

    private static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    private static func int(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        return Int(Swift.min(Swift.max(value.rounded(), -1e9), 1e9))
    }

    /// A Resilience4j rate: percent, with -1 (too few calls yet) and anything outside 0...100 unknown.
    private static func percent(_ value: Double) -> Double? {
        (0...100).contains(value) ? value : nil
    }
}
