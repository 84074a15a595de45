import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Real time: `CLOCK_MONOTONIC` for calls and timeouts, `CLOCK_REALTIME` for stamps.
public struct SystemClock: FuseboxClock {
    public init() {}

    public func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    public func coarseNanoseconds() -> UInt64 {
        var ts = timespec()
        #if os(Linux)
            clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        #else
            clock_gettime(CLOCK_MONOTONIC, &ts)
        #endif
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    public func wallMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The wall clock minus the monotonic clock, in nanoseconds, read once: converting the same
    /// monotonic reading twice gives the same stamp (reading both clocks each time would move it by
    /// a millisecond at random). Stamps drift from the wall clock only by what NTP slews after start.
    private static let wallOffsetNanoseconds: Int64 = {
        var wall = timespec()
        var monotonic = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        clock_gettime(CLOCK_REALTIME, &wall)
        return (Int64(wall.tv_sec) * 1_000_000_000 + Int64(wall.tv_nsec))
            - (Int64(monotonic.tv_sec) * 1_000_000_000 + Int64(monotonic.tv_nsec))
    }()

    public func wallMilliseconds(atMonotonic monotonic: UInt64) -> Int64 {
        (Int64(truncatingIfNeeded: monotonic) + Self.wallOffsetNanoseconds) / 1_000_000
    }

    public func sleep(nanoseconds: UInt64) async throws {
        try await Task.sleep(nanoseconds: nanoseconds)
    }

    public func schedule(
        afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void
    ) -> ScheduledAction {
        let work = CancellableWork(DispatchWorkItem(block: action))
        DispatchQueue.global().asyncAfter(
            deadline: .now() + .nanoseconds(Int(min(nanoseconds, UInt64(Int.max)))), execute: work.item)
        return ScheduledAction { work.item.cancel() }
    }
}

/// Dispatch's work items are safe to cancel from any thread; Swift's Linux overlay does not say so.
private struct CancellableWork: @unchecked Sendable {
    let item: DispatchWorkItem

    init(_ item: DispatchWorkItem) {
        self.item = item
    }
}
