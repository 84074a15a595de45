import Foundation

/// The real clock: wall time from the system, waits with `Task.sleep`.
public struct WallClock: ConsoleClock {
    /// The system clock.
    public init() {}

    /// Wall-clock milliseconds since the Unix epoch.
    public func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Waits `milliseconds`; throws `CancellationError` when cancelled.
    public func sleep(milliseconds: Int64) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, milliseconds)) * 1_000_000)
    }
}
