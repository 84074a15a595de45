public import FuseboxProtocol

/// What a source of resilience data can do.
public struct BackendCapabilities: Sendable, Hashable {
    /// The source cannot take commands at all (a recording, Prometheus).
    public var readOnly: Bool

    public init(readOnly: Bool) {
        self.readOnly = readOnly
    }
}

/// A source the console polls: the embedded simulator, Fusebox agents over HTTP, Prometheus,
/// Resilience4j actuators, recordings. Every backend returns the same wire types.
public protocol ResilienceBackend: Sendable {
    /// How the source was named on the command line (`sim:partial-outage`, `http://host:9901`).
    var description: String { get }
    var capabilities: BackendCapabilities { get }
    /// One snapshot per instance the source knows about.
    /// - Throws: ``BackendError`` with a message a person can act on.
    func poll() async throws -> [Snapshot]
    /// Sends an operator command to one instance, or to every instance with `nil`.
    /// - Throws: ``BackendError`` if the command could not be delivered (a refusal is a result, not an error).
    func send(_ command: Command, toInstance instance: String?) async throws -> [CommandResult]
}

/// A backend could not be reached or answered nonsense.
public struct BackendError: Error, Hashable, CustomStringConvertible {
    /// One line a person can act on.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
