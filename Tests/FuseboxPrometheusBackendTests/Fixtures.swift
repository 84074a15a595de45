import Foundation

@testable import FuseboxPrometheusBackend

/// Prometheus answers in the shapes `/api/v1/query` really gives.
enum Fixtures {
    static let time = 1_700_000_000.25

    /// One vector series as Prometheus writes it.
    static func series(_ labels: [String: String], _ value: String, at time: Double = time) -> String {
        let pairs = labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
        return "{\"metric\":{\(pairs.joined(separator: ","))},\"value\":[\(time),\"\(value)\"]}"
    }

    static func vector(_ series: [String]) -> String {
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[\(series.joined(separator: ","))]}}"
    }

    static func samples(_ body: String) throws -> [VectorSample] {
        try PrometheusResponse.samples(from: Data(body.utf8))
    }

    /// `fusebox_*` labels for one dependency of one target.
    static func fusebox(
        _ name: String, job: String = "checkout", instance: String = "10.0.0.1:9901", dependency: String = "payments",
        _ extra: [String: String] = [:]
    ) -> [String: String] {
        var labels = ["job": job, "instance": instance, "dependency": dependency]
        if !name.isEmpty { labels["__name__"] = name }
        return labels.merging(extra) { $1 }
    }

    /// `resilience4j_*` labels for one breaker of one target.
    static func r4j(
        _ name: String, job: String = "orders", instance: String = "10.0.0.9:8080", breaker: String = "inventory",
        _ extra: [String: String] = [:]
    ) -> [String: String] {
        var labels = ["job": job, "instance": instance, "name": breaker]
        if !name.isEmpty { labels["__name__"] = name }
        return labels.merging(extra) { $1 }
    }

    /// A realistic refresh: two Fusebox instances of one job (one breaker open) and one Resilience4j service.
    static let states = vector([
        series(fusebox("fusebox_breaker_state", ["state": "closed"]), "1"),
        series(fusebox("fusebox_breaker_state", instance: "10.0.0.2:9901", ["state": "open"]), "1"),
        series(fusebox("fusebox_breaker_state", dependency: "search", ["state": "closed"]), "1"),
        series(r4j("resilience4j_circuitbreaker_state", ["state": "half_open"]), "1"),
    ])

    static let values = vector([
        series(fusebox("fusebox_calls_total", ["outcome": "success"]), "90"),
        series(fusebox("fusebox_calls_total", ["outcome": "failure"]), "7"),
        series(fusebox("fusebox_calls_total", ["outcome": "bypassed"]), "1"),
        series(fusebox("fusebox_rejections_total", ["reason": "bulkhead-full"]), "2"),
        series(fusebox("fusebox_attempts_total"), "110"),
        series(fusebox("fusebox_retries_total"), "13"),
        series(fusebox("fusebox_bulkhead_max_concurrent"), "8"),
        series(fusebox("fusebox_bulkhead_in_flight"), "3"),
        series(
            fusebox("fusebox_fallbacks_total", ["fallback": "cache", "kind": "stale-cache", "reason": "breaker-open"]),
            "4"),
        series(fusebox("fusebox_calls_total", instance: "10.0.0.2:9901", ["outcome": "failure"]), "50"),
        series(fusebox("fusebox_rejections_total", instance: "10.0.0.2:9901", ["reason": "breaker-open"]), "30"),
        series(fusebox("fusebox_calls_total", dependency: "ghost", ["outcome": "success"]), "5"),
        series(r4j("resilience4j_circuitbreaker_calls_seconds_count", ["kind": "successful"]), "40"),
        series(r4j("resilience4j_circuitbreaker_calls_seconds_count", ["kind": "failed"]), "10"),
        series(r4j("resilience4j_circuitbreaker_calls_seconds_count", ["kind": "ignored"]), "2"),
        series(r4j("resilience4j_circuitbreaker_not_permitted_calls_total", ["kind": "not_permitted"]), "6"),
        series(r4j("resilience4j_circuitbreaker_failure_rate"), "20.5"),
        series(r4j("resilience4j_circuitbreaker_slow_call_rate"), "-1"),
        series(r4j("resilience4j_retry_calls_total", ["kind": "successful_with_retry"]), "3"),
        series(r4j("resilience4j_retry_calls_total", ["kind": "failed_with_retry"]), "1"),
        series(r4j("resilience4j_bulkhead_max_allowed_concurrent_calls"), "10"),
        series(r4j("resilience4j_bulkhead_available_concurrent_calls"), "7"),
    ])

    /// `increase(...[1m])` drops the metric name: buckets have `le`, the sum has none.
    static let latency = vector([
        series(fusebox("", ["le": "0.05"]), "10"),
        series(fusebox("", ["le": "0.1"]), "60"),
        series(fusebox("", ["le": "0.25"]), "99.6"),
        series(fusebox("", ["le": "+Inf"]), "100"),
        series(fusebox(""), "9.5"),
        series(r4j("", ["kind": "successful", "le": "0.1"]), "NaN"),
        series(r4j("", ["kind": "successful", "le": "+Inf"]), "3"),
        series(r4j("", ["kind": "failed", "le": "+Inf"]), "1"),
    ])
}
