public import FuseboxProtocol
import Synchronization

/// A circuit breaker with closed, open, half-open, forced-open, disabled and recovering (controlled
/// back-in) states.
///
/// The hot path is lock-free: in the closed and disabled states ``acquire()`` is one atomic load,
/// and recording a success in a count window is one atomic add and one load. Every other state and
/// every transition goes through a small lock.
///
/// ```swift
/// switch breaker.acquire() {
/// case .admitted(let permit):
///     let start = clock.nanoseconds()
///     do {
///         let value = try await call()
///         breaker.record(permit, .success, durationNanoseconds: clock.nanoseconds() - start)
///     } catch {
///         breaker.record(permit, .failure, durationNanoseconds: clock.nanoseconds() - start)
///     }
/// case .rejected(let why):
///     // serve a fallback
/// }
/// ```
public final class CircuitBreaker: Sendable {
    public let name: String
    public let configuration: CircuitBreakerConfiguration
    let clock: any FuseboxClock
    /// The clock is the system clock: read it directly on the hot path, without dynamic dispatch.
    private let onSystemClock: Bool
    private let slowNanoseconds: UInt64
    private let observer: @Sendable (BreakerTransition) -> Void

    /// `generation << 8 | state code`; the only thing the hot path reads.
    private let word: Atomic<UInt64>
    /// When an open breaker lets probes through (monotonic ns), so open rejects without the lock.
    private let openUntilNanoseconds = Atomic<UInt64>(0)
    private let countWindow: CountWindow?
    /// `configuration.effectiveMinimumCalls`, read on the success path.
    private let effectiveMinimumCalls: Int
    /// The second in which a success last checked a time window's rates.
    private let lastSuccessCheckSecond = Atomic<UInt64>(.max)
    /// Whether a time window held fewer than the minimum calls when last checked: until it holds
    /// enough, every success checks, so the one that brings it to the minimum is not missed.
    private let belowMinimumCalls = Atomic<Bool>(true)
    private let timeWindow: TimeWindow?
    private let control: FuseboxMutex<Control>

    struct Control: Sendable {
        var state: BreakerState = .closed
        var generation: UInt64 = 0
        var stateSince: UInt64
        var consecutiveTrips = 0
        var openUntil: UInt64 = 0
        var probesAdmitted = 0
        var probesCompleted = 0
        var probeFailures = 0
        var probeSlowCalls = 0
        var ramp: BackInRamp?
    }

    /// - Parameters:
    ///   - name: the dependency's name, used in transitions.
    ///   - configuration: thresholds and windows; must pass ``CircuitBreakerConfiguration/validationProblem()``.
    ///   - clock: the time source.
    ///   - observer: told about every state change, outside the breaker's lock.
    public init(
        name: String,
        configuration: CircuitBreakerConfiguration = .init(),
        clock: any FuseboxClock = SystemClock(),
        observer: @escaping @Sendable (BreakerTransition) -> Void = { _ in }
    ) {
        if let problem = configuration.validationProblem() {
            preconditionFailure("circuit breaker '\(name)': \(problem)")
        }
        self.name = name
        self.configuration = configuration
        self.clock = clock
        self.onSystemClock = clock is SystemClock
        self.observer = observer
        self.slowNanoseconds = configuration.slowCallDuration.clampedNanoseconds
        self.effectiveMinimumCalls = configuration.effectiveMinimumCalls
        switch configuration.window {
        case .count(let n):
            self.countWindow = CountWindow(size: n)
            self.timeWindow = nil
        case .time(let seconds):
            self.countWindow = nil
            self.timeWindow = TimeWindow(seconds: seconds)
        }
        self.word = Atomic(Self.encode(.closed, generation: 0))
        self.control = FuseboxMutex(Control(stateSince: clock.nanoseconds()))
    }

    deinit {
        countWindow?.deallocate()
        timeWindow?.deallocate()
    }

    // MARK: - State word

