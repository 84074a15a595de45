public import FuseboxProtocol
import Logging

/// What the admission stage decided for one call.
@usableFromInline
enum _Admission: Sendable {
    /// `start` is the clock reading taken at admission: the call's start.
    case admitted(BreakerPermit, holdsBulkhead: Bool, start: UInt64)
    case rejected(FallbackReason)
    case waitForBulkhead
    /// The caller was cancelled while it waited for the bulkhead.
    case cancelled

    @usableFromInline
    var fallbackReason: FallbackReason {
        if case .rejected(let reason) = self { return reason }
        return .breakerOpen
    }
}

/// What to do after a failed attempt.
@usableFromInline
enum _AttemptVerdict: Sendable {
    case retry(BreakerPermit)
    case stop(FallbackReason)
    case cancelled
}

/// The time limit of one attempt.
@usableFromInline
struct _AttemptLimit: Sendable {
    @usableFromInline let duration: Duration
    @usableFromInline let scope: TimeoutError.Scope

    init(duration: Duration, scope: TimeoutError.Scope) {
        self.duration = duration
        self.scope = scope
    }
}

/// Where one call stands across its attempts.
@usableFromInline
struct _CallState: Sendable {
    @usableFromInline let start: UInt64
    @usableFromInline var attempt = 1
    @usableFromInline var attemptStart: UInt64
    var previousBackoff: UInt64 = 0

    @usableFromInline
    init(start: UInt64) {
        self.start = start
        self.attemptStart = start
    }
}

// The non-generic bookkeeping of the pipeline: admission, outcomes, retries and fallbacks.
extension Dependency {
    /// Rate limiter, then bulkhead (without waiting), then breaker. Counts a rejection.
    @usableFromInline
    func _admit() -> _Admission {
        let now = clock.nanoseconds()
        if let rateLimiter, !rateLimiter.tryAcquire(now: now) { return rejected(.rateLimited) }
        var holdsBulkhead = false
        if let bulkhead {
            guard bulkhead.tryEnter() else {
                if bulkhead.configuration.maxWaiting > 0 { return .waitForBulkhead }
                bulkhead.countRejection()
                return rejected(.bulkheadFull)
            }
            holdsBulkhead = true
        }
        return throughBreaker(holdsBulkhead: holdsBulkhead, now: now)
    }

    /// The bulkhead had no free slot: wait for one, then ask the breaker.
    @usableFromInline
    func _admitAfterWaiting() async -> _Admission {
        guard await bulkhead!.enter() else {
            // A caller cancelled while queued gets `CancellationError`, not a fallback.
            if Task.isCancelled { return .cancelled }
            return rejected(.bulkheadFull)
        }
        return throughBreaker(holdsBulkhead: true, now: clock.nanoseconds())
    }

    private func throughBreaker(holdsBulkhead: Bool, now: UInt64) -> _Admission {
        switch breaker.acquire() {
        case .admitted(let permit):
            retryBudget?.recordCall(now: now)
            return .admitted(permit, holdsBulkhead: holdsBulkhead, start: now)
        case .rejected(let rejection):
            if holdsBulkhead { bulkhead!.leave() }
            return rejected(CallRejection(rejection))
        }
    }

    private func rejected(_ rejection: CallRejection) -> _Admission {
        statistics.withLock { s in
            s.calls += 1
            s.rejected += 1
            s.rejectedByReason[rejection.rawValue] += 1
        }
        metrics.rejected[rejection.rawValue].increment()
        events.publish(.callNotPermitted(dependency: name, reason: rejection.wire))
        return .rejected(rejection.fallbackReason)
    }

    /// `a + b`, at most `UInt64.max`: a huge deadline is no deadline, never one in the past.
    @usableFromInline
    static func sum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Whether attempts run under a timeout or deadline.
    @usableFromInline
    var _hasTimeLimits: Bool { attemptTimeoutNanoseconds != nil || deadlineNanoseconds != nil }

    /// Stamps the start of an attempt after the first.
    @usableFromInline
    func _nextAttempt(_ state: inout _CallState) {
        if state.attempt > 1 { state.attemptStart = clock.nanoseconds() }
    }

    /// The per-attempt timeout or what is left of the deadline, whichever is sooner.
    @usableFromInline
    func _attemptLimit(_ state: inout _CallState) -> _AttemptLimit? {
        _nextAttempt(&state)
        guard _hasTimeLimits else { return nil }
        var limit: _AttemptLimit? =
            attemptTimeoutNanoseconds == nil
            ? nil : _AttemptLimit(duration: configuration.attemptTimeout!, scope: .attempt)
        if let deadline = deadlineNanoseconds {
            let deadlineAt = Self.sum(state.start, deadline)
            let remaining = deadlineAt > state.attemptStart ? deadlineAt - state.attemptStart : 1
            if remaining < attemptTimeoutNanoseconds ?? .max {
                limit = _AttemptLimit(duration: .nanoseconds(Int64(clamping: remaining)), scope: .deadline)
            }
        }
        return limit
    }

