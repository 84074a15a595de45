public import Fusebox
import FuseboxProtocol
public import Logging
import Synchronization

/// One instance of the simulated checkout service: its own registry and pipelines, calling the
/// shared simulated downstreams the way a real checkout request fans out.
public final class CheckoutService: Sendable {
    /// The name of the flag that switches recommendations to the static bestsellers list.
    public static let staticRecommendationsFlag = "recommendations.static-fallback"

    public let registry: FuseboxRegistry
    public let instanceIndex: Int
    let downstreams: Downstreams
    let seed: UInt64
    let clock: any FuseboxClock
    let dependencies: [String: Dependency]
    let synthetic: [Dependency]
    let inventoryCache: CacheStore<Int>
    let catalogCache: CacheStore<Int>
    let pricingCache: CacheStore<Int>
    let staticRecommendations: FeatureFlag
    private let counters = Mutex(RequestCounts())

    /// Requests handled so far and how they ended.
    public struct RequestCounts: Sendable, Hashable {
        public var requests = 0
        /// Served with at least one fallback.
        public var degraded = 0
        /// Failed: a critical dependency had neither its primary nor a fallback.
        public var failed = 0
    }

    public init(
        service: String, instanceIndex: Int, downstreams: Downstreams, seed: UInt64, clock: any FuseboxClock,
        logger: Logger
    ) {
        self.instanceIndex = instanceIndex
        self.downstreams = downstreams
        self.seed = seed
        self.clock = clock
        let registry = FuseboxRegistry(
            service: service, instance: "\(service)-\(instanceIndex + 1)", clock: clock,
            random: SeededRandom(seed: Self.jitterSeed(seed, instanceIndex)),
            logger: logger, eventCapacity: 4096)
        self.registry = registry
        var byName: [String: Dependency] = [:]
        for configuration in CheckoutConfiguration.all(synthetic: downstreams.synthetic) {
            byName[configuration.name] = try! registry.register(configuration)
        }
        self.dependencies = byName
        self.synthetic = downstreams.synthetic.map { byName[$0.name]! }
        inventoryCache = CacheStore(ttl: .seconds(1), staleIfError: .seconds(600), clock: clock)
        catalogCache = CacheStore(ttl: .seconds(3), staleIfError: .seconds(1800), clock: clock)
        pricingCache = CacheStore(ttl: .seconds(2), staleIfError: .seconds(120), clock: clock)
        staticRecommendations = try! registry.defineFlag(
            Self.staticRecommendationsFlag, initial: FlagValue.boolean(false),
            description: "Serve the static bestsellers list instead of personal recommendations",
            owner: "recs-team")
        try! registry.defineFlag(
            "search.new-ranker", initial: FlagValue.percentage(10),
            description: "Share of shoppers on the new search ranker",
            owner: "search-team")
    }

    private static func jitterSeed(_ seed: UInt64, _ instance: Int) -> UInt64 {
        var random = SimulationRandom.derived(seed, UInt64(instance), 7)
        return random.next()
    }

    /// Requests handled so far.
    public var requestCounts: RequestCounts { counters.withLock { $0 } }

    /// One checkout request: auth, then stock, price, catalog, search and recommendations in
    /// parallel, then fraud scoring and payment, then shipping, notifications and analytics.
    public func handle(request index: Int) async {
        var random = SimulationRandom.derived(seed, UInt64(instanceIndex), UInt64(index))
        let sku = "sku-\(Int(random.exponential(mean: 60)) % 400)"
        let withSearch = random.chance(0.3)
        let syntheticPicks = synthetic.isEmpty ? [] : (0..<2).map { _ in Int(random.next() % UInt64(synthetic.count)) }

        guard await call("auth", downstreams.auth, index) != nil else {
            finish(degraded: false, failed: true)
            return
        }
        async let inventory = call(
            "inventory-db", downstreams.inventory, index, cache: CacheAside(inventoryCache, key: sku),
            fallbacks: [.staleCache(inventoryCache, key: sku)])
        async let pricing = call(
            "pricing", downstreams.pricing, index, cache: CacheAside(pricingCache, key: sku),
            fallbacks: [.staleCache(pricingCache, key: sku, maxStaleness: .seconds(60))])
        async let catalog = call(
            "catalog", downstreams.catalog, index, cache: CacheAside(catalogCache, key: sku),
            fallbacks: [.staleCache(catalogCache, key: sku)])
        async let search =
            withSearch
            ? call("search", downstreams.search, index, fallbacks: [.degradedPartial("no-search") { _ in 0 }])
            : Outcome<Int>?.none
        async let recommendations = call(
            "recommendations", downstreams.recommendations, index,
            fallbacks: [.staticDefault(0, name: "bestsellers").bound(to: staticRecommendations)])
        let browse = await [inventory, pricing, catalog, search, recommendations]

        let fraud = await call(
            "fraud-scoring", downstreams.fraud, index, fallbacks: [.optimisticDefault(0, name: "assume-not-fraud")])
        let paymentsEU = dependencies["payments-eu"]!
        let eu = downstreams.paymentsEU
        let euRandom = CallRandom(SimulationRandom.derived(seed, UInt64(instanceIndex), UInt64(index), 99))
        let clock = self.clock
        let payment = await call(
            "payments", downstreams.payments, index,
            fallbacks: [
                .alternate("payments-eu") {
                    try await paymentsEU.execute(idempotent: true) {
                        try await eu.call(euRandom, clock: clock)
                        return 1
                    }.value
                }
            ])

        async let shipping = call(
            "shipping-quotes", downstreams.shipping, index, fallbacks: [.staticDefault(0, name: "flat-rate")])
        async let notifications = call(
            "notifications", downstreams.notifications, index,
            fallbacks: [.degradedPartial("queue-for-later") { _ in 0 }])
        async let analytics = call(
            "analytics", downstreams.analytics, index, idempotent: false,
            fallbacks: [.degradedPartial("drop-event") { _ in 0 }])
        var extras: [Outcome<Int>?] = []
        for pick in syntheticPicks {
            extras.append(
                await call(synthetic[pick].name, downstreams.synthetic[pick], index, fallbacks: [.staticDefault(0)]))
        }
        let after = await [shipping, notifications, analytics]

        let critical = [browse[0], browse[1], payment]
        let everything = browse + [fraud, payment] + after + extras
        finish(
            degraded: everything.contains { $0?.isFallback == true },
            failed: critical.contains { $0 == nil })
    }

    private func finish(degraded: Bool, failed: Bool) {
        counters.withLock { c in
            c.requests += 1
            if failed {
                c.failed += 1
            } else if degraded {
                c.degraded += 1
            }
        }
    }

    /// One call through the named dependency's pipeline; `nil` if nothing could serve it.
    private func call(
        _ name: String, _ downstream: SimulatedDownstream, _ request: Int, idempotent: Bool = true,
        cache: CacheAside<Int>? = nil, fallbacks: [Fallback<Int>] = []
    ) async -> Outcome<Int>? {
        let dependency = dependencies[name]!
        let random = CallRandom(
            SimulationRandom.derived(seed, UInt64(instanceIndex), UInt64(request), SimulationRandom.code(name)))
        let clock = self.clock
        return try? await dependency.execute(idempotent: idempotent, cache: cache, fallbacks: fallbacks) {
            try await downstream.call(random, clock: clock)
            return request
        }
    }
}
