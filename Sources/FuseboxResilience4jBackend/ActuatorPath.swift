/// The actuator endpoints the backend reads, and whether a poll can do without each.
enum ActuatorPath: String, Sendable, CaseIterable {
    case circuitBreakers = "/circuitbreakers"
    case circuitBreakerEvents = "/circuitbreakerevents"
    case retries = "/retries"
    case retryEvents = "/retryevents"
    case bulkheads = "/bulkheads"
    case rateLimiters = "/ratelimiters"

    /// Only the breakers are essential: the others are often not enabled (HTTP 404), and then
    /// what they would tell stays unknown.
    var isEssential: Bool { self == .circuitBreakers }

    /// What a message calls the endpoint's answer: `circuit breakers`, `retry events`.
    var noun: String {
        switch self {
        case .circuitBreakers: return "circuit breakers"
        case .circuitBreakerEvents: return "circuit breaker events"
        case .retries: return "retries"
        case .retryEvents: return "retry events"
        case .bulkheads: return "bulkheads"
        case .rateLimiters: return "rate limiters"
        }
    }
}
