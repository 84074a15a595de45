public import FuseboxBackend
public import Testing

/// The error `body` fails with; records `expectation` as an issue (and returns nil) if it succeeds.
public func backendFailure(
    _ expectation: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws(BackendError) -> Void
) async -> BackendError? {
    do {
        try await body()
    } catch {
        return error
    }
    Issue.record(Comment(rawValue: expectation), sourceLocation: sourceLocation)
    return nil
}
