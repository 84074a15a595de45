import Fusebox
import FuseboxProtocol
import Testing

@Suite(.timeLimit(.minutes(2))) struct FallbackTests {
    let clock = ManualClock()

    func register(_ name: String = "catalog", _ edit: (inout DependencyConfiguration) -> Void = { _ in })
        throws -> (FuseboxRegistry, Dependency)
    {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: name)
        c.retry = .disabled
        c.breaker.minimumCalls = 2
        edit(&c)
        return (registry, try registry.register(c))
    }

    @Test func primaryResultSaysSo() async throws {
        let (_, d) = try register()
        let outcome = try await d.execute(fallbacks: [.staticDefault("default")]) { "live" }
        #expect(outcome.value == "live" && outcome.source == .primary && !outcome.isFallback)
    }

    @Test func chainIsTriedInOrderSkippingFallbacksThatCannotServe() async throws {
        let (registry, d) = try register()
        let cache = CacheStore<String>(ttl: .seconds(10), staleIfError: .seconds(60), clock: clock)
        let outcome = try await d.execute(fallbacks: [
            .staleCache(cache, key: "sku-1"),  // empty: passes
            .alternate("catalog-eu") { throw DownstreamError() },  // fails: passes
            .staticDefault("static"),
        ]) { () async throws -> String in throw DownstreamError() }
        #expect(outcome.value == "static")
        #expect(outcome.source == .fallback(name: "static-default", kind: .staticDefault, reason: .error))
        let s = registry.snapshot().dependency(named: "catalog")!
        #expect(
            s.fallbacks.activations == [
                FallbackActivationCount(fallback: "static-default", kind: .staticDefault, reason: .error, count: 1)
            ])
    }

    @Test func staleCacheServesWithItsAgeWithinTheLimit() async throws {
        let (registry, d) = try register()
        let cache = CacheStore<String>(ttl: .seconds(10), staleIfError: .seconds(60), clock: clock)
        _ = try await d.execute(cache: CacheAside(cache, key: "sku-1")) { "fresh" }
        clock.advance(by: .seconds(5))
        let hit = try await d.execute(cache: CacheAside(cache, key: "sku-1")) { () async throws -> String in
            Issue.record("a fresh entry must not call the downstream")
            return "x"
        }
        #expect(hit.source == .cache && hit.staleness == .seconds(5))
        clock.advance(by: .seconds(25))
        let stale = try await d.execute(
            cache: CacheAside(cache, key: "sku-1"),
            fallbacks: [.staleCache(cache, key: "sku-1", maxStaleness: .seconds(45))]
        ) { () async throws -> String in throw DownstreamError() }
        #expect(stale.value == "fresh" && stale.staleness == .seconds(30))
        #expect(stale.source == .fallback(name: "stale-cache", kind: .staleCache, reason: .error))
        clock.advance(by: .seconds(20))  // 50 s old: beyond maxStaleness 45 s
        await #expect(throws: DependencyFailure.self) {
            try await d.execute(fallbacks: [.staleCache(cache, key: "sku-1", maxStaleness: .seconds(45))]) {
                () async throws -> String in throw DownstreamError()
            }
        }
        let s = registry.snapshot().dependency(named: "catalog")!
        #expect(s.fallbacks.maxStalenessMilliseconds == 30_000)
        #expect(s.calls.cacheHits == 1 && s.fallbacks.unserved == 1)
    }

    @Test func breakerOpenIsTheReasonOnceTripped() async throws {
        let (_, d) = try register()
        for _ in 0..<2 {
            _ = try await d.execute(fallbacks: [.optimisticDefault(true)]) { () async throws -> Bool in
                throw DownstreamError()
            }
        }
        let outcome = try await d.execute(fallbacks: [.optimisticDefault(true)]) { () async throws -> Bool in
            Issue.record("an open breaker must not call the downstream")
            return false
        }
        #expect(outcome.fallbackReason == .breakerOpen)
        #expect(outcome.attempts == 0)
    }

    @Test func backInShareReasonForCallsOutsideTheShare() async throws {
        let (registry, d) = try register()
        _ = registry.apply(
            Command(
                id: "b1", actor: "op", reason: "healthy again",
                action: .startBackIn(
                    dependency: "catalog", schedule: .steps(shares: [0.5, 1.0], holdMilliseconds: 60_000))))
        var reasons: [FallbackReason?] = []
        for _ in 0..<4 {
            reasons.append(try await d.execute(fallbacks: [.staticDefault(0)]) { 1 }.fallbackReason)
        }
        #expect(reasons == [nil, .backIn, nil, .backIn])
        #expect(registry.snapshot().dependency(named: "catalog")!.calls.rejectedByReason == [.backIn: 2])
    }

    @Test func bulkheadFullAndRateLimitedReasons() async throws {
        let (_, limited) = try register("search") {
            $0.rateLimit = RateLimiterConfiguration(ratePerSecond: 1, burst: 1)
        }
        _ = try await limited.execute { 1 }
        let second = try await limited.execute(fallbacks: [.degradedPartial("no-search") { _ in 0 }]) { 1 }
        #expect(second.fallbackReason == .rateLimited)
        #expect(second.source == .fallback(name: "no-search", kind: .degradedPartial, reason: .rateLimited))

        let (_, bulkheaded) = try register("fraud") { $0.bulkhead = BulkheadConfiguration(maxConcurrent: 1) }
        let clock = self.clock
        let slow = Task {
            try await bulkheaded.execute { () async throws -> Int in
                try await clock.sleep(nanoseconds: 1_000_000_000); return 1
            }
        }
        await clock.waitForSleepers(1)
        let rejected = try await bulkheaded.execute(fallbacks: [.optimisticDefault(0)]) { 1 }
        #expect(rejected.fallbackReason == .bulkheadFull)
        clock.advance(by: .seconds(1))
        #expect(try await slow.value.value == 1)
        #expect(bulkheaded.bulkhead!.snapshot().inFlight == 0, "the slot was released")
    }

    @Test func flagSwitchesTheFallbackOnWithoutCallingThePrimary() async throws {
        let (registry, d) = try register("recommendations")
        let flag = try registry.defineFlag(
            "recommendations.static-fallback", initial: .boolean(false), description: "serve bestsellers")
        let chain: [Fallback<[String]>] = [.staticDefault(["bestsellers"]).bound(to: flag)]
        #expect(try await d.execute(fallbacks: chain) { ["personal"] }.value == ["personal"])
        _ = registry.apply(
            Command(
                id: "f1", actor: "op", reason: "recs slow",
                action: .setFlag(
                    name: "recommendations.static-fallback", value: .boolean(true))))
        let outcome = try await d.execute(fallbacks: chain) { () async throws -> [String] in
            Issue.record("primary must be bypassed")
            return []
        }
        #expect(outcome.value == ["bestsellers"] && outcome.fallbackReason == .flag)
        let s = registry.snapshot().dependency(named: "recommendations")!
        #expect(s.calls.bypassed == 1 && s.calls.calls == 2)
    }

    @Test func noFallbackGivesAnActionableError() async throws {
        let (_, d) = try register("payments")
        do {
            _ = try await d.execute { () async throws -> Int in throw DownstreamError(code: 502) }
            Issue.record("expected a failure")
        } catch let failure as DependencyFailure {
            #expect(failure.reason == .error && failure.attempts == 1)
            #expect(failure.description.hasPrefix("payments: failed after 1 attempt(s)"))
            #expect(failure.description.contains("no fallback could serve"))
        }
    }

    @Test func fallbackActivationsAreAggregatedPerSecondAndAddUp() async throws {
        let (registry, d) = try register()
        for i in 0..<50 {
            _ = try await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in throw DownstreamError()
            }
            if i % 10 == 9 { clock.advance(by: .milliseconds(400)) }
        }
        registry.flushEvents()
        let fallbackEvents = registry.events.recent().filter { $0.kind == .fallback }
        #expect(fallbackEvents.count < 10, "not one event per call")
        #expect(fallbackEvents.reduce(0) { $0 + ($1.count ?? 0) } == 50)
    }

    @Test func cacheStoreEvictsOldestBeyondCapacity() {
        let cache = CacheStore<Int>(ttl: .seconds(1), staleIfError: .seconds(1), capacity: 3, clock: clock)
        for i in 0..<5 {
            cache.put("k\(i)", i)
            clock.advance(by: .milliseconds(1))
        }
        #expect(cache.count == 3)
        #expect(cache.entry("k0") == nil && cache.entry("k4")?.value == 4)
        clock.advance(by: .seconds(3))
        #expect(cache.fresh("k4") == nil && cache.usableWhenFailing("k4") == nil)
    }
}
