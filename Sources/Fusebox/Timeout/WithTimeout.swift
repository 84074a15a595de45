import Synchronization

/// Runs `operation` and cancels it if it is not done within `limit` on `clock`.
///
/// The operation runs in one child task, started immediately on the caller's thread (no hop to
/// another thread until it first suspends), so cancellation reaches everything it awaits through
/// structured concurrency; when the limit passes, the clock's scheduled action cancels that child
/// and a `TimeoutError` is thrown once it has finished. An operation that
/// ignores cancellation delays the error until it returns, and its late value is discarded: past
/// the limit is a timeout, whatever the operation returned.
@inlinable
public func withTimeout<T: Sendable>(
    _ limit: Duration,
    scope: TimeoutError.Scope = .attempt,
    clock: any FuseboxClock,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let guardian = AttemptGuardian.start(limit: limit, clock: clock)
    defer { guardian.cancelAlarm() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        let attempt: @Sendable () async throws -> T = {
            try await guardian.run(operation, scope: scope, limit: limit)
        }
        if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, *) {
            group.addImmediateTask(operation: attempt)
        } else {
            group.addTask(operation: attempt)
        }
        return try await group.next()!
    }
}

/// Lets a timer cancel one attempt's child task, and only while that task is alive: the child
/// attaches itself when it starts and detaches before it returns, both under the same lock the
/// timer takes to cancel it. On the ``SystemClock`` the guardian is itself the timer in the
/// process's deadline heap: one allocation per timeout.
@usableFromInline
final class AttemptGuardian: TimerEntry, @unchecked Sendable {
    /// The child task's handle. Only used under the lock, between attach and detach.
    private struct Handle: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private struct State {
        var handle: Handle?
        var fired = false
    }

    private let state = FuseboxMutex(State())
    /// The alarm on a clock other than the system clock, or the timer the guardian itself waits
    /// in. Written once, in `start`, before the guardian is shared.
    private var alarm: ScheduledAction?
    private var timer: DeadlineTimer?

    private override init(deadline: UInt64) {
        super.init(deadline: deadline)
    }

    /// A guardian whose alarm fires `limit` from now on `clock`.
    @usableFromInline
    static func start(limit: Duration, clock: any FuseboxClock) -> AttemptGuardian {
        let nanoseconds = limit.clampedNanoseconds
        if let system = clock as? SystemClock {
            let guardian = AttemptGuardian(deadline: DeadlineTimer.deadline(afterNanoseconds: nanoseconds))
            guardian.timer = system.timer
            system.timer.add(guardian, spanNanoseconds: nanoseconds)
            return guardian
        }
        let guardian = AttemptGuardian(deadline: 0)
        guardian.alarm = clock.schedule(afterNanoseconds: nanoseconds) { [guardian] in guardian.fire() }
        return guardian
    }

    /// Takes the alarm back once the attempt is over.
    @usableFromInline
    func cancelAlarm() {
        if let timer {
            timer.cancel(self)
        } else {
            alarm?.cancel()
        }
    }

    @usableFromInline
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
    @usableFromInline
    func detach() -> Bool {
        state.withLock { s in
            s.handle = nil
            return s.fired
        }
    }

    /// Cancelling runs the operation's cancellation handlers here, on the timer thread, under this
    /// lock: like every cancellation handler they must be quick and must not wait for the
    /// operation (which needs this lock to finish).
    override func fire() {
        state.withLock { s in
            s.fired = true
            s.handle?.task.cancel()
        }
    }

    @usableFromInline
    var hasFired: Bool { state.withLock { $0.fired } }

    /// Runs `operation` as the guarded task. An operation that ignored cancellation and finished
    /// after the limit timed out: its late value is discarded, never passed off as a success
    /// (issue 12, finding 4).
    @inlinable
    func run<T: Sendable>(
        _ operation: @Sendable () async throws -> T, scope: TimeoutError.Scope, limit: Duration
    ) async throws -> T {
        withUnsafeCurrentTask { task in attach(task) }
        let value: T
        do {
            value = try await operation()
        } catch {
            // Whether the limit had passed is decided when the operation ends, not later: an
            // error it threw before the limit stays that error.
            if detach() { throw TimeoutError(scope: scope, limit: limit) }
            throw error
        }
        if detach() { throw TimeoutError(scope: scope, limit: limit) }
        return value
    }
}
