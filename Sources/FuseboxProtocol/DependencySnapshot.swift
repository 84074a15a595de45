/// The state of one named dependency at the moment of a ``Snapshot``.
///
/// Counters are cumulative since the instance started, so a reader derives rates from two
/// snapshots. They add up: `calls == successes + failures + rejected + bypassed`.
public struct DependencySnapshot: Codable, Sendable, Hashable {
    public var name: String
    public var criticality: Criticality
    /// Free metadata such as `owner` and `runbook`.
    public var metadata: [String: String]
    public var breaker: BreakerSnapshot
    public var calls: CallCounts
    public var retry: RetrySnapshot
    public var fallbacks: FallbackSnapshot
    public var bulkhead: BulkheadSnapshot?
    public var rateLimiter: RateLimiterSnapshot?
    /// Latency of attempts over the recent window.
    public var latency: LatencySnapshot
    public var slo: SLOSnapshot?

    public init(
        name: String,
        criticality: Criticality,
        metadata: [String: String],
        breaker: BreakerSnapshot,
        calls: CallCounts,
        retry: RetrySnapshot,
        fallbacks: FallbackSnapshot,
        bulkhead: BulkheadSnapshot?,
        rateLimiter: RateLimiterSnapshot?,
        latency: LatencySnapshot,
        slo: SLOSnapshot?
    ) {
        self.name = name
        self.criticality = criticality
        self.metadata = metadata
        self.breaker = breaker
        self.calls = calls
        self.retry = retry
        self.fallbacks = fallbacks
        self.bulkhead = bulkhead
        self.rateLimiter = rateLimiter
        self.latency = latency
        self.slo = slo
    }
}

/// Cumulative call outcomes of a dependency.
///
/// `calls`, `successes`, `failures` and `rejected` are known to every source; the rest are
/// `nil` where a source cannot know them (Resilience4j and Prometheus do not count bypasses or
/// cache hits).
public struct CallCounts: Codable, Sendable, Hashable {
    /// Logical calls made to the dependency (each may take several attempts).
    public var calls: UInt64
    /// Calls whose primary succeeded (possibly after retries).
    public var successes: UInt64
    /// Calls whose primary failed after all attempts.
    public var failures: UInt64
    /// Calls refused before any attempt (rate limiter, bulkhead, breaker, back-in share).
    public var rejected: UInt64
    /// Calls that skipped the primary because a flag switched a fallback on.
    public var bypassed: UInt64?
    /// Calls that failed with a timeout (a subset of ``failures``).
    public var timeouts: UInt64?
    /// Calls answered from a fresh cache-aside entry without reaching the downstream (not in ``calls``).
    public var cacheHits: UInt64?
    /// Rejections by reason; the values sum to ``rejected`` when known.
    public var rejectedByReason: [RejectionReason: UInt64]?

    public init(
        calls: UInt64 = 0, successes: UInt64 = 0, failures: UInt64 = 0, rejected: UInt64 = 0,
        bypassed: UInt64? = nil, timeouts: UInt64? = nil, cacheHits: UInt64? = nil,
        rejectedByReason: [RejectionReason: UInt64]? = nil
    ) {
        self.calls = calls
        self.successes = successes
        self.failures = failures
        self.rejected = rejected
        self.bypassed = bypassed
        self.timeouts = timeouts
        self.cacheHits = cacheHits
        self.rejectedByReason = rejectedByReason
    }

    private enum CodingKeys: String, CodingKey {
        case calls, successes, failures, rejected, bypassed, timeouts, cacheHits, rejectedByReason
    }

    /// Reads rejection reasons a newer minor version added as unknown (they are left out).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calls = try c.decode(UInt64.self, forKey: .calls)
        successes = try c.decode(UInt64.self, forKey: .successes)
        failures = try c.decode(UInt64.self, forKey: .failures)
        rejected = try c.decode(UInt64.self, forKey: .rejected)
        bypassed = try c.decodeIfPresent(UInt64.self, forKey: .bypassed)
        timeouts = try c.decodeIfPresent(UInt64.self, forKey: .timeouts)
        cacheHits = try c.decodeIfPresent(UInt64.self, forKey: .cacheHits)
        rejectedByReason = try c.decodeIfPresent([String: UInt64].self, forKey: .rejectedByReason).map { raw in
            var typed: [RejectionReason: UInt64] = [:]
            for (key, value) in raw {
                if let reason = RejectionReason(rawValue: key) { typed[reason] = value }
            }
            return typed
        }
    }
}