    private static func code(_ state: BreakerState) -> UInt64 {
        switch state {
        case .closed: return 0
        case .disabled: return 1
        case .open: return 2
        case .halfOpen: return 3
        case .forcedOpen: return 4
        case .recovering: return 5
        }
    }

    private static func encode(_ state: BreakerState, generation: UInt64) -> UInt64 {
        generation << 8 | code(state)
    }

    /// The current state.
    public var state: BreakerState { control.withLock { $0.state } }

    // MARK: - Admission

    /// Asks to make one call. Lock-free when closed or disabled, and when it rejects in open or
    /// forced open; half-open and recovering take the lock.
    @inline(__always)
    public func acquire() -> BreakerAdmission {
        let current = word.load(ordering: .acquiring)
        switch current & 0xFF {
        case 0, 1:
            return .admitted(BreakerPermit(generation: current >> 8, kind: .normal))
        case 4:
            return .rejected(.forcedOpen)
        case 2 where coarseNow() < openUntilNanoseconds.load(ordering: .relaxed):
            // The coarse clock may lag by a few milliseconds: probes may start that much later.
            return .rejected(.open)
        default:
            return acquireSlowPath()
        }
    }

    private func acquireSlowPath() -> BreakerAdmission {
        let now = clock.nanoseconds()
        var transitions: [BreakerTransition] = []
        let admission = control.withLock { c -> BreakerAdmission in
            if c.state == .open {
                guard now >= c.openUntil else { return .rejected(.open) }
                let waited = (Double(now &- c.stateSince) / 1e8).rounded() / 10
                transitions.append(
                    transition(&c, to: .halfOpen, reason: "waited \(waited)s in open", now: now))
            }
            if c.state == .recovering {
                if let t = advanceRamp(&c, now: now) { transitions.append(t) }
            }
            switch c.state {
            case .closed, .disabled:
                return .admitted(BreakerPermit(generation: c.generation, kind: .normal))
            case .open:
                return .rejected(.open)
            case .forcedOpen:
                return .rejected(.forcedOpen)
            case .halfOpen:
                guard c.probesAdmitted < configuration.halfOpenProbes else {
                    if now &- c.stateSince >= configuration.maxWaitInHalfOpen.clampedNanoseconds {
                        let seconds = Int(configuration.maxWaitInHalfOpen.milliseconds / 1000)
                        let stats = WindowStats(
                            calls: c.probesCompleted, failures: c.probeFailures, slowCalls: c.probeSlowCalls)
                        transitions.append(
                            trip(
                                &c,
                                reason:
                                    "only \(c.probesCompleted) of \(c.probesAdmitted) probes completed in \(seconds)s",
                                now: now, stats: stats))
                        return .rejected(.open)
                    }
                    return .rejected(.halfOpenFull)
                }
                c.probesAdmitted += 1
                return .admitted(BreakerPermit(generation: c.generation, kind: .probe))
            case .recovering:
                guard c.ramp!.admit(at: now) else { return .rejected(.backIn) }
                return .admitted(BreakerPermit(generation: c.generation, kind: .backIn))
            }
        }
        transitions.forEach(observer)
        return admission
    }

    // MARK: - Recording

