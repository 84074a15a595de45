/// The downstream services of the simulated checkout flow, shared by every simulated instance.
public final class Downstreams: Sendable {
    public let auth = SimulatedDownstream(name: "auth", baseline: .init(medianMilliseconds: 12, spread: 0.4))
    public let payments = SimulatedDownstream(
        name: "payments", baseline: .init(medianMilliseconds: 110, spread: 0.5, errorRate: 0.004))
    public let paymentsEU = SimulatedDownstream(
        name: "payments-eu", baseline: .init(medianMilliseconds: 170, spread: 0.5, errorRate: 0.004))
    public let inventory = SimulatedDownstream(
        name: "inventory-db", baseline: .init(medianMilliseconds: 6, spread: 0.5))
    public let catalog = SimulatedDownstream(name: "catalog", baseline: .init(medianMilliseconds: 22, spread: 0.5))
    public let pricing = SimulatedDownstream(name: "pricing", baseline: .init(medianMilliseconds: 10, spread: 0.4))
    public let shipping = SimulatedDownstream(
        name: "shipping-quotes", baseline: .init(medianMilliseconds: 70, spread: 0.6, errorRate: 0.005))
    public let search = SimulatedDownstream(name: "search", baseline: .init(medianMilliseconds: 35, spread: 0.6))
    public let fraud = SimulatedDownstream(name: "fraud-scoring", baseline: .init(medianMilliseconds: 28, spread: 0.5))
    public let recommendations = SimulatedDownstream(
        name: "recommendations", baseline: .init(medianMilliseconds: 55, spread: 0.6, errorRate: 0.005))
    public let analytics = SimulatedDownstream(name: "analytics", baseline: .init(medianMilliseconds: 4, spread: 0.5))
    public let notifications = SimulatedDownstream(
        name: "notifications", baseline: .init(medianMilliseconds: 18, spread: 0.5))
    /// Extra downstreams for large fleets (`--dependencies N`), each with its own healthy behaviour.
    public let synthetic: [SimulatedDownstream]

    /// - Parameters:
    ///   - syntheticCount: how many synthetic downstreams to add (0...10,000).
    ///   - seed: decides the synthetic downstreams' behaviour.
    public init(syntheticCount: Int = 0, seed: UInt64 = 1) {
        precondition((0...10_000).contains(syntheticCount), "synthetic dependencies must be 0...10000")
        var random = SimulationRandom.derived(seed, SimulationRandom.code("synthetic"))
        synthetic = (0..<syntheticCount).map { index in
            let median = 3 + random.unit() * 120
            let model = DownstreamModel(
                medianMilliseconds: median, spread: 0.3 + random.unit() * 0.5, errorRate: random.unit() * 0.01)
            let digits = String(index)
            let name = "synthetic-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
            return SimulatedDownstream(name: name, baseline: model)
        }
    }

    /// The checkout flow's own downstreams (without the synthetic ones).
    public var checkout: [SimulatedDownstream] {
        [
            auth, payments, paymentsEU, inventory, catalog, pricing, shipping, search, fraud, recommendations,
            analytics, notifications,
        ]
    }

    /// Every downstream.
    public var all: [SimulatedDownstream] { checkout + synthetic }

    /// The downstream with this name.
    public func named(_ name: String) -> SimulatedDownstream? {
        all.first { $0.name == name }
    }

    /// Every downstream back to its baseline.
    public func healAll() {
        for downstream in all { downstream.heal() }
    }
}
