public import FuseboxProtocol
import Synchronization

/// A bounded ring of recent events with monotonic sequence numbers. When full, the oldest go.
public final class EventLog: Sendable {
    public let capacity: Int

    private struct State {
        var ring: BoundedRing<Event>
        var lastSequence: UInt64 = 0
    }

    private let state: FuseboxMutex<State>
    /// Who listens, by subscription number, and for which dependency (`nil`: all).
    private let listeners = FuseboxMutex<
        (next: Int, all: [Int: (dependency: String?, continuation: AsyncStream<RuntimeEvent>.Continuation)])
    >((0, [:]))
    /// How many listen: the only thing a call reads when nobody does.
    private let listening = Atomic<Int>(0)

    public init(capacity: Int = 1024) {
        precondition(capacity >= 1)
        self.capacity = capacity
        self.state = FuseboxMutex(State(ring: BoundedRing(capacity: capacity)))
    }

    /// Stamps `event` with the next sequence number and keeps it; returns the number.
    @discardableResult
    public func append(_ event: Event) -> UInt64 {
        let stamped = state.withLock { s in
            s.lastSequence += 1
            var stamped = event
            stamped.sequence = s.lastSequence
            s.ring.append(stamped)
            return stamped
        }
        publish(.logged(stamped))
        return stamped.sequence
    }

    /// Every event from now on, as it happens (the log's, and the per-call ones), for one
    /// dependency or all. A listener that falls behind keeps the newest `bufferingNewest`.
    /// Cancelling the iterating task (or dropping the stream) ends the subscription.
    public func stream(dependency: String? = nil, bufferingNewest: Int = 1_024) -> AsyncStream<RuntimeEvent> {
        let (stream, continuation) = AsyncStream<RuntimeEvent>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferingNewest))
        let id = listeners.withLock { listeners in
            defer { listeners.next += 1 }
            listeners.all[listeners.next] = (dependency, continuation)
            return listeners.next
        }
        listening.add(1, ordering: .relaxed)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            let removed = self.listeners.withLock { $0.all.removeValue(forKey: id) != nil }
            if removed { self.listening.subtract(1, ordering: .relaxed) }
        }
        return stream
    }

    /// How many listen now (tests check that a listener that goes is forgotten).
    var listenerCount: Int { listening.load(ordering: .relaxed) }

    /// Hands `event` to whoever listens; made only if someone does.
    @inline(__always)
    func publish(_ event: @autoclosure () -> RuntimeEvent) {
        guard listening.load(ordering: .relaxed) > 0 else { return }
        let event = event()
        let targets = listeners.withLock { listeners in
            listeners.all.values.filter { $0.dependency == nil || $0.dependency == event.dependency }.map(
                \.continuation)
        }
        for continuation in targets { continuation.yield(event) }
    }

    /// The sequence number of the newest event, 0 if none.
    public var lastSequence: UInt64 { state.withLock { $0.lastSequence } }

    /// Up to `limit` newest events with a sequence above `after`, oldest first.
    public func recent(limit: Int = .max, after: UInt64 = 0) -> [Event] {
        state.withLock { s in
            // Walk back from the newest event, then reverse: no intermediate copies of the ring.
            var picked: [Event] = []
            picked.reserveCapacity(min(limit, s.ring.count))
            s.ring.forEachNewestFirst { event in
                guard event.sequence > after && picked.count < limit else { return false }
                picked.append(event)
                return true
            }
            return picked.reversed()
        }
    }
}
