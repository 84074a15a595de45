import Fusebox
import FuseboxProtocol
import Testing

/// Issue 12: a dependency's policies replaced at runtime, and a dependency removed, both on the
/// event stream.
@Suite(.timeLimit(.minutes(1))) struct ReconfigurationTests {
    let clock = ManualClock()

    @Test func reconfiguringReplacesThePoliciesKeepsTheCountsAndIsAnnounced() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments")
        c.retry.maxAttempts = 1
        c.breaker = smallBreaker(window: .count(2), minimumCalls: 2, wait: .seconds(60))
        let old = try registry.register(c)
        let stream = registry.events.stream()
        for _ in 0..<2 { _ = try? await old.execute { () async throws -> Int in throw DownstreamError() } }
        #expect(registry.snapshot().dependency(named: "payments")?.breaker.state == .open)

        // Looser: a breaker that needs ten calls, and a bulkhead.
        var looser = c
        looser.breaker = smallBreaker(window: .count(10), minimumCalls: 10)
        looser.bulkhead = BulkheadConfiguration(maxConcurrent: 5, maxWaiting: 0, maxWait: .zero)
        let new = try registry.reconfigure(looser)
        #expect(registry.dependency(named: "payments") === new && new !== old)
        let s = try #require(registry.snapshot().dependency(named: "payments"))
        #expect(s.breaker.state == .closed && s.breaker.minimumCalls == 10 && s.bulkhead?.maxConcurrent == 5)
        #expect(s.calls.calls == 2 && s.calls.failures == 2, "counts go on, never down")
        #expect(try await new.execute { 1 }.value == 1)
        #expect(registry.snapshot().dependency(named: "payments")?.calls.calls == 3)
        // Commands reach the new pipeline.
        _ = registry.apply(Command(id: "c1", actor: "t", reason: "r", action: .forceOpen(dependency: "payments")))
        #expect(new.breaker.state == .forcedOpen)

        var events: [RuntimeEvent] = []
        for await event in stream {
            events.append(event)
            if case .reconfigured = event { break }
        }
        #expect(events.last == .reconfigured(dependency: "payments"))

        #expect(throws: FuseboxConfigurationError.self) {
            var unknown = looser
            unknown.name = "nobody"
            try registry.reconfigure(unknown)
        }
    }

    @Test func unregisteringRemovesItFromSnapshotsAndCommandsAndIsAnnounced() async throws {
        let registry = makeRegistry(clock: clock)
        let stream = registry.events.stream()
        try registry.register(DependencyConfiguration(name: "legacy"))
        try registry.register(DependencyConfiguration(name: "search"))
        #expect(registry.unregister("legacy"))
        #expect(!registry.unregister("legacy"), "already gone")
        #expect(registry.snapshot().dependencies.map(\.name) == ["search"])
        #expect(registry.dependency(named: "legacy") == nil)
        let result = registry.apply(Command(id: "c1", actor: "t", reason: "r", action: .close(dependency: "legacy")))
        #expect(result.status == .refused)
        var seen: [RuntimeEvent] = []
        for await event in stream {
            seen.append(event)
            if seen.count == 3 { break }
        }
        #expect(
            seen == [
                .registered(dependency: "legacy"), .registered(dependency: "search"),
                .unregistered(dependency: "legacy"),
            ])
    }
}
