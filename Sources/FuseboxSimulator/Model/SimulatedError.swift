public import Fusebox

/// What a simulated downstream fails with; classifies itself for the breaker and the retry policy.
public enum SimulatedError: Error, Sendable, Hashable, ResilienceClassifiedError, CustomStringConvertible {
    /// A 503: transient.
    case unavailable
    /// A 400: permanent, and still the downstream's failure.
    case badRequest
    /// A 429 with a retry-after hint: transient, retried no sooner than the hint.
    case rejected(retryAfterMilliseconds: Double)

    public var resilienceClassification: ErrorClassification {
        switch self {
        case .unavailable: return .transient
        case .badRequest: return .permanent
        case .rejected(let retryAfter):
            return ErrorClassification(
                countsAsFailure: true, isTransient: true, retryAfter: .milliseconds(Int64(retryAfter.rounded())))
        }
    }

    public var description: String {
        switch self {
        case .unavailable: return "503 service unavailable"
        case .badRequest: return "400 bad request"
        case .rejected(let retryAfter): return "429 too many requests (retry after \(Int(retryAfter)) ms)"
        }
    }
}
