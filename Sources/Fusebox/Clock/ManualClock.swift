import Synchronization

/// A clock that only moves when told to: tests advance it and every sleeper whose deadline has
/// passed wakes up, so a three-minute outage runs in milliseconds.
public final class ManualClock: FuseboxClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: UInt64
        var wallOrigin: Int64
        var nextSleeperID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - start: the initial monotonic reading in nanoseconds.
    ///   - wallOriginMilliseconds: the wall-clock time that corresponds to monotonic 0.
    public init(start: UInt64 = 0, wallOriginMilliseconds: Int64 = 1_780_000_000_000) {
        self.state = Mutex(State(now: start, wallOrigin: wallOriginMilliseconds))
    }

    public func nanoseconds() -> UInt64 { state.withLock { $0.now } }

    public func wallMilliseconds() -> Int64 {
        state.withLock { $0.wallOrigin + Int64($0.now / 1_000_000) }
    }

    /// How many tasks are sleeping on this clock right now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(nanoseconds: UInt64) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> UInt64 in
            s.nextSleeperID += 1
            return s.nextSleeperID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    let (deadline, overflow) = s.now.addingReportingOverflow(nanoseconds)
                    if nanoseconds == 0 || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: overflow ? .max : deadline, continuation: continuation))
                    return false
                }
                if resumeNow {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has been reached, earliest first.
    public func advance(by duration: Duration) {
        advance(nanoseconds: duration.clampedNanoseconds)
    }

    /// Moves time forward by `nanoseconds`.
    public func advance(nanoseconds: UInt64) {
        let due = state.withLock { s -> [Sleeper] in
            s.now &+= nanoseconds
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// The earliest deadline any sleeper waits for, if any.
    public var nextDeadline: UInt64? { state.withLock { $0.sleepers.map(\.deadline).min() } }

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
