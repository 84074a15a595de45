import Fusebox
import Synchronization

/// A token bucket per client address, for operator commands: a runaway script or a stuck key
/// cannot flood the registry, and one client's burst does not use up another's allowance.
final class ClientRateLimiter: Sendable {
    private let ratePerSecond: Double
    private let burst: Double
    private let clock: any FuseboxClock
    /// Clients remembered at most; the idlest are forgotten first (they would have a full bucket anyway).
    private let maxClients = 4096

    private struct Bucket {
        var tokens: Double
        var updatedAt: UInt64
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    init(ratePerSecond: Double, burst: Int, clock: any FuseboxClock) {
        // Nonsense settings fall back to the smallest sensible ones rather than trap.
        self.ratePerSecond = ratePerSecond > 0 && ratePerSecond.isFinite ? ratePerSecond : 0.1
        self.burst = Double(max(1, burst))
        self.clock = clock
    }

    /// Takes a token for `client`; if none is left, returns the whole seconds until one is.
    func acquire(client: String) -> Int? {
        let now = clock.nanoseconds()
        return buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updatedAt: now)
            let elapsed = Double(now &- bucket.updatedAt) / 1e9
            bucket.tokens = min(burst, bucket.tokens + elapsed * ratePerSecond)
            bucket.updatedAt = now
            defer {
                if buckets.count >= maxClients, buckets[client] == nil {
                    let idlest = buckets.min { $0.value.updatedAt < $1.value.updatedAt }!.key
                    buckets.removeValue(forKey: idlest)
                }
                buckets[client] = bucket
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return Int(((1 - bucket.tokens) / ratePerSecond).rounded(.up))
        }
    }
}
