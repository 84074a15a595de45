import Fusebox
import FuseboxProtocol
import NIOCore
import Synchronization

/// The registry's latest snapshot, its entity tag and its encoded body, shared by the requests
/// that arrive within ``AgentConfiguration/snapshotMaxAge`` of each other.
///
/// The tag covers the content, not the moment: the time taken and the latency window's length
/// are left out, so an idle service answers `If-None-Match` with 304 poll after poll.
final class SnapshotCache: Sendable {
    struct Entry: Sendable {
        let snapshot: Snapshot
        /// Hex digest of the content; the tag for a request adds the `events_after` it asked for.
        let contentTag: String
        let takenAtNanoseconds: UInt64
    }

    private let registry: FuseboxRegistry
    private let maxAgeNanoseconds: UInt64
    private let eventLimit: Int
    /// Different for every agent process, so a tag from another process never matches by chance.
    private let nonce = String(UInt32.random(in: .min ... .max), radix: 16)
    /// The current entry and its bodies, encoded or being encoded, by `events_after` (nil: all
    /// events). Requests that want a body being encoded wait for that one encoding.
    private let state = Mutex<(entry: Entry?, bodies: [UInt64?: Task<ByteBuffer, any Error>])>((nil, [:]))
    /// Bodies kept per entry: pollers at different cuts (each console at its own) share them.
    private let maxBodies = 16

    init(registry: FuseboxRegistry, maxAge: Duration, eventLimit: Int) {
        self.registry = registry
        let (seconds, attoseconds) = maxAge.components
        maxAgeNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.eventLimit = eventLimit
    }

    /// A snapshot at most `maxAge` old, in real time (requests arrive in real time even when the
    /// registry runs on a manual clock).
    func current() -> Entry {
        let now = SystemClock().nanoseconds()
        return state.withLock { state in
            if let entry = state.entry, now &- entry.takenAtNanoseconds <= maxAgeNanoseconds { return entry }
            let snapshot = registry.snapshot(eventLimit: eventLimit)
            let entry = Entry(
                snapshot: snapshot, contentTag: Self.contentTag(snapshot, nonce: nonce), takenAtNanoseconds: now)
            state = (entry, [:])
            return entry
        }
    }

    /// The entity tag for `entry` as served with `eventsAfter`. Weak (`W/`): bodies under one tag
    /// carry the same content but may differ in the time taken and the latency window's length.
    func tag(_ entry: Entry, eventsAfter: UInt64?) -> String {
        "W/\"\(entry.contentTag)\(eventsAfter.map { "-e\($0)" } ?? "")\""
    }

    /// The JSON body for `entry`, keeping only events after `eventsAfter` if given. Each body is
    /// encoded once per snapshot taken, however many requests ask for it at once.
    func body(_ entry: Entry, eventsAfter: UInt64?) async throws -> ByteBuffer {
        let encoding = state.withLock { state -> Task<ByteBuffer, any Error> in
            let current = state.entry?.takenAtNanoseconds == entry.takenAtNanoseconds
            if current, let task = state.bodies[eventsAfter] { return task }
            let task = Task {
                var snapshot = entry.snapshot
                if let eventsAfter { snapshot.events.removeAll { $0.sequence <= eventsAfter } }
                return try AgentJSON.encode(snapshot)
            }
            if current && state.bodies.count < maxBodies { state.bodies[eventsAfter] = task }
            return task
        }
        return try await encoding.value
    }

    private static func contentTag(_ snapshot: Snapshot, nonce: String) -> String {
        var content = snapshot
        content.takenAtMilliseconds = 0
        for index in content.dependencies.indices { content.dependencies[index].latency.windowMilliseconds = nil }
        var hasher = Hasher()
        hasher.combine(content)
        return nonce + "-" + String(UInt(bitPattern: hasher.finalize()), radix: 16)
    }
}
