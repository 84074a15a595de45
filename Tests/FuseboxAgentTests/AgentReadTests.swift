import AsyncHTTPClient
import Foundation
import Fusebox
import FuseboxAgent
import FuseboxProtocol
import Logging
import NIOCore
import Testing

@Suite struct AgentReadTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func snapshotRoundTripsTheRegistrysSchema() async throws {
        // On a manual clock every stamp stands still, so the served snapshot must equal the
        // registry's own, field for field, with nothing copied across.
        let registry = try makeTestRegistry(clock: ManualClock(wallOriginMilliseconds: 1_796_000_000_000))
        let payments = try #require(registry.dependency(named: "payments"))
        _ = try await payments.execute { 1 }
        _ = try? await payments.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
            throw AgentTestError("down")
        }
        _ = registry.apply(Command(id: "c", actor: "a", reason: "r", action: .forceOpen(dependency: "search")))
        let agent = try FuseboxAgent(registry: registry, logger: quiet)
        try await withRunningAgent(agent) { running in
            let response = try await running.request(.GET, FuseboxAgent.Path.snapshot)
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Content-Type") == "application/json")
            let served = try JSONDecoder().decode(Snapshot.self, from: Data(response.body.utf8))
            #expect(served == registry.snapshot(eventLimit: AgentConfiguration().snapshotEventLimit))
            #expect(served.formatVersion == .current)
            #expect(served.dependencies.map(\.name) == ["payments", "search"])
            #expect(served.dependency(named: "payments")?.calls.calls == 2)
            #expect(served.events.contains { $0.kind == .command })
        }
    }

    @Test func unchangedSnapshotAnswers304AndAChangeAnswers200() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry, configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test")),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            let first = try await running.request(.GET, FuseboxAgent.Path.snapshot)
            let tag = try #require(first.headers.first(name: "ETag"))
            try await Task.sleep(for: .milliseconds(150))  // past the shared snapshot's age
            let again = try await running.request(.GET, FuseboxAgent.Path.snapshot, headers: [("If-None-Match", tag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.headers.first(name: "ETag") == tag)
            let taken = try #require(again.headers.first(name: "Fusebox-Taken-At").flatMap(Int64.init))
            #expect(taken > 0)
            // The tag is weak (bodies under it differ in their time stamps); in a list, and in its
            // strong form, it matches too.
            #expect(tag.hasPrefix("W/\""))
            let listed = try await running.request(
                .GET, FuseboxAgent.Path.snapshot, headers: [("If-None-Match", "\"other\", \(tag.dropFirst(2))")])
            #expect(listed.status == 304)

            let applied = try await running.command(commandJSON(id: "c1", action: "force-open", target: "payments"))
            #expect(applied.status == 200)
            try await Task.sleep(for: .milliseconds(150))
            let changed = try await running.request(.GET, FuseboxAgent.Path.snapshot, headers: [("If-None-Match", tag)])
            #expect(changed.status == 200)
            #expect(changed.headers.first(name: "ETag") != tag)
            let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(changed.body.utf8))
            #expect(snapshot.dependency(named: "payments")?.breaker.state == .forcedOpen)
        }
    }

    @Test func eventsAfterReturnsOnlyNewerEvents() async throws {
        let registry = try makeTestRegistry()
        for (index, action) in [Command.Action.forceOpen(dependency: "payments"), .close(dependency: "payments")]
            .enumerated()
        {
            _ = registry.apply(Command(id: "c\(index)", actor: "alice", reason: "test", action: action))
        }
        let agent = try FuseboxAgent(registry: registry, logger: quiet)
        try await withRunningAgent(agent) { running in
            let all = try JSONDecoder().decode(
                Snapshot.self, from: Data(try await running.request(.GET, FuseboxAgent.Path.snapshot).body.utf8))
            #expect(all.events.count >= 4)
            let cut = all.events[1].sequence
            let newer = try await running.request(.GET, FuseboxAgent.Path.snapshot + "?events_after=\(cut)")
            #expect(newer.status == 200)
            let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(newer.body.utf8))
            #expect(snapshot.events.map(\.sequence) == all.events.dropFirst(2).map(\.sequence))
            #expect(snapshot.lastEventSequence == all.lastEventSequence)
            // The tag depends on the cut, so a client's copy of another cut never matches.
            let allTag = try await running.request(.GET, FuseboxAgent.Path.snapshot).headers.first(name: "ETag")
            let cutTag = try #require(newer.headers.first(name: "ETag"))
            #expect(cutTag != allTag)
            let otherCut = try await running.request(
                .GET, FuseboxAgent.Path.snapshot + "?events_after=\(cut)", headers: [("If-None-Match", allTag ?? "")])
            #expect(otherCut.status == 200)
            let sameCut = try await running.request(
                .GET, FuseboxAgent.Path.snapshot + "?events_after=\(cut)", headers: [("If-None-Match", cutTag)])
            #expect(sameCut.status == 304)
            let bad = try await running.request(.GET, FuseboxAgent.Path.snapshot + "?events_after=soon")
            #expect(bad.status == 400)
            #expect(try problem(bad.body).type == "urn:fusebox:problem:invalid-query")
        }
    }

    @Test func readsCanRequireTheToken() async throws {
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(
                token: try AgentToken(testToken, origin: "test"), readsRequireToken: true),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            for path in [FuseboxAgent.Path.snapshot, FuseboxAgent.Path.audit, FuseboxAgent.Path.events] {
                let missing = try await running.request(.GET, path)
                #expect(missing.status == 401, "\(path)")
                #expect(try problem(missing.body).type == "urn:fusebox:problem:token-required")
                #expect(missing.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
                let wrong = try await running.request(.GET, path, token: "not-the-token-at-all-xx")
                #expect(wrong.status == 401)
                #expect(try problem(wrong.body).type == "urn:fusebox:problem:unauthorized")
            }
            #expect(try await running.request(.GET, FuseboxAgent.Path.snapshot, token: testToken).status == 200)
            // Liveness never needs the token.
            #expect(try await running.request(.GET, FuseboxAgent.Path.health).status == 200)
        }
    }

    @Test func healthSaysWhetherCommandsAreEnabled() async throws {
        let readOnly = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
        try await withRunningAgent(readOnly) { running in
            let health = try await running.request(.GET, FuseboxAgent.Path.health)
            #expect(health.status == 200)
            #expect(health.body.contains("\"commandsEnabled\":false"))
            #expect(health.body.contains("\"status\":\"ok\""))
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        let agent = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let health = try await running.request(.HEAD, FuseboxAgent.Path.health)
            #expect(health.status == 200 && health.body.isEmpty)
            let snapshot = try await running.request(.HEAD, FuseboxAgent.Path.snapshot)
            #expect(snapshot.status == 200 && snapshot.body.isEmpty)
            #expect(snapshot.headers.first(name: "ETag")?.hasPrefix("W/") == true)
        }
    }

    @Test func unknownPathsAndWrongMethodsAnswerWithProblems() async throws {
        let agent = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let unknown = try await running.request(.GET, "/fusebox/v1/snapshots")
            #expect(unknown.status == 404)
            #expect(try problem(unknown.body).type == "urn:fusebox:problem:not-found")
            let wrongMethod = try await running.request(.GET, FuseboxAgent.Path.commands)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers.first(name: "Allow") == "POST")
            #expect(try problem(wrongMethod.body).type == "urn:fusebox:problem:method-not-allowed")
        }
    }

    @Test func eventStreamDeliversATransition() async throws {
        let registry = try makeTestRegistry()
        let agent = try FuseboxAgent(
            registry: registry,
            configuration: AgentConfiguration(eventStreamInterval: .milliseconds(50)), logger: quiet)
        try await withRunningAgent(agent) { running in
            var request = HTTPClientRequest(url: running.base + FuseboxAgent.Path.events)
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await running.client.execute(request, timeout: .seconds(20))
            #expect(response.status.code == 200)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            // The stream has started (the first comment arrived) before the transition happens.
            var chunks = response.body.makeAsyncIterator()
            let opening = try #require(try await chunks.next())
            #expect(String(buffer: opening).hasPrefix(": fusebox events"))
            _ = registry.apply(
                Command(id: "sse-1", actor: "alice", reason: "drill", action: .forceOpen(dependency: "payments")))
            var text = ""
            while !text.contains("event: transition") || !text.contains("\n\n") {
                guard let chunk = try await chunks.next() else { break }
                text += String(buffer: chunk)
            }
            let frame = try #require(
                text.components(separatedBy: "\n\n").first { $0.contains("event: transition") })
            let data = try #require(frame.split(separator: "\n").first { $0.hasPrefix("data: ") })
            let event = try JSONDecoder().decode(Event.self, from: Data(data.dropFirst(6).utf8))
            #expect(event.kind == .transition)
            #expect(event.dependency == "payments")
            #expect(event.to == .breaker(.forcedOpen))
            #expect(frame.contains("id: \(event.sequence)"))
        }
    }

    @Test func eventStreamResumesAfterLastEventIDAndResetsForAnEarlierProcess() async throws {
        let registry = try makeTestRegistry()
        for index in 0..<3 {
            _ = registry.apply(
                Command(
                    id: "r\(index)", actor: "a", reason: "r",
                    action: index % 2 == 0 ? .forceOpen(dependency: "payments") : .close(dependency: "payments")))
        }
        let newest = registry.events.lastSequence
        let agent = try FuseboxAgent(
            registry: registry, configuration: AgentConfiguration(eventStreamInterval: .milliseconds(50)),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            func frames(lastEventID: String, until sequence: UInt64) async throws -> String {
                var request = HTTPClientRequest(url: running.base + FuseboxAgent.Path.events)
                request.headers.add(name: "Last-Event-ID", value: lastEventID)
                let response = try await running.client.execute(request, timeout: .seconds(20))
                var text = ""
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    if text.contains("id: \(sequence)\n") { break }
                }
                return text
            }
            let resumed = try await frames(lastEventID: "1", until: newest)
            #expect(!resumed.contains("id: 1\n"))
            #expect(resumed.contains("id: 2\n") && resumed.contains("id: \(newest)\n"))
            #expect(!resumed.contains("event: reset"))
            let earlier = try await frames(lastEventID: "99999", until: newest)
            #expect(earlier.contains("event: reset"))
            #expect(earlier.contains("id: 1\n"))
        }
    }

    /// Event streams hold their connections: without a cap of their own, readers (who need no
    /// token) could take every connection and lock out /healthz and commands.
    @Test func eventStreamsHaveACapOfTheirOwn() async throws {
        let agent = try FuseboxAgent(
            registry: try makeTestRegistry(),
            configuration: AgentConfiguration(
                maxEventStreams: 2, eventStreamInterval: .milliseconds(50), eventStreamKeepAlive: .milliseconds(200)),
            logger: quiet)
        try await withRunningAgent(agent) { running in
            // Two open streams, each read until its first comment arrived.
            let (opened, continuation) = AsyncStream<Void>.makeStream()
            let readers = (0..<2).map { _ in
                Task {
                    let response = try await running.client.execute(
                        HTTPClientRequest(url: running.base + FuseboxAgent.Path.events), timeout: .seconds(60))
                    var chunks = response.body.makeAsyncIterator()
                    _ = try await chunks.next()
                    continuation.yield()
                    while try await chunks.next() != nil {}
                }
            }
            var iterator = opened.makeAsyncIterator()
            for _ in 0..<2 { await iterator.next() }
            let third = try await running.request(.GET, FuseboxAgent.Path.events)
            #expect(third.status == 503)
            #expect(try problem(third.body).type == "urn:fusebox:problem:too-many-streams")
            #expect(third.headers.first(name: "Retry-After") == "10")
            #expect(try await running.request(.GET, FuseboxAgent.Path.health).status == 200)
            // A stream whose reader goes away gives its place back: the agent notices at its next
            // write, a keep-alive comment at the latest.
            readers[0].cancel()
            let deadline = ContinuousClock.now + .seconds(10)
            var status = 503
            while status == 503 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                var request = HTTPClientRequest(url: running.base + FuseboxAgent.Path.events)
                request.headers.add(name: "Accept", value: "text/event-stream")
                let response = try await running.client.execute(request, timeout: .seconds(10))
                status = Int(response.status.code)
                if status == 200 {
                    var chunks = response.body.makeAsyncIterator()
                    _ = try await chunks.next()
                }
            }
            #expect(status == 200)
            readers.forEach { $0.cancel() }
        }
    }
}
