#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Real time: `CLOCK_MONOTONIC` for calls and timeouts, `CLOCK_REALTIME` for stamps.
public struct SystemClock: FuseboxClock {
    /// Where timers wait: the process's timer thread, or a test's own.
    let timer: DeadlineTimer

    public init() {
        timer = .shared
    }

    /// A clock whose timers wait on `timer` (for tests).
    init(timer: DeadlineTimer) {
        self.timer = timer
    }

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

    /// Runs `action` on Fusebox's timer thread (one heap of deadlines for the process), not on a
    /// Dispatch timer of its own: a timeout on every call must be cheap.
    public func schedule(
        afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void
    ) -> ScheduledAction {
        ScheduledAction(timer.schedule(afterNanoseconds: nanoseconds, action))
    }
}
