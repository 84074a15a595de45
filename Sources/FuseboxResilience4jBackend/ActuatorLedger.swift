import FuseboxProtocol

/// What one poll of an actuator found: the breakers (always), and each optional endpoint's answer,
/// or `nil` where the endpoint is not enabled or did not answer this time.
struct ActuatorReading: Sendable {
    var breakers: [String: CircuitBreakerDetails]
    var breakerEvents: [CircuitBreakerEventDTO]?
    var retries: [String]?
    var retryEvents: [RetryEventDTO]?
    var bulkheads: [String]?
    var rateLimiters: [String]?
}

/// What a backend remembers between polls of one actuator, and how it turns a reading into a
/// ``Snapshot``.
///
/// The actuator reports windows, not totals, so the cumulative counters a snapshot carries are
/// kept here, counted from the time this backend first read the actuator: rejections from the
/// rises of each breaker's `notPermittedCalls` (which starts over at each state change), successes
/// and failures from the `SUCCESS` and `ERROR` events (an `IGNORED_ERROR` counts as a success), retries from the retry
/// events. Events get sequence numbers in the order this backend first sees them.
struct ActuatorLedger: Sendable {
    /// The most event buffers entries compared per breaker or retry (Resilience4j keeps 100 by default).
    static let maxBufferedEntries = 1000
    /// The most transition events a snapshot carries.
    static let maxEvents = 256

    private struct BreakerTotals {
        var successes: UInt64 = 0
        var failures: UInt64 = 0
        var rejected: UInt64 = 0
        var rejectedByReason: [RejectionReason: UInt64] = [:]
        var lastNotPermitted: Int64 = 0
    }

    private struct RetryTotals {
        var retries: UInt64 = 0
        var successesAfterRetry: UInt64 = 0
        var exhausted: UInt64 = 0
    }

    private var breakerTotals: [String: BreakerTotals] = [:]
    private var retryTotals: [String: RetryTotals] = [:]
    private var seenBreakerEvents: [String: [CircuitBreakerEventDTO]] = [:]
    private var seenRetryEvents: [String: [RetryEventDTO]] = [:]
    /// When each breaker entered the state it was last seen in, from its transition events.
    private var stateSince: [String: (state: String, at: Int64)] = [:]
    /// Whether retry events have ever been read: until then retry counts are unknown.
    private var readRetryEvents = false
    private var lastSequence: UInt64 = 0
    private var events: [Event] = []
    /// Each breaker's state in the last reading.
    private(set) var states: [String: BreakerState] = [:]

    /// Absorbs `reading` taken at `now` and returns the snapshot it shows, or the first breaker whose
    /// state is missing or unknown (then nothing is absorbed).
    mutating func absorb(
        _ reading: ActuatorReading, service: String, instance: String, now: Int64
    ) -> Result<Snapshot, UnknownState> {
        var states: [String: (raw: String, state: BreakerState)] = [:]
        for (name, details) in reading.breakers {
            guard let state = ActuatorValues.state(details.state) else {
                return .failure(UnknownState(breaker: name, state: details.state))
            }
            states[name] = (details.state ?? "", state)
        }
        if let events = reading.breakerEvents { absorbBreakerEvents(events, now: now) }
        if let events = reading.retryEvents { absorbRetryEvents(events) }
        var dependencies: [DependencySnapshot] = []
        dependencies.reserveCapacity(reading.breakers.count)
        for (name, details) in reading.breakers.sorted(by: { $0.key < $1.key }) {
            let (raw, state) = states[name]!
            var totals = breakerTotals[name] ?? BreakerTotals()
            if let notPermitted = details.notPermittedCalls, notPermitted >= 0 {
                // A fall means the breaker changed state and started counting again.
                let added =
                    notPermitted >= totals.lastNotPermitted ? notPermitted - totals.lastNotPermitted : notPermitted
                if added > 0 {
                    totals.rejected.addClamped(UInt64(added))
                    totals.rejectedByReason[ActuatorValues.rejectionReason(state), default: 0].addClamped(UInt64(added))
                }
                totals.lastNotPermitted = notPermitted
            }
            breakerTotals[name] = totals
            let calls = totals.successes.addingClamped(totals.failures).addingClamped(totals.rejected)
            var metadata = ["resilience4j.state": raw]
            if reading.retries?.contains(name) == true { metadata["resilience4j.retry"] = name }
            if reading.bulkheads?.contains(name) == true { metadata["resilience4j.bulkhead"] = name }
            if reading.rateLimiters?.contains(name) == true { metadata["resilience4j.ratelimiter"] = name }
            var retry = RetrySnapshot.unknown
            if readRetryEvents, reading.retries?.contains(name) ?? (retryTotals[name] != nil) {
                let counted = retryTotals[name] ?? RetryTotals()
                retry = RetrySnapshot(
                    retries: counted.retries, successesAfterRetry: counted.successesAfterRetry,
                    exhausted: counted.exhausted)
            }
            let since = stateSince[name].flatMap { $0.state == raw ? $0.at : nil }
            dependencies.append(
                DependencySnapshot(
                    name: name, criticality: .degradable, metadata: metadata,
                    breaker: BreakerSnapshot(
                        state: state, stateSinceMilliseconds: since, windowCalls: details.bufferedCalls.nonNegative,
                        windowFailures: details.failedCalls.nonNegative, windowSlowCalls: details.slowCalls.nonNegative,
                        failureRate: ActuatorValues.percentage(details.failureRate),
                        slowCallRate: ActuatorValues.percentage(details.slowCallRate),
                        failureRateThreshold: ActuatorValues.percentage(details.failureRateThreshold),
                        slowCallRateThreshold: ActuatorValues.percentage(details.slowCallRateThreshold)),
                    calls: CallCounts(
                        calls: calls, successes: totals.successes, failures: totals.failures, rejected: totals.rejected,
                        rejectedByReason: totals.rejectedByReason),
                    retry: retry,
                    fallbacks: FallbackSnapshot(chain: [], activations: [], unserved: 0, maxStalenessMilliseconds: nil),
                    bulkhead: nil, rateLimiter: nil, latency: .unknown, slo: nil))
        }
        self.states = states.mapValues(\.state)
        return .success(
            Snapshot(
                service: service, instance: instance, takenAtMilliseconds: now, lastEventSequence: lastSequence,
                degradationLevel: .normal, dependencies: dependencies, flags: [], events: events))
    }

