/// How the resilience policies treat an error.
public struct ErrorClassification: Sendable, Hashable {
    /// Whether the circuit breaker counts the error as a failure (`false`: ignored, like a 404).
    public var countsAsFailure: Bool
    /// Whether a retry may succeed (a timeout, a 503) rather than fail the same way (a 400).
    public var isTransient: Bool
    /// How long the downstream asked us to wait before retrying, if it said.
    public var retryAfter: Duration?

    public init(countsAsFailure: Bool = true, isTransient: Bool = true, retryAfter: Duration? = nil) {
        self.countsAsFailure = countsAsFailure
        self.isTransient = isTransient
        self.retryAfter = retryAfter
    }

    /// A failure worth retrying.
    public static let transient = ErrorClassification(countsAsFailure: true, isTransient: true)
    /// A failure that will not go away on retry.
    public static let permanent = ErrorClassification(countsAsFailure: true, isTransient: false)
    /// Not the downstream's fault: neither counted by the breaker nor retried.
    public static let ignored = ErrorClassification(countsAsFailure: false, isTransient: false)
}

/// An error that knows how the resilience policies should treat it. Adopt it on your client's
/// error type to mark permanent errors or carry a retry-after hint.
public protocol ResilienceClassifiedError: Error {
    var resilienceClassification: ErrorClassification { get }
}

/// Decides how the breaker and retry treat each error.
public struct ErrorClassifier: Sendable {
    private let body: @Sendable (any Error) -> ErrorClassification

    /// Classifies with `body`, which is consulted only for errors that do not adopt ``ResilienceClassifiedError``.
    public init(_ body: @escaping @Sendable (any Error) -> ErrorClassification) {
        self.body = body
    }

    /// ``ResilienceClassifiedError`` says for itself; cancellation is ignored; timeouts and all other
    /// errors are transient failures.
    public static let `default` = ErrorClassifier { _ in .transient }

    public func classify(_ error: any Error) -> ErrorClassification {
        if let classified = error as? any ResilienceClassifiedError { return classified.resilienceClassification }
        if error is CancellationError { return .ignored }
        if error is TimeoutError { return .transient }
        return body(error)
    }
}
