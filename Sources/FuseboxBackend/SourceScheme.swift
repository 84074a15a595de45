/// One kind of `--source`, owned by the backend that reads it: how to recognise its
/// specification and how to build the backend. The command line keeps a ``SourceTable`` of them,
/// so adding a backend is a new target and one table entry.
public struct SourceScheme: Sendable {
    /// What a specification looks like, for help and errors: `sim[:SCENARIO]`, `http://host:port`.
    public let usage: String
    /// A few words on what it reads, for help: `the built-in outage simulator`.
    public let summary: String
    /// Whether `specification` is for this scheme (a prefix check, typically).
    public let matches: @Sendable (_ specification: String) -> Bool
    /// Builds the backend; starts no work (``ResilienceBackend/run()`` does).
    /// - Throws: ``BackendError`` with code ``BackendError/Code/invalidSource`` if the specification
    ///   matches the scheme but cannot be used.
    public let make: @Sendable (_ specification: String) throws(BackendError) -> any ResilienceBackend

    /// A scheme; see the properties.
    public init(
        usage: String, summary: String, matches: @escaping @Sendable (String) -> Bool,
        make: @escaping @Sendable (String) throws(BackendError) -> any ResilienceBackend
    ) {
        self.usage = usage
        self.summary = summary
        self.matches = matches
        self.make = make
    }
}

/// The sources this build can read, in the order they are tried.
public struct SourceTable: Sendable {
    /// The schemes, in the order they are tried.
    public let schemes: [SourceScheme]

    /// A table that tries `schemes` in order.
    public init(_ schemes: [SourceScheme]) {
        self.schemes = schemes
    }

    /// The backend for `specification`.
    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) naming the sources that exist
    ///   when no scheme matches, or the scheme's own error.
    public func backend(for specification: String) throws(BackendError) -> any ResilienceBackend {
        guard let scheme = schemes.first(where: { $0.matches(specification) }) else {
            throw BackendError(
                .invalidSource, "cannot read source '\(specification)'; this build reads: \(usage)")
        }
        return try scheme.make(specification)
    }

    /// Every scheme's usage, comma-separated: `sim[:SCENARIO], http://host:port`.
    public var usage: String { schemes.map(\.usage).joined(separator: ", ") }
}
