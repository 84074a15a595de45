/// When to poll next: every interval while the source answers; after failures, exponentially
/// longer waits (2, 4, 8, 16, 32 intervals, at most 30 s) with ±20% jitter so many consoles do
/// not retry in step.
public enum PollSchedule {
    /// The longest wait after failures, in milliseconds.
    public static let maximumBackoffMilliseconds: Int64 = 30_000
    /// How far a jittered wait strays from the nominal one, as a fraction.
    public static let jitter = 0.2

    /// The nominal wait before the next poll after `failures` consecutive failed polls.
    public static func delayMilliseconds(afterFailures failures: Int, intervalMilliseconds interval: Int64) -> Int64 {
        guard failures > 0 else { return interval }
        let factor = Int64(1) << Int64(min(failures, 5))
        return max(interval, min(maximumBackoffMilliseconds, interval * factor))
    }

    /// `milliseconds` moved by up to ±``jitter`` according to `unit`, a random number in 0..<1.
    public static func jittered(_ milliseconds: Int64, unit: Double) -> Int64 {
        let factor = 1 - jitter + 2 * jitter * min(max(unit, 0), 1)
        return Int64((Double(milliseconds) * factor).rounded())
    }
}
