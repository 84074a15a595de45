import Synchronization

/// The outcomes of the last `size` calls, lock-free and without reference counting on the hot path
/// (a struct of raw pointers; the owning breaker frees it).
///
/// A call claims the next slot with one atomic add and swaps its outcome in; the failure and
/// slow totals change only when the swapped-out outcome differs. While the window is full of
/// successes a success changes nothing, so it is recorded with two loads and no write at all;
/// that keeps a healthy breaker's cache lines shared between cores.
struct CountWindow: @unchecked Sendable {
    let size: Int
    private let divisor: UInt32
    /// `[0]` the next ticket, `[1]` failures, `[2]` slow calls: one cache line, so a call that must
    /// claim a slot moves one line between cores, not three.
    private let counters: UnsafeMutablePointer<Atomic<Int>>
    private let slots: UnsafeMutablePointer<Atomic<UInt8>>

    init(size: Int) {
        precondition(size >= 1 && size <= Int(UInt32.max))
        self.size = size
        self.divisor = UInt32(size)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 16 * MemoryLayout<Atomic<Int>>.stride, alignment: 64)
        counters = raw.bindMemory(to: Atomic<Int>.self, capacity: 16)
        for index in 0..<16 { (counters + index).initialize(to: Atomic(0)) }
        slots = .allocate(capacity: size)
        for index in 0..<size { (slots + index).initialize(to: Atomic(0)) }
    }

    /// Frees the storage; the window must not be used afterwards.
    func deallocate() {
        counters.deinitialize(count: 16)
        UnsafeMutableRawPointer(counters).deallocate()
        slots.deinitialize(count: size)
        slots.deallocate()
    }

    private var next: UnsafeMutablePointer<Atomic<Int>> { counters }
    private var failures: UnsafeMutablePointer<Atomic<Int>> { counters + 1 }
    private var slowCalls: UnsafeMutablePointer<Atomic<Int>> { counters + 2 }

    /// Records an outcome; returns the calls the window had counted before it (the ticket), or -1
    /// when a success was skipped because the window is full of successes.
    @inline(__always)
    @discardableResult
    func record(_ bits: UInt8) -> Int {
        if bits == OutcomeBits.recorded, failures.pointee.load(ordering: .relaxed) == 0,
            slowCalls.pointee.load(ordering: .relaxed) == 0, next.pointee.load(ordering: .relaxed) >= size
        {
            return -1
        }
        let ticket = next.pointee.wrappingAdd(1, ordering: .relaxed).oldValue
        // The 32-bit remainder wraps every 2^32 slow-path records (over an hour at a million a
        // second). Unless `size` divides 2^32, the slot index then jumps back to 0: for one lap a
        // slot is written twice and another keeps its outcome one lap longer. The totals stay
        // exact (they change only by what each exchange swaps), so the window holds `size`
        // outcomes as always, one of them a lap old: harmless for a rate (issue 12, read-only
        // finding, analysed rather than changed to keep the cheaper 32-bit division).
        let slot = slots + Int(UInt32(truncatingIfNeeded: ticket) % divisor)
        if slot.pointee.load(ordering: .relaxed) == bits { return ticket }
        let old = slot.pointee.exchange(bits, ordering: .relaxed)
        let changed = old ^ bits
        if changed & OutcomeBits.failure != 0 {
            failures.pointee.wrappingAdd(bits & OutcomeBits.failure != 0 ? 1 : -1, ordering: .relaxed)
        }
        if changed & OutcomeBits.slow != 0 {
            slowCalls.pointee.wrappingAdd(bits & OutcomeBits.slow != 0 ? 1 : -1, ordering: .relaxed)
        }
        return ticket
    }

    func stats() -> WindowStats {
        let calls = min(max(0, next.pointee.load(ordering: .relaxed)), size)
        return WindowStats(
            calls: calls,
            failures: min(max(0, failures.pointee.load(ordering: .relaxed)), calls),
            slowCalls: min(max(0, slowCalls.pointee.load(ordering: .relaxed)), calls)
        )
    }

    func reset() {
        next.pointee.store(0, ordering: .relaxed)
        for index in 0..<size { slots[index].store(0, ordering: .relaxed) }
        failures.pointee.store(0, ordering: .relaxed)
        slowCalls.pointee.store(0, ordering: .relaxed)
    }
}
