public import FuseboxProtocol

/// What a fallback knows about why it is asked to serve.
public struct FallbackContext: Sendable {
    public let dependency: String
    public let reason: FallbackReason
    /// The primary's last error, if it ran and failed.
    public let error: (any Error)?

    @usableFromInline
    init(dependency: String, reason: FallbackReason, error: (any Error)?) {
        self.dependency = dependency
        self.reason = reason
        self.error = error
    }
}

/// One link of a dependency's fallback chain. Fallbacks are tried in order; one that returns
/// `nil` or throws passes the call to the next.
///
/// ```swift
/// let outcome = try await recommendations.execute(fallbacks: [
///     .staleCache(cache, key: userID, maxStaleness: .seconds(600)),
///     .staticDefault(Recommendations.bestsellers).bound(to: staticFlag),
/// ]) { try await client.recommendations(for: userID) }
/// ```
public struct Fallback<Value: Sendable>: Sendable {
    /// What a fallback hands back: a value and, for cached data, how old it is.
    public struct Served: Sendable {
        public let value: Value
        public let stalenessNanoseconds: UInt64?

        public init(_ value: Value, stalenessNanoseconds: UInt64? = nil) {
            self.value = value
            self.stalenessNanoseconds = stalenessNanoseconds
        }
    }

    public let name: String
    public let kind: FallbackKind
    /// While this flag is on, the fallback serves in place of the primary (reason ``FallbackReason/flag``).
    public private(set) var flag: FeatureFlag?
    @usableFromInline let body: @Sendable (FallbackContext) async throws -> Served?

    public init(
        name: String, kind: FallbackKind, body: @escaping @Sendable (FallbackContext) async throws -> Served?
    ) {
        self.name = name
        self.kind = kind
        self.body = body
    }

    /// The same fallback, also switched on by `flag` regardless of the primary's health.
    public func bound(to flag: FeatureFlag) -> Fallback {
        var copy = self
        copy.flag = flag
        return copy
    }

    /// A value from `cache` under `key`, if it is no older than the store's TTL plus stale-if-error and `maxStaleness`.
    public static func staleCache(
        _ cache: CacheStore<Value>, key: String, maxStaleness: Duration? = nil, name: String = "stale-cache"
    ) -> Fallback {
        Fallback(name: name, kind: .staleCache) { _ in
            guard let entry = cache.usableWhenFailing(key, maxStaleness: maxStaleness) else { return nil }
            return Served(entry.value, stalenessNanoseconds: entry.ageNanoseconds(at: cache.clockNow()))
        }
    }

    /// A fixed value that is always safe.
    public static func staticDefault(_ value: Value, name: String = "static-default") -> Fallback {
        Fallback(name: name, kind: .staticDefault) { _ in Served(value) }
    }

    /// A value that assumes the check would have passed (e.g. "not fraudulent").
    public static func optimisticDefault(_ value: Value, name: String = "optimistic-default") -> Fallback {
        Fallback(name: name, kind: .optimisticDefault) { _ in Served(value) }
    }

    /// The same call against an alternate endpoint or region. Make `call` go through the alternate's
    /// own ``Dependency`` so it has its own breaker.
    public static func alternate(
        _ name: String, _ call: @escaping @Sendable () async throws -> Value
    ) -> Fallback {
        Fallback(name: name, kind: .alternate) { _ in Served(try await call()) }
    }

    /// A partial result built without the dependency.
    public static func degradedPartial(
        _ name: String, _ build: @escaping @Sendable (FallbackContext) async throws -> Value
    ) -> Fallback {
        Fallback(name: name, kind: .degradedPartial) { context in Served(try await build(context)) }
    }
}

extension CacheStore {
    func clockNow() -> UInt64 { clockForFallback.nanoseconds() }
}
