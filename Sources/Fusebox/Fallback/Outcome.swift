public import FuseboxProtocol

/// The result of a call through a ``Dependency``: the value, and where it came from.
public struct Outcome<Value: Sendable>: Sendable {
    /// Where the value came from.
    public enum Source: Sendable, Hashable {
        /// The downstream answered.
        case primary
        /// A fresh cache-aside entry; the downstream was not called.
        case cache
        /// A fallback served, for a reason.
        case fallback(name: String, kind: FallbackKind, reason: FallbackReason)
    }

    public let value: Value
    public let source: Source
    /// How old the data is, for cached values.
    public let staleness: Duration?
    /// Attempts made against the primary (0 if it was not called).
    public let attempts: Int

    @usableFromInline
    init(value: Value, source: Source, staleness: Duration?, attempts: Int) {
        self.value = value
        self.source = source
        self.staleness = staleness
        self.attempts = attempts
    }

    /// Whether a fallback served.
    public var isFallback: Bool {
        if case .fallback = source { return true }
        return false
    }

    /// The fallback's reason, if one served.
    public var fallbackReason: FallbackReason? {
        if case .fallback(_, _, let reason) = source { return reason }
        return nil
    }
}

/// A call failed and no fallback could serve it.
public struct DependencyFailure: Error, CustomStringConvertible {
    public let dependency: String
    /// Why the primary did not serve.
    public let reason: FallbackReason
    /// The primary's last error, if it ran.
    public let underlying: (any Error)?
    public let attempts: Int

    @usableFromInline
    init(dependency: String, reason: FallbackReason, underlying: (any Error)?, attempts: Int) {
        self.dependency = dependency
        self.reason = reason
        self.underlying = underlying
        self.attempts = attempts
    }

    public var description: String {
        let cause: String
        switch reason {
        case .breakerOpen: cause = "circuit breaker is open"
        case .backIn: cause = "call fell outside the back-in share"
        case .timeout: cause = "timed out after \(attempts) attempt(s)"
        case .bulkheadFull: cause = "bulkhead is full"
        case .rateLimited: cause = "rate limit reached"
        case .error: cause = "failed after \(attempts) attempt(s)"
        case .flag: cause = "a flag bypassed the primary"
        }
        let detail = underlying.map { ": \(String(describing: $0))" } ?? ""
        return "\(dependency): \(cause)\(detail); no fallback could serve (add one, or check the dependency's health)"
    }
}
