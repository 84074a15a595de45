import CFuseboxSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which stripe of a striped counter this thread should write: the CPU it runs on, so each core
/// keeps its own cache line (about 3 ns on Linux, where glibc reads it from the kernel's rseq area).
/// A stale answer after a migration costs a little sharing, never a count. Elsewhere, a hash of
/// the thread id.
enum ThreadStripe {
    @inline(__always)
    static func current() -> Int {
        let cpu = fusebox_current_cpu()
        if cpu >= 0 { return Int(cpu) }
        let id = UInt64(UInt(bitPattern: Int(bitPattern: pthread_self())))
        return Int(truncatingIfNeeded: ((id >> 12) &* 0x9E37_79B9_7F4A_7C15) >> 56)
    }
}