/// A circuit breaker's state, thresholds and window.
///
/// Only ``state`` is known to every source. The rest is `nil` where a source cannot know it:
/// Prometheus does not see windows or probes, Resilience4j reports no consecutive trips.
public struct BreakerSnapshot: Codable, Sendable, Hashable {
    public var state: BreakerState
    /// When the breaker entered its current state.
    public var stateSinceMilliseconds: Int64?
    public var windowKind: WindowKind?
    /// Calls (count window) or seconds (time window).
    public var windowSize: Int?
    public var windowCalls: Int?
    public var windowFailures: Int?
    public var windowSlowCalls: Int?
    /// Percent, 0...100; `nil` while too few calls were recorded to compute it, or unknown.
    public var failureRate: Double?
    /// Percent, 0...100; `nil` while too few calls were recorded to compute it, or unknown.
    public var slowCallRate: Double?
    public var failureRateThreshold: Double?
    public var slowCallRateThreshold: Double?
    public var slowCallDurationMilliseconds: Double?
    public var minimumCalls: Int?
    public var halfOpenProbes: Int?
    /// Probes admitted in the current half-open period.
    public var halfOpenProbesAdmitted: Int?
    /// How many times the breaker has tripped in a row without closing in between.
    public var consecutiveTrips: Int?
    /// When an open breaker will let probes through.
    public var openUntilMilliseconds: Int64?
    /// Present while recovering.
    public var backIn: BackInProgress?

    public init(
        state: BreakerState, stateSinceMilliseconds: Int64? = nil, windowKind: WindowKind? = nil,
        windowSize: Int? = nil, windowCalls: Int? = nil, windowFailures: Int? = nil, windowSlowCalls: Int? = nil,
        failureRate: Double? = nil, slowCallRate: Double? = nil, failureRateThreshold: Double? = nil,
        slowCallRateThreshold: Double? = nil, slowCallDurationMilliseconds: Double? = nil, minimumCalls: Int? = nil,
        halfOpenProbes: Int? = nil, halfOpenProbesAdmitted: Int? = nil, consecutiveTrips: Int? = nil,
        openUntilMilliseconds: Int64? = nil, backIn: BackInProgress? = nil
    ) {
        self.state = state
        self.stateSinceMilliseconds = stateSinceMilliseconds
        self.windowKind = windowKind
        self.windowSize = windowSize
        self.windowCalls = windowCalls
        self.windowFailures = windowFailures
        self.windowSlowCalls = windowSlowCalls
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationMilliseconds = slowCallDurationMilliseconds
        self.minimumCalls = minimumCalls
        self.halfOpenProbes = halfOpenProbes
        self.halfOpenProbesAdmitted = halfOpenProbesAdmitted
        self.consecutiveTrips = consecutiveTrips
        self.openUntilMilliseconds = openUntilMilliseconds
        self.backIn = backIn
    }
}

/// Where a controlled back-in stands.
public struct BackInProgress: Codable, Sendable, Hashable {
    public var schedule: BackInSchedule
    /// The share of calls admitted now, 0...1.
    public var share: Double
    /// The current step (0-based) for a stepped schedule; 0 for a smooth one.
    public var step: Int
    public var startedAtMilliseconds: Int64
    /// Calls, failures and slow calls since the back-in started.
    public var calls: Int
    public var failures: Int
    public var slowCalls: Int
    /// Calls turned away because they fell outside the admitted share.
    public var turnedAway: Int

    public init(
        schedule: BackInSchedule, share: Double, step: Int, startedAtMilliseconds: Int64, calls: Int,
        failures: Int, slowCalls: Int, turnedAway: Int
    ) {
        self.schedule = schedule
        self.share = share
        self.step = step
        self.startedAtMilliseconds = startedAtMilliseconds
        self.calls = calls
        self.failures = failures
        self.slowCalls = slowCalls
        self.turnedAway = turnedAway
    }
}

