import AsyncHTTPClient
import Foundation
import Fusebox
import FuseboxAgent
import FuseboxAgentBackend
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the trial found when it tried to break the agent and its client: idle connections,
/// trickling servers, tokens in the wrong places, hostile text in logs.
@Suite struct AgentHardeningTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A TCP connection to 127.0.0.1:`port` that sends nothing; returns its descriptor.
    func silentConnection(to port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw AgentTestError("cannot connect to \(port)") }
        return fd
    }

    /// Whether the peer has closed `fd` (a read returns 0 at once).
    func isClosedByPeer(_ fd: Int32) -> Bool {
        var pollDescriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollDescriptor, 1, 0) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK)) == 0
    }

    @Test func silentConnectionsAreClosedAndCappedSoServingGoesOn() async throws {
        let agent = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = AgentServer(
            agent: agent, port: 0, maxConnections: 8, idleTimeout: .milliseconds(500), logger: quiet,
            onListening: { continuation.yield($0.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let silent = try (0..<20).map { _ in try silentConnection(to: port) }
            defer { silent.forEach { close($0) } }
            // Beyond the cap the connections wait in the backlog; the served ones go silent and
            // are closed, which lets the waiting ones in, which are closed in turn.
            let deadline = ContinuousClock.now + .seconds(15)
            while silent.contains(where: { !isClosedByPeer($0) }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(silent.allSatisfy(isClosedByPeer), "every silent connection was closed")
            let backend = try AgentBackend(specification: "http://127.0.0.1:\(port)", authorization: nil)
            #expect(try await backend.poll().first?.instance == "checkout-1", "and the agent still answers")
            group.cancelAll()
        }
    }

    @Test func aServerThatTricklesItsBodyCannotHoldAPoll() async throws {
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody { writer in
                        for _ in 0..<60 {
                            try await writer.write(ByteBuffer(string: " "))
                            try await Task.sleep(for: .milliseconds(200))
                        }
                        try await writer.finish(nil)
                    })
            }
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: nil, requestTimeout: .seconds(1))
            let started = ContinuousClock.now
            let error = try #require(
                await backendFailure("a trickling body must time out") { () throws(BackendError) in
                    _ = try await backend.poll()
                })
            #expect(error.code == .timedOut)
            #expect(ContinuousClock.now - started < .seconds(5), "one deadline for the head and the body")
        }
    }

    /// A server that is not an agent never sees the token: not when it answers 404, not when it
    /// answers a bare 401 to fish for one.
    @Test(arguments: [404, 401])
    func aServerThatIsNotAnAgentNeverSeesTheToken(answering status: Int) async throws {
        let seen = Mutex<[Bool]>([])
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { request, _ -> Response in
                seen.withLock { $0.append(request.headers[.authorization] != nil) }
                return Response(status: HTTPResponse.Status(code: status))
            }
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: "Bearer \(testToken)")
            _ = try? await backend.poll()
            _ = try? await backend.poll()
            #expect(seen.withLock { $0 } == [false, false])
        }
    }

    @Test func anAgentThatGuardsReadsGetsTheTokenAfterItsFirst401() async throws {
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(
                token: try AgentToken(testToken, origin: "test"), readsRequireToken: true),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            let backend = try AgentBackend(specification: running.base, authorization: "Bearer \(testToken)")
            #expect(try await backend.poll().first?.instance == "checkout-1")
        }
    }

    @Test func aRotatedTokenFileIsReadAgain() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rotating-\(UUID())").path
        defer { unlink(path) }
        try "old-token-0123456789abcdef\n".write(toFile: path, atomically: true, encoding: .utf8)
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test")), logger: quiet)
        try await withRunningAgent(agent) { running in
            let backend = try AgentBackend(
                specification: running.base,
                authorizationProvider: { () throws(BackendError) -> String? in
                    do throws(AgentTokenError) {
                        return try AgentToken(contentsOfFile: path).authorizationHeader
                    } catch {
                        throw BackendError(.invalidSource, error.description)
                    }
                })
            let command = { (id: String) in
                Command(id: id, actor: "a", reason: "r", action: .forceOpen(dependency: "payments"))
            }
            await #expect(throws: BackendError.self) { _ = try await backend.send(command("r1"), to: ["checkout-1"]) }
            try "\(testToken)\r\n".write(toFile: path, atomically: true, encoding: .utf8)  // CRLF, as some editors save
            #expect(try await backend.send(command("r2"), to: ["checkout-1"]).first?.status == .applied)
        }
    }

    @Test func credentialsAndQueriesNeverAppearInMessages() async throws {
        for specification in [
            "http://user:\(testToken)@127.0.0.1:9901", "http://127.0.0.1:9901/?token=\(testToken)",
            "http://127.0.0.1:9901/#\(testToken)", "http://\(testToken)@[::1]:9901",
            // A base64 token may hold `/`, which would otherwise end the host early.
            "http://abc/\(testToken)=@127.0.0.1:9901", "http://x:abc/\(testToken)@127.0.0.1:9901",
        ] {
            let error = try #require(
                await backendFailure("\(specification) must be refused") { () throws(BackendError) in
                    _ = try AgentBackend(specification: specification, authorization: nil)
                })
            #expect(!error.message.contains(testToken), "\(error.message)")
        }
    }

    @Test func aTokenFileAnyUserCanChangeIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("open-token-\(UUID())").path
        defer { unlink(path) }
        try testToken.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o666)
        do {
            _ = try AgentToken(contentsOfFile: path)
            Issue.record("a world-writable token file must be refused")
        } catch {
            #expect(error.description.contains("chmod 600"))
        }
        chmod(path, 0o660)
        #expect(throws: AgentTokenError.self, "writable by the group") { try AgentToken(contentsOfFile: path) }
        chmod(path, 0o644)
        #expect(AgentToken.isReadableByOthers(path))
        #expect(try AgentToken(contentsOfFile: path).matches(testToken))
    }

    @Test func clientTextCannotForgeLogLinesOrReachATerminal() {
        let hostile = "drill\n2026-11-29T11:35:00 notice fusebox: FAKE\u{1B}]0;pwned\u{7}\u{202E}"
        let safe = hostile.logSafe
        #expect(!safe.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(!safe.contains("\u{202E}"))
        #expect(safe.hasPrefix("drill\\u{a}2026"))
        #expect("plain reason".logSafe == "plain reason")
        // Quoted, free text cannot pose as another field.
        #expect("ok remote_address=10.9.9.9:1".logQuoted == "\"ok remote_address=10.9.9.9:1\"")
        #expect("say \"hi\"".logQuoted == "\"say \\\"hi\\\"\"")
    }
}
