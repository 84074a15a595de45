/// The kind of a fallback in a dependency's fallback chain.
public enum FallbackKind: String, Codable, Sendable, CaseIterable {
    /// A cached value, possibly stale, within a maximum staleness.
    case staleCache = "stale-cache"
    /// A fixed value that is always safe to return.
    case staticDefault = "static-default"
    /// A value that assumes success (e.g. "not fraudulent") when the check cannot run.
    case optimisticDefault = "optimistic-default"
    /// The same call against an alternate endpoint or region.
    case alternate
    /// A partial result that leaves out what the dependency would have contributed.
    case degradedPartial = "degraded-partial"
}

/// Why a call was served by a fallback instead of its primary.
public enum FallbackReason: String, Codable, Sendable, CaseIterable {
    /// The circuit breaker is open or forced open.
    case breakerOpen = "breaker-open"
    /// The breaker is in controlled back-in and this call was outside the admitted share.
    case backIn = "back-in"
    /// An attempt or the overall deadline timed out.
    case timeout
    /// The bulkhead had no free slot within its wait.
    case bulkheadFull = "bulkhead-full"
    /// The rate limiter had no token.
    case rateLimited = "rate-limited"
    /// The call failed (after any retries).
    case error
    /// A feature flag switched this fallback on.
    case flag
}
