import Synchronization

/// How an attempt's time limit treats work that does not stop when cancelled.
public enum TimeoutStrategy: Sendable, Hashable {
    /// Cancel the work and wait for it to stop (``withTimeout(_:scope:clock:operation:)``): nothing
    /// outlives the call, but work that ignores cancellation holds the caller past the limit.
    case optimistic
    /// Cancel the work and answer `TimeoutError` at the limit, without waiting
    /// (``withPessimisticTimeout(_:scope:clock:onLateResult:operation:)``): the caller is never
    /// late, and the work, left running, has its result discarded and counted when it comes.
    /// Polly's pessimistic timeout; for clients that cannot be cancelled.
    case pessimistic
}

/// Runs `operation` for at most `limit` on `clock`: at the limit it is cancelled and `TimeoutError`
/// is thrown at once, whether or not it stops. What it returns or throws afterwards is discarded,
/// and `onLateResult` is called (to count it). If the calling task is cancelled, so is the
/// operation, and `CancellationError` is thrown at once.
///
/// The operation runs in a task of its own, outside the caller's structure: that is what lets
/// the caller go on without it, and why it costs more than ``withTimeout(_:scope:clock:operation:)``.
public func withPessimisticTimeout<T: Sendable>(
    _ limit: Duration,
    scope: TimeoutError.Scope = .attempt,
    clock: any FuseboxClock,
    onLateResult: @escaping @Sendable () -> Void = {},
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    let work = Task {
        let result: Result<T, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        if !race.finish(result) { onLateResult() }
    }
    let alarm = clock.schedule(afterNanoseconds: limit.clampedNanoseconds) {
        if race.finish(.failure(TimeoutError(scope: scope, limit: limit))) { work.cancel() }
    }
    defer { alarm.cancel() }
    return try await withTaskCancellationHandler {
        try await race.value()
    } onCancel: {
        if race.finish(.failure(CancellationError())) { work.cancel() }
    }
}

/// The first of the work's result, the alarm and the caller's cancellation; later ones are
/// refused (`finish` returns false).
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = FuseboxMutex(State())

    func finish(_ result: Result<T, any Error>) -> Bool {
        let (first, waiter) = state.withLock { s -> (Bool, CheckedContinuation<T, any Error>?) in
            guard s.result == nil else { return (false, nil) }
            s.result = result
            defer { s.waiter = nil }
            return (true, s.waiter)
        }
        waiter?.resume(with: result)
        return first
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Result<T, any Error>? in
                if s.result == nil { s.waiter = continuation }
                return s.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
