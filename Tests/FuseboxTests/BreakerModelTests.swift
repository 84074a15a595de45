import FuseboxProtocol
import Testing

@testable import Fusebox

/// Issue 12's reference model: a plain breaker — the last outcomes in a list, the state in an
/// enum — driven with the same random sequences as the real one under the manual clock. After
/// every step both must agree on the state, the window's counts, the trips, the probes and every
/// admission. Count and time windows, every operator command but back-in (its ramp has its own
/// tests), half-open probes, stale permits and ignored outcomes.
@Suite(.timeLimit(.minutes(2))) struct BreakerModelTests {
    @Test(.timeLimit(.minutes(1)), arguments: Array(UInt64(1)...60))
    func theBreakerActsAsThePlainModelDoes(seed: UInt64) {
        let random = SeededRandom(seed: seed)
        let clock = ManualClock()
        var configuration = smallBreaker(
            window: random.unit() < 0.5
                ? .count(1 + Int(random.next() % 12)) : .time(seconds: 1 + Int(random.next() % 6)),
            minimumCalls: 1 + Int(random.next() % 8), probes: 1 + Int(random.next() % 4),
            failureRate: [25.0, 50, 60, 100][Int(random.next() % 4)],
            slowRate: [34.0, 50, 100][Int(random.next() % 3)],
            slowCall: .milliseconds(100), wait: .seconds(Int64(1 + random.next() % 5)))
        configuration.maxWaitInHalfOpen = .seconds(100_000)
        let breaker = CircuitBreaker(name: "p", configuration: configuration, clock: clock)
        var model = BreakerModel(configuration: configuration, now: clock.nanoseconds())
        var held: [(real: BreakerPermit, model: BreakerModel.Permit)] = []
        for step in 0..<500 {
            let now = clock.nanoseconds()
            let where_ = "seed \(seed) step \(step)"
            switch random.next() % 12 {
            case 0...4:
                let real = breaker.acquire()
                let expected = model.acquire(now: now)
                switch (real, expected) {
                case (.admitted(let permit), .admitted(let modelPermit)):
                    held.append((permit, modelPermit))
                case (.rejected(let reason), .rejected(let modelReason)):
                    #expect(reason == modelReason, "\(where_): rejected for \(reason), the model says \(modelReason)")
                default:
                    Issue.record("\(where_): the breaker said \(real), the model \(expected)")
                }
            case 5...8:
                guard !held.isEmpty else { break }
                let (real, modelPermit) = held.remove(at: Int(random.next() % UInt64(held.count)))
                let outcome: BreakerOutcome = [.success, .success, .failure, .ignored][Int(random.next() % 4)]
                let duration = random.next() % 200_000_000
                breaker.record(real, outcome, durationNanoseconds: duration)
                model.record(modelPermit, outcome, slow: duration >= 100_000_000, now: now)
            case 9:
                clock.advance(nanoseconds: random.next() % 3_000_000_000)
            case 10 where random.next() % 4 == 0:
                switch random.next() % 3 {
                case 0:
                    breaker.forceOpen(actor: "model", reason: "\(step)")
                    model.operate(.forcedOpen, now: now)
                case 1:
                    breaker.close(actor: "model", reason: "\(step)")
                    model.operate(.closed, now: now)
                default:
                    breaker.disable(actor: "model", reason: "\(step)")
                    model.operate(.disabled, now: now)
                }
            default:
                break
            }
            let snapshot = breaker.snapshot()
            let stats = model.stats(now: clock.nanoseconds())
            #expect(snapshot.state == model.state, "\(where_): state")
            #expect(snapshot.windowCalls == stats.calls, "\(where_): window calls")
            #expect(snapshot.windowFailures == stats.failures, "\(where_): window failures")
            #expect(snapshot.windowSlowCalls == stats.slowCalls, "\(where_): window slow calls")
            #expect(snapshot.consecutiveTrips == model.consecutiveTrips, "\(where_): consecutive trips")
            if model.state == .halfOpen {
                #expect(snapshot.halfOpenProbesAdmitted == model.probesAdmitted, "\(where_): probes admitted")
            }
        }
    }
}