/// Retry statistics of a dependency; `nil` where the source does not count it.
public struct RetrySnapshot: Codable, Sendable, Hashable {
    public var maxAttempts: Int?
    /// Every attempt, first ones included.
    public var attempts: UInt64?
    /// Attempts after the first.
    public var retries: UInt64?
    /// Calls that succeeded on a retry.
    public var successesAfterRetry: UInt64?
    /// Calls that failed with every attempt used.
    public var exhausted: UInt64?
    /// Retries the budget refused.
    public var budgetDenied: UInt64?
    /// The budget's ratio of retries to calls, if a budget is set.
    public var budgetRatio: Double?
    /// Retries the budget would allow right now.
    public var budgetAvailable: Int?
    /// Hedged attempts started beside a first one (present when hedging is configured).
    public var hedges: UInt64?
    /// Calls a hedged attempt won, not the first.
    public var hedgeWins: UInt64?

    public init(
        maxAttempts: Int? = nil, attempts: UInt64? = nil, retries: UInt64? = nil, successesAfterRetry: UInt64? = nil,
        exhausted: UInt64? = nil, budgetDenied: UInt64? = nil, budgetRatio: Double? = nil, budgetAvailable: Int? = nil,
        hedges: UInt64? = nil, hedgeWins: UInt64? = nil
    ) {
        self.maxAttempts = maxAttempts
        self.attempts = attempts
        self.retries = retries
        self.successesAfterRetry = successesAfterRetry
        self.exhausted = exhausted
        self.budgetDenied = budgetDenied
        self.budgetRatio = budgetRatio
        self.budgetAvailable = budgetAvailable
        self.hedges = hedges
        self.hedgeWins = hedgeWins
    }

    /// A source that knows nothing about retries.
    public static let unknown = RetrySnapshot()
}

/// Fallback activations of a dependency.
public struct FallbackSnapshot: Codable, Sendable, Hashable {
    /// The chain's fallbacks in order, by name.
    public var chain: [String]
    /// Cumulative activations per fallback and reason.
    public var activations: [FallbackActivationCount]
    /// Calls for which no fallback could serve.
    public var unserved: UInt64
    /// The largest staleness served from a stale cache, in milliseconds, over the recent window.
    public var maxStalenessMilliseconds: Double?

    public init(
        chain: [String], activations: [FallbackActivationCount], unserved: UInt64, maxStalenessMilliseconds: Double?
    ) {
        self.chain = chain
        self.activations = activations
        self.unserved = unserved
        self.maxStalenessMilliseconds = maxStalenessMilliseconds
    }

    /// Total activations across fallbacks and reasons.
    public var total: UInt64 { activations.reduce(0) { $0 + $1.count } }
}

/// How many times one fallback served for one reason.
public struct FallbackActivationCount: Codable, Sendable, Hashable {
    public var fallback: String
    public var kind: FallbackKind
    public var reason: FallbackReason
    public var count: UInt64

    public init(fallback: String, kind: FallbackKind, reason: FallbackReason, count: UInt64) {
        self.fallback = fallback
        self.kind = kind
        self.reason = reason
        self.count = count
    }
}

/// A bulkhead's use.
public struct BulkheadSnapshot: Codable, Sendable, Hashable {
    /// The limit in force: fixed, or where an adaptive limit has got to.
    public var maxConcurrent: Int
    public var inFlight: Int
    public var waiting: Int
    public var maxWaiting: Int
    public var rejected: UInt64
    /// An adaptive limit's floor; absent for a fixed limit.
    public var adaptiveMinLimit: Int?
    /// An adaptive limit's ceiling; absent for a fixed limit.
    public var adaptiveMaxLimit: Int?

    public init(
        maxConcurrent: Int, inFlight: Int, waiting: Int, maxWaiting: Int, rejected: UInt64,
        adaptiveMinLimit: Int? = nil, adaptiveMaxLimit: Int? = nil
    ) {
        self.maxConcurrent = maxConcurrent
        self.inFlight = inFlight
        self.waiting = waiting
        self.maxWaiting = maxWaiting
        self.rejected = rejected
        self.adaptiveMinLimit = adaptiveMinLimit
        self.adaptiveMaxLimit = adaptiveMaxLimit
    }

    /// Whether the limit adapts to latency.
    public var isAdaptive: Bool { adaptiveMaxLimit != nil }
}

