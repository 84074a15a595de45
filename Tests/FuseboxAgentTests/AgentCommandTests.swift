import AsyncHTTPClient
import Foundation
import Fusebox
import FuseboxAgent
import FuseboxProtocol
import InMemoryLogging
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct AgentCommandTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func tokenConfiguration(_ change: (inout AgentConfiguration) -> Void = { _ in }) throws -> AgentConfiguration {
        var configuration = AgentConfiguration(token: try AgentToken(testToken, origin: "test"))
        change(&configuration)
        return configuration
    }

    @Test func appliedCommandReturnsBeforeAndAfter() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let response = try await running.command(commandJSON(id: "c1", action: "force-open", target: "payments"))
            #expect(response.status == 200)
            let result = try JSONDecoder().decode(CommandResult.self, from: Data(response.body.utf8))
            #expect(result.status == .applied)
            #expect(result.before == .breaker(.closed))
            #expect(result.after == .breaker(.forcedOpen))
            #expect(registry.dependency(named: "payments")?.breaker.state == .forcedOpen)
        }
    }

    /// Every way a command is turned away, with its status, its problem type and nothing changed.
    @Test(
        arguments: [
            ("no token", nil, commandJSON(id: "a", action: "close", target: "payments"), 401, "token-required"),
            (
                "wrong token", "wrong-token-of-enough-length",
                commandJSON(id: "b", action: "close", target: "payments"),
                401, "unauthorized"
            ),
            ("malformed JSON", testToken, "{\"id\":", 400, "malformed-json"),
            ("missing field", testToken, "{\"id\":\"c\",\"actor\":\"a\",\"reason\":\"r\"}", 400, "malformed-json"),
            (
                "unknown command", testToken, commandJSON(id: "d", action: "explode", target: "payments"), 400,
                "unknown-command"
            ),
            (
                "newer format", testToken,
                "{\"formatVersion\":\"2.0\",\"id\":\"e\",\"actor\":\"a\",\"reason\":\"r\",\"action\":{\"type\":\"close\",\"dependency\":\"payments\"}}",
                400, "unsupported-format-version"
            ),
            ("unknown target", testToken, commandJSON(id: "f", action: "close", target: "nope"), 404, "unknown-target"),
            (
                "not allowed", testToken, commandJSON(id: "g", action: "force-open", target: "search"), 409,
                "command-not-allowed"
            ),
            (
                "invalid argument", testToken,
                "{\"id\":\"h\",\"actor\":\"a\",\"reason\":\"r\",\"action\":{\"type\":\"set-flag\",\"flag\":\"recommendations.share\",\"value\":{\"kind\":\"percentage\",\"value\":250}}}",
                422, "invalid-argument"
            ),
        ] as [(String, String?, String, Int, String)])
    func refusedCommandsHaveTheirOwnProblemAndChangeNothing(
        _ name: String, _ token: String?, _ body: String, _ status: Int, _ type: String
    ) async throws {
        let registry = try makeTestRegistry()
        let before = registry.snapshot().dependencies.map(\.breaker.state)
        let flagBefore = registry.flag(named: "recommendations.share")?.value
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let response = try await running.command(body, token: token)
            #expect(response.status == status, "\(name)")
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json")
            let body = try problem(response.body)
            #expect(body.type == "urn:fusebox:problem:\(type)")
            #expect(body.status == status)
            #expect(!body.title.isEmpty && !body.detail.isEmpty)
            #expect(registry.snapshot().dependencies.map(\.breaker.state) == before)
            #expect(registry.flag(named: "recommendations.share")?.value == flagBefore)
            // Refusals by the registry carry its result; refusals before it do not.
            #expect((body.result != nil) == (status == 404 || status == 409 || status == 422))
        }
    }

    @Test func anUnreadableCommandIsAuditedWithWhatCouldBeRead() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let unknown = try await running.command(
                commandJSON(id: "x1", action: "explode", target: "payments", actor: "mallory", reason: "testing"))
            #expect(unknown.status == 400)
            let record = try #require(agent.audit.page(limit: 1, before: nil).records.first)
            #expect(record.outcome == .invalid)
            #expect(record.commandId == "x1" && record.actor == "mallory" && record.reason == "testing")
        }
    }

    @Test func overlongTextIsRefusedAndNothingApplied() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            for (actor, reason) in [
                (String(repeating: "a", count: 65), "r"), ("a", String(repeating: "r", count: 1001)),
            ] {
                let response = try await running.command(
                    commandJSON(
                        id: "long-\(actor.count)", action: "force-open", target: "payments", actor: actor,
                        reason: reason))
                #expect(response.status == 422)
                #expect(try problem(response.body).detail.contains("at most"))
            }
            #expect(registry.dependency(named: "payments")?.breaker.state == .closed)
            let records = agent.audit.page(limit: 5, before: nil).records
            #expect(records.allSatisfy { ($0.reason?.count ?? 0) <= 201 }, "cut in the audit trail too")
        }
    }

    @Test func commandIdsAreIdempotent() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let body = commandJSON(id: "same", action: "force-open", target: "payments")
            let first = try await running.command(body)
            let eventsAfterFirst = registry.events.lastSequence
            let second = try await running.command(body)
            #expect(first.status == 200 && second.status == 200)
            #expect(first.body == second.body)
            #expect(registry.events.lastSequence == eventsAfterFirst, "a repeat changes nothing and logs nothing")
            // The same id for another command is refused rather than answered with the old result.
            let reused = try await running.command(commandJSON(id: "same", action: "close", target: "payments"))
            #expect(reused.status == 422)
            #expect(try problem(reused.body).detail.contains("already used"))
            #expect(registry.dependency(named: "payments")?.breaker.state == .forcedOpen)
        }
    }

    @Test func readOnlyAgentRefusesCommandsWith403() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry, configuration: try tokenConfiguration { $0.readOnly = true }, logger: quiet)
        try await withRunningAgent(agent) { running in
            let response = try await running.command(commandJSON(id: "c1", action: "force-open", target: "payments"))
            #expect(response.status == 403)
            #expect(try problem(response.body).type == "urn:fusebox:problem:read-only")
            #expect(registry.dependency(named: "payments")?.breaker.state == .closed)
        }
    }

    @Test func agentWithoutATokenIsReadOnlyNotOpen() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, logger: quiet)
        try await withRunningAgent(agent) { running in
            for token in [nil, "anything-at-all-long-enough"] as [String?] {
                let response = try await running.command(
                    commandJSON(id: "c1", action: "force-open", target: "payments"), token: token)
                #expect(response.status == 403)
                #expect(try problem(response.body).type == "urn:fusebox:problem:commands-disabled")
            }
            #expect(registry.dependency(named: "payments")?.breaker.state == .closed)
        }
    }

    @Test func oversizedAndMistypedBodiesAreRefused() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let padding = String(repeating: "x", count: 70 * 1024)
            let huge = try await running.command(
                commandJSON(id: "big", action: "close", target: "payments", reason: padding))
            #expect(huge.status == 413)
            #expect(try problem(huge.body).type == "urn:fusebox:problem:body-too-large")
            let form = try await running.request(
                .POST, FuseboxAgent.Path.commands, body: commandJSON(id: "f", action: "close", target: "payments"),
                token: testToken, contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
            #expect(try problem(form.body).type == "urn:fusebox:problem:unsupported-media-type")
        }
    }

    @Test func commandsAreRateLimitedPerClientWithRetryAfter() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry,
            configuration: try tokenConfiguration {
                $0.commandsPerSecond = 0.01  // one token per 100 s: no refill while the test runs, however slow the machine
                $0.commandBurst = 3
            }, logger: quiet)
        try await withRunningAgent(agent) { running in
            var statuses: [Int] = []
            var retryAfter: String?
            for index in 0..<5 {
                let response = try await running.command(
                    commandJSON(id: "r\(index)", action: index % 2 == 0 ? "force-open" : "close", target: "payments"))
                statuses.append(response.status)
                if response.status == 429 {
                    retryAfter = response.headers.first(name: "Retry-After")
                    #expect(try problem(response.body).type == "urn:fusebox:problem:rate-limited")
                }
            }
            #expect(statuses == [200, 200, 200, 429, 429])
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
        }
    }

    @Test func auditFileRecordsEveryAttemptInOrderWithoutTheToken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-audit-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry, configuration: try tokenConfiguration { $0.auditLogPath = path }, logger: quiet)
        try await withRunningAgent(agent) { running in
            _ = try await running.command(
                commandJSON(id: "ok", action: "force-open", target: "payments", actor: "alice", reason: "flapping"))
            _ = try await running.command(commandJSON(id: "nope", action: "close", target: "nope"))
            _ = try await running.command(
                commandJSON(id: "bad", action: "close", target: "payments"), token: "x" + testToken)
            _ = try await running.command("{not json")
            _ = try await running.command(commandJSON(id: "ok2", action: "close", target: "payments", actor: "bob"))

            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let records = try lines.map { try JSONDecoder().decode(AuditRecord.self, from: Data($0.utf8)) }
            #expect(records.map(\.outcome) == [.applied, .refused, .unauthorized, .invalid, .applied])
            #expect(records.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(records[0].actor == "alice" && records[0].reason == "flapping")
            #expect(records[0].before == .breaker(.closed) && records[0].after == .breaker(.forcedOpen))
            #expect(records[0].remoteAddress?.hasPrefix("127.0.0.1:") == true)
            #expect(records[2].commandId == "bad" && records[2].status == 401)
            #expect(records[4].actor == "bob" && records[4].after == .breaker(.closed))
            #expect(!lines.joined().contains(testToken))

            // The endpoint serves the same records, newest first, a page at a time.
            let page = try await running.request(.GET, FuseboxAgent.Path.audit + "?limit=2")
            let decoded = try JSONDecoder().decode(AuditPage.self, from: Data(page.body.utf8))
            #expect(decoded.records.map(\.sequence) == [5, 4])
            #expect(decoded.nextBefore == 4)
            let next = try await running.request(.GET, FuseboxAgent.Path.audit + "?limit=2&before=4")
            #expect(
                try JSONDecoder().decode(AuditPage.self, from: Data(next.body.utf8)).records.map(\.sequence) == [3, 2])
            let bad = try await running.request(.GET, FuseboxAgent.Path.audit + "?limit=0")
            #expect(bad.status == 400)
        }
    }

    @Test func auditWriteFailureIsReportedNotSwallowed() async throws {
        // /dev/full accepts the open and fails every write with ENOSPC: a full disk on demand.
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            Issue.record("/dev/full is missing; this test needs it to simulate a full disk")
            return
        }
        let recorder = InMemoryLogHandler()
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry, configuration: try tokenConfiguration { $0.auditLogPath = "/dev/full" },
            logger: Logger(label: "agent", factory: { _ in recorder }))
        try await withRunningAgent(agent) { running in
            let response = try await running.command(commandJSON(id: "c1", action: "force-open", target: "payments"))
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Fusebox-Audit-Error")?.contains("/dev/full") == true)
            let health = try await running.request(.GET, FuseboxAgent.Path.health)
            #expect(health.body.contains("\"status\":\"degraded\""))
            #expect(recorder.entries.contains { $0.level == .error && $0.message.description.contains("audit") })
            // Kept in memory all the same.
            #expect(agent.audit.page(limit: 10, before: nil).records.count == 1)
        }
    }

    @Test func aRequiredAuditLogThatCannotBeWrittenRefusesCommandsAndAppliesNothing() async throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            Issue.record("/dev/full is missing; this test needs it to simulate a full disk")
            return
        }
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry,
            configuration: try tokenConfiguration {
                $0.auditLogPath = "/dev/full"
                $0.auditRequired = true
            }, logger: quiet)
        try await withRunningAgent(agent) { running in
            let response = try await running.command(commandJSON(id: "c1", action: "force-open", target: "payments"))
            #expect(response.status == 503)
            #expect(response.headers.first(name: "Retry-After") == "30")
            #expect(try problem(response.body).type == "urn:fusebox:problem:audit-unavailable")
            #expect(registry.dependency(named: "payments")?.breaker.state == .closed, "nothing was applied")
        }
    }

    @Test func aRequiredAuditLogRecordsTheCommandBeforeItsResult() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID()).jsonl").path
        defer { unlink(path) }
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: try tokenConfiguration {
                $0.auditLogPath = path
                $0.auditRequired = true
            }, logger: quiet)
        try await withRunningAgent(agent) { running in
            #expect(
                try await running.command(commandJSON(id: "c1", action: "force-open", target: "payments")).status == 200
            )
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let records = try lines.map { try JSONDecoder().decode(AuditRecord.self, from: Data($0.utf8)) }
            #expect(records.map(\.outcome) == [.accepted, .applied])
        }
    }

    @Test func tokenNeverAppearsInLogsOrResponses() async throws {
        let recorder = InMemoryLogHandler()
        var traced = Logger(label: "agent", factory: { _ in recorder })
        traced.logLevel = .trace
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry,
            configuration: try tokenConfiguration {
                $0.readsRequireToken = true
                $0.eventStreamInterval = .milliseconds(50)
            },
            metrics: PrometheusCollectorRegistry(), logger: traced)
        var seen = ""
        try await withRunningAgent(agent, serverLogger: traced) { running in
            var responses: [(status: Int, headers: HTTPHeaders, body: String)] = []
            responses.append(try await running.command(commandJSON(id: "1", action: "force-open", target: "payments")))
            responses.append(try await running.command(commandJSON(id: "2", action: "close", target: "nope")))
            responses.append(
                try await running.command(
                    commandJSON(id: "3", action: "close", target: "payments"), token: testToken + "x"))
            responses.append(try await running.command("{", token: testToken))
            for path in [FuseboxAgent.Path.audit, FuseboxAgent.Path.snapshot, FuseboxAgent.Path.metrics] {
                responses.append(try await running.request(.GET, path, token: testToken))
                responses.append(try await running.request(.GET, path, token: "Z" + testToken))
                responses.append(try await running.request(.GET, path))
            }
            responses.append(try await running.request(.GET, FuseboxAgent.Path.health))
            responses.append(try await running.request(.GET, FuseboxAgent.Path.events, token: "Z" + testToken))
            // The event stream, read until it has delivered an event.
            var request = HTTPClientRequest(url: running.base + FuseboxAgent.Path.events + "?after=0")
            request.headers.add(name: "Authorization", value: "Bearer \(testToken)")
            let stream = try await running.client.execute(request, timeout: .seconds(20))
            for header in stream.headers { seen += header.name + header.value }
            for try await chunk in stream.body {
                seen += String(buffer: chunk)
                if seen.contains("id: 1") { break }
            }
            for response in responses {
                seen += response.body
                for header in response.headers { seen += header.name + header.value }
            }
        }
        for entry in recorder.entries {
            seen += entry.message.description + entry.metadata.description
        }
        #expect(recorder.entries.count > 3, "the agent and the server logged at trace level")
        #expect(seen.contains("event: "), "the stream was read")
        #expect(!seen.contains(testToken))
        #expect(!seen.contains(String(testToken.prefix(12))))
        #expect("\(try AgentToken(testToken, origin: "test"))" == "<redacted>")
    }

    @Test func aChunkedOversizedBodyIs413AndAudited() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            var request = HTTPClientRequest(url: running.base + FuseboxAgent.Path.commands)
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(testToken)")
            request.headers.add(name: "Content-Type", value: "application/json")
            let chunk = ByteBuffer(string: String(repeating: " ", count: 16 * 1024))
            // No Content-Length: the body arrives in chunks until it is too large.
            request.body = .stream(
                AsyncStream { continuation in
                    for _ in 0..<8 { continuation.yield(chunk) }
                    continuation.finish()
                }, length: .unknown)
            let response = try await running.client.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 413)
            #expect(try problem(body).type == "urn:fusebox:problem:body-too-large")
            #expect(agent.audit.page(limit: 5, before: nil).records.first?.status == 413)
        }
    }

    @Test func aFloodOfRefusedCommandsIsAuditedOnceASecondAndLeavesTheOperatorsAllowance() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry,
            configuration: try tokenConfiguration {
                $0.commandsPerSecond = 1
                $0.commandBurst = 2
            }, logger: quiet)
        try await withRunningAgent(agent) { running in
            let started = ContinuousClock.now
            var refused = 0
            for index in 0..<30 {
                let response = try await running.command(
                    commandJSON(id: "s\(index)", action: "close", target: "payments"), token: "stranger-token-xxxxxxxx")
                if response.status == 429 { refused += 1 }
            }
            // The allowance refills at 1 a second, and a loaded machine takes a while to send 30.
            let seconds = Int((ContinuousClock.now - started).components.seconds) + 1
            let records = agent.audit.page(limit: 100, before: nil).records
            let unauthorized = records.filter { $0.outcome == .unauthorized }.count
            #expect(unauthorized >= 2 && unauthorized <= 2 + seconds, "the burst, then the refill")
            let limited = records.filter { $0.outcome == .rateLimited }.count
            #expect(limited >= 1 && limited <= 1 + seconds, "then about one record a second of the 28 refused")
            #expect(records.count < 30)
            // Within a second or so the burst's tail is written too: every refusal is counted,
            // in a record of its own or in a later record's count.
            try await Task.sleep(for: .milliseconds(1_500))
            let all = agent.audit.page(limit: 100, before: nil).records.filter { $0.outcome == .rateLimited }
            // A flush's record counts only others; any other counts itself and those before it.
            func count(_ message: String) -> Int {
                if let summary = message.range(of: " more commands from ") {
                    return Int(message[..<summary.lowerBound]) ?? 0
                }
                guard let open = message.range(of: "("),
                    let more = message.range(of: " more refused", range: open.upperBound..<message.endIndex)
                else { return 1 }
                return 1 + (Int(message[open.upperBound..<more.lowerBound]) ?? 0)
            }
            let counted = all.reduce(0) { $0 + count($1.message) }
            #expect(counted == refused, "\(all.map(\.message))")
            // The operator, with the token, still has the whole allowance.
            let operatorAttempt = try await running.command(
                commandJSON(id: "op", action: "force-open", target: "payments"))
            #expect(operatorAttempt.status == 200)
        }
    }

    @Test func aReplayedIdIsAuditedAsSuch() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(registry: registry, configuration: try tokenConfiguration(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let body = commandJSON(id: "again", action: "force-open", target: "payments")
            _ = try await running.command(body)
            _ = try await running.command(body)
            let outcomes = agent.audit.page(limit: 10, before: nil).records.map(\.outcome)
            #expect(outcomes == [.replayed, .applied])
        }
    }

    @Test func tokensAreCheckedForLengthAndReadFromFiles() throws {
        #expect(throws: AgentTokenError.self) { try AgentToken("short", origin: "test") }
        #expect(throws: AgentTokenError.self) { try AgentToken("has a space in the middle of it", origin: "test") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())").path
        try (testToken + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = try AgentToken(contentsOfFile: path)
        #expect(token.matches(testToken))
        #expect(!token.matches(testToken + "\n"))
        #expect(!token.matches(String(testToken.dropLast())))
        #expect(!token.matches(""))
        // A longer candidate is refused whatever its length (a difference of 256 must not vanish).
        #expect(!token.matches(testToken + String(repeating: "x", count: 256)))
        #expect(!token.matches(testToken + String(repeating: "x", count: 512)))
        let fromEnvironment = try AgentToken.resolve(file: nil, environment: ["FUSEBOX_TOKEN": testToken])
        #expect(fromEnvironment?.matches(testToken) == true)
        #expect(try AgentToken.resolve(file: nil, environment: [:]) == nil)
        do {
            _ = try AgentToken(contentsOfFile: "/nonexistent/token")
            Issue.record("a missing file must throw")
        } catch {
            #expect(error.description.contains("/nonexistent/token"))
        }
    }
}
