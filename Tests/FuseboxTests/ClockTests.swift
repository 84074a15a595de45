import Fusebox
import Testing

@Suite struct ClockTests {
    /// Snapshots compare stamps to tell whether anything changed (the agent's ETag), so converting
    /// one monotonic reading must give one wall-clock stamp, however often it is asked.
    @Test func systemClockStampsAMonotonicReadingTheSameWayEveryTime() async throws {
        let clock: any FuseboxClock = SystemClock()
        let reading = clock.nanoseconds()
        let first = clock.wallMilliseconds(atMonotonic: reading)
        for _ in 0..<2_000 {
            #expect(clock.wallMilliseconds(atMonotonic: reading) == first)
        }
        try await Task.sleep(for: .milliseconds(20))
        #expect(clock.wallMilliseconds(atMonotonic: reading) == first)
        // And the stamp is the wall clock's, within a few milliseconds.
        #expect(abs(clock.wallMilliseconds(atMonotonic: clock.nanoseconds()) - clock.wallMilliseconds()) <= 5)
    }
}