/// A token-bucket rate limiter's use.
public struct RateLimiterSnapshot: Codable, Sendable, Hashable {
    public var ratePerSecond: Double
    public var burst: Int
    public var availableTokens: Double
    public var rejected: UInt64

    public init(ratePerSecond: Double, burst: Int, availableTokens: Double, rejected: UInt64) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.availableTokens = availableTokens
        self.rejected = rejected
    }
}

/// Attempt latency over the recent window, from an HDR histogram. Values in milliseconds; each is
/// `nil` where the source does not provide it (Prometheus gives bucket counts, Resilience4j sums).
public struct LatencySnapshot: Codable, Sendable, Hashable {
    public var count: UInt64?
    public var windowMilliseconds: Int64?
    public var min: Double?
    public var mean: Double?
    public var p50: Double?
    public var p90: Double?
    public var p99: Double?
    public var p999: Double?
    public var max: Double?
    /// Counts per bucket; bucket `i` holds values `<= upperBoundMilliseconds` and above bucket `i - 1`'s bound.
    public var buckets: [LatencyBucket]?

    public init(
        count: UInt64? = nil, windowMilliseconds: Int64? = nil, min: Double? = nil, mean: Double? = nil,
        p50: Double? = nil, p90: Double? = nil, p99: Double? = nil, p999: Double? = nil, max: Double? = nil,
        buckets: [LatencyBucket]? = nil
    ) {
        self.count = count
        self.windowMilliseconds = windowMilliseconds
        self.min = min
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.buckets = buckets
    }

    /// An empty histogram: nothing was measured in the window.
    public static func empty(windowMilliseconds: Int64) -> LatencySnapshot {
        LatencySnapshot(count: 0, windowMilliseconds: windowMilliseconds, buckets: [])
    }

    /// A source that knows nothing about latency.
    public static let unknown = LatencySnapshot()
}

/// One histogram bucket.
public struct LatencyBucket: Codable, Sendable, Hashable {
    /// The bucket's inclusive upper bound; `.infinity` is encoded as `nil`.
    public var upperBoundMilliseconds: Double?
    public var count: UInt64

    public init(upperBoundMilliseconds: Double?, count: UInt64) {
        self.upperBoundMilliseconds = upperBoundMilliseconds
        self.count = count
    }
}

/// A dependency's service-level objective and how fast it burns its error budget.
public struct SLOSnapshot: Codable, Sendable, Hashable {
    /// Target share of good calls, e.g. 0.999.
    public var targetSuccessRatio: Double
    /// A good call must also be at most this slow, if set.
    public var latencyTargetMilliseconds: Double?
    /// Share of good calls over the recent window (1 when there were none).
    public var successRatio: Double
    /// `(1 - successRatio) / (1 - targetSuccessRatio)`: 1 spends the budget exactly over the SLO period.
    public var burnRate: Double
    public var windowCalls: UInt64

    public init(
        targetSuccessRatio: Double, latencyTargetMilliseconds: Double?, successRatio: Double, burnRate: Double,
        windowCalls: UInt64
    ) {
        self.targetSuccessRatio = targetSuccessRatio
        self.latencyTargetMilliseconds = latencyTargetMilliseconds
        self.successRatio = successRatio
        self.burnRate = burnRate
        self.windowCalls = windowCalls
    }
}

/// A feature flag's current value and last change.
public struct FlagSnapshot: Codable, Sendable, Hashable {
    public var name: String
    public var value: FlagValue
    public var description: String
    public var owner: String?
    public var lastChange: FlagChange?

    public init(name: String, value: FlagValue, description: String, owner: String?, lastChange: FlagChange?) {
        self.name = name
        self.value = value
        self.description = description
        self.owner = owner
        self.lastChange = lastChange
    }
}

/// Who changed a flag, when and why.
public struct FlagChange: Codable, Sendable, Hashable {
    public var actor: String
    public var reason: String
    public var atMilliseconds: Int64
    public var previous: FlagValue

    public init(actor: String, reason: String, atMilliseconds: Int64, previous: FlagValue) {
        self.actor = actor
        self.reason = reason
        self.atMilliseconds = atMilliseconds
        self.previous = previous
    }
}
