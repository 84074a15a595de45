/// One line on what each of the runtime's swift-metrics measures, for exporters that show help
/// text (Prometheus's `# HELP`). swift-metrics itself carries no help, so an exporter looks the
/// label up here.
public enum FuseboxMetricHelp {
    /// Help text by metric label.
    public static let byLabel: [String: String] = [
        "fusebox_calls_total": "Calls through a dependency's pipeline by outcome (success, failure, bypassed).",
        "fusebox_rejections_total": "Calls turned away before reaching the dependency, by reason.",
        "fusebox_attempts_total": "Attempts made on a dependency, first tries and retries.",
        "fusebox_retries_total": "Retries made on a dependency.",
        "fusebox_retry_budget_denied_total": "Retries the retry budget refused.",
        "fusebox_late_results_discarded_total":
            "Results that came after a pessimistic time limit had answered, and were discarded.",
        "fusebox_fallbacks_total": "Fallback activations by fallback, kind and reason.",
        "fusebox_attempt_duration_seconds": "Duration of each attempt on a dependency.",
        "fusebox_breaker_state": "1 for the circuit breaker's current state, 0 for the others.",
        "fusebox_breaker_state_code":
            "The circuit breaker's state as a number: 0 closed, 1 open, 2 half-open, 3 forced-open, 4 disabled, "
            + "5 recovering.",
        "fusebox_bulkhead_in_flight": "Calls running inside the dependency's bulkhead.",
        "fusebox_bulkhead_waiting": "Calls waiting for a bulkhead permit.",
        "fusebox_bulkhead_max_concurrent": "The bulkhead's limit on concurrent calls.",
        "fusebox_rate_limiter_available_tokens": "Tokens left in the dependency's rate limiter.",
        "fusebox_slo_burn_rate": "How fast the dependency spends its error budget (1 spends it exactly).",
        "fusebox_slo_success_ratio": "Share of calls in the SLO window that succeeded within the latency target.",
        "fusebox_flag_value":
            "A feature flag's value: 1 or 0 for boolean flags, the share for percentage flags, the level's "
            + "index (0 normal, 1 reduced, 2 read-only) for the degradation flag.",
    ]
}
