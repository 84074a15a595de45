/// A timer in ``DeadlineTimer``'s heap; subclasses say what firing does.
@usableFromInline
class TimerEntry: @unchecked Sendable {
    let deadline: UInt64
    /// Its place in the heap, or -1 once out of it. Guarded by the timer's lock.
    var index = -1

    init(deadline: UInt64) {
        self.deadline = deadline
    }

    /// Runs on the timer thread, without its lock held.
    func fire() {}
}

/// A timer that runs a closure.
final class ActionTimer: TimerEntry, ScheduledActionCanceller, @unchecked Sendable {
    private let action: @Sendable () -> Void
    private let timer: DeadlineTimer

    init(deadline: UInt64, timer: DeadlineTimer, action: @escaping @Sendable () -> Void) {
        self.action = action
        self.timer = timer
        super.init(deadline: deadline)
    }

    override func fire() { action() }

    func cancel() { timer.cancel(self) }
}
