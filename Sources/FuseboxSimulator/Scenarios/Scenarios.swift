// The scenario library. Each script changes only the simulated downstreams; everything the
// console then shows (trips, retries, fallbacks, back-in) is the real runtime reacting.

extension Scenario {
    public static let partialOutage = Scenario(
        name: "partial-outage",
        summary: "Several downstreams degrade in different ways and recover; the first breaker trips within seconds",
        durationSeconds: 180, loops: true,
        steps: [
            Step(at: 5, "payments primary region returns 503 for 70% of calls") {
                $0.payments.update { $0.errorRate = 0.7 }
            },
            Step(at: 20, "recommendations slows down 15x (p50 around 800 ms)") {
                $0.recommendations.update { $0.slowdown = 15 }
            },
            Step(at: 30, "every 20th synthetic downstream starts failing") { downstreams in
                for (index, downstream) in downstreams.synthetic.enumerated() where index % 20 == 0 {
                    downstream.update { $0.errorRate = 0.8 }
                }
            },
            Step(at: 40, "catalog goes down (connection refused)") { $0.catalog.update { $0.errorRate = 1 } },
            Step(at: 60, "fraud-scoring hangs on half of its calls") {
                $0.fraud.update {
                    $0.errorRate = 0.5
                    $0.errorMix = .hangs
                }
            },
            Step(at: 75, "search flaps: 60% errors") { $0.search.update { $0.errorRate = 0.6 } },
            Step(at: 90, "payments primary region recovers") { $0.payments.heal() },
            Step(at: 100, "search recovers") { $0.search.heal() },
            Step(at: 115, "catalog recovers") { $0.catalog.heal() },
            Step(at: 125, "recommendations recovers") { $0.recommendations.heal() },
            Step(at: 135, "fraud-scoring recovers") { $0.fraud.heal() },
            Step(at: 150, "synthetic downstreams recover") { downstreams in
                for downstream in downstreams.synthetic { downstream.heal() }
            },
        ])

    public static let slowDownstream = Scenario(
        name: "slow-downstream",
        summary: "shipping-quotes latency climbs step by step until the slow-call threshold trips its breaker",
        durationSeconds: 120, loops: true,
        steps: [2, 4, 8, 12, 16, 24, 32].enumerated().map { step, factor in
            Step(at: 10 + Double(step) * 8, "shipping-quotes \(factor)x slower") {
                $0.shipping.update { $0.slowdown = Double(factor) }
            }
        } + [Step(at: 100, "shipping-quotes recovers") { $0.shipping.heal() }])

    public static let flapping = Scenario(
        name: "flapping",
        summary: "search fails for 20 s, recovers for 10 s, and again: half-open probes fail, then succeed",
        durationSeconds: 120, loops: true,
        steps: [10.0, 40, 70].flatMap { start in
            [
                Step(at: start, "search fails (90% errors)") { $0.search.update { $0.errorRate = 0.9 } },
                Step(at: start + 20, "search healthy") { $0.search.heal() },
            ]
        })

    public static let regionalFailover = Scenario(
        name: "regional-failover",
        summary: "the primary payments region fails; the alternate region (payments-eu) serves until it heals",
        durationSeconds: 120, loops: true,
        steps: Step.outage(
            of: \.payments, from: 10, to: 90, down: "payments primary region down", back: "payments primary region back"
        ))

    public static let retryStorm = Scenario(
        name: "retry-storm",
        summary: "inventory-db rejects 45% of calls under load (429 with retry-after); the retry budget caps retries",
        durationSeconds: 120, loops: true,
        steps: [
            Step(at: 10, "inventory-db rejects 45% of calls with retry-after 50 ms") {
                $0.inventory.update {
                    $0.errorRate = 0.45
                    $0.errorMix = .rejections
                    $0.retryAfterMilliseconds = 50
                }
            },
            Step(at: 100, "inventory-db load drops") { $0.inventory.heal() },
        ])

    public static let cacheStale = Scenario(
        name: "cache-stale",
        summary: "catalog is down for 90 s; the stale cache keeps serving with growing staleness",
        durationSeconds: 120, loops: true,
        steps: Step.outage(of: \.catalog, from: 10, to: 100, down: "catalog down", back: "catalog back"))

    public static let recovery = Scenario(
        name: "recovery",
        summary: "payments fails, then heals; half-open probes pass and a controlled back-in ramps traffic to 100%",
        durationSeconds: 120, loops: true,
        steps: Step.outage(
            of: \.payments, from: 2, to: 20, down: "payments primary region down",
            back: "payments primary region healed"))
}
