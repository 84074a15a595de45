import Fusebox
import FuseboxProtocol
import NIOCore
import Synchronization

/// The registry's latest snapshot, its entity tag and its encoded bodies, shared by the requests
/// that arrive within ``AgentConfiguration/snapshotMaxAge`` of each other.
///
/// A request that finds the snapshot too old takes a new one and waits for it, so a lone poller
/// always gets fresh data. Requests that arrive while that refresh runs are answered from the
/// previous snapshot rather than queued behind it; the refresh encodes the bodies the previous
/// snapshot was asked for (one per `events_after`) before it replaces it, so a busy agent never
/// makes a crowd wait for an encoding.
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

    private struct Ready {
        var entry: Entry
        /// Bodies encoded or being encoded, by `events_after` (nil: every event).
        var bodies: [UInt64?: Task<ByteBuffer, any Error>]
    }

    private struct State {
        var ready: Ready?
        var refreshing: Task<Void, Never>?
    }

    private let registry: FuseboxRegistry
    private let maxAgeNanoseconds: UInt64
    private let eventLimit: Int
    /// Different for every agent process, so a tag from another process never matches by chance.
    private let nonce = String(UInt32.random(in: .min ... .max), radix: 16)
    private let state = Mutex(State())
    /// Bodies kept per snapshot: pollers at different cuts (each console at its own) share them.
    private let maxBodies = 16

    init(registry: FuseboxRegistry, maxAge: Duration, eventLimit: Int) {
        self.registry = registry
        let (seconds, attoseconds) = maxAge.components
        maxAgeNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.eventLimit = eventLimit
    }

    /// A snapshot at most `maxAge` old (in real time: requests arrive in real time even when the
    /// registry runs on a manual clock), or, while another request refreshes it, the previous one.
    func current() async -> Entry {
        enum Decision {
            case serve(Entry)
            case wait(Task<Void, Never>)
        }
        let now = SystemClock().nanoseconds()
        let decision = state.withLock { state -> Decision in
            if let ready = state.ready, now &- ready.entry.takenAtNanoseconds <= maxAgeNanoseconds {
                return .serve(ready.entry)
            }
            if let refreshing = state.refreshing {
                return state.ready.map { .serve($0.entry) } ?? .wait(refreshing)
            }
            let previousCuts = state.ready.map { Array($0.bodies.keys) } ?? []
            let refresh = Task { await self.refresh(encoding: previousCuts) }
            state.refreshing = refresh
            return .wait(refresh)
        }
        switch decision {
        case .serve(let entry):
            return entry
        case .wait(let refresh):
            await refresh.value
            return state.withLock { $0.ready!.entry }
        }
    }

    /// Takes a snapshot, encodes the bodies for `cuts`, then makes it the current one.
    private func refresh(encoding cuts: [UInt64?]) async {
        let snapshot = registry.snapshot(eventLimit: eventLimit)
        let entry = Entry(
            snapshot: snapshot, contentTag: Self.contentTag(snapshot, nonce: nonce),
            takenAtNanoseconds: SystemClock().nanoseconds())
        var bodies: [UInt64?: Task<ByteBuffer, any Error>] = [:]
        for cut in cuts {
            let task = Self.encoding(entry, eventsAfter: cut)
            _ = try? await task.value
            bodies[cut] = task
        }
        state.withLock { state in
            state.ready = Ready(entry: entry, bodies: bodies)
            state.refreshing = nil
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
            guard var ready = state.ready, ready.entry.takenAtNanoseconds == entry.takenAtNanoseconds else {
                return Self.encoding(entry, eventsAfter: eventsAfter)
            }
            if let task = ready.bodies[eventsAfter] { return task }
            let task = Self.encoding(entry, eventsAfter: eventsAfter)
            if ready.bodies.count < maxBodies {
                ready.bodies[eventsAfter] = task
                state.ready = ready
            }
            return task
        }
        return try await encoding.value
    }

    private static func encoding(_ entry: Entry, eventsAfter: UInt64?) -> Task<ByteBuffer, any Error> {
        Task {
            var snapshot = entry.snapshot
            if let eventsAfter { snapshot.events.removeAll { $0.sequence <= eventsAfter } }
            return try AgentJSON.encode(snapshot)
        }
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
