/// An action a clock will run at a deadline unless cancelled first.
public struct ScheduledAction: Sendable {
    private let cancelBody: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) {
        self.cancelBody = cancel
    }

    /// Stops the action from running, if it has not run yet.
    public func cancel() { cancelBody() }
}
