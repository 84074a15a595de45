public import Hummingbird
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Serves a Hummingbird router on a free loopback port for the duration of `body`, which gets the
/// port, then stops it gracefully: never cancelled, because cancelling a server while a client
/// still opens a connection traps in NIO (`Deinited NIOAsyncWriter without calling finish()`,
/// apple/swift-nio#3481). Handlers still running are waited for, so slow ones sleep a few seconds at most.
public func withTestServer<T: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void, _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let router = Router()
    configure(router)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let application = Application(
        router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
    let services = ServiceGroup(services: [application], logger: quiet)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestServerError() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(port))
        } catch {
            result = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

/// The test server did not start.
public struct TestServerError: Error, CustomStringConvertible {
    public var description: String { "the test server did not start" }
}

/// A loopback port nothing listens on now, below the ephemeral range (32768 and up on Linux), so no
/// server asking for port 0 and no outgoing connection is given it before a test uses it.
public func closedPort() throws -> Int {
    for _ in 0..<200 {
        let candidate = Int.random(in: 20_000..<32_000)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(candidate).bigEndian)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 }
        }
        if bound { return candidate }
    }
    throw TestServerError()
}
