import Fusebox
import FuseboxProtocol

/// The resilience configuration of the simulated checkout service: what a team running it would set.
enum CheckoutConfiguration {
    static let owners: [String: String] = [
        "auth": "identity-team", "payments": "payments-team", "payments-eu": "payments-team",
        "inventory-db": "inventory-team", "catalog": "catalog-team", "pricing": "pricing-team",
        "shipping-quotes": "logistics-team", "search": "search-team", "fraud-scoring": "risk-team",
        "recommendations": "recs-team", "analytics": "data-team", "notifications": "messaging-team",
    ]

    static func dependency(_ name: String, _ criticality: Criticality) -> DependencyConfiguration {
        var c = DependencyConfiguration(name: name, criticality: criticality)
        c.metadata = [
            "owner": owners[name] ?? "platform-team",
            "runbook": "https://runbooks.example/checkout/\(name)",
        ]
        c.breaker.window = .count(50)
        c.breaker.minimumCalls = 20
        c.breaker.waitInOpen = .seconds(10)
        c.breaker.waitMultiplier = 1.5
        c.breaker.maxWaitInOpen = .seconds(60)
        c.breaker.halfOpenProbes = 5
        c.breaker.slowCallDuration = .seconds(1)
        c.breaker.slowCallRateThreshold = 60
        c.breaker.defaultBackInSchedule = .steps(shares: [0.1, 0.25, 0.5, 1.0], holdMilliseconds: 10_000)
        c.retry.maxAttempts = 2
        c.retry.initialBackoff = .milliseconds(25)
        c.retry.maxBackoff = .milliseconds(400)
        c.retryBudget = RetryBudgetConfiguration(ratio: 0.2, minRetriesPerSecond: 2, windowSeconds: 10)
        c.attemptTimeout = .milliseconds(800)
        c.slo = ServiceLevelObjective(successRatio: criticality == .critical ? 0.999 : 0.99)
        return c
    }

    static func all(synthetic: [SimulatedDownstream]) -> [DependencyConfiguration] {
        var auth = dependency("auth", .critical)
        auth.attemptTimeout = .milliseconds(250)
        auth.slo = ServiceLevelObjective(successRatio: 0.999, latencyTarget: .milliseconds(100))

        var payments = dependency("payments", .critical)
        payments.attemptTimeout = .milliseconds(900)
        payments.deadline = .seconds(2)
        payments.breaker.backInAfterHalfOpen = .steps(shares: [0.1, 0.25, 0.5, 1.0], holdMilliseconds: 8_000)
        payments.declaredFallbacks = ["payments-eu"]
        payments.slo = ServiceLevelObjective(successRatio: 0.999, latencyTarget: .milliseconds(500))

        var paymentsEU = dependency("payments-eu", .critical)
        paymentsEU.attemptTimeout = .milliseconds(1200)
        paymentsEU.metadata["region"] = "eu-west-1"

        var inventory = dependency("inventory-db", .critical)
        inventory.attemptTimeout = .milliseconds(150)
        inventory.retry.maxAttempts = 4
        inventory.breaker.failureRateThreshold = 65
        inventory.declaredFallbacks = ["stale-cache"]

        var catalog = dependency("catalog", .degradable)
        catalog.breaker.window = .time(seconds: 30)
        catalog.declaredFallbacks = ["stale-cache"]

        var pricing = dependency("pricing", .critical)
        pricing.attemptTimeout = .milliseconds(200)
        pricing.declaredFallbacks = ["stale-cache"]

        var shipping = dependency("shipping-quotes", .degradable)
        shipping.attemptTimeout = .seconds(5)
        shipping.retry = .disabled
        shipping.declaredFallbacks = ["flat-rate"]

        var search = dependency("search", .degradable)
        search.attemptTimeout = .milliseconds(400)
        search.declaredFallbacks = ["no-search"]
        search.bulkhead = BulkheadConfiguration(maxConcurrent: 40)

        var fraud = dependency("fraud-scoring", .degradable)
        fraud.attemptTimeout = .milliseconds(200)
        fraud.retry = .disabled
        fraud.declaredFallbacks = ["assume-not-fraud"]

        var recommendations = dependency("recommendations", .degradable)
        recommendations.attemptTimeout = .seconds(2)
        recommendations.breaker.slowCallDuration = .milliseconds(500)
        recommendations.breaker.slowCallRateThreshold = 50
        recommendations.retry = .disabled
        recommendations.declaredFallbacks = ["bestsellers"]
        // Adaptive: the limit shrinks when the recommender slows down, and grows back after.
        recommendations.bulkhead = BulkheadConfiguration(
            adaptive: AdaptiveConcurrency(
                initialLimit: 20, minLimit: 2, maxLimit: 60, latencyThreshold: .milliseconds(500)))

        var analytics = dependency("analytics", .degradable)
        analytics.retry = .disabled
        analytics.rateLimit = RateLimiterConfiguration(ratePerSecond: 500, burst: 100)
        analytics.declaredFallbacks = ["drop-event"]

        var notifications = dependency("notifications", .degradable)
        notifications.declaredFallbacks = ["queue-for-later"]

        let syntheticConfigurations = synthetic.map { downstream -> DependencyConfiguration in
            var c = dependency(downstream.name, .degradable)
            c.metadata = ["owner": "synthetic", "runbook": "https://runbooks.example/synthetic"]
            c.declaredFallbacks = ["static-default"]
            c.retry = .disabled
            return c
        }
        return [
            auth, payments, paymentsEU, inventory, catalog, pricing, shipping, search, fraud, recommendations,
            analytics, notifications,
        ] + syntheticConfigurations
    }
}