    @usableFromInline
    func _attemptSucceeded(permit: BreakerPermit, state: _CallState) {
        let end = clock.nanoseconds()
        let elapsed = end &- state.attemptStart
        breaker.record(permit, .success, durationNanoseconds: elapsed, now: end)
        if let bulkhead, bulkhead.isAdaptive { bulkhead.sample(latencyNanoseconds: elapsed, timedOut: false) }
        let attempts = state.attempt
        statistics.withLock { s in
            s.rotate(now: end)
            s.recordAttempt(nanoseconds: elapsed, retry: attempts > 1)
            s.calls += 1
            s.successes += 1
            if attempts > 1 { s.successesAfterRetry += 1 }
            s.recordForSLO(good: true, nanoseconds: end &- state.start)
        }
        guard metrics.reportsToBackend else { return }
        metrics.successes.increment()
        metrics.attempts.increment()
        if attempts > 1 { metrics.retries.increment() }
        metrics.latency.recordNanoseconds(Int64(truncatingIfNeeded: elapsed))
    }

    /// Records a failed attempt and decides: retry (after sleeping the backoff), or stop.
    @usableFromInline
    func _attemptFailed(
        _ error: any Error, permit: BreakerPermit, idempotent: Bool, state: inout _CallState
    ) async -> _AttemptVerdict {
        let end = clock.nanoseconds()
        let elapsed = end &- state.attemptStart
        let attempt = state.attempt
        let countsAsFailure = breaker.configuration.classifier.classify(error).countsAsFailure
        breaker.record(permit, countsAsFailure ? .failure : .ignored, durationNanoseconds: elapsed, now: end)
        // A timeout is a sign of queueing; other failures say nothing about it.
        if let bulkhead, bulkhead.isAdaptive, error is TimeoutError {
            bulkhead.sample(latencyNanoseconds: elapsed, timedOut: true)
        }
        statistics.withLock { s in
            s.rotate(now: end)
            s.recordAttempt(nanoseconds: elapsed, retry: attempt > 1)
        }
        metrics.attempts.increment()
        if attempt > 1 { metrics.retries.increment() }
        metrics.latency.recordNanoseconds(Int64(truncatingIfNeeded: elapsed))

        let reason: FallbackReason = error is TimeoutError ? .timeout : .error
        let policy = configuration.retry
        func stop(_ why: FallbackReason? = nil, exhausted: Bool = false) -> _AttemptVerdict {
            // A caller that went is not the downstream failing: no failure, no SLO burn.
            if error is CancellationError && Task.isCancelled { return .cancelled }
            callFailed(reason: why ?? reason, exhausted: exhausted, start: state.start)
            return .stop(why ?? reason)
        }
        if Task.isCancelled { return stop() }
        guard attempt < policy.maxAttempts else { return stop(exhausted: policy.maxAttempts > 1) }
        let classification = policy.classifier.classify(error)
        guard classification.isTransient, idempotent || policy.retryNonIdempotent, permit.kind != .probe else {
            return stop()
        }
        if state.previousBackoff == 0 { state.previousBackoff = policy.initialBackoff.clampedNanoseconds }
        var delay = policy.backoff(afterAttempt: attempt, previous: state.previousBackoff, random: random)
        if policy.honorsRetryAfter, let hint = classification.retryAfter {
            guard hint <= policy.maxRetryAfter else { return stop() }
            delay = hint.clampedNanoseconds
        }
        state.previousBackoff = delay
        if let deadline = deadlineNanoseconds, Self.sum(end, delay) >= Self.sum(state.start, deadline) {
            return stop()
        }
        if let retryBudget, !retryBudget.tryRetry() {
            statistics.withLock { $0.budgetDenied += 1 }
            metrics.budgetDenied.increment()
            events.publish(.budgetDenied(dependency: name))
            return stop()
        }
        events.publish(.retry(dependency: name, attempt: attempt + 1, delayNanoseconds: delay))
        do {
            try await clock.sleep(nanoseconds: delay)
        } catch {
            return .cancelled  // the caller went during the backoff: not a failure of the downstream
        }
        // A retry reaches the downstream like a call does, so it passes the rate limiter too:
        // otherwise three attempts a call would send three times the rate the limit promises.
        if let rateLimiter, !rateLimiter.tryAcquire(now: clock.nanoseconds()) { return stop() }
        guard case .admitted(let next) = breaker.acquire() else { return stop(.breakerOpen) }
        state.attempt += 1
        return .retry(next)
    }

