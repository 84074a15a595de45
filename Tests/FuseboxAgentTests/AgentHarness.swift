import AsyncHTTPClient
import Foundation
import Fusebox
import FuseboxAgent
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A token for tests; long enough for the agent, and searched for in logs and responses.
let testToken = "t0k3n-for-tests-only-0123456789"

/// A registry with what the tests command: a critical dependency, one that refuses force-open,
/// and a percentage flag.
func makeTestRegistry(clock: any FuseboxClock = SystemClock()) throws -> FuseboxRegistry {
    let registry = FuseboxRegistry(
        service: "checkout", instance: "checkout-1", clock: clock,
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    try registry.register(DependencyConfiguration(name: "payments", criticality: .critical))
    var search = DependencyConfiguration(name: "search")
    search.allowedActions = [.close]
    try registry.register(search)
    try registry.defineFlag("recommendations.share", initial: .percentage(100), description: "share served")
    return registry
}

/// An agent served on an ephemeral loopback port, with a client to talk to it.
struct RunningAgent {
    let agent: FuseboxAgent
    let base: String
    let client: HTTPClient

    /// Sends a request and reads the whole answer.
    func request(
        _ method: HTTPMethod = .GET, _ path: String, body: String? = nil, token: String? = nil,
        headers: [(String, String)] = [], contentType: String? = "application/json"
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }

    /// Posts a command as JSON.
    func command(_ json: String, token: String? = testToken) async throws -> (
        status: Int, headers: HTTPHeaders, body: String
    ) {
        try await request(.POST, FuseboxAgent.Path.commands, body: json, token: token)
    }
}

/// Serves `agent` on 127.0.0.1 with a free port for the duration of `body`.
func withRunningAgent<T: Sendable>(
    _ agent: FuseboxAgent, port: Int = 0,
    serverLogger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (RunningAgent) async throws -> T
) async throws -> T {
    let (addresses, continuation) = AsyncStream<SocketAddress>.makeStream()
    let server = AgentServer(
        agent: agent, port: port, logger: serverLogger,
        onListening: { continuation.yield($0) })
    // Stopped gracefully, never cancelled: cancelling a server while a client still opens a
    // connection traps in NIO (`Deinited NIOAsyncWriter without calling finish()`, apple/swift-nio#3481).
    let services = ServiceGroup(
        services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            // A server that cannot start ends the wait for its address.
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = addresses.makeAsyncIterator()
        guard let address = await iterator.next(), let port = address.port else {
            try await group.next()
            throw AgentTestError("the agent stopped before it listened")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let result: Result<T, any Error>
        do {
            result = .success(
                try await body(RunningAgent(agent: agent, base: "http://127.0.0.1:\(port)", client: client)))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

/// Runs `work` on a Dispatch thread, so a blocking call (a child process, a pipe) never holds one
/// of the concurrency pool's threads, which the servers under test need.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// A command body.
func commandJSON(id: String, action: String, target: String, actor: String = "alice", reason: String = "test")
    -> String
{
    let key = action == "set-flag" ? "flag" : "dependency"
    return """
        {"id":"\(id)","actor":"\(actor)","reason":"\(reason)","action":{"type":"\(action)","\(key)":"\(target)"}}
        """
}

/// Reads a problem body.
struct ProblemBody: Decodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var result: CommandResult?
}

func problem(_ body: String) throws -> ProblemBody {
    try JSONDecoder().decode(ProblemBody.self, from: Data(body.utf8))
}

struct AgentTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
