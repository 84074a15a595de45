public import FuseboxProtocol
import Logging
import Synchronization

/// One named downstream with its whole resilience pipeline, in the standard order:
/// rate limiter → bulkhead → circuit breaker → retry → per-attempt timeout, with the fallback
/// chain around it. Create it with ``FuseboxRegistry/register(_:)``.
///
/// ```swift
/// let payments = try registry.register(paymentsConfiguration)
/// let outcome = try await payments.execute(idempotent: true, fallbacks: [.alternate("payments-eu") { ... }]) {
///     try await gateway.authorize(order)
/// }
/// if outcome.isFallback { logger.notice("served by \(outcome.source)") }
/// ```
public final class Dependency: Sendable {
    public let configuration: DependencyConfiguration
    public var name: String { configuration.name }
    public var criticality: Criticality { configuration.criticality }
    public let breaker: CircuitBreaker
    public let retryBudget: RetryBudget?
    public let bulkhead: Bulkhead?
    public let rateLimiter: RateLimiter?

    let clock: any FuseboxClock
    let random: SeededRandom
    let logger: Logger
    let metrics: DependencyMetrics
    let events: EventLog
    let statistics: Mutex<DependencyStatistics>
    let aggregator = FallbackEventAggregator()
    private let attemptTimeoutNanoseconds: UInt64?
    private let deadlineNanoseconds: UInt64?

    init(
        configuration: DependencyConfiguration, clock: any FuseboxClock, random: SeededRandom, logger: Logger,
        events: EventLog
    ) {
        self.configuration = configuration
        self.clock = clock
        self.random = random
        var logger = logger
        logger[metadataKey: "dependency"] = "\(configuration.name)"
        self.logger = logger
        self.events = events
        let metrics = DependencyMetrics(dependency: configuration.name)
        self.metrics = metrics
        self.breaker = CircuitBreaker(
            name: configuration.name, configuration: configuration.breaker, clock: clock,
            observer: Self.transitionObserver(clock: clock, logger: logger, events: events, metrics: metrics))
        self.retryBudget = configuration.retryBudget.map { RetryBudget(configuration: $0, clock: clock) }
        self.bulkhead = configuration.bulkhead.map { Bulkhead(configuration: $0, clock: clock) }
        self.rateLimiter = configuration.rateLimit.map { RateLimiter(configuration: $0, clock: clock) }
        self.attemptTimeoutNanoseconds = configuration.attemptTimeout?.clampedNanoseconds
        self.deadlineNanoseconds = configuration.deadline?.clampedNanoseconds
        self.statistics = Mutex(
            DependencyStatistics(
                now: clock.nanoseconds(),
                intervalLength: configuration.statisticsWindow.clampedNanoseconds,
                latencyTargetMicros: configuration.slo?.latencyTarget.map { $0.clampedNanoseconds / 1000 }))
    }

    private static func transitionObserver(
        clock: any FuseboxClock, logger: Logger, events: EventLog, metrics: DependencyMetrics
    ) -> @Sendable (BreakerTransition) -> Void {
        { transition in
            metrics.breakerState.record(DependencyMetrics.code(transition.to))
            events.append(
                Event(
                    atMilliseconds: clock.wallMilliseconds(atMonotonic: transition.atNanoseconds),
                    kind: .transition, dependency: transition.breaker, from: transition.from.rawValue,
                    to: transition.to.rawValue, reason: transition.reason, actor: transition.actor,
                    failureRate: transition.failureRate, slowCallRate: transition.slowCallRate,
                    message: "\(transition.breaker): \(transition.from.label) -> \(transition.to.label) (\(transition.reason))"
                ))
            let level: Logger.Level = transition.to == .open || transition.to == .forcedOpen ? .warning : .info
            logger.log(
                level: level, "circuit breaker \(transition.from.rawValue) -> \(transition.to.rawValue)",
                metadata: [
                    "reason": "\(transition.reason)",
                    "failure_rate": "\(percent(transition.failureRate))",
                    "slow_call_rate": "\(percent(transition.slowCallRate))",
                    "actor": "\(transition.actor ?? "-")",
                ])
        }
    }

