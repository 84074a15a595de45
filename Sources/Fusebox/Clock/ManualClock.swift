import Synchronization

/// A clock that only moves when told to: tests advance it and every sleeper whose deadline has
/// passed wakes up, in deadline order (ties in the order they went to sleep), so a three-minute
/// outage runs in milliseconds and always the same way.
public final class ManualClock: FuseboxClock {
    private struct Sleeper {
        enum Wake {
            case resume(CheckedContinuation<Void, any Error>)
            case run(@Sendable () -> Void)
        }

        let deadline: UInt64
        let wake: Wake

        func fire() {
            switch wake {
            case .resume(let continuation): continuation.resume()
            case .run(let action): action()
            }
        }
    }

    private struct State {
        var now: UInt64
        var wallOrigin: Int64
        var nextID: UInt64 = 0
        /// Live sleepers by id; cancelling one removes it here and leaves its queue entry to be skipped.
        var sleepers: [UInt64: Sleeper] = [:]
        var queue = DeadlineQueue()

        mutating func add(_ sleeper: Sleeper) -> UInt64 {
            nextID += 1
            sleepers[nextID] = sleeper
            queue.push(deadline: sleeper.deadline, id: nextID)
            return nextID
        }

        /// The earliest live deadline, dropping cancelled entries on the way.
        mutating func earliest() -> UInt64? {
            while let top = queue.top {
                if sleepers[top.id] != nil { return top.deadline }
                queue.pop()
            }
            return nil
        }

        func deadline(after nanoseconds: UInt64) -> UInt64 {
            let (deadline, overflow) = now.addingReportingOverflow(nanoseconds)
            return overflow ? .max : deadline
        }
    }

    private let state: FuseboxMutex<State>

    /// - Parameters:
    ///   - start: the initial monotonic reading in nanoseconds.
    ///   - wallOriginMilliseconds: the wall-clock time that corresponds to monotonic 0.
    public init(start: UInt64 = 0, wallOriginMilliseconds: Int64 = 1_780_000_000_000) {
        self.state = FuseboxMutex(State(now: start, wallOrigin: wallOriginMilliseconds))
    }

    public func nanoseconds() -> UInt64 { state.withLock { $0.now } }

    public func wallMilliseconds() -> Int64 {
        state.withLock { $0.wallOrigin + Int64($0.now / 1_000_000) }
    }

    /// How many tasks (and scheduled actions) are waiting on this clock right now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(nanoseconds: UInt64) async throws {
        try Task.checkCancellation()
        if nanoseconds == 0 { return }
        let id = FuseboxMutex<UInt64?>(nil)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let added: Bool = state.withLock { s in
                    if Task.isCancelled { return false }
                    let sleeperID = s.add(
                        Sleeper(deadline: s.deadline(after: nanoseconds), wake: .resume(continuation)))
                    id.withLock { $0 = sleeperID }
                    return true
                }
                if !added { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let sleeperID = id.withLock({ $0 }) else { return nil }
                return s.sleepers.removeValue(forKey: sleeperID)
            }
            if case .resume(let continuation) = cancelled?.wake {
                continuation.resume(throwing: CancellationError())
            }
        }
    }

    public func schedule(
        afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void
    ) -> ScheduledAction {
        let id = state.withLock { s in s.add(Sleeper(deadline: s.deadline(after: nanoseconds), wake: .run(action))) }
        return ScheduledAction { [self] in
            _ = state.withLock { s in s.sleepers.removeValue(forKey: id) }
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has been reached, earliest first.
    public func advance(by duration: Duration) {
        advance(nanoseconds: duration.clampedNanoseconds)
    }

    /// Moves time forward by `nanoseconds`.
    public func advance(nanoseconds: UInt64) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.deadline(after: nanoseconds)  // saturating: time never wraps backwards
            var due: [Sleeper] = []
            while let top = s.queue.top, top.deadline <= s.now {
                s.queue.pop()
                if let sleeper = s.sleepers.removeValue(forKey: top.id) { due.append(sleeper) }
            }
            return due
        }
        for sleeper in due { sleeper.fire() }
    }

    /// The earliest deadline any sleeper waits for, if any.
    public var nextDeadline: UInt64? { state.withLock { $0.earliest() } }

    /// Jumps to the earliest sleeper's deadline and wakes everything due then.
    /// - Returns: `false` if nobody sleeps on the clock.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        guard let deadline = nextDeadline else { return false }
        let now = nanoseconds()
        advance(nanoseconds: deadline > now ? deadline - now : 0)
        return true
    }

    /// Waits (by yielding, in real time) until at least `count` tasks sleep on this clock.
    /// Returns `false` if that does not happen within `spins` yields.
    @discardableResult
    public func waitForSleepers(_ count: Int, spins: Int = 100_000) async -> Bool {
        for _ in 0..<spins {
            if sleeperCount >= count { return true }
            await Task.yield()
        }
        return sleeperCount >= count
    }
}

/// A binary min-heap of (deadline, id); equal deadlines come out in id order.
struct DeadlineQueue {
    private var entries: [(deadline: UInt64, id: UInt64)] = []

    var top: (deadline: UInt64, id: UInt64)? { entries.first }

    private static func less(_ a: (deadline: UInt64, id: UInt64), _ b: (deadline: UInt64, id: UInt64)) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id
    }

    mutating func push(deadline: UInt64, id: UInt64) {
        entries.append((deadline, id))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && Self.less(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count && Self.less(entries[right], entries[smallest]) { smallest = right }
            if smallest == parent { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
