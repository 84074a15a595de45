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

    /// This dependency's events from now on (transitions, fallback reports, commands, calls not
    /// permitted, retries, budget denials): see ``EventLog/stream(dependency:bufferingNewest:)``.
    /// Nothing is made for them while nobody listens.
    public func eventStream(bufferingNewest: Int = 1_024) -> AsyncStream<RuntimeEvent> {
        events.stream(dependency: name, bufferingNewest: bufferingNewest)
    }
    public let breaker: CircuitBreaker
    public let retryBudget: RetryBudget?
    public let bulkhead: Bulkhead?
    public let rateLimiter: RateLimiter?

    @usableFromInline let clock: any FuseboxClock
    let random: SeededRandom
    let logger: Logger
    let metrics: DependencyMetrics
    let events: EventLog
    let statistics: FuseboxMutex<DependencyStatistics>
    let aggregator: FallbackEventAggregator
    let attemptTimeoutNanoseconds: UInt64?
    let deadlineNanoseconds: UInt64?

    /// - Parameter carrying: a dependency this one replaces: its cumulative counts go on here.
    init(
        configuration: DependencyConfiguration, clock: any FuseboxClock, random: SeededRandom, logger: Logger,
        events: EventLog, carrying previous: Dependency? = nil
    ) {
        self.configuration = configuration
        self.clock = clock
        self.random = random
        var logger = logger
        logger[metadataKey: "dependency"] = "\(configuration.name)"
        self.logger = logger
        self.events = events
        let metrics = DependencyMetrics(dependency: configuration.name)
        metrics.recordState(.closed)
        self.metrics = metrics
        let aggregator = FallbackEventAggregator()
        self.aggregator = aggregator
        self.breaker = CircuitBreaker(
            name: configuration.name, configuration: configuration.breaker, clock: clock,
            observer: Self.transitionObserver(
                clock: clock, logger: logger, events: events, metrics: metrics, aggregator: aggregator))
        self.retryBudget = configuration.retryBudget.map { RetryBudget(configuration: $0, clock: clock) }
        self.bulkhead = configuration.bulkhead.map { Bulkhead(configuration: $0, clock: clock) }
        self.rateLimiter = configuration.rateLimit.map { RateLimiter(configuration: $0, clock: clock) }
        self.attemptTimeoutNanoseconds = configuration.attemptTimeout?.clampedNanoseconds
        self.deadlineNanoseconds = configuration.deadline?.clampedNanoseconds
        var statistics = DependencyStatistics(
            now: clock.nanoseconds(),
            intervalLength: configuration.statisticsWindow.clampedNanoseconds,
            latencyTargetMicros: configuration.slo?.latencyTarget.map { $0.clampedNanoseconds / 1000 })
        // Counters never go down on a reconfiguration: readers take a decrease for a restart.
        if let previous { statistics.carryCounts(from: previous.statistics.withLock { $0 }) }
        self.statistics = FuseboxMutex(statistics)
    }

    /// Records a transition: first the fallback activations held back until then, with their own
    /// times and the rates that led to the transition, so they come before the transition that
    /// ended them in the event log; then the transition.
    private static func transitionObserver(
        clock: any FuseboxClock, logger: Logger, events: EventLog, metrics: DependencyMetrics,
        aggregator: FallbackEventAggregator
    ) -> @Sendable (BreakerTransition) -> Void {
        { transition in
            for report in aggregator.flush(now: transition.atNanoseconds, force: true) {
                emit(
                    report, dependency: transition.breaker, failureRate: transition.failureRate,
                    slowCallRate: transition.slowCallRate, clock: clock, events: events, logger: logger)
            }
            metrics.recordState(transition.to)
            events.append(
                Event(
                    atMilliseconds: clock.wallMilliseconds(atMonotonic: transition.atNanoseconds),
                    kind: .transition, dependency: transition.breaker, from: .breaker(transition.from),
                    to: .breaker(transition.to), reason: transition.reason, actor: transition.actor,
                    failureRate: transition.failureRate, slowCallRate: transition.slowCallRate,
                    message:
                        "\(transition.breaker): \(transition.from.label) -> \(transition.to.label)"
                        + " (\(transition.reason))"
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
}
