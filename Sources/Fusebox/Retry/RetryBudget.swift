/// The knobs of a ``RetryBudget``.
public struct RetryBudgetConfiguration: Sendable, Hashable {
    /// Retries allowed per call over the window (0.2: at most one retry for every five calls).
    public var ratio: Double = 0.2
    /// Retries allowed per second regardless of traffic, so a quiet service can still retry.
    public var minRetriesPerSecond: Int = 5
    /// How far back calls and retries count.
    public var windowSeconds: Int = 10

    public init(ratio: Double = 0.2, minRetriesPerSecond: Int = 5, windowSeconds: Int = 10) {
        self.ratio = ratio
        self.minRetriesPerSecond = minRetriesPerSecond
        self.windowSeconds = windowSeconds
    }
}

/// Limits retries to a ratio of recent calls plus a small floor per second (as Envoy's and
/// Finagle's retry budgets do), so retries cannot multiply the load on a struggling downstream.
public final class RetryBudget: Sendable {
    public let configuration: RetryBudgetConfiguration
    private let clock: any FuseboxClock
    private let calls: TimeWindow
    private let retries: TimeWindow

    deinit {
        calls.deallocate()
        retries.deallocate()
    }

    public init(configuration: RetryBudgetConfiguration, clock: any FuseboxClock) {
        precondition(configuration.windowSeconds >= 1 && configuration.ratio >= 0)
        self.configuration = configuration
        self.clock = clock
        self.calls = TimeWindow(seconds: configuration.windowSeconds)
        self.retries = TimeWindow(seconds: configuration.windowSeconds, stripes: 1)
    }

    /// Counts one call (not a retry) towards the budget.
    /// - Parameter now: the clock's current reading if the caller has one; `nil` to read it here.
    @inline(__always)
    public func recordCall(now: UInt64? = nil) {
        calls.record(OutcomeBits.recorded, nowNanoseconds: now ?? clock.coarseNanoseconds())
    }

    /// Retries the budget allows right now.
    public func available() -> Int {
        let now = clock.coarseNanoseconds()
        let recentCalls = calls.stats(nowNanoseconds: now).calls
        let recentRetries = retries.stats(nowNanoseconds: now).calls
        let allowance =
            configuration.ratio * Double(recentCalls)
            + Double(configuration.minRetriesPerSecond * configuration.windowSeconds)
        return max(0, Int(allowance.rounded(.down)) - recentRetries)
    }

    /// Takes one retry from the budget; `false` if it is spent.
    public func tryRetry() -> Bool {
        guard available() > 0 else { return false }
        retries.record(OutcomeBits.recorded, nowNanoseconds: clock.coarseNanoseconds())
        return true
    }
}
