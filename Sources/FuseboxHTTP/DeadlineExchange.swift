public import AsyncHTTPClient
public import NIOCore

/// One HTTP exchange under one deadline for the head and the body together, as every HTTP source
/// needs it: a server that answers its headers at once and then trickles the body (or never sends
/// it) cannot hold a poll longer than `timeout`.
public enum DeadlineExchange {
    /// The answer: status, content type, body (at most `limit` bytes).
    public struct Answer: Sendable {
        public var response: HTTPClientResponse
        public var body: ByteBuffer
        public var status: UInt { response.status.code }
        public var contentType: String? { response.headers.first(name: "Content-Type") }
    }

    /// Sends `request` and reads the whole answer, head and body, within `timeout` (plus a second,
    /// so the client's own time-outs, such as a refused connection after the connect time-out, come
    /// first when there are any).
    /// - Throws: the client's errors as they are; ``HTTPClientError/deadlineExceeded`` at the
    ///   deadline; `NIOTooManyBytesError` for a body over `limit`. ``TransportFailure`` reads them.
    public static func send(
        _ request: HTTPClientRequest, with client: HTTPClient, timeout: TimeAmount, limit: Int
    ) async throws -> Answer {
        try await withThrowingTaskGroup(of: Answer?.self) { group in
            group.addTask {
                let response = try await client.execute(request, timeout: timeout)
                return Answer(response: response, body: try await response.body.collect(upTo: limit))
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds) + 1_000_000_000)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return answer
        }
    }
}

extension HTTPClient.Configuration {
    /// What every HTTP source reads with: its connect and read time-outs, no redirects (a token or
    /// a question must not follow one elsewhere), idle connections kept for 30 s between polls.
    public static func source(connectTimeout: Duration, requestTimeout: Duration) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            timeout: HTTPClient.Configuration.Timeout(
                connect: TimeAmount(connectTimeout), read: TimeAmount(requestTimeout)))
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.idleTimeout = .seconds(30)
        return configuration
    }
}
