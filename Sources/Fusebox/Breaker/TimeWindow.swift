import Synchronization

/// The outcomes of the last `seconds` seconds in one-second buckets, lock-free.
///
/// Each counter is one 64-bit word tagged with the second it belongs to (upper 24 bits), so a
/// bucket is recycled by the first writer of a new second without a separate reset race. Call
/// counts, written on every call, are striped by thread over cache-line-separated regions so two
/// cores recording at once do not fight over one line; failures and slow calls are not striped.
/// A struct of raw pointers, so the hot path does no reference counting; the owner frees it.
struct TimeWindow: @unchecked Sendable {
    let seconds: Int
    private static let countBits: UInt64 = 40
    private static let countMask: UInt64 = (1 << countBits) - 1
    private static let tagMask: UInt64 = (1 << 24) - 1
    /// Call-count stripes: 8 for windows written on every call, 1 for rarely written ones.
    let stripes: Int
    /// Words per region, rounded up to whole cache lines.
    private let stride: Int
    /// Region 0: failures; region 1: slow calls; regions 2...: call counts, one per stripe.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private var wordCount: Int { (2 + stripes) * stride }

    init(seconds: Int, stripes: Int = 8) {
        precondition(seconds >= 1 && stripes >= 1 && stripes & (stripes - 1) == 0, "stripes must be a power of two")
        self.seconds = seconds
        self.stripes = stripes
        self.stride = (seconds + 7) / 8 * 8
        let count = (2 + stripes) * stride
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: count * MemoryLayout<Atomic<UInt64>>.stride, alignment: 64)
        words = raw.bindMemory(to: Atomic<UInt64>.self, capacity: count)
        for index in 0..<count { (words + index).initialize(to: Atomic(0)) }
    }

    /// Frees the storage; the window must not be used afterwards.
    func deallocate() {
        words.deinitialize(count: wordCount)
        UnsafeMutableRawPointer(words).deallocate()
    }

    @inline(__always)
    private func stripe() -> Int {
        stripes == 1 ? 0 : ThreadStripe.current() & (stripes - 1)
    }

    @inline(__always)
    private func bump(_ word: UnsafeMutablePointer<Atomic<UInt64>>, epoch: UInt64) {
        let tag = (epoch & Self.tagMask) << Self.countBits
        var current = word.pointee.load(ordering: .relaxed)
        while true {
            if (current & ~Self.countMask) != tag && Self.isNewer(current, than: epoch) {
                // A late record for a second the bucket has already moved past: it is outside the
                // window, and writing it would wipe the newer second's counts (a 1 s window has
                // one bucket, so any late timestamp used to).
                return
            }
            let desired = (current & ~Self.countMask) == tag ? current &+ 1 : tag | 1
            let (exchanged, original) = word.pointee.weakCompareExchange(
                expected: current, desired: desired, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Whether `word` holds a later second than `epoch`: by less than 2^20 s (12 days), modulo the
    /// 24-bit tag. A word never written (0) is never newer.
    @inline(__always)
    private static func isNewer(_ word: UInt64, than epoch: UInt64) -> Bool {
        guard word != 0 else { return false }
        let ahead = ((word >> countBits) &- epoch) & tagMask
        return ahead != 0 && ahead < 1 << 20
    }

    @inline(__always)
    func record(_ bits: UInt8, nowNanoseconds: UInt64) {
        let epoch = nowNanoseconds / 1_000_000_000
        // 32-bit remainder: several times cheaper than 64-bit, and epochs fit for a century.
        let bucket = Int(UInt32(truncatingIfNeeded: epoch) % UInt32(truncatingIfNeeded: seconds))
        bump(words + (2 + stripe()) * stride + bucket, epoch: epoch)
        if bits & OutcomeBits.failure != 0 { bump(words + bucket, epoch: epoch) }
        if bits & OutcomeBits.slow != 0 { bump(words + stride + bucket, epoch: epoch) }
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
            let bucket = Int(UInt32(truncatingIfNeeded: epoch) % UInt32(truncatingIfNeeded: seconds))
            for stripe in 0..<stripes {
                total.calls += count(words + (2 + stripe) * stride + bucket, epoch: epoch)
            }
            total.failures += count(words + bucket, epoch: epoch)
            total.slowCalls += count(words + stride + bucket, epoch: epoch)
        }
        total.failures = min(total.failures, total.calls)
        total.slowCalls = min(total.slowCalls, total.calls)
        return total
    }

    /// Clears every bucket. A call recording as this runs can leave its outcome in the new window
    /// (or its call without its failure, which `stats` clamps): a stale count that expires with its
    /// second, never a total that stays wrong, because each bucket is its own count. The count
    /// window, whose totals are paired with its slots, swaps buffers instead (issue 12, finding 5).
    func reset() {
        for index in 0..<wordCount { words[index].store(0, ordering: .relaxed) }
    }
}