    /// A breaker whose state is missing or not one this build knows.
    struct UnknownState: Error {
        var breaker: String
        var state: String?
    }

    private mutating func absorbBreakerEvents(_ all: [CircuitBreakerEventDTO], now: Int64) {
        var byName: [String: [CircuitBreakerEventDTO]] = [:]
        var order: [String] = []
        for event in all {
            guard let name = event.circuitBreakerName else { continue }
            if byName[name] == nil { order.append(name) }
            byName[name, default: []].append(event)
        }
        var fresh: [(at: Int64, name: String, event: CircuitBreakerEventDTO)] = []
        for name in order {
            let latest = Array(byName[name]!.suffix(Self.maxBufferedEntries))
            for event in NewEntries.after(seenBreakerEvents[name] ?? [], in: latest) {
                let at = event.creationTime.flatMap(JavaDateTime.milliseconds) ?? now
                fresh.append((at, name, event))
            }
            seenBreakerEvents[name] = latest
        }
        var totals = breakerTotals
        // Every breaker's new events in time order, so transitions get numbers in the order they happened.
        let ordered = fresh.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
        for (at, name, event) in ordered.map(\.element) {
            switch event.type {
            // An ignored error is not a failure to the breaker (nor to the Prometheus path): it counts as a success.
            case "SUCCESS", "IGNORED_ERROR": totals[name, default: BreakerTotals()].successes.addClamped(1)
            case "ERROR": totals[name, default: BreakerTotals()].failures.addClamped(1)
            case "STATE_TRANSITION":
                guard let (from, to) = ActuatorValues.transition(event.stateTransition) else { continue }
                stateSince[name] = (to, at)
                lastSequence += 1
                events.append(
                    Event(
                        sequence: lastSequence, atMilliseconds: at, kind: .transition, dependency: name,
                        from: .breaker(ActuatorValues.state(from)!), to: .breaker(ActuatorValues.state(to)!),
                        message: "\(name): \(ActuatorValues.label(from)) -> \(ActuatorValues.label(to))"))
            default: continue
            }
        }
        breakerTotals = totals
        if events.count > Self.maxEvents { events.removeFirst(events.count - Self.maxEvents) }
    }

    private mutating func absorbRetryEvents(_ all: [RetryEventDTO]) {
        readRetryEvents = true
        var byName: [String: [RetryEventDTO]] = [:]
        for event in all {
            guard let name = event.retryName else { continue }
            byName[name, default: []].append(event)
        }
        for (name, events) in byName {
            let latest = Array(events.suffix(Self.maxBufferedEntries))
            var totals = retryTotals[name] ?? RetryTotals()
            for event in NewEntries.after(seenRetryEvents[name] ?? [], in: latest) {
                switch event.type {
                case "RETRY": totals.retries.addClamped(1)
                case "SUCCESS": totals.successesAfterRetry.addClamped(1)
                case "ERROR": totals.exhausted.addClamped(1)
                default: break
                }
            }
            retryTotals[name] = totals
            seenRetryEvents[name] = latest
        }
    }
}

extension UInt64 {
    /// The sum, or `.max` where it would overflow: a lying server's counts cannot trap.
    fileprivate func addingClamped(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    fileprivate mutating func addClamped(_ other: UInt64) { self = addingClamped(other) }
}

extension Optional where Wrapped == Int {
    /// The count, or `nil` for a negative one.
    fileprivate var nonNegative: Int? { flatMap { $0 >= 0 ? $0 : nil } }
}
