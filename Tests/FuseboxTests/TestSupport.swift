import Fusebox
import FuseboxProtocol
import Logging
import Synchronization

/// An error a test downstream throws.
struct DownstreamError: Error, Equatable {
    var code = 503
}

/// An error that says how it should be treated.
struct ClassifiedError: ResilienceClassifiedError {
    var resilienceClassification: ErrorClassification
}

/// A breaker configuration small enough to drive by hand.
func smallBreaker(
    window: CircuitBreakerConfiguration.Window = .count(10), minimumCalls: Int = 5, probes: Int = 3,
    failureRate: Double = 50, slowRate: Double = 100, slowCall: Duration = .seconds(1),
    wait: Duration = .seconds(10)
) -> CircuitBreakerConfiguration {
    var c = CircuitBreakerConfiguration()
    c.window = window
    c.minimumCalls = minimumCalls
    c.halfOpenProbes = probes
    c.failureRateThreshold = failureRate
    c.slowCallRateThreshold = slowRate
    c.slowCallDuration = slowCall
    c.waitInOpen = wait
    return c
}

/// Collects breaker transitions.
final class TransitionRecorder: Sendable {
    private let box = LockedBox<[BreakerTransition]>([])
    var transitions: [BreakerTransition] { box.value }
    var states: [BreakerState] { transitions.map(\.to) }
    func observe(_ t: BreakerTransition) { box.mutate { $0.append(t) } }
}

/// A tiny Mutex wrapper for test bookkeeping.
final class LockedBox<T: Sendable>: Sendable {
    private let mutex: Mutex<T>
    init(_ value: T) { mutex = Mutex(value) }
    var value: T { mutex.withLock { $0 } }
    func mutate<R: Sendable>(_ body: (inout T) -> R) -> R { mutex.withLock { body(&$0) } }
}

extension CircuitBreaker {
    /// Acquires and records one call with the given outcome; returns whether it was admitted.
    @discardableResult
    func call(_ outcome: BreakerOutcome, nanoseconds: UInt64 = 1_000_000) -> Bool {
        guard case .admitted(let permit) = acquire() else { return false }
        record(permit, outcome, durationNanoseconds: nanoseconds)
        return true
    }
}

/// A registry on a manual clock with a fixed seed.
func makeRegistry(clock: ManualClock = ManualClock(), seed: UInt64 = 42) -> FuseboxRegistry {
    FuseboxRegistry(
        service: "checkout", instance: "test-1", clock: clock, random: SeededRandom(seed: seed), logger: quietLogger)
}

/// Tests assert on logs through `InMemoryLogHandler`; everything else logs nowhere.
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A task's value; if the test runs out of time the task is cancelled, so a regression fails the
/// test instead of hanging it.
func awaitOrCancel<T: Sendable>(_ task: Task<T, Never>) async -> T {
    await withTaskCancellationHandler {
        await task.value
    } onCancel: {
        task.cancel()
    }
}

/// A throwing task's value, cancelled if the test runs out of time (see `awaitOrCancel`).
func outcome<T: Sendable>(_ task: Task<T, any Error>) async throws -> T {
    try await withTaskCancellationHandler {
        try await task.value
    } onCancel: {
        task.cancel()
    }
}
