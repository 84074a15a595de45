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
import ServiceLifecycle
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct AgentBackendTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func tokenAgent(_ registry: FuseboxRegistry) throws -> FuseboxAgent {
        try FuseboxAgent(
            registry: registry, configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test")),
            logger: quiet)
    }

    @Test func pollsSnapshotsAndReusesThemOn304() async throws {
        let registry = try makeTestRegistry()
        try await withRunningAgent(try tokenAgent(registry)) { running in
            let backend = try AgentBackend(specification: running.base, authorization: nil)
            let first = try await backend.poll()
            #expect(first.count == 1)
            #expect(first[0].instance == "checkout-1")
            try await Task.sleep(for: .milliseconds(150))
            let second = try await backend.poll()
            // Same content, confirmed later: the copy is dated by the agent's newer snapshot.
            #expect(second[0].dependencies == first[0].dependencies)
            #expect(second[0].takenAtMilliseconds > first[0].takenAtMilliseconds)
            #expect(backend.capabilities.isReadOnly, "without a token the source takes no commands")
            #expect(backend.capabilities.commandsUnavailableReason?.contains("--token-file") == true)
        }
    }

    @Test func sendsCommandsWithTheTokenAndReportsRefusalsAsResults() async throws {
        let registry = try makeTestRegistry()
        try await withRunningAgent(try tokenAgent(registry)) { running in
            let backend = try AgentBackend(specification: running.base, authorization: "Bearer \(testToken)")
            _ = try await backend.poll()
            let applied = try await backend.send(
                Command(id: "b1", actor: "alice", reason: "drill", action: .forceOpen(dependency: "payments")),
                to: ["checkout-1"])
            #expect(applied.map(\.status) == [.applied])
            #expect(registry.dependency(named: "payments")?.breaker.state == .forcedOpen)
            let refused = try await backend.send(
                Command(id: "b2", actor: "alice", reason: "drill", action: .close(dependency: "nope")),
                to: ["checkout-1"])
            #expect(refused.first?.refusal == .unknownTarget)
            await #expect(throws: BackendError.self) {
                _ = try await backend.send(
                    Command(id: "b3", actor: "a", reason: "r", action: .close(dependency: "payments")),
                    to: ["checkout-9"])
            }
        }
    }

    @Test func asksOnlyForNewEventsAndStartsOverWhenTheAgentRestarts() async throws {
        let first = try makeTestRegistry()
        for index in 0..<3 {
            _ = first.apply(
                Command(
                    id: "x\(index)", actor: "a", reason: "r",
                    action: index % 2 == 0 ? .forceOpen(dependency: "payments") : .close(dependency: "payments")))
        }
        var backend: AgentBackend?
        // A port outside the ephemeral range, so no other test's server can take it between the two
        // agents; the next one if something else holds it.
        var port = 20_000 + Int(getpid() % 500)
        for attempt in 1...20 {
            do {
                try await withRunningAgent(try tokenAgent(first), port: port) { running in
                    let agentBackend = try AgentBackend(specification: running.base, authorization: nil)
                    backend = agentBackend
                    let initial = try await agentBackend.poll()[0]
                    #expect(initial.events.count == Int(first.events.lastSequence))
                    _ = first.apply(
                        Command(id: "x9", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")))
                    try await Task.sleep(for: .milliseconds(150))
                    let next = try await agentBackend.poll()[0]
                    #expect(next.events.allSatisfy { $0.sequence > initial.lastEventSequence }, "only the new events")
                    #expect(!next.events.isEmpty)
                }
                break
            } catch  where "\(error)".contains("Address already in use") && attempt < 20 {
                port += 500
            }
        }
        // Another process on the same port: its events start again from 1 and must not be filtered away.
        let second = try makeTestRegistry()
        _ = second.apply(Command(id: "y", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")))
        // The first server's socket may take a moment to close: try the port again for up to 15 s.
        for attempt in 1...150 {
            do {
                try await withRunningAgent(try tokenAgent(second), port: port) { _ in
                    let restarted = try await #require(backend).poll()[0]
                    #expect(restarted.lastEventSequence < first.events.lastSequence)
                    #expect(restarted.events.map(\.sequence).first == 1)
                }
                break
            } catch  where "\(error)".contains("Address already in use") && attempt < 150 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func wrongTokenIsOneClearLine() async throws {
        let registry = try makeTestRegistry()
        try await withRunningAgent(try tokenAgent(registry)) { running in
            let backend = try AgentBackend(
                specification: running.base, authorization: "Bearer wrong-token-of-enough-length")
            let error = try #require(
                await backendFailure("a wrong token must fail") { () throws(BackendError) in
                    _ = try await backend.send(
                        Command(id: "w1", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")),
                        to: ["checkout-1"])
                })
            #expect(error.code == .unauthorized)
            #expect(error.message.hasPrefix("token rejected by 127.0.0.1:"))
            #expect(error.message.hasSuffix("check --token-file or FUSEBOX_TOKEN"))
            #expect(!error.message.contains("wrong-token"))
            #expect(registry.dependency(named: "payments")?.breaker.state == .closed)
        }
    }

    @Test func anAgentThatCannotAuditSaysSoAndThatNothingWasApplied() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry,
            configuration: AgentConfiguration(
                token: try AgentToken(testToken, origin: "test"), auditLogPath: "/dev/full", auditRequired: true),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            let backend = try AgentBackend(specification: running.base, authorization: "Bearer \(testToken)")
            let error = try #require(
                await backendFailure("an unwritable required audit log refuses the command") {
                    () throws(BackendError) in
                    _ = try await backend.send(
                        Command(id: "a1", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")),
                        to: ["checkout-1"])
                })
            #expect(error.message.contains("nothing was applied"), "\(error.message)")
            #expect(registry.dependency(named: "payments")?.breaker.state == .closed)
        }
    }

    @Test func aReadOnlyAgentMakesTheSourceReadOnlyAfterItsFirstPoll() async throws {
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test"), readOnly: true),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            let backend = try AgentBackend(specification: running.base, authorization: "Bearer \(testToken)")
            #expect(!backend.capabilities.isReadOnly, "assumed from the token at first")
            _ = try await backend.poll()
            #expect(backend.capabilities.isReadOnly)
            #expect(backend.capabilities.commandsUnavailableReason?.contains("--read-only") == true)
        }
        let open = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test")), logger: quiet)
        try await withRunningAgent(open) { running in
            let backend = try AgentBackend(specification: running.base, authorization: "Bearer \(testToken)")
            _ = try await backend.poll()
            #expect(!backend.capabilities.isReadOnly)
        }
    }

    @Test func readOnlyAgentRefusalSaysSo() async throws {
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test"), readOnly: true),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            let backend = try AgentBackend(specification: running.base, authorization: "Bearer \(testToken)")
            let error = try #require(
                await backendFailure("a read-only agent must refuse") { () throws(BackendError) in
                    _ = try await backend.send(
                        Command(id: "r1", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")),
                        to: ["checkout-1"])
                })
            #expect(error.code == .forbidden)
            #expect(error.message.contains("read-only"))
            #expect(error.message.contains("refused to force-open: "), "\(error.message)")
        }
    }

    @Test func deadAgentIsUnreachableAndRetryable() async throws {
        // Port 1: nothing listens there (a port another test's server just left may be reused).
        let port = 1
        let backend = try AgentBackend(specification: "http://127.0.0.1:\(port)", authorization: nil)
        let error = try #require(
            await backendFailure("nothing listens there") { () throws(BackendError) in
                _ = try await backend.poll()
            })
        #expect(error.code == .unreachable)
        #expect(error.isRetryable)
        #expect(error.message.contains("127.0.0.1:\(port)"))
    }

    @Test func slowAgentTimesOut() async throws {
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { _, _ -> String in
                try await Task.sleep(for: .seconds(5))
                return "{}"
            }
        }) { base in
            let backend = try AgentBackend(
                specification: base, authorization: nil, requestTimeout: .milliseconds(300))
            let started = ContinuousClock.now
            let error = try #require(
                await backendFailure("the agent is too slow") { () throws(BackendError) in
                    _ = try await backend.poll()
                })
            #expect(error.code == .timedOut)
            #expect(error.isRetryable)
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func otherServersAreNotSources() async throws {
        try await withRouter({ router in
            router.get("/") { _, _ in "<html>hello</html>" }
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: nil)
            let error = try #require(
                await backendFailure("a web page is not an agent") { () throws(BackendError) in
                    _ = try await backend.poll()
                })
            #expect(error.code == .notASource)
            #expect(!error.isRetryable)
            #expect(error.message.contains("Fusebox agent"))
        }
    }

    @Test func newerMajorFormatIsRefusedWithAnUpgradeHint() async throws {
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { _, _ -> Response in
                let body = "{\"formatVersion\":\"2.0\",\"service\":\"s\",\"instance\":\"i\"}"
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: nil)
            let error = try #require(
                await backendFailure("format 2.0 must be refused") { () throws(BackendError) in
                    _ = try await backend.poll()
                })
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("upgrade fusebox"))
        }
    }

    @Test func malformedSnapshotIsRetryableAndSaysWhere() async throws {
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"formatVersion\":\"1.1\",\"service\":")))
            }
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: nil)
            let error = try #require(
                await backendFailure("a torn snapshot must fail") { () throws(BackendError) in
                    _ = try await backend.poll()
                })
            #expect(error.code == .malformedResponse)
            #expect(error.isRetryable)
        }
    }

    @Test func theAgentMountsBesideAServicesOwnMetricsAndHealthRoutes() async throws {
        let agent = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
        try await withRouter({ router in
            router.get("/metrics") { _, _ in "the service's own metrics" }
            router.get("/healthz") { _, _ in "the service's own health" }
            agent.addRoutes(to: router, including: .api)
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: nil)
            #expect(try await backend.poll().first?.instance == "checkout-1")
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let metrics = try await client.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(5))
            #expect(String(buffer: try await metrics.body.collect(upTo: 1024)) == "the service's own metrics")
            try await client.shutdown()
        }
    }

    @Test(arguments: [
        "127.0.0.1:9901", "ftp://host:1", "http://", "http://user:pw@host:1", "http://host:99999", "http://host:1/?x=1",
        "https://[::1", "http://::1:9901", "http://:9901",
    ])
    func badAddressesAreInvalidSources(_ specification: String) {
        #expect(throws: BackendError.self) { try AgentBackend(specification: specification, authorization: nil) }
    }
}

/// Serves a plain Hummingbird router on a free loopback port.
func withRouter<T: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void, _ body: (String) async throws -> T
) async throws -> T {
    try await withTestServer(configure) { port in try await body("http://127.0.0.1:\(port)") }
}
