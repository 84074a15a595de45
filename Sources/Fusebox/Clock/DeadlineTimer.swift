#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thread and one min-heap of deadlines for every timer ``SystemClock`` schedules, so a
/// per-attempt timeout costs a heap insert and a removal instead of a Dispatch timer of its own.
///
/// The thread sleeps until the earliest deadline. A new deadline wakes it only when it is earlier
/// than that; when the heap empties the thread lingers for the last timer's span, so a steady
/// stream of calls, each adding a timer and removing it on success, never signals it at all.
/// Timers are removed eagerly, so the heap holds only the calls in flight.
final class DeadlineTimer: @unchecked Sendable {
    /// The process's timer thread, started on first use.
    static let shared = DeadlineTimer()

    // Everything below is guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var heap: [TimerEntry] = []
    /// When the sleeping thread will wake by itself: 0 while it is awake, `.max` when only a signal wakes it.
    private var wakesAt: UInt64 = 0
    /// The span of the latest timer, for the linger after the heap empties.
    private var latestSpan: UInt64 = 0
    private var addedSinceWake = false
    private var started = false

    /// Tests make their own; everything else uses `shared`.
    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// Runs `action` on the timer thread `nanoseconds` from now, unless the entry is cancelled first.
    func schedule(afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void) -> ActionTimer {
        let entry = ActionTimer(deadline: Self.deadline(afterNanoseconds: nanoseconds), timer: self, action: action)
        add(entry, spanNanoseconds: nanoseconds)
        return entry
    }

    /// The monotonic deadline `nanoseconds` from now.
    static func deadline(afterNanoseconds nanoseconds: UInt64) -> UInt64 {
        let (deadline, overflow) = now().addingReportingOverflow(nanoseconds)
        return overflow ? .max - 1 : deadline
    }

    /// Calls `entry.fire()` on the timer thread at its deadline, unless it is cancelled first.
    func add(_ entry: TimerEntry, spanNanoseconds nanoseconds: UInt64) {
        pthread_mutex_lock(mutex)
        if !started { startThread() }
        insert(entry)
        latestSpan = nanoseconds
        addedSinceWake = true
        let signal = entry.deadline < wakesAt
        pthread_mutex_unlock(mutex)
        if signal { pthread_cond_signal(condition) }
    }

    /// Takes `entry` out of the heap if it is still there.
    func cancel(_ entry: TimerEntry) {
        pthread_mutex_lock(mutex)
        if entry.index >= 0 { remove(at: entry.index) }
        pthread_mutex_unlock(mutex)
    }

    /// Timers waiting (for tests).
    var pendingCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return heap.count
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    // MARK: - The thread

    /// Called under the lock.
    private func startThread() {
        started = true
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<DeadlineTimer>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        precondition(result == 0, "Fusebox could not start its timer thread (pthread_create: \(result))")
        pthread_detach(thread)
    }

    /// The thread's loop; it never returns.
    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            wakesAt = 0
            let now = Self.now()
            var due: [TimerEntry] = []
            while let top = heap.first, top.deadline <= now {
                remove(at: 0)
                due.append(top)
            }
            if !due.isEmpty {
                pthread_mutex_unlock(mutex)
                for entry in due { entry.fire() }
                pthread_mutex_lock(mutex)
                continue
            }
            let target: UInt64
            if let top = heap.first {
                target = top.deadline
            } else if addedSinceWake {
                // Linger: a call starting now with the same span needs no signal to be timed.
                let (linger, overflow) = now.addingReportingOverflow(latestSpan)
                target = overflow ? .max : linger
            } else {
                target = .max
            }
            addedSinceWake = false
            wakesAt = target
            if target == .max {
                pthread_cond_wait(condition, mutex)
            } else {
                wait(until: target, now: now)
            }
        }
    }

    /// Waits on the condition until the monotonic `target` (or a signal). Under the lock.
    private func wait(until target: UInt64, now: UInt64) {
        #if os(Linux)
            // The condition was made on CLOCK_MONOTONIC: an absolute deadline on that clock.
            var until = timespec(tv_sec: Int(target / 1_000_000_000), tv_nsec: Int(target % 1_000_000_000))
            pthread_cond_timedwait(condition, mutex, &until)
        #else
            // Darwin cannot set a condition's clock; a relative wait does not depend on it.
            let span = target &- now
            var relative = timespec(tv_sec: Int(span / 1_000_000_000), tv_nsec: Int(span % 1_000_000_000))
            pthread_cond_timedwait_relative_np(condition, mutex, &relative)
        #endif
    }

    // MARK: - The heap (under the lock)

    private func insert(_ entry: TimerEntry) {
        entry.index = heap.count
        heap.append(entry)
        siftUp(heap.count - 1)
    }

    private func remove(at index: Int) {
        let removed = heap[index]
        removed.index = -1
        let last = heap.removeLast()
        guard index < heap.count else { return }
        heap[index] = last
        last.index = index
        siftUp(index)
        siftDown(last.index)
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heap[a].index = a
        heap[b].index = b
    }
}
