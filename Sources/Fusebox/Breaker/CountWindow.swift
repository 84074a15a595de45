import Synchronization

/// The outcomes of the last `size` calls, lock-free.
///
/// A call claims the next slot with one atomic add and swaps its outcome in; the failure and
/// slow totals change only when the swapped-out outcome differs, so a run of successes costs one
/// add and one load per call. Concurrent resets may leave a few calls miscounted, never negative totals.
final class CountWindow: Sendable {
    let size: Int
    private let next = Atomic<UInt64>(0)
    private let failures = Atomic<Int>(0)
    private let slowCalls = Atomic<Int>(0)
    nonisolated(unsafe) private let slots: UnsafeMutablePointer<Atomic<UInt8>>

    init(size: Int) {
        precondition(size >= 1 && size <= Int(UInt32.max))
        self.size = size
        self.slots = .allocate(capacity: size)
        for index in 0..<size { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: size)
        slots.deallocate()
    }

    @inline(__always)
    func record(_ bits: UInt8) {
        let ticket = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let index = Int(UInt32(truncatingIfNeeded: ticket) % UInt32(size))
        let slot = slots + index
        if slot.pointee.load(ordering: .relaxed) == bits { return }
        let old = slot.pointee.exchange(bits, ordering: .relaxed)
        let changed = old ^ bits
        if changed & OutcomeBits.failure != 0 {
            failures.wrappingAdd(bits & OutcomeBits.failure != 0 ? 1 : -1, ordering: .relaxed)
        }
        if changed & OutcomeBits.slow != 0 {
            slowCalls.wrappingAdd(bits & OutcomeBits.slow != 0 ? 1 : -1, ordering: .relaxed)
        }
    }

    func stats() -> WindowStats {
        let recorded = next.load(ordering: .relaxed)
        let calls = Int(min(recorded, UInt64(size)))
        return WindowStats(
            calls: calls,
            failures: min(max(0, failures.load(ordering: .relaxed)), calls),
            slowCalls: min(max(0, slowCalls.load(ordering: .relaxed)), calls)
        )
    }

    func reset() {
        next.store(0, ordering: .relaxed)
        for index in 0..<size { slots[index].store(0, ordering: .relaxed) }
        failures.store(0, ordering: .relaxed)
        slowCalls.store(0, ordering: .relaxed)
    }
}