    /// Records how an admitted call ended. Outcomes from before a state change are dropped.
    /// - Parameters:
    ///   - durationNanoseconds: how long the call took (for the slow-call rate).
    ///   - now: the breaker clock's current reading, if the caller has just read it (saves a read
    ///     for time windows); `nil` to let the breaker read it.
    @inline(__always)
    public func record(
        _ permit: BreakerPermit, _ outcome: BreakerOutcome, durationNanoseconds: UInt64, now: UInt64? = nil
    ) {
        let current = word.load(ordering: .acquiring)
        guard current >> 8 == permit.generation else { return }
        let state = current & 0xFF
        if state == 0, permit.kind == .normal {
            guard outcome != .ignored else { return }
            var bits = OutcomeBits.recorded
            if outcome == .failure { bits |= OutcomeBits.failure }
            if durationNanoseconds >= slowNanoseconds { bits |= OutcomeBits.slow }
            if let countWindow {
                let ticket = countWindow.record(bits)
                // Rates are checked on every outcome that can raise them (issue 12, finding 2). In
                // a count window a success only lowers them, except the one that brings the window
                // to its minimum, when rates are read for the first time.
                if bits != OutcomeBits.recorded || ticket + 1 == effectiveMinimumCalls {
                    checkTrip(generation: permit.generation)
                }
            } else {
                let now = now ?? coarseNow()
                timeWindow!.record(bits, nowNanoseconds: now)
                // In a time window, old successes expiring can raise a rate with no new failure, and
                // they expire by the second: a success checks once per second at most, and every
                // time while the window is short of its minimum (the reference model found the one
                // that reached it unchecked when another had checked earlier in the second).
                if bits != OutcomeBits.recorded || belowMinimumCalls.load(ordering: .relaxed)
                    || isFirstSuccessCheckThisSecond(now)
                {
                    checkTrip(generation: permit.generation)
                }
            }
        } else if state == 3 || state == 5 {
            recordLocked(permit, outcome, slow: durationNanoseconds >= slowNanoseconds)
        }
    }

    /// Whether this success is the first of its second to check the rates.
    @inline(__always)
    private func isFirstSuccessCheckThisSecond(_ now: UInt64) -> Bool {
        let second = now / 1_000_000_000
        let checked = lastSuccessCheckSecond.load(ordering: .relaxed)
        guard checked != second else { return false }
        return lastSuccessCheckSecond.compareExchange(expected: checked, desired: second, ordering: .relaxed).exchanged
    }

    @inline(__always)
    private func coarseNow() -> UInt64 {
        onSystemClock ? SystemClock().coarseNanoseconds() : clock.coarseNanoseconds()
    }

    /// Current window contents.
    func windowStats() -> WindowStats {
        if let countWindow { return countWindow.stats() }
        return timeWindow!.stats(nowNanoseconds: clock.coarseNanoseconds())
    }

    /// The window's totals counted again from its slots (count windows; tests compare the two).
    func recountedWindowStats() -> WindowStats {
        countWindow?.recounted() ?? windowStats()
    }

    /// The window's totals as kept, unclamped (count windows; tests look for negatives).
    func rawWindowTotals() -> (failures: Int, slowCalls: Int) {
        countWindow?.rawTotals() ?? (windowStats().failures, windowStats().slowCalls)
    }

    private func resetWindow() {
        countWindow?.reset()
        timeWindow?.reset()
        belowMinimumCalls.store(true, ordering: .relaxed)
    }

    private func checkTrip(generation: UInt64) {
        let stats = windowStats()
        if timeWindow != nil {
            let below = stats.calls < configuration.effectiveMinimumCalls
            if belowMinimumCalls.load(ordering: .relaxed) != below {
                belowMinimumCalls.store(below, ordering: .relaxed)
            }
        }
        guard stats.calls >= configuration.effectiveMinimumCalls else { return }
        let reason: String
        let over = "over \(stats.calls) calls"
        if stats.failureRate >= configuration.failureRateThreshold {
            let threshold = percent(configuration.failureRateThreshold)
            reason = "failure rate \(percent(stats.failureRate)) >= \(threshold) \(over)"
        } else if stats.slowCallRate >= configuration.slowCallRateThreshold {
            let threshold = percent(configuration.slowCallRateThreshold)
            reason = "slow-call rate \(percent(stats.slowCallRate)) >= \(threshold) \(over)"
        } else {
            return
        }
        let now = clock.nanoseconds()
        let tripped = control.withLock { c -> BreakerTransition? in
            guard c.generation == generation, c.state == .closed else { return nil }
            return trip(&c, reason: reason, now: now, stats: stats)
        }
        if let tripped { observer(tripped) }
    }

