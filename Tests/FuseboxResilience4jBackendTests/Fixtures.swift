import FuseboxBackend
import FuseboxTestSupport
import Testing

/// An actuator with one breaker in each interesting state, events in each `creationTime` form,
/// and retries, bulkheads and rate limiters named after some breakers.
func incidentActuator() -> StandInActuator {
    var state = StandInActuator.State()
    state.breakers = [
        "payments": .init(
            state: "OPEN", failureRate: "66.666664%", slowCallRate: "0.0%", bufferedCalls: 6, failedCalls: 4,
            notPermittedCalls: 17),
        "search": .init(state: "CLOSED", failureRate: "-1.0%", slowCallRate: "-1.0%", bufferedCalls: 3, failedCalls: 1),
        "inventory": .init(state: "HALF_OPEN", failureRate: "-1.0%", slowCallRate: "-1.0%", notPermittedCalls: 2),
        "legacy": .init(
            state: "METRICS_ONLY", failureRate: "53.84%", slowCallRate: "7.6923075%", bufferedCalls: 13,
            failedCalls: 7, slowCalls: 1),
    ]
    state.breakerEvents = [
        StandInActuator.callEvent("payments", "SUCCESS", at: "2026-11-29T08:29:59.5Z[Etc/UTC]"),
        StandInActuator.callEvent(
            "payments", "ERROR", at: "2026-11-29T08:30Z[Etc/UTC]", error: "java.io.IOException: BAM!"),
        StandInActuator.transitionEvent(
            "payments", "CLOSED_TO_OPEN", at: "2026-11-29T09:30:22.536+01:00[Europe/Paris]"),
        StandInActuator.callEvent("payments", "NOT_PERMITTED", at: "2026-11-29T08:30:22.600123Z[Etc/UTC]"),
        StandInActuator.transitionEvent(
            "inventory", "OPEN_TO_HALF_OPEN", at: "2026-11-29T08:30:25.000000001Z[Etc/UTC]"),
    ]
    state.clock = 30
    state.retries = ["payments", "orphan"]
    state.retryEvents = [
        StandInActuator.retryEvent("payments", "RETRY", attempts: 1, at: "2026-11-29T08:29:58.1Z[Etc/UTC]"),
        StandInActuator.retryEvent("payments", "RETRY", attempts: 2, at: "2026-11-29T08:29:58.2Z[Etc/UTC]"),
        StandInActuator.retryEvent("payments", "ERROR", attempts: 3, at: "2026-11-29T08:29:58.3Z[Etc/UTC]"),
        StandInActuator.retryEvent("payments", "SUCCESS", attempts: 1, at: "2026-11-29T08:29:58.4Z[Etc/UTC]"),
    ]
    state.bulkheads = ["payments"]
    state.rateLimiters = ["search"]
    return StandInActuator(state)
}

/// 2026-11-29T08:30:00Z in milliseconds since the epoch.
let halfPastEight: Int64 = 1_795_941_000_000
