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
    /// The address of the current buffer: 16 counters (`[0]` the next ticket, `[1]` failures, `[2]`
    /// slow calls on one cache line, so a call that must claim a slot moves one line between cores,
    /// not three; `[8]` the buffer retired before it, `[9]` how many are retired), then the slots.
    ///
    /// A reset swaps in a fresh buffer rather than clearing this one: a call that read the old
    /// state word just before the reset may still be writing its outcome, and clearing under it
    /// left a total off by one for good (issue 12, finding 5). Its write now lands in the retired
    /// buffer, whose totals match its own slots.
    private let current: UnsafeMutablePointer<Atomic<UInt>>
    /// Retired buffers kept before the oldest is freed. A late write is a call caught between two
    /// instructions; it cannot outlast this many resets, each of which needs a breaker transition.
    private static let retiredLimit = 8
    private static let header = 16 * MemoryLayout<Atomic<Int>>.stride

    init(size: Int) {
        precondition(size >= 1 && size <= Int(UInt32.max))
        self.size = size
        self.divisor = UInt32(size)
        current = .allocate(capacity: 1)
        current.initialize(to: Atomic(UInt(bitPattern: Self.makeBuffer(size: size))))
    }

    private static func makeBuffer(size: Int) -> UnsafeMutableRawPointer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: header + size, alignment: 64)
        let counters = raw.bindMemory(to: Atomic<Int>.self, capacity: 16)
        for index in 0..<16 { (counters + index).initialize(to: Atomic(0)) }
        let slots = (raw + header).bindMemory(to: Atomic<UInt8>.self, capacity: size)
        for index in 0..<size { (slots + index).initialize(to: Atomic(0)) }
        return raw
    }

    private static func free(_ raw: UnsafeMutableRawPointer, size: Int) {
        raw.assumingMemoryBound(to: Atomic<Int>.self).deinitialize(count: 16)
        (raw + header).assumingMemoryBound(to: Atomic<UInt8>.self).deinitialize(count: size)
        raw.deallocate()
    }

    /// Frees the storage; the window must not be used afterwards.
    func deallocate() {
        var buffer = UnsafeMutableRawPointer(bitPattern: current.pointee.load(ordering: .acquiring))
        while let raw = buffer {
            buffer = UnsafeMutableRawPointer(
                bitPattern: raw.assumingMemoryBound(to: Atomic<Int>.self)[8].load(ordering: .relaxed))
            Self.free(raw, size: size)
        }
        current.deinitialize(count: 1)
        current.deallocate()
    }

    @inline(__always)
    private var buffer: UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: current.pointee.load(ordering: .acquiring)).unsafelyUnwrapped
    }

    @inline(__always)
    private var counters: UnsafeMutablePointer<Atomic<Int>> { buffer.assumingMemoryBound(to: Atomic<Int>.self) }

    /// Records an outcome; returns the calls the window had counted before it (the ticket), or -1
    /// when a success was skipped because the window is full of successes.
    @inline(__always)
    @discardableResult
    func record(_ bits: UInt8) -> Int {
        let raw = buffer
        let next = raw.assumingMemoryBound(to: Atomic<Int>.self)
        let failures = next + 1
        let slowCalls = next + 2
        let slots = (raw + Self.header).assumingMemoryBound(to: Atomic<UInt8>.self)
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
        let counters = self.counters
        let calls = min(max(0, counters[0].load(ordering: .relaxed)), size)
        return WindowStats(
            calls: calls,
            failures: min(max(0, counters[1].load(ordering: .relaxed)), calls),
            slowCalls: min(max(0, counters[2].load(ordering: .relaxed)), calls)
        )
    }

    /// The totals counted from the slots (for tests: the kept totals must equal these).
    func recounted() -> WindowStats {
        let raw = buffer
        let slots = (raw + Self.header).assumingMemoryBound(to: Atomic<UInt8>.self)
        var failures = 0
        var slowCalls = 0
        for index in 0..<size {
            let bits = slots[index].load(ordering: .relaxed)
            if bits & OutcomeBits.failure != 0 { failures += 1 }
            if bits & OutcomeBits.slow != 0 { slowCalls += 1 }
        }
        let calls = min(max(0, raw.assumingMemoryBound(to: Atomic<Int>.self)[0].load(ordering: .relaxed)), size)
        return WindowStats(calls: calls, failures: failures, slowCalls: slowCalls)
    }

    /// The totals as kept, unclamped.
    func rawTotals() -> (failures: Int, slowCalls: Int) {
        let counters = self.counters
        return (counters[1].load(ordering: .relaxed), counters[2].load(ordering: .relaxed))
    }

    /// Starts an empty window. Called by one thread at a time (under the breaker's lock).
    func reset() {
        let fresh = Self.makeBuffer(size: size)
        let old = buffer
        let oldCounters = old.assumingMemoryBound(to: Atomic<Int>.self)
        let freshCounters = fresh.assumingMemoryBound(to: Atomic<Int>.self)
        freshCounters[8].store(Int(bitPattern: UInt(bitPattern: old)), ordering: .relaxed)
        freshCounters[9].store(oldCounters[9].load(ordering: .relaxed) + 1, ordering: .relaxed)
        current.pointee.store(UInt(bitPattern: fresh), ordering: .releasing)
        // Free what was retired more than `retiredLimit` resets ago.
        guard freshCounters[9].load(ordering: .relaxed) > Self.retiredLimit else { return }
        var keep = fresh
        for _ in 0..<Self.retiredLimit {
            keep =
                UnsafeMutableRawPointer(
                    bitPattern: keep.assumingMemoryBound(to: Atomic<Int>.self)[8].load(ordering: .relaxed)
                ).unsafelyUnwrapped
        }
        let keptCounters = keep.assumingMemoryBound(to: Atomic<Int>.self)
        var dropped = UnsafeMutableRawPointer(bitPattern: keptCounters[8].load(ordering: .relaxed))
        keptCounters[8].store(0, ordering: .relaxed)
        freshCounters[9].store(Self.retiredLimit, ordering: .relaxed)
        while let raw = dropped {
            dropped = UnsafeMutableRawPointer(
                bitPattern: raw.assumingMemoryBound(to: Atomic<Int>.self)[8].load(ordering: .relaxed))
            Self.free(raw, size: size)
        }
    }
}
