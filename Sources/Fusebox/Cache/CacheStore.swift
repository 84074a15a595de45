import Synchronization

/// A cache-aside store with a time to live and a stale-if-error window, usable as the source of a
/// stale-cache fallback. Entries carry when they were stored, so a caller always learns their age.
public final class CacheStore<Value: Sendable>: Sendable {
    /// One cached value and when it was stored.
    public struct Entry: Sendable {
        public let value: Value
        /// Monotonic nanoseconds on the store's clock.
        public let storedAtNanoseconds: UInt64
        /// Wall-clock milliseconds since the Unix epoch.
        public let storedAtMilliseconds: Int64

        /// How old the entry is at `now` (monotonic nanoseconds).
        public func ageNanoseconds(at now: UInt64) -> UInt64 { now &- storedAtNanoseconds }
    }

    /// Fresh entries are served without calling the downstream.
    public let ttl: Duration
    /// After the TTL, entries may still be served while the downstream fails, for this long.
    public let staleIfError: Duration
    /// The most entries kept; the oldest go first.
    public let capacity: Int
    private let clock: any FuseboxClock
    var clockForFallback: any FuseboxClock { clock }
    private let entries = FuseboxMutex<[String: Entry]>([:])

    public init(ttl: Duration, staleIfError: Duration, capacity: Int = 10_000, clock: any FuseboxClock) {
        precondition(capacity >= 1)
        self.ttl = ttl
        self.staleIfError = staleIfError
        self.capacity = capacity
        self.clock = clock
    }

    /// Stores `value` under `key`, stamped now.
    public func put(_ key: String, _ value: Value) {
        let entry = Entry(
            value: value, storedAtNanoseconds: clock.nanoseconds(), storedAtMilliseconds: clock.wallMilliseconds())
        entries.withLock { map in
            map[key] = entry
            if map.count > capacity { evict(&map) }
        }
    }

    /// The entry under `key`, however old.
    public func entry(_ key: String) -> Entry? {
        entries.withLock { $0[key] }
    }

    /// The entry if it is within its TTL.
    public func fresh(_ key: String) -> Entry? {
        guard let entry = entry(key) else { return nil }
        return entry.ageNanoseconds(at: clock.nanoseconds()) <= ttl.clampedNanoseconds ? entry : nil
    }

    /// The entry if it is within TTL plus the stale-if-error window, and no older than `maxStaleness`.
    public func usableWhenFailing(_ key: String, maxStaleness: Duration? = nil) -> Entry? {
        guard let entry = entry(key) else { return nil }
        let age = entry.ageNanoseconds(at: clock.nanoseconds())
        let limit = min(
            (ttl + staleIfError).clampedNanoseconds, maxStaleness?.clampedNanoseconds ?? .max)
        return age <= limit ? entry : nil
    }

    /// How many entries are held.
    public var count: Int { entries.withLock { $0.count } }

    private func evict(_ map: inout [String: Entry]) {
        let expiry = (ttl + staleIfError).clampedNanoseconds
        let now = clock.nanoseconds()
        map = map.filter { $0.value.ageNanoseconds(at: now) <= expiry }
        while map.count > capacity,
            let oldest = map.min(by: { $0.value.storedAtNanoseconds < $1.value.storedAtNanoseconds })
        {
            map.removeValue(forKey: oldest.key)
        }
    }
}