/// The breaker as the docs describe it, written for clarity rather than speed.
struct BreakerModel {
    struct Permit {
        let generation: Int
        let probe: Bool
    }

    enum Admission {
        case admitted(Permit)
        case rejected(BreakerRejection)
    }

    struct Outcome {
        let second: UInt64
        let failure: Bool
        let slow: Bool
    }

    let configuration: CircuitBreakerConfiguration
    private(set) var state = BreakerState.closed
    private(set) var consecutiveTrips = 0
    private(set) var probesAdmitted = 0
    private var generation = 0
    private var outcomes: [Outcome] = []
    private var openUntil: UInt64 = 0
    private var probes: [Outcome] = []

    init(configuration: CircuitBreakerConfiguration, now: UInt64) {
        self.configuration = configuration
    }

    /// The window's counts: the last `n` outcomes, or those of the last `n` seconds; in half-open,
    /// the probes'.
    func stats(now: UInt64) -> WindowStats {
        if state == .halfOpen {
            return WindowStats(
                calls: probes.count, failures: probes.filter(\.failure).count, slowCalls: probes.filter(\.slow).count)
        }
        let kept: [Outcome]
        switch configuration.window {
        case .count(let size): kept = Array(outcomes.suffix(size))
        case .time(let seconds):
            let second = now / 1_000_000_000
            kept = outcomes.filter { $0.second + UInt64(seconds) > second && $0.second <= second }
        }
        return WindowStats(
            calls: kept.count, failures: kept.filter(\.failure).count, slowCalls: kept.filter(\.slow).count)
    }

    mutating func acquire(now: UInt64) -> Admission {
        if state == .open && now >= openUntil { move(to: .halfOpen) }
        switch state {
        case .closed, .disabled:
            return .admitted(Permit(generation: generation, probe: false))
        case .open: return .rejected(.open)
        case .forcedOpen: return .rejected(.forcedOpen)
        case .halfOpen:
            guard probesAdmitted < configuration.halfOpenProbes else { return .rejected(.halfOpenFull) }
            probesAdmitted += 1
            return .admitted(Permit(generation: generation, probe: true))
        case .recovering: return .rejected(.backIn)
        }
    }

    mutating func record(_ permit: Permit, _ outcome: BreakerOutcome, slow: Bool, now: UInt64) {
        guard permit.generation == generation else { return }
        let entry = Outcome(second: now / 1_000_000_000, failure: outcome == .failure, slow: slow)
        switch state {
        case .closed where !permit.probe:
            guard outcome != .ignored else { return }
            outcomes.append(entry)
            let stats = stats(now: now)
            if stats.calls >= configuration.effectiveMinimumCalls && exceeds(stats) { trip(now: now) }
        case .halfOpen where permit.probe:
            guard outcome != .ignored else {
                probesAdmitted -= 1
                return
            }
            probes.append(entry)
            guard probes.count >= configuration.halfOpenProbes else { return }
            let stats = WindowStats(
                calls: probes.count, failures: probes.filter(\.failure).count, slowCalls: probes.filter(\.slow).count)
            if exceeds(stats) {
                trip(now: now)
            } else {
                consecutiveTrips = 0
                move(to: .closed)
            }
        default:
            break
        }
    }

    mutating func operate(_ target: BreakerState, now: UInt64) {
        if target == .closed { consecutiveTrips = 0 }
        move(to: target)
    }

    private func exceeds(_ stats: WindowStats) -> Bool {
        stats.failureRate >= configuration.failureRateThreshold
            || stats.slowCallRate >= configuration.slowCallRateThreshold
    }

    private mutating func trip(now: UInt64) {
        consecutiveTrips += 1
        openUntil = now + configuration.waitInOpen(afterTrips: consecutiveTrips)
        move(to: .open)
    }

    private mutating func move(to next: BreakerState) {
        state = next
        generation += 1
        probesAdmitted = 0
        probes = []
        if next == .closed { outcomes = [] }
    }
}
