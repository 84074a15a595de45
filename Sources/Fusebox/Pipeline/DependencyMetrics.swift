import CoreMetrics
import FuseboxProtocol
import Synchronization

/// The swift-metrics handles of one dependency, created once so the hot path never goes through
/// the metrics factory. The application chooses the backend; until it does, these cost nothing.
final class DependencyMetrics: Sendable {
    let successes: Counter
    let failures: Counter
    let bypassed: Counter
    let rejected: [Counter]
    let attempts: Counter
    let retries: Counter
    let budgetDenied: Counter
    let lateResultsDiscarded: Counter
    let latency: CoreMetrics.Timer
    let breakerStateCode: Gauge
    /// One gauge per state, 1 for the current one and 0 for the others (as Resilience4j exports it).
    let breakerStates: [Gauge]
    let bulkheadInFlight: Gauge
    let bulkheadWaiting: Gauge
    let bulkheadMaxConcurrent: Gauge
    let rateLimiterAvailable: Gauge
    let sloBurnRate: Gauge
    let sloSuccessRatio: Gauge
    /// Whether the application bootstrapped a metrics backend before this dependency was made.
    /// Handles made before that stay no-ops for good, so the hot path skips them altogether.
    let reportsToBackend: Bool
    private let dependency: String
    private let fallbackCounters = FuseboxMutex<[FallbackKey: Counter]>([:])

    init(dependency: String) {
        self.dependency = dependency
        reportsToBackend = !(MetricsSystem.factory is NOOPMetricsHandler)
        let name = [("dependency", dependency)]
        successes = Counter(label: "fusebox_calls_total", dimensions: name + [("outcome", "success")])
        failures = Counter(label: "fusebox_calls_total", dimensions: name + [("outcome", "failure")])
        bypassed = Counter(label: "fusebox_calls_total", dimensions: name + [("outcome", "bypassed")])
        rejected = CallRejection.allCases.map {
            Counter(label: "fusebox_rejections_total", dimensions: name + [("reason", $0.label)])
        }
        attempts = Counter(label: "fusebox_attempts_total", dimensions: name)
        retries = Counter(label: "fusebox_retries_total", dimensions: name)
        budgetDenied = Counter(label: "fusebox_retry_budget_denied_total", dimensions: name)
        lateResultsDiscarded = Counter(label: "fusebox_late_results_discarded_total", dimensions: name)
        latency = CoreMetrics.Timer(label: "fusebox_attempt_duration_seconds", dimensions: name)
        breakerStateCode = Gauge(label: "fusebox_breaker_state_code", dimensions: name)
        breakerStates = BreakerState.allCases.map {
            Gauge(label: "fusebox_breaker_state", dimensions: name + [("state", $0.rawValue)])
        }
        bulkheadInFlight = Gauge(label: "fusebox_bulkhead_in_flight", dimensions: name)
        bulkheadWaiting = Gauge(label: "fusebox_bulkhead_waiting", dimensions: name)
        bulkheadMaxConcurrent = Gauge(label: "fusebox_bulkhead_max_concurrent", dimensions: name)
        rateLimiterAvailable = Gauge(label: "fusebox_rate_limiter_available_tokens", dimensions: name)
        sloBurnRate = Gauge(label: "fusebox_slo_burn_rate", dimensions: name)
        sloSuccessRatio = Gauge(label: "fusebox_slo_success_ratio", dimensions: name)
    }

    /// Sets the state gauges: the numeric code, and 1 for `state`'s series and 0 for the others.
    func recordState(_ state: BreakerState) {
        breakerStateCode.record(Self.code(state))
        for (index, candidate) in BreakerState.allCases.enumerated() {
            breakerStates[index].record(candidate == state ? 1 : 0)
        }
    }

    /// Sets the gauges that describe a level rather than count events, from a fresh snapshot.
    func publishLevels(_ snapshot: DependencySnapshot) {
        if let bulkhead = snapshot.bulkhead {
            bulkheadInFlight.record(bulkhead.inFlight)
            bulkheadWaiting.record(bulkhead.waiting)
            bulkheadMaxConcurrent.record(bulkhead.maxConcurrent)
        }
        if let limiter = snapshot.rateLimiter { rateLimiterAvailable.record(limiter.availableTokens) }
        if let slo = snapshot.slo {
            sloBurnRate.record(slo.burnRate)
            sloSuccessRatio.record(slo.successRatio)
        }
    }

    func fallback(_ key: FallbackKey) -> Counter {
        fallbackCounters.withLock { cache in
            if let counter = cache[key] { return counter }
            let counter = Counter(
                label: "fusebox_fallbacks_total",
                dimensions: [
                    ("dependency", dependency), ("fallback", key.name), ("kind", key.kind.rawValue),
                    ("reason", key.reason.rawValue),
                ])
            cache[key] = counter
            return counter
        }
    }

    /// The numeric code a `fusebox_breaker_state` gauge reports (documented in docs/runtime.md).
    static func code(_ state: BreakerState) -> Int {
        switch state {
        case .closed: return 0
        case .open: return 1
        case .halfOpen: return 2
        case .forcedOpen: return 3
        case .disabled: return 4
        case .recovering: return 5
        }
    }
}