    private func callFailed(reason: FallbackReason, exhausted: Bool, start: UInt64) {
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
    }

    /// A pessimistic time limit left work behind, and it has now finished: its result is dropped.
    @usableFromInline
    var _lateResultDiscarded: @Sendable () -> Void {
        { [self] in
            statistics.withLock { $0.lateResultsDiscarded += 1 }
            metrics.lateResultsDiscarded.increment()
        }
    }

    /// Results a pessimistic time limit discarded because they came after it.
    public var lateResultsDiscarded: UInt64 { statistics.withLock { $0.lateResultsDiscarded } }

    @usableFromInline
    func _recordCacheHit(storedAt: UInt64) -> Duration {
        statistics.withLock { $0.cacheHits += 1 }
        return .nanoseconds(Int64(truncatingIfNeeded: clock.nanoseconds() &- storedAt))
    }

    @usableFromInline
    func _recordBypass() {
        statistics.withLock { s in
            s.calls += 1
            s.bypassed += 1
        }
        metrics.bypassed.increment()
    }

    /// Whether the operation may run again elsewhere (an `.alternate` fallback) after `attempts`
    /// tries: always if none ran, else only when it is idempotent (or the policy retries writes
    /// anyway). After a timeout or an error the first try may have done its write: running it
    /// against another region could charge twice.
    @usableFromInline
    func _mayRunAgain(idempotent: Bool, attempts: Int) -> Bool {
        attempts == 0 || idempotent || configuration.retry.retryNonIdempotent
    }

    @usableFromInline
    func _recordUnserved() {
        statistics.withLock { $0.unserved += 1 }
    }

    @usableFromInline
    func _recordActivation(name: String, kind: FallbackKind, reason: FallbackReason, stalenessNanoseconds: UInt64?) {
        let key = FallbackKey(name: name, kind: kind, reason: reason)
        let now = clock.nanoseconds()
        statistics.withLock { s in
            s.rotate(now: now)
            s.fallbacks[key, default: 0] += 1
            if let staleness = stalenessNanoseconds {
                s.current.maxStaleness = max(s.current.maxStaleness, staleness)
            }
        }
        metrics.fallback(key).increment()
        for report in aggregator.activated(key, now: now) { emit(report) }
    }

    /// Appends and logs a fallback event for `report`, with the breaker's current window rates.
    func emit(_ report: FallbackEventAggregator.Report) {
        let window = breaker.windowStats()
        Self.emit(
            report, dependency: name, failureRate: window.failureRate, slowCallRate: window.slowCallRate,
            clock: clock, events: events, logger: logger)
    }

    /// Appends and logs a fallback event for `report`, stamped with the time of the last activation
    /// it counts (`sinceMilliseconds`: the first).
    static func emit(
        _ report: FallbackEventAggregator.Report, dependency name: String, failureRate: Double,
        slowCallRate: Double, clock: any FuseboxClock, events: EventLog, logger: Logger
    ) {
        let key = report.key
        var event = Event(
            atMilliseconds: clock.wallMilliseconds(atMonotonic: report.lastNanoseconds), kind: .fallback,
            dependency: name, fallback: key.name, fallbackKind: key.kind, fallbackReason: key.reason,
            count: report.count, failureRate: failureRate, slowCallRate: slowCallRate,
            message: "\(name): \(key.name) served \(report.count)x (\(key.reason.rawValue))")
        event.sinceMilliseconds = clock.wallMilliseconds(atMonotonic: report.firstNanoseconds)
        events.append(event)
        logger.notice(
            "fallback served",
            metadata: [
                "fallback": "\(key.name)", "reason": "\(key.reason.rawValue)", "count": "\(report.count)",
                "failure_rate": "\(percent(failureRate))", "slow_call_rate": "\(percent(slowCallRate))",
            ])
    }
}

/// Which permit and start a timed or hedged attempt's outcome is recorded by: the attempt's own,
/// or, for a hedged one, the winner's (or the last failure's). Made only for such attempts.
@usableFromInline
final class _AttemptRecord: @unchecked Sendable {
    /// Written by the attempt before it returns or throws; read by the pipeline after.
    @usableFromInline var permit: BreakerPermit
    @usableFromInline var start: UInt64

    @usableFromInline
    init(permit: BreakerPermit, start: UInt64) {
        self.permit = permit
        self.start = start
    }
}
