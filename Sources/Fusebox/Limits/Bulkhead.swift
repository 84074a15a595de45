public import FuseboxProtocol
import Synchronization

/// The knobs of a ``Bulkhead``.
public struct BulkheadConfiguration: Sendable, Hashable {
    /// Calls allowed in flight at once.
    public var maxConcurrent: Int
    /// Calls allowed to queue for a slot; 0 rejects at once when full.
    public var maxWaiting: Int = 0
    /// How long a queued call waits before it is rejected.
    public var maxWait: Duration = .milliseconds(100)
    /// When set, the limit adapts to the downstream's latency and `maxConcurrent` is only where
    /// it starts (``AdaptiveConcurrency/initialLimit``).
    public var adaptive: AdaptiveConcurrency?

    public init(maxConcurrent: Int, maxWaiting: Int = 0, maxWait: Duration = .milliseconds(100)) {
        self.maxConcurrent = maxConcurrent
        self.maxWaiting = maxWaiting
        self.maxWait = maxWait
    }

    /// A bulkhead whose limit adapts to the downstream's latency, starting at its `initialLimit`.
    public init(adaptive: AdaptiveConcurrency, maxWaiting: Int = 0, maxWait: Duration = .milliseconds(100)) {
        self.init(maxConcurrent: adaptive.initialLimit, maxWaiting: maxWaiting, maxWait: maxWait)
        self.adaptive = adaptive
    }

    /// A one-line description of what is wrong, or `nil`.
    func validationProblem() -> String? {
        if maxConcurrent < 1 || maxWaiting < 0 { return "maxConcurrent must be at least 1 and maxWaiting at least 0" }
        if maxWait < .zero { return "maxWait must be zero or more" }
        return adaptive?.validationProblem()
    }
}

/// Caps the calls in flight to one dependency so a slow downstream cannot take every thread,
/// connection or task of the service with it. Waiting is bounded in count and in time.
public final class Bulkhead: Sendable {
    public let configuration: BulkheadConfiguration
    private let clock: any FuseboxClock

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        /// The limit now: `maxConcurrent`, or where the adaptive limit has got to (fractional: it
        /// grows by a fraction of a call per sample).
        var limit: Double
        var inFlight = 0
        var waiters: [Waiter] = []
        /// Calls that have a place in the queue but are not in `waiters` yet. A call that gives up
        /// (its wait elapsed, or it was cancelled) before it got there is taken out of this set,
        /// so it never queues: the wait timer can fire before the waiter is queued (`maxWait` 0).
        var reserved: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var rejected: UInt64 = 0
    }

    private let state: FuseboxMutex<State>
    /// Whether attempts should report samples (``sample(latencyNanoseconds:timedOut:)``).
    public let isAdaptive: Bool

    public init(configuration: BulkheadConfiguration, clock: any FuseboxClock) {
        precondition(configuration.maxConcurrent >= 1 && configuration.maxWaiting >= 0)
        self.configuration = configuration
        self.clock = clock
        self.isAdaptive = configuration.adaptive != nil
        // An adaptive limit starts where its policy says, whatever `maxConcurrent` holds.
        self.state = FuseboxMutex(
            State(limit: configuration.adaptive?.startingLimit ?? Double(configuration.maxConcurrent)))
    }

    /// Takes a slot if one is free, without waiting.
    public func tryEnter() -> Bool {
        state.withLock { s in
            guard s.inFlight < Int(s.limit) else { return false }
            s.inFlight += 1
            return true
        }
    }

    /// Takes a slot, waiting up to `maxWait` behind at most `maxWaiting` others.
    /// - Returns: `false` if the call is rejected (full queue, wait elapsed, or task cancelled).
    public func enter() async -> Bool {
        enum Immediate { case entered, rejected, wait(UInt64) }
        let immediate = state.withLock { s -> Immediate in
            if s.inFlight < Int(s.limit) {
                s.inFlight += 1
                return .entered
            }
            guard s.waiters.count + s.reserved.count < configuration.maxWaiting else {
                s.rejected += 1
                return .rejected
            }
            s.nextWaiterID += 1
            s.reserved.insert(s.nextWaiterID)
            return .wait(s.nextWaiterID)
        }
        switch immediate {
        case .entered: return true
        case .rejected: return false
        case .wait(let id): return await wait(id: id)
        }
    }

    private func wait(id: UInt64) async -> Bool {
        let timer = Task { [clock, configuration] in
            try await clock.sleep(nanoseconds: configuration.maxWait.clampedNanoseconds)
            self.giveUp(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let enteredNow = state.withLock { s -> Bool? in
                    // Gave up already (and was counted as rejected then).
                    guard s.reserved.remove(id) != nil else { return false }
                    if Task.isCancelled {
                        s.rejected += 1
                        return false
                    }
                    if s.inFlight < Int(s.limit) {
                        s.inFlight += 1
                        return true
                    }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let enteredNow { continuation.resume(returning: enteredNow) }
            }
        } onCancel: {
            giveUp(id)
        }
    }

    private func giveUp(_ id: UInt64) {
        let waiter = state.withLock { s -> Waiter? in
            guard let index = s.waiters.firstIndex(where: { $0.id == id }) else {
                // Not queued yet: take its place back, so it never queues.
                if s.reserved.remove(id) != nil { s.rejected += 1 }
                return nil
            }
            s.rejected += 1
            return s.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }

    /// Counts a rejection made by the caller after ``tryEnter()`` failed.
    func countRejection() {
        state.withLock { $0.rejected += 1 }
    }

    /// Frees a slot, handing it straight to the longest waiter if there is one (and the limit,
    /// which may have shrunk meanwhile, still has room).
    public func leave() {
        let next = state.withLock { s -> Waiter? in
            if s.waiters.isEmpty || s.inFlight > Int(s.limit) {
                s.inFlight -= 1
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.continuation.resume(returning: true)
    }

    /// One attempt's latency, for an adaptive limit (nothing otherwise): the limit moves, and
    /// waiters it now has room for go in.
    public func sample(latencyNanoseconds: UInt64, timedOut: Bool) {
        guard let adaptive = configuration.adaptive else { return }
        let admitted = state.withLock { s -> [Waiter] in
            s.limit = adaptive.next(
                limit: s.limit, inFlight: s.inFlight, latencyNanoseconds: latencyNanoseconds, timedOut: timedOut)
            var admitted: [Waiter] = []
            while !s.waiters.isEmpty && s.inFlight < Int(s.limit) {
                s.inFlight += 1
                admitted.append(s.waiters.removeFirst())
            }
            return admitted
        }
        for waiter in admitted { waiter.continuation.resume(returning: true) }
    }

    /// The limit in force now.
    public var limit: Int { state.withLock { Int($0.limit) } }

    /// Current use, for a snapshot.
    public func snapshot() -> BulkheadSnapshot {
        state.withLock { s in
            BulkheadSnapshot(
                maxConcurrent: Int(s.limit), inFlight: s.inFlight, waiting: s.waiters.count + s.reserved.count,
                maxWaiting: configuration.maxWaiting, rejected: s.rejected,
                adaptiveMinLimit: configuration.adaptive?.minLimit, adaptiveMaxLimit: configuration.adaptive?.maxLimit)
        }
    }
}
