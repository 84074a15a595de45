public import FuseboxProtocol
import Synchronization

/// The knobs of a ``RateLimiter``.
public struct RateLimiterConfiguration: Sendable, Hashable {
    /// Tokens added per second.
    public var ratePerSecond: Double
    /// The bucket's size: how many calls may burst at once.
    public var burst: Int

    public init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
    }
}

/// A token bucket: each call takes a token; tokens refill at a steady rate up to the burst size.
/// Calls that find it empty are rejected at once (a limiter that queues hides overload).
public final class RateLimiter: Sendable {
    public let configuration: RateLimiterConfiguration
    private let clock: any FuseboxClock

    private struct State {
        var tokens: Double
        var refilledAt: UInt64
        var rejected: UInt64 = 0
    }

    private let state: FuseboxMutex<State>

    public init(configuration: RateLimiterConfiguration, clock: any FuseboxClock) {
        precondition(configuration.ratePerSecond > 0 && configuration.burst >= 1)
        self.configuration = configuration
        self.clock = clock
        self.state = FuseboxMutex(State(tokens: Double(configuration.burst), refilledAt: clock.coarseNanoseconds()))
    }

    private func refill(_ s: inout State, now: UInt64) {
        guard now > s.refilledAt else { return }
        let added = Double(now - s.refilledAt) / 1e9 * configuration.ratePerSecond
        s.tokens = min(Double(configuration.burst), s.tokens + added)
        s.refilledAt = now
    }

    /// Takes a token; `false` (and a counted rejection) if none is left.
    /// - Parameter now: the clock's current reading if the caller has one; `nil` to read it here.
    public func tryAcquire(now: UInt64? = nil) -> Bool {
        let now = now ?? clock.coarseNanoseconds()
        return state.withLock { s in
            refill(&s, now: now)
            guard s.tokens >= 1 else {
                s.rejected += 1
                return false
            }
            s.tokens -= 1
            return true
        }
    }

    /// Current use, for a snapshot.
    public func snapshot() -> RateLimiterSnapshot {
        let now = clock.coarseNanoseconds()
        return state.withLock { s in
            refill(&s, now: now)
            return RateLimiterSnapshot(
                ratePerSecond: configuration.ratePerSecond, burst: configuration.burst, availableTokens: s.tokens,
                rejected: s.rejected)
        }
    }
}