    private func recordLocked(_ permit: BreakerPermit, _ outcome: BreakerOutcome, slow: Bool) {
        let now = clock.nanoseconds()
        let changed = control.withLock { c -> BreakerTransition? in
            guard c.generation == permit.generation else { return nil }
            switch (c.state, permit.kind) {
            case (.halfOpen, .probe):
                if outcome == .ignored {
                    c.probesAdmitted -= 1
                    return nil
                }
                c.probesCompleted += 1
                if outcome == .failure { c.probeFailures += 1 }
                if slow { c.probeSlowCalls += 1 }
                guard c.probesCompleted >= configuration.halfOpenProbes else { return nil }
                let stats = WindowStats(
                    calls: c.probesCompleted, failures: c.probeFailures, slowCalls: c.probeSlowCalls)
                if stats.failureRate >= configuration.failureRateThreshold
                    || stats.slowCallRate >= configuration.slowCallRateThreshold
                {
                    return trip(
                        &c,
                        reason:
                            "\(stats.failures) of \(stats.calls) probes failed, \(stats.slowCalls) slow",
                        now: now, stats: stats)
                }
                if let schedule = configuration.backInAfterHalfOpen {
                    c.ramp = BackInRamp(schedule: schedule, now: now)
                    return transition(&c, to: .recovering, reason: "probes succeeded; starting back-in", now: now)
                }
                c.consecutiveTrips = 0
                return transition(&c, to: .closed, reason: "\(stats.calls) probes succeeded", now: now)
            case (.recovering, .backIn):
                guard outcome != .ignored else { return nil }
                c.ramp!.record(failure: outcome == .failure, slow: slow)
                return advanceRamp(&c, now: now)
            default:
                return nil
            }
        }
        if let changed { observer(changed) }
    }

    // MARK: - Transitions (under the lock)

    private func advanceRamp(_ c: inout Control, now: UInt64) -> BreakerTransition? {
        let verdict = c.ramp!.advance(
            to: now, failureThreshold: configuration.failureRateThreshold,
            slowThreshold: configuration.slowCallRateThreshold, tripAfterCalls: configuration.halfOpenProbes)
        switch verdict {
        case .stay:
            return nil
        case .completed:
            c.consecutiveTrips = 0
            return transition(&c, to: .closed, reason: "back-in complete after \(c.ramp!.calls) calls", now: now)
        case .trip(let reason):
            let ramp = c.ramp!
            return trip(
                &c, reason: reason, now: now,
                stats: WindowStats(calls: ramp.calls, failures: ramp.failures, slowCalls: ramp.slowCalls))
        }
    }

    private func trip(_ c: inout Control, reason: String, now: UInt64, stats: WindowStats) -> BreakerTransition {
        c.consecutiveTrips += 1
        let wait = configuration.waitInOpen(afterTrips: c.consecutiveTrips)
        c.openUntil = now &+ wait
        openUntilNanoseconds.store(c.openUntil, ordering: .relaxed)  // published by the word's release store
        return transition(
            &c, to: .open, reason: reason + "; open for \((Double(wait / 1_000_000) / 100).rounded() / 10)s", now: now,
            rates: (stats.failureRate, stats.slowCallRate))
    }

    private func transition(
        _ c: inout Control, to next: BreakerState, reason: String, now: UInt64, actor: String? = nil,
        rates: (Double, Double)? = nil
    ) -> BreakerTransition {
        let previous = c.state
        let observedRates: (Double, Double)
        if let rates {
            observedRates = rates
        } else {
            let stats = windowStats()
            observedRates = (stats.failureRate, stats.slowCallRate)
        }
        c.state = next
        c.generation &+= 1
        c.stateSince = now
        c.probesAdmitted = 0
        c.probesCompleted = 0
        c.probeFailures = 0
        c.probeSlowCalls = 0
        if next != .recovering { c.ramp = nil }
        if next == .closed { resetWindow() }
        word.store(Self.encode(next, generation: c.generation), ordering: .releasing)
        return BreakerTransition(
            breaker: name, from: previous, to: next, reason: reason, failureRate: observedRates.0,
            slowCallRate: observedRates.1, actor: actor, atNanoseconds: now)
    }

    // MARK: - Operator control

