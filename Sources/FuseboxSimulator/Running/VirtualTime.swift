import Foundation
public import Fusebox
import Synchronization

/// Runs async code in virtual time: every task runs on one deterministic executor, and whenever all
/// of them wait, the manual clock jumps to the next deadline. Minutes of simulated traffic take
/// milliseconds, and the same seed gives the same interleaving and the same events every time.
public enum VirtualTime {
    /// A virtual-time run stopped making progress.
    public struct Stalled: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `body` to completion in virtual time on `clock`, on a thread of its own, so the caller's
    /// task waits without holding one of the concurrency pool's threads.
    /// - Throws: ``Stalled`` if tasks wait on something other than the clock.
    public static func run(clock: ManualClock, _ body: @escaping @Sendable () async -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    try runBlocking(clock: clock, body)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `body` to completion in virtual time on `clock`. Blocks the calling thread.
    ///
    /// Everything `body` starts must stay on its task executor (child tasks do; an unstructured
    /// `Task {}` does not) and wait only on `clock`.
    /// - Throws: ``Stalled`` if tasks wait on something other than the clock.
    public static func runBlocking(clock: ManualClock, _ body: @escaping @Sendable () async -> Void) throws {
        let executor = SimulationExecutor()
        let done = Atomic<Bool>(false)
        let root = Task(executorPreference: executor) {
            await body()
            done.store(true, ordering: .releasing)
        }
        _ = root
        var idleRounds = 0
        while true {
            executor.runUntilIdle()
            if done.load(ordering: .acquiring) { return }
            if clock.advanceToNextDeadline() {
                idleRounds = 0
                continue
            }
            // Nothing sleeps on the clock: a job may still be arriving from another thread.
            idleRounds += 1
            if idleRounds > 10_000 {
                throw Stalled(description: "virtual time stalled: tasks wait on something other than the clock")
            }
            executor.waitBriefly()
        }
    }
}

/// A FIFO task executor whose jobs run on the thread that drains it.
final class SimulationExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = Mutex<[UnownedJob]>([])

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.withLock { $0.append(unowned) }
    }

    /// Runs jobs until none is queued.
    func runUntilIdle() {
        while true {
            let batch = queue.withLock { jobs -> [UnownedJob] in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }

    func waitBriefly() {
        for _ in 0..<100 where queue.withLock({ $0.isEmpty }) {}
    }
}
