/// What one racer of a hedged attempt came back with, or the hedging delay's tick.
@usableFromInline
enum _HedgeEvent<Value: Sendable>: Sendable {
    case finished(racer: Int, result: Result<Value, any Error>, start: UInt64, end: UInt64)
    /// The delay started with hedge number `hedge` passed (or was cut short by cancellation).
    case tick(hedge: Int)
}

extension Dependency {
    /// One attempt, hedged: `bodies[0]` (the operation) runs, and after the policy's delay (or at
    /// once when it fails) another attempt starts beside it, up to `maxHedgedAttempts`; the first
    /// success wins and the others are cancelled. Each racer holds its own breaker permit and passes the rate
    /// limiter, as a retry does.
    ///
    /// On success it returns the winner's value and leaves its permit and start in `record`, for
    /// the caller to record. When every racer failed, it throws the last failure and leaves that
    /// racer's permit and start in `record`, so the caller records it and lets the retry policy
    /// decide; the earlier failures are recorded here.
    @inlinable
    @inline(never)
    func _hedgedAttempt<Value: Sendable>(
        _ state: _CallState, _ record: _AttemptRecord, hedging: HedgingPolicy,
        racers bodies: [@Sendable () async throws -> Value]
    ) async throws -> Value {
        var state = state
        let permit = record.permit
        _nextAttempt(&state)
        let callStart = state.start
        let firstStart = state.attemptStart
        let attempt = state.attempt
        var permits = [permit]
        var winner: (value: Value, racer: Int, start: UInt64)?
        var lastFailure: (error: any Error, racer: Int, start: UInt64, end: UInt64)?

        await withTaskGroup(of: _HedgeEvent<Value>.self) { group in
            func race(_ racer: Int, start: UInt64, immediately: Bool) {
                // The operation first, then the alternates in turn (or the operation again, without any).
                let body = bodies.count == 1 ? bodies[0] : bodies[racer == 0 ? 0 : 1 + (racer - 1) % (bodies.count - 1)]
                let limit = _racerLimit(callStart: callStart, racerStart: start)
                let run: @Sendable () async -> _HedgeEvent<Value> = { [self] in
                    do {
                        let value = try await _attemptWithTimeout(limit, body)
                        return .finished(racer: racer, result: .success(value), start: start, end: clock.nanoseconds())
                    } catch {
                        return .finished(racer: racer, result: .failure(error), start: start, end: clock.nanoseconds())
                    }
                }
                if immediately, #available(macOS 26, iOS 26, tvOS 26, watchOS 26, *) {
                    group.addImmediateTask(operation: run)
                } else {
                    group.addTask(operation: run)
                }
            }
            /// The delay counts from the latest racer's start, and only while another may follow it.
            func startDelay() {
                guard let delay = hedging.delay, permits.count <= hedging.maxHedgedAttempts else { return }
                let hedge = permits.count
                group.addTask { [clock] in
                    try? await clock.sleep(nanoseconds: delay.clampedNanoseconds)
                    return .tick(hedge: hedge)
                }
            }
            /// Starts the next racer if the policy, the deadline, the rate limiter, the breaker and
            /// (after a failure) the retry budget allow.
            func hedge(afterFailure: Bool) -> Bool {
                guard permits.count <= hedging.maxHedgedAttempts, !Task.isCancelled,
                    let next = _admitHedge(
                        first: permits[0], callStart: callStart, hedge: permits.count, afterFailure: afterFailure)
                else { return false }
                permits.append(next.permit)
                race(permits.count - 1, start: next.start, immediately: false)
                startDelay()
                return true
            }

            race(0, start: firstStart, immediately: true)
            startDelay()
            var running = 1
            while let event = await group.next() {
                switch event {
                case .tick(let number):
                    // A delay that a failure's hedge overtook, or one cut short because the caller
                    // went: no hedge.
                    if winner == nil, running > 0, number == permits.count, hedge(afterFailure: false) {
                        running += 1
                    }
                case .finished(let racer, let result, let start, let end):
                    running -= 1
                    if winner != nil {
                        _hedgeAbandoned(permit: permits[racer], start: start, end: end)
                        continue
                    }
                    switch result {
                    case .success(let value):
                        winner = (value, racer, start)
                        group.cancelAll()
                    case .failure(let error):
                        if let previous = lastFailure {
                            _hedgeFailed(
                                previous.error, permit: permits[previous.racer], start: previous.start,
                                end: previous.end, attempt: attempt)
                        }
                        lastFailure = (error, racer, start, end)
                        if hedging.hedgeOnFailure, !Task.isCancelled,
                            configuration.retry.classifier.classify(error).isTransient, hedge(afterFailure: true)
                        {
                            running += 1
                        } else if running == 0 {
                            group.cancelAll()  // the pending tick
                        }
                    }
                }
            }
        }
        if let winner {
            if winner.racer > 0 { _recordHedgeWin() }
            if let lost = lastFailure {
                _hedgeFailed(
                    lost.error, permit: permits[lost.racer], start: lost.start, end: lost.end, attempt: attempt)
            }
            record.permit = permits[winner.racer]
            record.start = winner.start
            return winner.value
        }
        let failure = lastFailure!
        record.permit = permits[failure.racer]
        record.start = failure.start
        throw failure.error
    }
}

