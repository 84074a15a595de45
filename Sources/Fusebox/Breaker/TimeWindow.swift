import Synchronization

/// The outcomes of the last `seconds` seconds in one-second buckets, lock-free.
///
/// Each counter is one 64-bit word tagged with the second it belongs to (upper 24 bits), so a
/// bucket is recycled by the first writer of a new second without a separate reset race.
final class TimeWindow: Sendable {
    let seconds: Int
    private static let countBits: UInt64 = 40
    private static let countMask: UInt64 = (1 << countBits) - 1
    private static let tagMask: UInt64 = (1 << 24) - 1
    /// `3 * seconds` words: calls, failures, slow calls per bucket.
    nonisolated(unsafe) private let words: UnsafeMutablePointer<Atomic<UInt64>>

    init(seconds: Int) {
        precondition(seconds >= 1)
        self.seconds = seconds
        self.words = .allocate(capacity: 3 * seconds)
        for index in 0..<(3 * seconds) { (words + index).initialize(to: Atomic(0)) }
    }

    deinit {
        words.deinitialize(count: 3 * seconds)
        words.deallocate()
    }

    @inline(__always)
    private func bump(_ word: UnsafeMutablePointer<Atomic<UInt64>>, epoch: UInt64) {
        let tag = (epoch & Self.tagMask) << Self.countBits
        var current = word.pointee.load(ordering: .relaxed)
        while true {
            let desired = (current & ~Self.countMask) == tag ? current &+ 1 : tag | 1
            let (exchanged, original) = word.pointee.weakCompareExchange(
                expected: current, desired: desired, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    @inline(__always)
    func record(_ bits: UInt8, nowNanoseconds: UInt64) {
        let epoch = nowNanoseconds / 1_000_000_000
        let base = words + 3 * Int(epoch % UInt64(seconds))
        bump(base, epoch: epoch)
        if bits & OutcomeBits.failure != 0 { bump(base + 1, epoch: epoch) }
        if bits & OutcomeBits.slow != 0 { bump(base + 2, epoch: epoch) }
    }

    private func count(_ word: UnsafeMutablePointer<Atomic<UInt64>>, epoch: UInt64) -> Int {
        let value = word.pointee.load(ordering: .relaxed)
        guard value >> Self.countBits == epoch & Self.tagMask else { return 0 }
        return Int(value & Self.countMask)
    }

    func stats(nowNanoseconds: UInt64) -> WindowStats {
        let now = nowNanoseconds / 1_000_000_000
        var total = WindowStats.zero
        for back in 0..<UInt64(seconds) where back <= now {
            let epoch = now - back
            let base = words + 3 * Int(epoch % UInt64(seconds))
            total.calls += count(base, epoch: epoch)
            total.failures += count(base + 1, epoch: epoch)
            total.slowCalls += count(base + 2, epoch: epoch)
        }
        total.failures = min(total.failures, total.calls)
        total.slowCalls = min(total.slowCalls, total.calls)
        return total
    }

    func reset() {
        for index in 0..<(3 * seconds) { words[index].store(0, ordering: .relaxed) }
    }
}