    // MARK: - Executing calls

    /// Calls the downstream through the pipeline.
    ///
    /// - Parameters:
    ///   - idempotent: whether the operation may safely run more than once; only then is it retried
    ///     (unless the retry policy says `retryNonIdempotent`).
    ///   - cache: a cache-aside store and key: a fresh entry is served without a call, and every
    ///     primary result is stored.
    ///   - fallbacks: tried in order when the primary cannot serve; a fallback bound to a flag that is
    ///     on serves first, in place of the primary.
    ///   - operation: the call itself. It should honour task cancellation, which is how timeouts stop it.
    /// - Returns: the value and where it came from.
    /// - Throws: ``DependencyFailure`` when neither the primary nor a fallback served;
    ///   `CancellationError` if the calling task was cancelled.
    public func execute<Value: Sendable>(
        idempotent: Bool = false,
        cache: CacheAside<Value>? = nil,
        fallbacks: [Fallback<Value>] = [],
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Outcome<Value> {
        let start = clock.nanoseconds()
        for fallback in fallbacks where fallback.flag?.isOn == true {
            if let outcome = await serveBypass(fallback) { return outcome }
        }
        if let cache, let entry = cache.store.fresh(cache.key) {
            statistics.withLock { $0.cacheHits += 1 }
            return Outcome(
                value: entry.value, source: .cache,
                staleness: .nanoseconds(Int64(entry.ageNanoseconds(at: start))), attempts: 0)
        }
        if let rateLimiter, !rateLimiter.tryAcquire() {
            return try await reject(.rateLimited, fallbacks: fallbacks)
        }
        guard let bulkhead else {
            return try await throughBreaker(idempotent: idempotent, cache: cache, fallbacks: fallbacks, start: start, operation)
        }
        var entered = bulkhead.tryEnter()
        if !entered {
            if bulkhead.configuration.maxWaiting > 0 {
                entered = await bulkhead.enter()
            } else {
                bulkhead.countRejection()
            }
        }
        guard entered else { return try await reject(.bulkheadFull, fallbacks: fallbacks) }
        defer { bulkhead.leave() }
        return try await throughBreaker(idempotent: idempotent, cache: cache, fallbacks: fallbacks, start: start, operation)
    }

    private func throughBreaker<Value: Sendable>(
        idempotent: Bool, cache: CacheAside<Value>?, fallbacks: [Fallback<Value>], start: UInt64,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Outcome<Value> {
        let permit: BreakerPermit
        switch breaker.acquire() {
        case .admitted(let admitted): permit = admitted
        case .rejected(let rejection): return try await reject(RejectionReason(rejection), fallbacks: fallbacks)
        }
        switch await runAttempts(permit: permit, idempotent: idempotent, start: start, operation) {
        case .success(let value, let attempts, let attemptNanoseconds):
            let end = clock.nanoseconds()
            statistics.withLock { s in
                s.rotate(now: end)
                s.recordAttempt(nanoseconds: attemptNanoseconds, retry: attempts > 1)
                s.calls += 1
                s.successes += 1
                if attempts > 1 { s.successesAfterRetry += 1 }
                s.recordForSLO(good: true, nanoseconds: end &- start)
            }
            metrics.successes.increment()
            metrics.attempts.increment()
            if attempts > 1 { metrics.retries.increment() }
            metrics.latency.recordNanoseconds(Int64(truncatingIfNeeded: attemptNanoseconds))
            cache?.store.put(cache!.key, value)
            return Outcome(value: value, source: .primary, staleness: nil, attempts: attempts)
        case .failure(let error, let attempts, let reason, let exhausted):
            let end = clock.nanoseconds()
            statistics.withLock { s in
                s.rotate(now: end)
                s.calls += 1
                s.failures += 1
                if reason == .timeout { s.timeouts += 1 }
                if exhausted { s.exhausted += 1 }
                s.recordForSLO(good: false, nanoseconds: end &- start)
            }
            metrics.failures.increment()
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            return try await serveFallback(fallbacks, reason: reason, error: error, attempts: attempts)
        }
    }

    private enum AttemptsResult<Value: Sendable>: Sendable {
        case success(Value, attempts: Int, nanoseconds: UInt64)
        case failure(any Error, attempts: Int, reason: FallbackReason, exhausted: Bool)
    }

    private func runAttempts<Value: Sendable>(
        permit firstPermit: BreakerPermit, idempotent: Bool, start: UInt64,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async -> AttemptsResult<Value> {
        let policy = configuration.retry
        var permit = firstPermit
        var attempt = 1
        var previousBackoff = policy.initialBackoff.clampedNanoseconds
        retryBudget?.recordCall()
        let deadlineAt = deadlineNanoseconds.map { start &+ $0 }
        while true {
            let attemptStart = clock.nanoseconds()
            var limit: (nanoseconds: UInt64, scope: TimeoutError.Scope)? = attemptTimeoutNanoseconds.map { ($0, .attempt) }
            if let deadlineAt {
                let remaining = deadlineAt > attemptStart ? deadlineAt - attemptStart : 1
                if remaining < limit?.nanoseconds ?? .max { limit = (remaining, .deadline) }
            }
            do {
                let value: Value
                if let limit {
                    let duration: Duration =
                        limit.scope == .deadline
                        ? configuration.deadline! : .nanoseconds(Int64(truncatingIfNeeded: limit.nanoseconds))
                    value = try await withTimeoutNanoseconds(
                        limit.nanoseconds, reported: duration, scope: limit.scope, operation: operation)
                } else {
                    value = try await operation()
                }
                let elapsed = clock.nanoseconds() &- attemptStart
                breaker.record(permit, .success, durationNanoseconds: elapsed)
                return .success(value, attempts: attempt, nanoseconds: elapsed)
            } catch {
                let end = clock.nanoseconds()
                let elapsed = end &- attemptStart
                let countsAsFailure = breaker.configuration.classifier.classify(error).countsAsFailure
                breaker.record(permit, countsAsFailure ? .failure : .ignored, durationNanoseconds: elapsed)
                statistics.withLock { s in
                    s.rotate(now: end)
                    s.recordAttempt(nanoseconds: elapsed, retry: attempt > 1)
                }
                metrics.attempts.increment()
                if attempt > 1 { metrics.retries.increment() }
                metrics.latency.recordNanoseconds(Int64(truncatingIfNeeded: elapsed))
                let reason: FallbackReason = error is TimeoutError ? .timeout : .error
                func fail(exhausted: Bool = false, _ why: FallbackReason? = nil) -> AttemptsResult<Value> {
                    .failure(error, attempts: attempt, reason: why ?? reason, exhausted: exhausted)
                }
                if Task.isCancelled { return fail() }
                guard attempt < policy.maxAttempts else { return fail(exhausted: policy.maxAttempts > 1) }
                let classification = policy.classifier.classify(error)
                guard classification.isTransient, idempotent || policy.retryNonIdempotent, permit.kind != .probe
                else { return fail() }
                var delay = policy.backoff(afterAttempt: attempt, previous: previousBackoff, random: random)
                if policy.honorsRetryAfter, let hint = classification.retryAfter {
                    guard hint <= policy.maxRetryAfter else { return fail() }
                    delay = hint.clampedNanoseconds
                }
                previousBackoff = delay
                if let deadlineAt, end &+ delay >= deadlineAt { return fail() }
                if let retryBudget, !retryBudget.tryRetry() {
                    statistics.withLock { $0.budgetDenied += 1 }
                    metrics.budgetDenied.increment()
                    return fail()
                }
                do {
                    try await clock.sleep(nanoseconds: delay)
                } catch {
                    return .failure(CancellationError(), attempts: attempt, reason: reason, exhausted: false)
                }
                switch breaker.acquire() {
                case .admitted(let next): permit = next
                case .rejected: return fail(.breakerOpen)
                }
                attempt += 1
            }
        }
    }

    private func withTimeoutNanoseconds<Value: Sendable>(
        _ nanoseconds: UInt64, reported: Duration, scope: TimeoutError.Scope,
        operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        do {
            return try await withTimeout(
                .nanoseconds(Int64(truncatingIfNeeded: nanoseconds)), scope: scope, clock: clock, operation: operation)
        } catch let timeout as TimeoutError {
            throw TimeoutError(scope: timeout.scope, limit: reported)
        }
    }

    // MARK: - Fallbacks

    private func reject<Value: Sendable>(
        _ rejection: RejectionReason, fallbacks: [Fallback<Value>]
    ) async throws -> Outcome<Value> {
        statistics.withLock { s in
            s.calls += 1
            s.rejected += 1
            s.rejectedByReason[rejection.rawValue] += 1
        }
        metrics.rejected[rejection.rawValue].increment()
        return try await serveFallback(fallbacks, reason: rejection.fallbackReason, error: nil, attempts: 0)
    }

    private func serveBypass<Value: Sendable>(_ fallback: Fallback<Value>) async -> Outcome<Value>? {
        let context = FallbackContext(dependency: name, reason: .flag, error: nil)
        guard let served = try? await fallback.body(context) else { return nil }
        statistics.withLock { s in
            s.calls += 1
            s.bypassed += 1
        }
        metrics.bypassed.increment()
        return activated(fallback, served: served, reason: .flag, attempts: 0)
    }

    private func serveFallback<Value: Sendable>(
        _ chain: [Fallback<Value>], reason: FallbackReason, error: (any Error)?, attempts: Int
    ) async throws -> Outcome<Value> {
        let context = FallbackContext(dependency: name, reason: reason, error: error)
        for fallback in chain {
            guard let served = try? await fallback.body(context) else { continue }
            return activated(fallback, served: served, reason: reason, attempts: attempts)
        }
        statistics.withLock { $0.unserved += 1 }
        throw DependencyFailure(dependency: name, reason: reason, underlying: error, attempts: attempts)
    }

    private func activated<Value: Sendable>(
        _ fallback: Fallback<Value>, served: Fallback<Value>.Served, reason: FallbackReason, attempts: Int
    ) -> Outcome<Value> {
        let key = FallbackKey(name: fallback.name, kind: fallback.kind, reason: reason)
        let now = clock.nanoseconds()
        statistics.withLock { s in
            s.rotate(now: now)
            s.fallbacks[key, default: 0] += 1
            if let staleness = served.stalenessNanoseconds {
                s.current.maxStaleness = max(s.current.maxStaleness, staleness)
            }
        }
        metrics.fallback(key).increment()
        if let report = aggregator.activated(key, now: now) { emit(report, now: now) }
        return Outcome(
            value: served.value, source: .fallback(name: fallback.name, kind: fallback.kind, reason: reason),
            staleness: served.stalenessNanoseconds.map { .nanoseconds(Int64(truncatingIfNeeded: $0)) },
            attempts: attempts)
    }

    func emit(_ report: FallbackEventAggregator.Report, now: UInt64) {
        let window = breaker.windowStats()
        let key = report.key
        events.append(
            Event(
                atMilliseconds: clock.wallMilliseconds(atMonotonic: now), kind: .fallback, dependency: name,
                fallback: key.name, fallbackKind: key.kind, fallbackReason: key.reason, count: report.count,
                failureRate: window.failureRate, slowCallRate: window.slowCallRate,
                message: "\(name): \(key.name) served \(report.count)x (\(key.reason.rawValue))"))
        logger.notice(
            "fallback served",
            metadata: [
                "fallback": "\(key.name)", "reason": "\(key.reason.rawValue)", "count": "\(report.count)",
                "failure_rate": "\(percent(window.failureRate))", "slow_call_rate": "\(percent(window.slowCallRate))",
            ])
    }
}
