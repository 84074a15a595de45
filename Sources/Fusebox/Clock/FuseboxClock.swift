/// The source of time for every policy, so a test can run a whole outage in milliseconds.
///
/// Monotonic time drives windows, waits and timeouts; wall time only stamps events and snapshots.
public protocol FuseboxClock: Sendable {
    /// Monotonic nanoseconds from an arbitrary origin, precise enough to time a call.
    func nanoseconds() -> UInt64
    /// Monotonic nanoseconds that may lag by a few milliseconds but cost less to read.
    /// Used for coarse time buckets; defaults to ``nanoseconds()``.
    func coarseNanoseconds() -> UInt64
    /// Wall-clock milliseconds since the Unix epoch.
    func wallMilliseconds() -> Int64
    /// Suspends for `nanoseconds` of this clock's time. Throws `CancellationError` if the task is cancelled.
    func sleep(nanoseconds: UInt64) async throws
    /// Runs `action` once, `nanoseconds` from now on this clock, unless the result is cancelled first.
    /// Timeouts use it to cancel an attempt without a second child task. The default implementation
    /// sleeps in an unstructured task.
    func schedule(afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void) -> ScheduledAction
    /// Converts a monotonic reading of this clock to wall-clock milliseconds. The same reading
    /// should give the same answer every time: snapshots compare their stamps to tell whether
    /// anything changed.
    func wallMilliseconds(atMonotonic monotonic: UInt64) -> Int64
}

extension FuseboxClock {
    public func coarseNanoseconds() -> UInt64 { nanoseconds() }

    public func schedule(
        afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void
    ) -> ScheduledAction {
        let task = Task {
            try await self.sleep(nanoseconds: nanoseconds)
            action()
        }
        return ScheduledAction { task.cancel() }
    }

    /// Converts a monotonic reading of this clock to wall-clock milliseconds.
    public func wallMilliseconds(atMonotonic monotonic: UInt64) -> Int64 {
        let now = nanoseconds()
        let wall = wallMilliseconds()
        if monotonic >= now { return wall + Int64((monotonic - now) / 1_000_000) }
        return wall - Int64((now - monotonic) / 1_000_000)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero and at `UInt64.max`.
    @inlinable
    var clampedNanoseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        // A negative duration is zero: `-0.2 s` is (0 s, -2e17 as) in components, so both parts count.
        if seconds < 0 || attoseconds < 0 { return 0 }
        if seconds >= 18_000_000_000 { return .max }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// `base + self`, at most `UInt64.max`: a deadline that would wrap is no deadline.
    @inlinable
    func deadline(after base: UInt64) -> UInt64 {
        let (sum, overflow) = base.addingReportingOverflow(clampedNanoseconds)
        return overflow ? .max : sum
    }

    /// The duration in milliseconds as a `Double`.
    var milliseconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