    /// Holds the breaker open until an operator closes it or starts a back-in.
    @discardableResult
    public func forceOpen(actor: String, reason: String) -> BreakerTransition {
        operate(actor: actor) { c, now in
            self.transition(&c, to: .forcedOpen, reason: "forced open by \(actor): \(reason)", now: now, actor: actor)
        }
    }

    /// Closes (resets) the breaker: clears its window and its trip count.
    @discardableResult
    public func close(actor: String, reason: String) -> BreakerTransition {
        operate(actor: actor) { c, now in
            c.consecutiveTrips = 0
            return self.transition(&c, to: .closed, reason: "closed by \(actor): \(reason)", now: now, actor: actor)
        }
    }

    /// Lets every call through and never trips, until an operator closes it.
    @discardableResult
    public func disable(actor: String, reason: String) -> BreakerTransition {
        operate(actor: actor) { c, now in
            self.transition(&c, to: .disabled, reason: "disabled by \(actor): \(reason)", now: now, actor: actor)
        }
    }

    /// Starts a controlled back-in from any state, with `schedule` or the configured default.
    @discardableResult
    public func startBackIn(schedule: BackInSchedule? = nil, actor: String, reason: String) -> BreakerTransition {
        let chosen = schedule ?? configuration.defaultBackInSchedule
        precondition(chosen.validationProblem() == nil, "invalid back-in schedule: \(chosen.validationProblem()!)")
        return operate(actor: actor) { c, now in
            c.ramp = BackInRamp(schedule: chosen, now: now)
            return self.transition(
                &c, to: .recovering, reason: "back-in started by \(actor): \(reason)", now: now, actor: actor)
        }
    }

    private func operate(
        actor: String, _ body: (inout Control, UInt64) -> BreakerTransition
    ) -> BreakerTransition {
        let now = clock.nanoseconds()
        let result = control.withLock { body(&$0, now) }
        observer(result)
        return result
    }

    // MARK: - Snapshot

    /// The breaker's state, thresholds and window, for a ``Snapshot``.
    public func snapshot() -> BreakerSnapshot {
        let now = clock.nanoseconds()
        var transitions: [BreakerTransition] = []
        let result = control.withLock { c -> BreakerSnapshot in
            if c.state == .recovering, let t = advanceRamp(&c, now: now) { transitions.append(t) }
            let stats =
                c.state == .halfOpen
                ? WindowStats(calls: c.probesCompleted, failures: c.probeFailures, slowCalls: c.probeSlowCalls)
                : windowStats()
            let windowKind: WindowKind
            let windowSize: Int
            switch configuration.window {
            case .count(let n): (windowKind, windowSize) = (.count, n)
            case .time(let s): (windowKind, windowSize) = (.time, s)
            }
            return BreakerSnapshot(
                state: c.state,
                stateSinceMilliseconds: clock.wallMilliseconds(atMonotonic: c.stateSince),
                windowKind: windowKind,
                windowSize: windowSize,
                windowCalls: stats.calls,
                windowFailures: stats.failures,
                windowSlowCalls: stats.slowCalls,
                // No calls in the window: no rate, rather than a reassuring 0%.
                failureRate: stats.calls == 0 ? nil : stats.failureRate,
                slowCallRate: stats.calls == 0 ? nil : stats.slowCallRate,
                failureRateThreshold: configuration.failureRateThreshold,
                slowCallRateThreshold: configuration.slowCallRateThreshold,
                slowCallDurationMilliseconds: configuration.slowCallDuration.milliseconds,
                minimumCalls: configuration.effectiveMinimumCalls,
                halfOpenProbes: configuration.halfOpenProbes,
                halfOpenProbesAdmitted: c.state == .halfOpen ? c.probesAdmitted : 0,
                consecutiveTrips: c.consecutiveTrips,
                openUntilMilliseconds: c.state == .open ? clock.wallMilliseconds(atMonotonic: c.openUntil) : nil,
                backIn: c.ramp.map {
                    $0.progress(at: now, wallStart: clock.wallMilliseconds(atMonotonic: $0.startedAt))
                }
            )
        }
        transitions.forEach(observer)
        return result
    }
}
