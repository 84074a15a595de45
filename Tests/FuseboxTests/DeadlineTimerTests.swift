import Synchronization
import Testing

@testable import Fusebox

#if canImport(Glibc)
    import Glibc
#endif

/// The timer thread behind every ``SystemClock`` timeout: real time, so bounds are roomy. Each
/// test has a timer of its own, so other suites' timeouts never show in its counts.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DeadlineTimerTests {
    /// Fired timers, in the order they fired.
    final class Fired: Sendable {
        let order = Mutex<[Int]>([])
        func append(_ id: Int) { order.withLock { $0.append(id) } }
        var ids: [Int] { order.withLock { $0 } }
    }

    final class FiredCounts: Sendable {
        private let state = Mutex<[Int: Int]>([:])
        func add(_ id: Int) { state.withLock { $0[id, default: 0] += 1 } }
        var counts: [Int: Int] { state.withLock { $0 } }
    }

    private func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let start = DeadlineTimer.now()
        while !condition() {
            if DeadlineTimer.now() - start > UInt64(seconds * 1e9) { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
        return true
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async {
        let fired = Fired()
        let timer = DeadlineTimer()
        let third = timer.schedule(afterNanoseconds: 90_000_000) { fired.append(3) }
        let cancelled = timer.schedule(afterNanoseconds: 40_000_000) { fired.append(99) }
        let first = timer.schedule(afterNanoseconds: 20_000_000) { fired.append(1) }
        let second = timer.schedule(afterNanoseconds: 60_000_000) { fired.append(2) }
        cancelled.cancel()
        // Each deadline counts from its own schedule call, and a loaded machine can pause between
        // the calls: the order to expect is that of the deadlines as they were set.
        let expected = [(first.deadline, 1), (second.deadline, 2), (third.deadline, 3)].sorted { $0.0 < $1.0 }
            .map(\.1)
        #expect(await waitUntil { fired.ids.count == 3 })
        #expect(fired.ids == expected)
        third.cancel()  // after it fired: nothing happens
        try? await Task.sleep(nanoseconds: 60_000_000)
        #expect(fired.ids == expected)
    }

    /// The thread sleeps until a far deadline; a nearer one must wake it, not wait behind it.
    @Test func anEarlierDeadlineWakesTheSleepingThread() async {
        let fired = Fired()
        let timer = DeadlineTimer()
        let far = timer.schedule(afterNanoseconds: 60_000_000_000) { fired.append(60) }
        try? await Task.sleep(nanoseconds: 20_000_000)  // the thread is asleep until the far one
        let start = DeadlineTimer.now()
        _ = timer.schedule(afterNanoseconds: 30_000_000) { fired.append(1) }
        #expect(await waitUntil(seconds: 30) { fired.ids == [1] })
        let waited = Double(DeadlineTimer.now() - start) / 1e6
        #expect(waited >= 30 && waited < 20_000, "fired after \(waited) ms")
        far.cancel()
    }

    /// After the heap empties the thread lingers; a timer added then must still fire on time, and
    /// one added after the linger (the thread asleep for good) must wake it.
    @Test func timersAddedWhileLingeringOrIdleFire() async {
        let fired = Fired()
        let timer = DeadlineTimer()
        timer.schedule(afterNanoseconds: 200_000_000) { fired.append(0) }.cancel()
        _ = timer.schedule(afterNanoseconds: 10_000_000) { fired.append(1) }
        #expect(await waitUntil { fired.ids == [1] })
        // Lingering now (for the 10 ms span); a longer one needs no signal, and must fire anyway.
        _ = timer.schedule(afterNanoseconds: 50_000_000) { fired.append(2) }
        #expect(await waitUntil { fired.ids == [1, 2] })
        try? await Task.sleep(nanoseconds: 300_000_000)  // past every linger: asleep until signalled
        _ = timer.schedule(afterNanoseconds: 5_000_000) { fired.append(3) }
        #expect(await waitUntil { fired.ids == [1, 2, 3] })
    }

    /// Many threads adding and cancelling at once: the heap keeps only live timers, and every timer
    /// that was not cancelled fires exactly once.
    @Test func concurrentSchedulingAndCancellingKeepsTheHeapExact() async {
        let fired = FiredCounts()
        let timer = DeadlineTimer()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<2_000 {
                        let id = worker * 10_000 + i
                        // The ones to cancel are far off, so none can fire before its cancel.
                        let span: UInt64 = i % 2 == 0 ? 30_000_000_000 : UInt64(1 + i % 7) * 1_000_000
                        let entry = timer.schedule(afterNanoseconds: span) {
                            fired.add(id)
                        }
                        if i % 2 == 0 { entry.cancel() }
                        if i % 64 == 0 { await Task.yield() }
                    }
                }
            }
        }
        #expect(await waitUntil { fired.counts.count >= 4_000 && timer.pendingCount == 0 })
        let counts = fired.counts
        #expect(counts.count == 4_000)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(counts.keys.allSatisfy { ($0 % 10_000) % 2 == 1 })
    }

    /// A timeout on the system clock leaves nothing in the heap once the call is over, whether it
    /// succeeded, failed or timed out.
    @Test func timeoutsLeaveNothingBehind() async throws {
        let timer = DeadlineTimer()
        for _ in 0..<100 {
            _ = try await withTimeout(.seconds(5), clock: SystemClock(timer: timer)) { 1 }
            _ = try? await withTimeout(.seconds(5), clock: SystemClock(timer: timer)) { () async throws -> Int in
                throw CancellationError()
            }
        }
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(5), clock: SystemClock(timer: timer)) { () async throws -> Int in
                try await Task.sleep(nanoseconds: 10_000_000_000)
                return 0
            }
        }
        #expect(timer.pendingCount == 0)
    }
}
