public import FuseboxProtocol
import Synchronization

/// A bounded ring of recent events with monotonic sequence numbers. When full, the oldest go.
public final class EventLog: Sendable {
    public let capacity: Int

    private struct State {
        var ring: BoundedRing<Event>
        var lastSequence: UInt64 = 0
    }

    private let state: Mutex<State>

    public init(capacity: Int = 1024) {
        precondition(capacity >= 1)
        self.capacity = capacity
        self.state = Mutex(State(ring: BoundedRing(capacity: capacity)))
    }

    /// Stamps `event` with the next sequence number and keeps it; returns the number.
    @discardableResult
    public func append(_ event: Event) -> UInt64 {
        state.withLock { s in
            s.lastSequence += 1
            var stamped = event
            stamped.sequence = s.lastSequence
            s.ring.append(stamped)
            return s.lastSequence
        }
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