// The non-generic bookkeeping of hedging.
extension Dependency {
    /// The time limit of a racer that starts at `racerStart`: the attempt timeout, or what is left
    /// of the deadline.
    @usableFromInline
    func _racerLimit(callStart: UInt64, racerStart: UInt64) -> _AttemptLimit? {
        var state = _CallState(start: callStart)
        state.attemptStart = racerStart
        return _attemptLimit(&state)
    }

    /// A permit for hedge number `hedge`, or `nil` when it may not start: the first attempt is a
    /// probe or part of a back-in (a recovering downstream gets no extra load), the deadline is
    /// spent, or the rate limiter or the breaker refuses. A hedge after a failure is a retry in
    /// all but name, so the retry budget must allow it too: otherwise every fast failure would
    /// multiply the load on a failing downstream, unbudgeted.
    @usableFromInline
    func _admitHedge(
        first: BreakerPermit, callStart: UInt64, hedge: Int, afterFailure: Bool
    ) -> (permit: BreakerPermit, start: UInt64)? {
        guard first.kind == .normal else { return nil }
        let now = clock.nanoseconds()
        if let deadline = deadlineNanoseconds, now >= Self.sum(callStart, deadline) { return nil }
        if afterFailure, let retryBudget, !retryBudget.tryRetry() {
            statistics.withLock { $0.budgetDenied += 1 }
            metrics.budgetDenied.increment()
            events.publish(.budgetDenied(dependency: name))
            return nil
        }
        if let rateLimiter, !rateLimiter.tryAcquire(now: now) { return nil }
        guard case .admitted(let permit) = breaker.acquire() else { return nil }
        guard permit.kind == .normal else {
            breaker.record(permit, .ignored, durationNanoseconds: 0, now: now)
            return nil
        }
        statistics.withLock { $0.hedges += 1 }
        events.publish(.hedged(dependency: name, hedge: hedge))
        return (permit, now)
    }

    /// A racer that failed while others went on: recorded as an attempt, never the call's outcome.
    @usableFromInline
    func _hedgeFailed(_ error: any Error, permit: BreakerPermit, start: UInt64, end: UInt64, attempt: Int) {
        let countsAsFailure = breaker.configuration.classifier.classify(error).countsAsFailure
        breaker.record(permit, countsAsFailure ? .failure : .ignored, durationNanoseconds: end &- start, now: end)
        if let bulkhead, bulkhead.isAdaptive, error is TimeoutError {
            bulkhead.sample(latencyNanoseconds: end &- start, timedOut: true)
        }
        statistics.withLock { s in
            s.rotate(now: end)
            s.recordAttempt(nanoseconds: end &- start, retry: attempt > 1)
        }
        metrics.attempts.increment()
        metrics.latency.recordNanoseconds(Int64(truncatingIfNeeded: end &- start))
    }

    /// A racer cancelled because another won: the downstream was not judged (its breaker permit is
    /// given back unrecorded), but the attempt was made.
    @usableFromInline
    func _hedgeAbandoned(permit: BreakerPermit, start: UInt64, end: UInt64) {
        breaker.record(permit, .ignored, durationNanoseconds: end &- start, now: end)
        statistics.withLock { $0.attempts += 1 }
        metrics.attempts.increment()
    }

    @usableFromInline
    func _recordHedgeWin() {
        statistics.withLock { $0.hedgeWins += 1 }
    }
}
