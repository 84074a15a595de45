import Fusebox
import FuseboxProtocol
import Testing

/// Fallback events carry the time of the activations they count, and come before the transition
/// that ended them.
@Suite(.timeLimit(.minutes(2))) struct FallbackEventTimeTests {
    let clock = ManualClock()

    /// `payments` on a breaker that trips after two failures and waits 2 s in open; one probe closes it.
    func register() throws -> (FuseboxRegistry, Dependency) {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments")
        c.retry = .disabled
        c.breaker = smallBreaker(minimumCalls: 2, probes: 1, wait: .seconds(2))
        return (registry, try registry.register(c))
    }

    func fail(_ d: Dependency) async throws {
        _ = try await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in throw DownstreamError() }
    }

    func succeed(_ d: Dependency) async throws -> Outcome<Int> {
        try await d.execute(fallbacks: [.staticDefault(0)]) { 1 }
    }

    var origin: Int64 { clock.wallMilliseconds(atMonotonic: 0) }

    @Test func aBurstEndedByATransitionIsStampedWithItsOwnTimeAndComesFirst() async throws {
        let (registry, d) = try register()
        try await fail(d)
        try await fail(d)
        #expect(d.breaker.state == .open)
        // Rejected and served by the fallback from 1.0 s to 1.5 s, 11 times.
        clock.advance(by: .seconds(1))
        for step in 0...10 {
            if step > 0 { clock.advance(by: .milliseconds(50)) }
            let outcome = try await succeed(d)
            #expect(outcome.source == .fallback(name: "static-default", kind: .staticDefault, reason: .breakerOpen))
        }
        clock.advance(by: .milliseconds(500))  // 2.0 s: the wait in open is over; one probe closes it
        #expect(try await succeed(d).source == .primary)
        #expect(d.breaker.state == .closed)
        clock.advance(by: .seconds(1))  // 3.0 s
        registry.flushEvents()
        _ = registry.snapshot()

        let events = registry.events.recent()
        let served = events.filter { $0.kind == .fallback && $0.fallbackReason == .breakerOpen }
        #expect(served.reduce(0) { $0 + ($1.count ?? 0) } == 11)
        for event in served {
            #expect(event.atMilliseconds - origin >= 1_000 && event.atMilliseconds - origin <= 1_500, "\(event)")
            let since = try #require(event.sinceMilliseconds)
            #expect(since - origin >= 1_000 && since <= event.atMilliseconds)
        }
        #expect(served.last?.atMilliseconds == origin + 1_500, "the last activation counted")
        #expect(served.count == 2, "the first at once, the rest of that second in one event")
        #expect(served.last?.sinceMilliseconds == origin + 1_050)
        let closed = try #require(events.first { $0.kind == .transition && $0.to == .breaker(.closed) })
        #expect(served.allSatisfy { $0.sequence < closed.sequence }, "flushed before the transition")
        #expect(closed.atMilliseconds == origin + 2_000)
        #expect(
            zip(events, events.dropFirst()).allSatisfy { $0.atMilliseconds <= $1.atMilliseconds },
            "the ring stays in time order: \(events.map(\.message))")
    }

    @Test func heldBackCountsComeOutInTimeOrderAndBeforeTheTransitionThatEndsThem() async throws {
        let (registry, d) = try register()
        try await fail(d)  // 0 ms: reported at once
        clock.advance(by: .milliseconds(300))
        try await fail(d)  // 300 ms: opens the breaker, then is served by the fallback: held back
        clock.advance(by: .milliseconds(300))
        _ = try await succeed(d)  // 600 ms: rejected, served, reported at once
        clock.advance(by: .milliseconds(100))
        _ = try await succeed(d)  // 700 ms: held back
        clock.advance(by: .seconds(5))
        _ = try await succeed(d)  // 5.7 s: the probe succeeds and closes the breaker
        let lines = registry.events.recent().map { event in
            switch event.kind {
            case .fallback:
                "\(event.fallbackReason?.rawValue ?? "?") \(event.count ?? 0)x @\(event.atMilliseconds - origin)"
            default: "-> \(event.to?.description ?? "?") @\(event.atMilliseconds - origin)"
            }
        }
        #expect(
            lines == [
                "error 1x @0", "-> open @300", "error 1x @300", "breaker-open 1x @600", "breaker-open 1x @700",
                "-> half-open @5700", "-> closed @5700",
            ], "\(lines)")
    }

    @Test func heldBackActivationsAreReportedWithTheirOwnTimesNotMergedIntoALaterReport() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "catalog")
        c.retry = .disabled
        c.breaker.minimumCalls = 100
        let d = try registry.register(c)
        var at: Int64 = 0
        for ms: Int64 in [0, 300, 400, 5_000, 5_200] {
            clock.advance(by: .milliseconds(ms - at))
            at = ms
            try await fail(d)
        }
        clock.advance(by: .seconds(2))
        _ = registry.snapshot()  // reports the held-back rest of the second that began at 5.0 s
        let served = registry.events.recent().filter { $0.kind == .fallback }.map {
            "\($0.count ?? 0)x \(($0.sinceMilliseconds ?? 0) - origin)...\($0.atMilliseconds - origin)"
        }
        #expect(served == ["1x 0...0", "2x 300...400", "1x 5000...5000", "1x 5200...5200"])
    }
}
