/// An attempt or a whole call ran past its time limit and was cancelled.
public struct TimeoutError: Error, Hashable, CustomStringConvertible {
    /// Which limit fired.
    public enum Scope: String, Sendable, Hashable {
        /// The per-attempt timeout.
        case attempt
        /// The overall deadline across all attempts.
        case deadline
    }

    public let scope: Scope
    /// The attempt's limit: the attempt timeout, or what was left of the deadline.
    public let limit: Duration

    public init(scope: Scope, limit: Duration) {
        self.scope = scope
        self.limit = limit
    }

    public var description: String {
        switch scope {
        case .attempt:
            return "attempt timed out after \(limit.milliseconds) ms;"
                + " raise the attempt timeout if the downstream is just slow"
        case .deadline:
            return "call ran out of its deadline (\(limit.milliseconds) ms were left for the last attempt);"
                + " fewer retries or a longer deadline would help"
        }
    }
}
