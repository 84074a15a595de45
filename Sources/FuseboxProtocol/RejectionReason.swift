/// Why a call was refused before any attempt reached the downstream.
public enum RejectionReason: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    /// The rate limiter had no token.
    case rateLimited = "rate-limited"
    /// The bulkhead had no free slot within its wait.
    case bulkheadFull = "bulkhead-full"
    /// The breaker is open.
    case breakerOpen = "breaker-open"
    /// An operator holds the breaker open.
    case forcedOpen = "forced-open"
    /// Half-open and every probe slot is taken.
    case halfOpenFull = "half-open-full"
    /// Controlled back-in and the call fell outside the admitted share.
    case backIn = "back-in"
}

/// How a breaker's sliding window counts.
public enum WindowKind: String, Codable, Sendable, CaseIterable {
    /// The last N calls.
    case count
    /// The calls of the last N seconds.
    case time
}
