/// An action a clock will run at a deadline unless cancelled first.
public struct ScheduledAction: Sendable {
    private enum Canceller: Sendable {
        case closure(@Sendable () -> Void)
        case object(any ScheduledActionCanceller)
    }

    private let canceller: Canceller

    public init(cancel: @escaping @Sendable () -> Void) {
        self.canceller = .closure(cancel)
    }

    /// Without a closure: the timer entry cancels itself (one allocation fewer per timeout).
    init(_ entry: any ScheduledActionCanceller) {
        self.canceller = .object(entry)
    }

    /// Stops the action from running, if it has not run yet.
    public func cancel() {
        switch canceller {
        case .closure(let body): body()
        case .object(let entry): entry.cancel()
        }
    }
}

/// Something that can take a scheduled action back.
protocol ScheduledActionCanceller: AnyObject, Sendable {
    func cancel()
}
