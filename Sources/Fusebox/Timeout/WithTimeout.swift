/// Runs `operation` and cancels it if it is not done within `limit` on `clock`.
///
/// The operation runs in a child task, so cancellation reaches everything it awaits through
/// structured concurrency; a `TimeoutError` is thrown once it has been cancelled.
@inlinable
public func withTimeout<T: Sendable>(
    _ limit: Duration,
    scope: TimeoutError.Scope = .attempt,
    clock: any FuseboxClock,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let nanoseconds = limit.clampedNanoseconds
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await clock.sleep(nanoseconds: nanoseconds)
            return nil
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let value = next { return value }
            throw TimeoutError(scope: scope, limit: limit)
        }
        throw CancellationError()
    }
}
