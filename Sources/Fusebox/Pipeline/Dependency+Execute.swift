public import FuseboxProtocol

// The generic shell of the pipeline. It is inlinable so that it is specialised for the caller's
// value type (no runtime generic metadata on the hot path); every piece of bookkeeping it calls is
// non-generic and lives in Dependency+Core.swift.

extension Dependency {
    /// Calls the downstream through the pipeline.
    ///
    /// - Parameters:
    ///   - idempotent: whether the operation may safely run more than once; only then is it retried
    ///     (unless the retry policy says `retryNonIdempotent`).
    ///   - cache: a cache-aside store and key: a fresh entry is served without a call, and every
    ///     primary result is stored.
    ///   - fallbacks: tried in order when the primary cannot serve. A fallback bound to a flag that is
    ///     on serves first, in place of the primary; if it cannot, the call proceeds normally. An
    ///     `.alternate` runs the operation again elsewhere, so for a call that is not idempotent it
    ///     serves only when no attempt ran (breaker open, limits), never after a failed attempt.
    ///   - alternates: what a hedged attempt runs instead of `operation` (another replica or region),
    ///     in turn; empty to hedge with `operation` itself. Used only when the configuration sets
    ///     ``DependencyConfiguration/hedging`` and the call is idempotent.
    ///   - operation: the call itself. It should honour task cancellation, which is how timeouts and
    ///     hedging stop it.
    /// - Returns: the value and where it came from.
    /// - Throws: ``DependencyFailure`` when neither the primary nor a fallback served;
    ///   `CancellationError` if the calling task was cancelled.
    @inlinable
    nonisolated(nonsending) public func execute<Value: Sendable>(
        idempotent: Bool = false,
        cache: CacheAside<Value>? = nil,
        fallbacks: [Fallback<Value>] = [],
        hedgingWith alternates: [@Sendable () async throws -> Value] = [],
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Outcome<Value> {
        for fallback in fallbacks where fallback.flag?.isOn == true {
            let context = FallbackContext(dependency: name, reason: .flag, error: nil)
            if let served = try? await fallback.body(context) {
                _recordBypass()
                return _activated(fallback, served, reason: .flag, attempts: 0)
            }
        }
        if let cache, let entry = cache.store.fresh(cache.key) {
            let age = _recordCacheHit(storedAt: entry.storedAtNanoseconds)
            return Outcome(value: entry.value, source: .cache, staleness: age, attempts: 0)
        }
        var admission = _admit()
        if case .waitForBulkhead = admission { admission = await _admitAfterWaiting() }
        if case .cancelled = admission { throw CancellationError() }
        guard case .admitted(var permit, let holdsBulkhead, let start) = admission else {
            return try await _serveFallback(
                fallbacks, reason: admission.fallbackReason, error: nil, attempts: 0, idempotent: idempotent)
        }
        defer { if holdsBulkhead { bulkhead!.leave() } }
        var state = _CallState(start: start)
        let hedging = idempotent ? configuration.hedging : nil
        let guarded = _hasTimeLimits || hedging != nil
        while true {
            let value: Value
            // A timed or hedged attempt runs out of line and says which permit and start its
            // outcome is recorded by (a hedge's winner or last failure is not the first racer).
            let record = guarded ? _AttemptRecord(permit: permit, start: state.attemptStart) : nil
            do {
                if let record {
                    value = try await _guardedAttempt(state, record, hedging: hedging, operation, alternates)
                } else {
                    _nextAttempt(&state)
                    value = try await operation()
                }
            } catch {
                if let record {
                    permit = record.permit
                    state.attemptStart = record.start
                }
                switch await _attemptFailed(error, permit: permit, idempotent: idempotent, state: &state) {
                case .retry(let next):
                    permit = next
                    continue
                case .cancelled:
                    throw CancellationError()
                case .stop(let reason):
                    return try await _serveFallback(
                        fallbacks, reason: reason, error: error, attempts: state.attempt, idempotent: idempotent)
                }
            }
            if let record {
                permit = record.permit
                state.attemptStart = record.start
            }
            _attemptSucceeded(permit: permit, state: state)
            if let cache { cache.store.put(cache.key, value) }
            return Outcome(value: value, source: .primary, staleness: nil, attempts: state.attempt)
        }
    }

    /// A timed or hedged attempt. Kept out of line, with the operation used as a value only here:
    /// wrapping it for a child task costs an allocation that the plain path must not pay.
    @inlinable
    @inline(never)
    func _guardedAttempt<Value: Sendable>(
        _ state: _CallState, _ record: _AttemptRecord, hedging: HedgingPolicy?,
        _ operation: @escaping @Sendable () async throws -> Value, _ alternates: [@Sendable () async throws -> Value]
    ) async throws -> Value {
        if let hedging {
            return try await _hedgedAttempt(state, record, hedging: hedging, racers: [operation] + alternates)
        }
        var state = state
        let limit = _attemptLimit(&state)
        record.start = state.attemptStart
        return try await _attemptWithTimeout(limit, operation)
    }

    @inlinable
    func _attemptWithTimeout<Value: Sendable>(
        _ limit: _AttemptLimit?, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let limit else { return try await operation() }
        if configuration.timeoutStrategy == .pessimistic {
            return try await withPessimisticTimeout(
                limit.duration, scope: limit.scope, clock: clock, onLateResult: _lateResultDiscarded,
                operation: operation)
        }
        return try await withTimeout(limit.duration, scope: limit.scope, clock: clock, operation: operation)
    }

    @inlinable
    func _serveFallback<Value: Sendable>(
        _ chain: [Fallback<Value>], reason: FallbackReason, error: (any Error)?, attempts: Int, idempotent: Bool
    ) async throws -> Outcome<Value> {
        let context = FallbackContext(dependency: name, reason: reason, error: error)
        let mayRunAgain = _mayRunAgain(idempotent: idempotent, attempts: attempts)
        for fallback in chain {
            // The non-idempotent guard covers alternates too, not only retries.
            if fallback.kind == .alternate && !mayRunAgain { continue }
            guard let served = try? await fallback.body(context) else { continue }
            return _activated(fallback, served, reason: reason, attempts: attempts)
        }
        _recordUnserved()
        throw DependencyFailure(dependency: name, reason: reason, underlying: error, attempts: attempts)
    }

    @inlinable
    func _activated<Value: Sendable>(
        _ fallback: Fallback<Value>, _ served: Fallback<Value>.Served, reason: FallbackReason, attempts: Int
    ) -> Outcome<Value> {
        _recordActivation(
            name: fallback.name, kind: fallback.kind, reason: reason, stalenessNanoseconds: served.stalenessNanoseconds)
        return Outcome(
            value: served.value, source: .fallback(name: fallback.name, kind: fallback.kind, reason: reason),
            staleness: served.stalenessNanoseconds.map { .nanoseconds(Int64(truncatingIfNeeded: $0)) },
            attempts: attempts)
    }
}
