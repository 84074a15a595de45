import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Synchronization
import Testing

/// Every event of every instance, collected as the run goes (the ring keeps only the newest).
final class EventCollector: Sendable {
    private let box = Mutex<(events: [[Event]], last: [UInt64])>(([], []))

    func collect(_ simulation: Simulation) {
        box.withLock { state in
            for (index, registry) in simulation.registries.enumerated() {
                if state.events.count <= index {
                    state.events.append([])
                    state.last.append(0)
                }
                let new = registry.events.recent(after: state.last[index])
                #expect(new.first.map { $0.sequence == state.last[index] + 1 } ?? true, "the ring dropped events")
                state.events[index] += new
                if let last = new.last { state.last[index] = last.sequence }
            }
        }
    }

    var events: [[Event]] { box.withLock { $0.events } }
}

@Suite struct EventTimelineTests {
    /// Fallback counts are stamped with the time of their activations: a breaker-open fallback is never
    /// stamped after its breaker closed (unless it opened again), and never follows the close in the ring.
    @Test(arguments: [Scenario.recovery.name, Scenario.defaultScenario.name])
    func noBreakerOpenFallbackIsStampedAfterTheBreakerClosed(_ name: String) async throws {
        let scenario = try #require(Scenario.named(name))
        let collector = EventCollector()
        let simulation = try await runScenario(
            scenario, seconds: Int(scenario.durationSeconds), seed: 3, every: 1,
            during: { _, simulation in collector.collect(simulation) })
        collector.collect(simulation)  // what the final flush reported
        var checked = 0
        var closes = 0
        for (instance, events) in collector.events.enumerated() {
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.sequence + 1 == $1.sequence })
            for dependency in Set(events.compactMap(\.dependency)) {
                let own = events.filter { $0.dependency == dependency }
                #expect(
                    zip(own, own.dropFirst()).allSatisfy { $0.atMilliseconds <= $1.atMilliseconds },
                    "the events of \(dependency) are in time order")
                var state = BreakerState.closed
                for event in own {
                    switch event.kind {
                    case .transition:
                        guard case .breaker(let to) = event.to else { continue }
                        state = to
                        if to == .closed { closes += 1 }
                    case .fallback where event.fallbackReason == .breakerOpen:
                        checked += 1
                        #expect(
                            state != .closed, "instance \(instance): \(event.message) after \(dependency) closed")
                        #expect(event.sinceMilliseconds.map { $0 <= event.atMilliseconds } == true)
                    default:
                        break
                    }
                }
                // In time: no breaker-open fallback of this dependency is stamped inside a closed stretch.
                let transitions = own.filter { $0.kind == .transition }
                for event in own where event.kind == .fallback && event.fallbackReason == .breakerOpen {
                    let before = transitions.last { $0.atMilliseconds < event.atMilliseconds }
                    #expect(
                        before?.to != .breaker(.closed),
                        "\(event.message) at \(event.atMilliseconds), after \(before?.message ?? "")")
                }
            }
        }
        #expect(checked > 0 && closes > 0, "the scenario opened and closed a breaker and served while open")
    }
}
