import Fusebox
import FuseboxProtocol
import Testing

/// Invariants checked over many random, seeded operation sequences. A failure names its seed, so
/// it can be replayed by running the same seed.
@Suite(.timeLimit(.minutes(2))) struct PropertyTests {
    static let seeds: [UInt64] = Array(1...40)

    @Test(arguments: seeds)
    func breakerInvariantsHoldUnderRandomOperations(seed: UInt64) {
        let random = SeededRandom(seed: seed)
        let clock = ManualClock()
        var c = smallBreaker(
            window: random.unit() < 0.5
                ? .count(1 + Int(random.next() % 20)) : .time(seconds: 1 + Int(random.next() % 10)),
            minimumCalls: 1 + Int(random.next() % 10), probes: 1 + Int(random.next() % 5),
            failureRate: Double(random.next() % 100) + 1, slowRate: Double(random.next() % 100) + 1,
            slowCall: .milliseconds(100), wait: .seconds(Int64(1 + random.next() % 20)))
        if random.unit() < 0.3 { c.backInAfterHalfOpen = .steps(shares: [0.2, 0.6, 1.0], holdMilliseconds: 2_000) }
        let b = CircuitBreaker(name: "p", configuration: c, clock: clock)
        var held: [BreakerPermit] = []
        for step in 0..<600 {
            switch random.next() % 10 {
            case 0...3:
                if case .admitted(let p) = b.acquire() { held.append(p) }
            case 4...6:
                if !held.isEmpty {
                    let p = held.remove(at: Int(random.next() % UInt64(held.count)))
                    let outcome: BreakerOutcome = [.success, .failure, .ignored][Int(random.next() % 3)]
                    b.record(p, outcome, durationNanoseconds: random.next() % 200_000_000)
                }
            case 7:
                clock.advance(nanoseconds: random.next() % 5_000_000_000)
            case 8:
                if random.next() % 8 == 0 {
                    switch random.next() % 4 {
                    case 0: b.forceOpen(actor: "prop", reason: "\(step)")
                    case 1: b.close(actor: "prop", reason: "\(step)")
                    case 2: b.disable(actor: "prop", reason: "\(step)")
                    default: b.startBackIn(actor: "prop", reason: "\(step)")
                    }
                }
            default:
                break
            }
            let snapshot = b.snapshot()
            #expect(snapshot.windowFailures! <= snapshot.windowCalls!, "seed \(seed) step \(step)")
            #expect(snapshot.windowSlowCalls! <= snapshot.windowCalls!, "seed \(seed) step \(step)")
            if case .count(let n) = c.window { #expect(snapshot.windowCalls! <= n, "seed \(seed)") }
            switch snapshot.state {
            case .forcedOpen:
                for _ in 0..<5 { #expect(b.acquire() == .rejected(.forcedOpen), "forced-open admitted, seed \(seed)") }
            case .halfOpen:
                #expect(snapshot.halfOpenProbesAdmitted! <= c.halfOpenProbes, "seed \(seed)")
                var admitted = snapshot.halfOpenProbesAdmitted!
                while case .admitted(let p) = b.acquire() {
                    held.append(p)
                    admitted += 1
                    if admitted > c.halfOpenProbes { break }
                }
                #expect(admitted <= c.halfOpenProbes, "half-open admitted more than its probes, seed \(seed)")
            case .recovering:
                let share = snapshot.backIn!.share
                #expect(share > 0 && share <= 1, "seed \(seed)")
            default:
                break
            }
        }
    }

    @Test(arguments: seeds)
    func snapshotsAddUpAndCountersNeverDecrease(seed: UInt64) async throws {
        let random = SeededRandom(seed: seed)
        let clock = ManualClock()
        let registry = makeRegistry(clock: clock, seed: seed)
        var c = DependencyConfiguration(name: "inventory")
        c.breaker = smallBreaker(window: .count(20), minimumCalls: 5, probes: 2, wait: .seconds(2))
        c.retry.maxAttempts = 1 + Int(random.next() % 3)
        c.retry.initialBackoff = .zero
        c.retryBudget = RetryBudgetConfiguration(ratio: 0.3, minRetriesPerSecond: 1, windowSeconds: 5)
        c.rateLimit = RateLimiterConfiguration(ratePerSecond: 50, burst: 20)
        let d = try registry.register(c)
        let flag = try registry.defineFlag("inventory.static", initial: .boolean(false), description: "")
        var previous = registry.snapshot().dependency(named: "inventory")!
        var previousSequence: UInt64 = 0
        for step in 0..<300 {
            let failureChance = random.unit()
            let roll = random.next() % 20
            switch roll {
            case 0:
                clock.advance(nanoseconds: random.next() % 3_000_000_000)
            case 1:
                _ = registry.apply(
                    Command(
                        id: "\(seed)-\(step)", actor: "prop", reason: "",
                        action: [
                            .forceOpen(dependency: "inventory"), .close(dependency: "inventory"),
                            .startBackIn(dependency: "inventory", schedule: nil),
                            .setFlag(name: "inventory.static", value: .boolean(!flag.isOn)),
                        ][Int(random.next() % 4)]))
            default:
                let fallbacks: [Fallback<Int>] = random.unit() < 0.8 ? [.staticDefault(-1).bound(to: flag)] : []
                let fail = random.unit() < failureChance
                _ = try? await d.execute(idempotent: true, fallbacks: fallbacks) { () async throws -> Int in
                    if fail { throw DownstreamError() }
                    return 1
                }
            }
            let snapshot = registry.snapshot()
            let s = snapshot.dependency(named: "inventory")!
            let calls = s.calls
            #expect(calls.calls == calls.successes + calls.failures + calls.rejected + calls.bypassed!, "seed \(seed)")
            #expect(calls.rejectedByReason!.values.reduce(0, +) == calls.rejected, "seed \(seed)")
            #expect(
                s.fallbacks.total + s.fallbacks.unserved == calls.failures + calls.rejected + calls.bypassed!,
                "seed \(seed)")
            #expect(s.retry.attempts! == calls.successes + calls.failures + s.retry.retries!, "seed \(seed)")
            #expect(
                s.retry.successesAfterRetry! <= calls.successes && s.retry.exhausted! <= calls.failures, "seed \(seed)")
            for (now, before) in [
                (calls.calls, previous.calls.calls), (calls.successes, previous.calls.successes),
                (calls.failures, previous.calls.failures), (calls.rejected, previous.calls.rejected),
                (calls.bypassed!, previous.calls.bypassed!), (s.retry.attempts!, previous.retry.attempts!),
                (s.retry.retries!, previous.retry.retries!), (s.retry.budgetDenied!, previous.retry.budgetDenied!),
                (s.fallbacks.total, previous.fallbacks.total), (s.fallbacks.unserved, previous.fallbacks.unserved),
            ] {
                #expect(now >= before, "a counter decreased, seed \(seed) step \(step)")
            }
            let sequences = snapshot.events.map(\.sequence)
            #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count, "seed \(seed)")
            #expect(snapshot.lastEventSequence >= previousSequence, "seed \(seed)")
            previousSequence = snapshot.lastEventSequence
            previous = s
        }
    }
}
