/// Where the console's program reads the time and waits: the wall clock, or a manual clock in tests.
public protocol ConsoleClock: Sendable {
    /// Wall-clock milliseconds since the Unix epoch.
    func nowMilliseconds() -> Int64
    /// Waits `milliseconds`.
    /// - Throws: `CancellationError` when the waiting task is cancelled.
    func sleep(milliseconds: Int64) async throws
}
