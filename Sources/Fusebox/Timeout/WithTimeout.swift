import Synchronization

/// Runs `operation` and cancels it if it is not done within `limit` on `clock`.
///
/// The operation runs in one child task, so cancellation reaches everything it awaits through
/// structured concurrency; when the limit passes, the clock's scheduled action cancels that child
/// and a `TimeoutError` is thrown once it has finished. An operation that ignores cancellation
/// delays the error until it returns, and its late value is discarded: past the limit is a
/// timeout, whatever the operation returned.
public func withTimeout<T: Sendable>(
    _ limit: Duration,
    scope: TimeoutError.Scope = .attempt,
    clock: any FuseboxClock,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let guardian = AttemptGuardian()
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask {
            withUnsafeCurrentTask { task in guardian.attach(task) }
            let value: T
            do {
                value = try await operation()
            } catch {
                _ = guardian.detach()
                throw error
            }
            // An operation that ignored cancellation and finished after the limit timed out: its
            // late value is discarded, never passed off as a success (issue 12, finding 4).
            if guardian.detach() { throw TimeoutError(scope: scope, limit: limit) }
            return value
        }
        let alarm = clock.schedule(afterNanoseconds: limit.clampedNanoseconds) { guardian.fire() }
        defer { alarm.cancel() }
        do {
            let value = try await group.next()!
            return value
        } catch {
            if guardian.hasFired { throw TimeoutError(scope: scope, limit: limit) }
            throw error
        }
    }
}

/// Lets a timer cancel one attempt's child task, and only while that task is alive: the child
/// attaches itself when it starts and detaches before it returns, both under the same lock the
/// timer takes to cancel it.
final class AttemptGuardian: Sendable {
    /// The child task's handle. Only used under the lock, between attach and detach.
    private struct Handle: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private struct State {
        var handle: Handle?
        var fired = false
    }

    private let state = Mutex(State())

    func attach(_ task: UnsafeCurrentTask?) {
        guard let task else { return }
        state.withLock { s in
            if s.fired {
                task.cancel()
            } else {
                s.handle = Handle(task: task)
            }
        }
    }

    /// Forgets the child task; returns whether the limit had fired by then.
    func detach() -> Bool {
        state.withLock { s in
            s.handle = nil
            return s.fired
        }
    }

    func fire() {
        state.withLock { s in
            s.fired = true
            s.handle?.task.cancel()
        }
    }

    var hasFired: Bool { state.withLock { $0.fired } }
}
