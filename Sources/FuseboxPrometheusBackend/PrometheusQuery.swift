/// The instant queries one refresh runs, concurrently: a handful, whatever the fleet's size.
enum PrometheusQuery: CaseIterable, Sendable {
    /// The current breaker state of every dependency: only the series at 1, one per dependency.
    case states
    /// Counters and gauges. Fusebox's are filtered to non-zero values (a missing counter of a
    /// dependency that has a state is 0), which keeps idle fleets' answers small.
    case values
    /// Latency histogram buckets (and Fusebox's sum) over the last ``latencyWindow``.
    case latency
    /// Scrape targets that are down, whose last snapshots are kept and shown as stale.
    case down
    /// When each target was last scraped: asked first, and when no target has been scraped since
    /// the last refresh, the other queries are not asked at all (their answers would be the same).
    case scraped

    /// The window of ``latency``, in PromQL and in milliseconds.
    static let latencyWindow = (promql: "1m", milliseconds: Int64(60_000))

    /// The PromQL expression.
    var promql: String {
        switch self {
        case .states:
            return #"{__name__=~"fusebox_breaker_state|resilience4j_circuitbreaker_state"} == 1"#
        case .values:
            return #"({__name__=~"fusebox_(calls|rejections|attempts|retries|retry_budget_denied|fallbacks)_total"#
                + #"|fusebox_bulkhead_(in_flight|waiting|max_concurrent)"} != 0)"#
                + #" or {__name__=~"resilience4j_circuitbreaker_(failure_rate|slow_call_rate|calls_seconds_count"#
                + #"|not_permitted_calls_total)|resilience4j_retry_calls_total"#
                + #"|resilience4j_bulkhead_(available|max_allowed)_concurrent_calls"}"#
        case .latency:
            return #"increase({__name__=~"fusebox_attempt_duration_seconds_(bucket|sum)"#
                + #"|resilience4j_circuitbreaker_calls_seconds_(bucket|sum)"}["# + Self.latencyWindow.promql + "])"
        case .down:
            return "up == 0"
        case .scraped:
            return #"max by (job, instance) (timestamp({__name__=~"fusebox_breaker_state_code"#
                + #"|resilience4j_circuitbreaker_state"}))"#
        }
    }

    /// What the query reads, for messages: `could not read breaker states: ...`.
    var purpose: String {
        switch self {
        case .states: return "breaker states"
        case .values: return "counters and gauges"
        case .latency: return "latency histograms"
        case .down: return "which targets are down"
        case .scraped: return "scrape times"
        }
    }
}
