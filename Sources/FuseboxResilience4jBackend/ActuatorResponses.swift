// The actuator's answers as Resilience4j 2.x serves them (resilience4j-framework-common,
// `*EndpointResponse`, `CircuitBreakerDetails`, `*EventDTO`). Every field the Java side marks
// `@Nullable`, and every one a future version might drop, is optional here.

/// `GET /circuitbreakers`: `{"circuitBreakers": {"name": {...}}}`.
struct CircuitBreakersResponse: Decodable, Hashable {
    var circuitBreakers: [String: CircuitBreakerDetails]?
}

/// One breaker in `GET /circuitbreakers`. Rates are strings (`"53.84%"`, `"-1.0%"` while too few
/// calls were recorded); counts are those of the breaker's current window, except
/// `notPermittedCalls`, which counts rejections since the breaker last changed state.
struct CircuitBreakerDetails: Decodable, Hashable {
    var failureRate: String?
    var slowCallRate: String?
    var failureRateThreshold: String?
    var slowCallRateThreshold: String?
    var bufferedCalls: Int?
    var failedCalls: Int?
    var slowCalls: Int?
    var slowFailedCalls: Int?
    var notPermittedCalls: Int64?
    /// `CLOSED`, `OPEN`, `HALF_OPEN`, `FORCED_OPEN`, `DISABLED`, `METRICS_ONLY`.
    var state: String?
}

/// `GET /circuitbreakerevents`: every breaker's buffered events, oldest first.
struct CircuitBreakerEventsResponse: Decodable, Hashable {
    var circuitBreakerEvents: [CircuitBreakerEventDTO]?
}

/// One buffered breaker event; the fields a type does not use are `null`.
struct CircuitBreakerEventDTO: Decodable, Hashable {
    var circuitBreakerName: String?
    /// `SUCCESS`, `ERROR`, `IGNORED_ERROR`, `NOT_PERMITTED`, `STATE_TRANSITION`, `RESET`,
    /// `FAILURE_RATE_EXCEEDED`, `SLOW_CALL_RATE_EXCEEDED` (and `DISABLED`, `FORCED_OPEN` in older versions).
    var type: String?
    /// A Java `ZonedDateTime`'s `toString()`; see ``JavaDateTime``.
    var creationTime: String?
    /// The exception's `toString()`.
    var errorMessage: String?
    var durationInMs: Int64?
    /// `CLOSED_TO_OPEN` and the like.
    var stateTransition: String?
}

/// `GET /retries`: the retries' names.
struct RetriesResponse: Decodable, Hashable {
    var retries: [String]?
}

/// `GET /retryevents`: every retry's buffered events, oldest first.
struct RetryEventsResponse: Decodable, Hashable {
    var retryEvents: [RetryEventDTO]?
}

/// One buffered retry event.
struct RetryEventDTO: Decodable, Hashable {
    var retryName: String?
    /// `RETRY` (an attempt failed and will be retried), `ERROR` (every attempt failed), `SUCCESS`
    /// (a call succeeded after retries), `IGNORED_ERROR` (an error that is not retried).
    var type: String?
    var creationTime: String?
    var errorMessage: String?
    var numberOfAttempts: Int?
}

/// `GET /bulkheads`: the bulkheads' names.
struct BulkheadsResponse: Decodable, Hashable {
    var bulkheads: [String]?
}

/// `GET /ratelimiters`: the rate limiters' names.
struct RateLimitersResponse: Decodable, Hashable {
    var rateLimiters: [String]?
}

/// `POST /circuitbreakers/{name}`'s answer.
struct CircuitBreakerUpdateStateResponse: Decodable, Hashable {
    var circuitBreakerName: String?
    /// The breaker's state after the change, as `CircuitBreaker.State.toString()`.
    var currentState: String?
    var message: String?
}

/// `POST /circuitbreakers/{name}`'s body: `{"updateState": "FORCE_OPEN"}`.
struct UpdateStateRequest: Encodable, Hashable {
    /// The only three values the actuator accepts.
    enum UpdateState: String, Encodable {
        case close = "CLOSE"
        case forceOpen = "FORCE_OPEN"
        case disable = "DISABLE"
    }

    var updateState: UpdateState
}
