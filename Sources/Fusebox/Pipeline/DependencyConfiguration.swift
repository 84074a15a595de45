public import FuseboxProtocol

/// A dependency's service-level objective.
public struct ServiceLevelObjective: Sendable, Hashable {
    /// Target share of good calls, e.g. 0.999.
    public var successRatio: Double
    /// A good call must also take at most this long, if set.
    public var latencyTarget: Duration?

    public init(successRatio: Double, latencyTarget: Duration? = nil) {
        self.successRatio = successRatio
        self.latencyTarget = latencyTarget
    }
}

/// An operator action a dependency may refuse.
public enum OperatorAction: String, Sendable, Hashable, CaseIterable {
    case forceOpen = "force-open"
    case close
    case disable
    case startBackIn = "start-back-in"
}

/// Everything about one named downstream: its policies, criticality, SLO and metadata.
public struct DependencyConfiguration: Sendable {
    public var name: String
    public var criticality: Criticality = .degradable
    /// Free metadata the console shows, e.g. `owner`, `runbook`.
    public var metadata: [String: String] = [:]
    public var breaker = CircuitBreakerConfiguration()
    public var retry = RetryPolicy()
    /// `nil` lets retries through unbudgeted (not recommended).
    public var retryBudget: RetryBudgetConfiguration? = RetryBudgetConfiguration()
    /// Limit for each attempt; `nil` for none.
    public var attemptTimeout: Duration? = nil
    /// Whether a time limit waits for work that ignores cancellation (`.optimistic`, the default)
    /// or answers at the limit and leaves it behind (`.pessimistic`): see ``TimeoutStrategy``.
    public var timeoutStrategy: TimeoutStrategy = .optimistic
    /// Limit for the whole call across attempts and backoffs; `nil` for none.
    public var deadline: Duration? = nil
    /// Races a second attempt beside a slow or failed one, for idempotent calls; `nil` for none.
    public var hedging: HedgingPolicy? = nil
    public var bulkhead: BulkheadConfiguration? = nil
    public var rateLimit: RateLimiterConfiguration? = nil
    public var slo: ServiceLevelObjective? = nil
    /// Latency percentiles and SLO burn cover between one and two of these windows.
    public var statisticsWindow: Duration = .seconds(30)
    /// The fallbacks callers use, by name, so the console can show the chain before any activation.
    public var declaredFallbacks: [String] = []
    /// The operator actions this dependency accepts.
    public var allowedActions: Set<OperatorAction> = Set(OperatorAction.allCases)

    public init(name: String, criticality: Criticality = .degradable) {
        self.name = name
        self.criticality = criticality
    }

    /// Checks the whole configuration; returns a one-line description of the first problem, or `nil`.
    public func validationProblem() -> String? {
        if name.isEmpty || name.contains(where: { $0.isWhitespace }) {
            return "a dependency name must be non-empty and have no spaces (got '\(name)')"
        }
        if let problem = breaker.validationProblem() { return "breaker: \(problem)" }
        if let problem = retry.validationProblem() { return "retry: \(problem)" }
        if let budget = retryBudget,
            !(budget.ratio >= 0 && budget.ratio.isFinite) || !(1...3600).contains(budget.windowSeconds)
                || budget.minRetriesPerSecond < 0
        {
            return "retry budget: ratio and floor must be finite and >= 0, and the window 1...3600 seconds"
        }
        if let t = attemptTimeout, t <= .zero { return "attemptTimeout must be positive" }
        if let d = deadline, d <= .zero { return "deadline must be positive" }
        if let problem = hedging?.validationProblem() { return "hedging: \(problem)" }
        if let problem = bulkhead?.validationProblem() { return "bulkhead: \(problem)" }
        if let r = rateLimit, !(r.ratePerSecond > 0 && r.ratePerSecond.isFinite) || r.burst < 1 {
            return "rate limit: ratePerSecond must be a positive number and burst at least 1"
        }
        if let slo, !(slo.successRatio > 0 && slo.successRatio < 1) {
            return "slo: successRatio must be in (0, 1), e.g. 0.999"
        }
        if let target = slo?.latencyTarget, target <= .zero { return "slo: latencyTarget must be positive" }
        if statisticsWindow < .seconds(1) || statisticsWindow > .seconds(86_400) {
            return "statisticsWindow must be between 1 second and a day"
        }
        return nil
    }
}
