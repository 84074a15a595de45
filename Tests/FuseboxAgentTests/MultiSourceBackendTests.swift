import Foundation
import Fusebox
import FuseboxAgent
import FuseboxAgentBackend
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Hummingbird
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Several real agents on loopback read as one fleet: each polled at once, a dead or hung one
/// named without holding the others up, and commands fanned out with a result per instance.
@Suite struct MultiSourceBackendTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func agent(_ instance: String, service: String = "checkout") throws -> FuseboxAgent {
        let registry = FuseboxRegistry(service: service, instance: instance, clock: SystemClock(), logger: quiet)
        try registry.register(DependencyConfiguration(name: "payments", criticality: .critical))
        return try FuseboxAgent(
            registry: registry, configuration: AgentConfiguration(token: try AgentToken(testToken, origin: "test")),
            logger: quiet)
    }

    /// An agent source. Live agents get roomy time-outs (the whole suite loads the machine; a slow
    /// accept must not read as nothing listening); a port nothing listens on keeps the defaults.
    func backend(_ base: String, roomy: Bool = true) throws -> AgentBackend {
        try AgentBackend(
            specification: base, authorization: "Bearer \(testToken)", connectTimeout: .seconds(roomy ? 10 : 2),
            requestTimeout: .seconds(roomy ? 30 : 5))
    }

    func forceOpen(_ id: String) -> Command {
        Command(id: id, actor: "alice", reason: "drill", action: .forceOpen(dependency: "payments"))
    }

    @Test func aFanOutWithOneInstanceDownSaysExactlyWhereItApplied() async throws {
        let agents = try (1...4).map { try agent("checkout-\($0)") }
        try await withRunningAgent(agents[0]) { one in
            try await withRunningAgent(agents[1]) { two in
                try await withRunningAgent(agents[2]) { three in
                    let fleet = try await withRunningAgent(agents[3]) { four in
                        let fleet = MultiSourceBackend(
                            try [one, two, three, four].map { try backend($0.base) }, timeoutMilliseconds: 5_000,
                            waitMilliseconds: 5_000)
                        let snapshots = try await fleet.poll()
                        #expect(snapshots.map(\.instance) == ["checkout-1", "checkout-2", "checkout-3", "checkout-4"])
                        #expect(Set(snapshots.map(\.service)) == ["checkout"])
                        #expect(fleet.sources.allSatisfy { $0.isLive })
                        return fleet
                    }
                    // checkout-4's agent has stopped: its last good data stays, and it is named once its
                    // poll has failed (in the background: the others do not wait for it).
                    var snapshots: [Snapshot] = []
                    let deadline = ContinuousClock.now + .seconds(20)
                    repeat {
                        snapshots = try await fleet.poll()
                    } while fleet.sources.last?.error == nil && ContinuousClock.now < deadline
                    #expect(snapshots.count == 4, "the stopped instance's last good data is kept")
                    let dead = try #require(fleet.sources.last)
                    let deadCode = dead.error?.code
                    // Refused, or a kept-alive connection that no longer answers.
                    #expect(deadCode == .unreachable || deadCode == .timedOut)
                    #expect(dead.instances == ["checkout-4"])
                    #expect(fleet.sources.prefix(3).allSatisfy { $0.isLive })

                    let results = try await fleet.send(
                        forceOpen("fan-1"), to: ["checkout-1", "checkout-2", "checkout-3", "checkout-4"])
                    #expect(results.map(\.instance) == ["checkout-1", "checkout-2", "checkout-3", "checkout-4"])
                    #expect(results.prefix(3).allSatisfy { $0.status == .applied })
                    #expect(results[3].status == .failed)
                    // Why, in words: refused, no connection or no answer (which may have applied it).
                    #expect(!results[3].message.isEmpty && !results[3].message.contains("CancellationError"))
                    for live in agents.prefix(3) {
                        let record = try #require(live.audit.page(limit: 1, before: nil).records.first)
                        #expect(record.commandId == "fan-1" && record.outcome == .applied)
                        #expect(live.registry.snapshot().dependency(named: "payments")?.breaker.state == .forcedOpen)
                    }
                    #expect(agents[3].audit.page(limit: 5, before: nil).records.isEmpty, "nothing reached it")
                }
            }
        }
    }

    @Test func aHungSourceNeverHoldsUpTheOthers() async throws {
        try await withRunningAgent(try agent("checkout-1")) { live in
            try await withRouter({ router in
                router.get("/fusebox/v1/snapshot") { _, _ -> String in
                    // Longer than the 8 s limit; short enough for the server's graceful stop to wait out.
                    try await Task.sleep(for: .seconds(10))
                    return "{}"
                }
            }) { hung in
                let fleet = MultiSourceBackend(
                    try [backend(live.base), backend(hung)], timeoutMilliseconds: 8_000, waitMilliseconds: 300)
                // The first poll may wait out the time limit (nothing to show until the live one answers).
                #expect(try await fleet.poll().map(\.instance) == ["checkout-1"])
                // Then a poll answers with what it has once its short wait is over; the hung poll goes on.
                let started = ContinuousClock.now
                #expect(try await fleet.poll().map(\.instance) == ["checkout-1"])
                #expect(ContinuousClock.now - started < .seconds(4), "the wait, not the hung source's limit")
                // Its time limit passes in the background and its failure is taken in.
                let deadline = ContinuousClock.now + .seconds(40)
                while fleet.sources[1].error == nil && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let status = fleet.sources[1]
                #expect(status.error?.code == .timedOut && status.error?.message == "did not answer within 8 s")
                #expect(status.retryAtMilliseconds != nil, "a failing source backs off")
                #expect(fleet.sources[0].isLive)
                let again = ContinuousClock.now
                #expect(try await fleet.poll().map(\.instance) == ["checkout-1"])
                #expect(ContinuousClock.now - again < .seconds(4), "not the 8 s time limit again")
                // Once its backoff is over it is asked again, and that attempt is not waited for either.
                try await Task.sleep(for: .milliseconds(1_200))
                let retried = ContinuousClock.now
                #expect(try await fleet.poll().map(\.instance) == ["checkout-1"])
                #expect(
                    ContinuousClock.now - retried < .seconds(1), "a failing source's retry is not waited for")
                #expect(fleet.sources[1].polling, "its retry is under way")
                // Nothing left in flight before the servers stop.
                let settled = ContinuousClock.now + .seconds(30)
                while fleet.sources[1].polling && ContinuousClock.now < settled {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }

    @Test func aCommandWithNoAnswerSaysItMayHaveBeenApplied() async throws {
        let snapshot = try JSONEncoder().encode(try makeTestRegistry().snapshot())
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: snapshot)))
            }
            router.post("/fusebox/v1/commands") { _, _ -> String in
                // Past the 5 s limit; short enough for the server's graceful stop to wait out.
                try await Task.sleep(for: .seconds(8))
                return "{}"
            }
        }) { base in
            let fleet = MultiSourceBackend([try backend(base)], timeoutMilliseconds: 5_000, waitMilliseconds: 5_000)
            #expect(try await fleet.poll().map(\.instance) == ["checkout-1"])
            let results = try await fleet.send(forceOpen("slow-1"), to: ["checkout-1"])
            #expect(results.map(\.status) == [.failed])
            #expect(
                results.first?.message
                    == "no answer (did not answer within 5 s); it may have been applied: look at its state before retrying"
            )
        }
    }

    @Test func aNameOnceGivenStaysWithItsInstance() async throws {
        let port = try closedPort()
        let late = try agent("checkout-1")
        let early = try agent("checkout-1")
        try await withRunningAgent(early) { b in
            let fleet = MultiSourceBackend(
                try [backend("http://127.0.0.1:\(port)", roomy: false), backend(b.base)], timeoutMilliseconds: 10_000,
                waitMilliseconds: 10_000)
            #expect(try await fleet.poll().map(\.instance) == ["checkout-1"], "the first source is down")
            // The first source comes up with the same instance name: it does not take the name over.
            try await withRunningAgent(late, port: port) { _ in
                let deadline = ContinuousClock.now + .seconds(30)
                var names: [String] = []
                while ContinuousClock.now < deadline {
                    names = try await fleet.poll().map(\.instance)
                    if names.count == 2 { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(names == ["checkout-1@127.0.0.1:\(port)", "checkout-1"])
                let results = try await fleet.send(forceOpen("sticky-1"), to: ["checkout-1"])
                #expect(results.map(\.status) == [.applied])
                #expect(early.registry.snapshot().dependency(named: "payments")?.breaker.state == .forcedOpen)
                #expect(late.registry.snapshot().dependency(named: "payments")?.breaker.state == .closed)
            }
        }
    }

    @Test func twoSourcesNamingTheSameInstanceAreToldApartAndRoutedRight() async throws {
        let first = try agent("checkout-1")
        let second = try agent("checkout-1")
        try await withRunningAgent(first) { a in
            try await withRunningAgent(second) { b in
                // Waiting out the whole time limit: both answer to the first poll, whatever the load.
                let fleet = MultiSourceBackend(try [backend(a.base), backend(b.base)], waitMilliseconds: 5_000)
                let names = try await fleet.poll().map(\.instance)
                let other = "checkout-1@\(b.base.dropFirst("http://".count))"
                #expect(names == ["checkout-1", other])
                let results = try await fleet.send(forceOpen("twin-1"), to: [other])
                #expect(results.map(\.instance) == [other] && results[0].status == .applied)
                #expect(second.registry.snapshot().dependency(named: "payments")?.breaker.state == .forcedOpen)
                #expect(first.registry.snapshot().dependency(named: "payments")?.breaker.state == .closed)
            }
        }
    }

    @Test func nothingToShowFailsThePollNamingEverySource() async throws {
        let ports = try (0..<2).map { _ in try closedPort() }
        let fleet = MultiSourceBackend(try ports.map { try backend("http://127.0.0.1:\($0)", roomy: false) })
        let error = await backendFailure("no source answers") { () async throws(BackendError) in
            _ = try await fleet.poll()
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.hasPrefix("no source could be read (2 of 2): http://127.0.0.1:\(ports[0]): ") == true)
        #expect(error?.message.contains("http://127.0.0.1:\(ports[1]): ") == true)
        let unknown = try await fleet.send(forceOpen("x"), to: ["nobody"])
        #expect(unknown.count == 1 && unknown[0].status == .failed && unknown[0].message.hasPrefix("not known"))
    }
}
