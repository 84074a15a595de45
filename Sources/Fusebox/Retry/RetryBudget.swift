import Synchronization

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
///
/// The floor is a rate, not a reserve: "2 per second" grants at most 2 at one instant and 2 more
/// a second later (a token bucket of one second's worth), never the whole window's worth at once.
/// Checking and taking a retry is one step, so callers racing for the last one cannot overspend.
public final class RetryBudget: Sendable {
    public let configuration: RetryBudgetConfiguration
    private let clock: any FuseboxClock
    private let calls: TimeWindow
    private let retries: TimeWindow

    /// The floor's token bucket; its lock also makes check-and-take one step.
    private struct Floor {
        var tokens: Double
        var updatedAt: UInt64
    }

    private let floor: FuseboxMutex<Floor>

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
        self.floor = FuseboxMutex(
            Floor(tokens: Double(max(0, configuration.minRetriesPerSecond)), updatedAt: clock.coarseNanoseconds()))
    }

    /// Counts one call (not a retry) towards the budget.
    /// - Parameter now: the clock's current reading if the caller has one; `nil` to read it here.
    @inline(__always)
    public func recordCall(now: UInt64? = nil) {
        calls.record(OutcomeBits.recorded, nowNanoseconds: now ?? clock.coarseNanoseconds())
    }

    /// Retries the budget allows right now: what the ratio leaves, plus the floor's tokens.
    public func available() -> Int {
        let now = clock.coarseNanoseconds()
        return floor.withLock { floor in
            refill(&floor, now: now)
            return max(0, ratioRoom(now: now)) + Int(floor.tokens)
        }
    }

    /// Takes one retry from the budget; `false` if it is spent.
    public func tryRetry() -> Bool {
        let now = clock.coarseNanoseconds()
        return floor.withLock { floor in
            refill(&floor, now: now)
            if ratioRoom(now: now) > 0 {
                retries.record(OutcomeBits.recorded, nowNanoseconds: now)
                return true
            }
            guard floor.tokens >= 1 else { return false }
            floor.tokens -= 1
            retries.record(OutcomeBits.recorded, nowNanoseconds: now)
            return true
        }
    }

    /// Retries the ratio still allows over the window (negative once the floor has lent some).
    private func ratioRoom(now: UInt64) -> Int {
        let recentCalls = calls.stats(nowNanoseconds: now).calls
        let recentRetries = retries.stats(nowNanoseconds: now).calls
        return Int((configuration.ratio * Double(recentCalls)).rounded(.down)) - recentRetries
    }

    private func refill(_ floor: inout Floor, now: UInt64) {
        let rate = Double(max(0, configuration.minRetriesPerSecond))
        guard now > floor.updatedAt else { return }
        floor.tokens = min(rate, floor.tokens + Double(now - floor.updatedAt) / 1e9 * rate)
        floor.updatedAt = now
    }
}
