/// Decides which answers count as failures, as Resilience4j's `recordResult` and `retryOnResult`
/// and Polly's `ShouldHandle` do: a `200` whose body says "try later", an empty page where a
/// full one was due.
///
/// A value it classifies is treated as the error it describes: the breaker counts it (unless
/// ``ErrorClassification/countsAsFailure`` is false), retry tries again if it is transient, the
/// fallbacks serve, and if none can, ``DependencyFailure/underlying`` is an
/// ``UnacceptableResult`` carrying the last value.
public struct ResultClassifier<Value: Sendable>: Sendable {
    @usableFromInline let body: @Sendable (Value) -> ErrorClassification?

    /// - Parameter body: `nil` for a value that is fine; else how to treat it.
    public init(_ body: @escaping @Sendable (Value) -> ErrorClassification?) {
        self.body = body
    }
}

/// A value a ``ResultClassifier`` refused, as an error the pipeline handles like any other.
public struct UnacceptableResult<Value: Sendable>: ResilienceClassifiedError, Sendable, CustomStringConvertible {
    /// The value the downstream answered with.
    public let value: Value
    public let resilienceClassification: ErrorClassification

    @inlinable
    public init(value: Value, classification: ErrorClassification) {
        self.value = value
        self.resilienceClassification = classification
    }

    public var description: String { "the downstream answered with a value classified as a failure: \(value)" }
}

extension Dependency {
    /// Calls the downstream through the pipeline, judging its answers with `classifier` as well as
    /// its errors (a hedged attempt's too). See ``execute(idempotent:cache:fallbacks:hedgingWith:_:)``
    /// for the rest.
    @inlinable
    public func execute<Value: Sendable>(
        idempotent: Bool = false,
        cache: CacheAside<Value>? = nil,
        fallbacks: [Fallback<Value>] = [],
        hedgingWith alternates: [@Sendable () async throws -> Value] = [],
        classifyingResults classifier: ResultClassifier<Value>,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Outcome<Value> {
        @Sendable func judged(_ body: @escaping @Sendable () async throws -> Value)
            -> @Sendable () async throws -> Value
        {
            {
                let value = try await body()
                if let classification = classifier.body(value) {
                    throw UnacceptableResult(value: value, classification: classification)
                }
                return value
            }
        }
        return try await execute(
            idempotent: idempotent, cache: cache, fallbacks: fallbacks, hedgingWith: alternates.map(judged),
            judged(operation))
    }
}
