import Fusebox
import FuseboxProtocol
import Testing

@Suite(.timeLimit(.minutes(2))) struct CircuitBreakerTests {
    let clock = ManualClock()
    let recorder = TransitionRecorder()

    func breaker(_ configuration: CircuitBreakerConfiguration) -> CircuitBreaker {
        let recorder = self.recorder
        return CircuitBreaker(name: "payments", configuration: configuration, clock: clock) { recorder.observe($0) }
    }

    @Test func staysClosedBelowMinimumCalls() {
        let b = breaker(smallBreaker(minimumCalls: 5))
        for _ in 0..<4 { b.call(.failure) }
        #expect(b.state == .closed)
        b.call(.failure)
        #expect(b.state == .open)
    }

    @Test func tripsAtFailureRateThresholdNotBelow() {
        let b = breaker(smallBreaker(window: .count(10), minimumCalls: 10, failureRate: 50))
        for _ in 0..<6 { b.call(.success) }
        for _ in 0..<4 { b.call(.failure) }
        #expect(b.state == .closed, "40% < 50%")
        b.call(.failure)  // window: 5 successes, 5 failures
        #expect(b.state == .open)
        let reason = recorder.transitions.last!.reason
        #expect(reason.contains("failure rate 50.0% >= 50.0% over 10 calls"))
        #expect(recorder.transitions.last!.failureRate == 50)
    }

    @Test func theWaitInOpenReadsInTenthsOfASecond() {
        var configuration = smallBreaker(minimumCalls: 1)
        configuration.waitInOpen = .milliseconds(33_750)
        let b = breaker(configuration)
        b.call(.failure)
        #expect(b.state == .open)
        #expect(recorder.transitions.last!.reason.hasSuffix("; open for 33.8s"), "\(recorder.transitions.last!.reason)")
    }

    @Test func countWindowForgetsOldCalls() {
        let b = breaker(smallBreaker(window: .count(10), minimumCalls: 10, failureRate: 50))
        for _ in 0..<4 { b.call(.failure) }
        for _ in 0..<10 { b.call(.success) }  // the failures slide out
        for _ in 0..<4 { b.call(.failure) }
        #expect(b.state == .closed)
        #expect(b.snapshot().windowFailures == 4)
    }

    @Test func countWindowStaysExactAfterRunsOfSuccesses() {
        // While the window is full of successes, a success is not written at all; the window must
        // still be exactly the last N outcomes.
        let b = breaker(smallBreaker(window: .count(10), minimumCalls: 10, failureRate: 60))
        for _ in 0..<1000 { b.call(.success) }
        for _ in 0..<5 { b.call(.failure) }
        #expect(b.snapshot().windowFailures == 5 && b.snapshot().windowCalls == 10)
        for _ in 0..<5 { b.call(.success) }
        #expect(b.snapshot().windowFailures == 5, "the five failures are still among the last ten")
        for _ in 0..<5 { b.call(.success) }
        #expect(b.snapshot().windowFailures == 0)
        #expect(b.state == .closed)
    }

    @Test func slowCallRateTrips() {
        let b = breaker(smallBreaker(minimumCalls: 4, slowRate: 75, slowCall: .milliseconds(200)))
        b.call(.success, nanoseconds: 10_000_000)
        for _ in 0..<2 { b.call(.success, nanoseconds: 250_000_000) }
        #expect(b.state == .closed)
        b.call(.success, nanoseconds: 200_000_000)  // exactly the threshold duration counts as slow
        #expect(b.state == .open)
        #expect(recorder.transitions.last!.reason.contains("slow-call rate 75.0%"))
    }

    @Test func timeWindowCountsOnlyRecentSeconds() {
        let b = breaker(smallBreaker(window: .time(seconds: 5), minimumCalls: 6, failureRate: 50))
        for _ in 0..<3 { b.call(.failure) }
        clock.advance(by: .seconds(6))  // those failures age out
        for _ in 0..<3 { b.call(.success) }
        for _ in 0..<2 { b.call(.failure) }
        #expect(b.state == .closed)
        #expect(b.snapshot().windowCalls == 5)
        b.call(.failure)
        #expect(b.state == .open)
    }

    @Test func ignoredErrorsAreNotCounted() {
        let b = breaker(smallBreaker(minimumCalls: 2))
        for _ in 0..<10 { b.call(.ignored) }
        #expect(b.state == .closed)
        #expect(b.snapshot().windowCalls == 0)
    }

    @Test func openRejectsUntilWaitThenHalfOpenAdmitsOnlyProbes() {
        let b = breaker(smallBreaker(minimumCalls: 2, probes: 3, wait: .seconds(10)))
        b.call(.failure)
        b.call(.failure)
        #expect(b.acquire() == .rejected(.open))
        clock.advance(by: .seconds(9))
        #expect(b.acquire() == .rejected(.open))
        clock.advance(by: .seconds(1))
        var permits: [BreakerPermit] = []
        for _ in 0..<3 {
            guard case .admitted(let p) = b.acquire() else {
                Issue.record("probe not admitted")
                return
            }
            #expect(p.kind == .probe)
            permits.append(p)
        }
        #expect(b.state == .halfOpen)
        #expect(b.acquire() == .rejected(.halfOpenFull))
        #expect(b.snapshot().halfOpenProbesAdmitted == 3)
        // An ignored probe frees its slot.
        b.record(permits[0], .ignored, durationNanoseconds: 1)
        guard case .admitted(let replacement) = b.acquire() else {
            Issue.record("freed probe slot not reusable")
            return
        }
        for p in [permits[1], permits[2], replacement] { b.record(p, .success, durationNanoseconds: 1) }
        #expect(b.state == .closed)
        #expect(recorder.states == [.open, .halfOpen, .closed])
        #expect(b.snapshot().windowCalls == 0, "closing resets the window")
    }

    @Test func halfOpenGivesUpOnProbesThatNeverComplete() {
        var c = smallBreaker(minimumCalls: 2, probes: 2, wait: .seconds(5))
        c.maxWaitInHalfOpen = .seconds(30)
        let b = breaker(c)
        b.call(.failure)
        b.call(.failure)
        clock.advance(by: .seconds(5))
        _ = b.acquire()  // two probes whose callers never report back
        _ = b.acquire()
        clock.advance(by: .seconds(29))
        #expect(b.acquire() == .rejected(.halfOpenFull))
        clock.advance(by: .seconds(1))
        #expect(b.acquire() == .rejected(.open))
        #expect(recorder.transitions.last!.reason.hasPrefix("only 0 of 2 probes completed in 30s"))
        clock.advance(by: .seconds(5))
        guard case .admitted(let probe) = b.acquire() else {
            Issue.record("a new half-open period admits probes again")
            return
        }
        #expect(probe.kind == .probe)
    }

    @Test func failedProbesReopenWithExponentialWaitUpToCap() {
        var c = smallBreaker(minimumCalls: 2, probes: 1, wait: .seconds(10))
        c.waitMultiplier = 2
        c.maxWaitInOpen = .seconds(30)
        let b = breaker(c)
        b.call(.failure)
        b.call(.failure)
        var waits: [Int64] = []
        for _ in 0..<4 {
            let snapshot = b.snapshot()
            waits.append((snapshot.openUntilMilliseconds! - clock.wallMilliseconds()) / 1000)
            clock.advance(by: .seconds(31))
            #expect(b.call(.failure))  // the single probe fails
            #expect(b.state == .open)
        }
        #expect(waits == [10, 20, 30, 30])
        #expect(b.snapshot().consecutiveTrips == 5)
    }

    @Test func forcedOpenAdmitsNothingUntilClosed() {
        let b = breaker(smallBreaker())
        b.forceOpen(actor: "alice", reason: "gateway flapping")
        clock.advance(by: .seconds(3600))
        for _ in 0..<100 { #expect(b.acquire() == .rejected(.forcedOpen)) }
        let t = b.close(actor: "alice", reason: "gateway healthy")
        #expect(t.from == .forcedOpen && t.to == .closed && t.actor == "alice")
        #expect(b.call(.success))
    }

    @Test func disabledAdmitsEverythingAndNeverTrips() {
        let b = breaker(smallBreaker(minimumCalls: 1))
        b.disable(actor: "bob", reason: "breaker misconfigured")
        for _ in 0..<100 { #expect(b.call(.failure)) }
        #expect(b.state == .disabled)
    }

    @Test func outcomesFromAnEarlierStateAreDropped() {
        let b = breaker(smallBreaker(minimumCalls: 1))
        guard case .admitted(let stale) = b.acquire() else { return }
        b.forceOpen(actor: "a", reason: "r")
        b.close(actor: "a", reason: "r")
        b.record(stale, .failure, durationNanoseconds: 1)
        #expect(b.state == .closed)
        #expect(b.snapshot().windowCalls == 0)
    }

    @Test func steppedBackInAdmitsItsShareAndCompletes() {
        let b = breaker(smallBreaker(minimumCalls: 5, probes: 3))
        let schedule = BackInSchedule.steps(shares: [0.1, 0.25, 0.5, 1.0], holdMilliseconds: 10_000)
        b.startBackIn(schedule: schedule, actor: "carol", reason: "gateway fixed")
        var admittedPerStep: [Int] = []
        for _ in 0..<4 {
            var admitted = 0
            for _ in 0..<100 where b.call(.success) { admitted += 1 }
            admittedPerStep.append(admitted)
            clock.advance(by: .seconds(10))
        }
        #expect(admittedPerStep == [10, 25, 50, 100])
        #expect(b.acquire() != .rejected(.backIn))
        #expect(b.state == .closed)
        #expect(recorder.transitions.last!.reason.contains("back-in complete"))
    }

    @Test func backInTripsBackToOpenWhenFailuresReturn() {
        let b = breaker(smallBreaker(minimumCalls: 5, probes: 3, failureRate: 50))
        b.startBackIn(schedule: .steps(shares: [0.5, 1.0], holdMilliseconds: 10_000), actor: "c", reason: "r")
        var outcomes = 0
        while b.state == .recovering && outcomes < 100 {
            if case .admitted(let p) = b.acquire() {
                b.record(p, .failure, durationNanoseconds: 1)
            }
            outcomes += 1
        }
        #expect(b.state == .open)
        #expect(recorder.transitions.last!.reason.contains("back-in: failure rate 100.0%"))
    }

    @Test func backInDoesNotAdvanceAStepWhoseRatesBreached() {
        let b = breaker(smallBreaker(minimumCalls: 5, probes: 50, failureRate: 50))
        b.startBackIn(schedule: .steps(shares: [1.0, 1.0], holdMilliseconds: 10_000), actor: "c", reason: "r")
        b.call(.failure)
        b.call(.success)
        #expect(b.state == .recovering, "below the trip minimum")
        clock.advance(by: .seconds(10))
        #expect(b.acquire() == .rejected(.open))
        #expect(recorder.transitions.last!.reason.contains("back-in step 1 at 100%"))
    }

    @Test func smoothBackInFollowsTheCurve() {
        let b = breaker(smallBreaker())
        b.startBackIn(
            schedule: .smooth(windowMilliseconds: 100_000, aggression: 1, minimumShare: 0.1), actor: "c", reason: "r")
        #expect(abs(b.snapshot().backIn!.share - 0.1) < 1e-9)
        clock.advance(by: .seconds(50))
        #expect(abs(b.snapshot().backIn!.share - 0.5) < 1e-9)
        var admitted = 0
        for _ in 0..<1000 where b.call(.success) { admitted += 1 }
        #expect(admitted == 500)
        clock.advance(by: .seconds(50))
        #expect(b.call(.success))
        #expect(b.state == .closed)
    }

    @Test func successfulHalfOpenLeadsIntoAutomaticBackIn() {
        var c = smallBreaker(minimumCalls: 2, probes: 2, wait: .seconds(5))
        c.backInAfterHalfOpen = .steps(shares: [0.5, 1.0], holdMilliseconds: 1_000)
        let b = breaker(c)
        b.call(.failure)
        b.call(.failure)
        clock.advance(by: .seconds(5))
        b.call(.success)
        b.call(.success)
        #expect(b.state == .recovering)
        #expect(b.snapshot().backIn?.share == 0.5)
        clock.advance(by: .seconds(2))
        b.call(.success)
        #expect(recorder.states == [.open, .halfOpen, .recovering, .closed])
    }

    @Test func snapshotReportsThresholdsAndWindow() {
        let b = breaker(smallBreaker(window: .count(10), minimumCalls: 8, failureRate: 40))
        for _ in 0..<3 { b.call(.success) }
        b.call(.failure)
        let s = b.snapshot()
        #expect(s.state == .closed)
        #expect(s.windowKind == .count && s.windowSize == 10)
        #expect(s.windowCalls == 4 && s.windowFailures == 1)
        #expect(s.failureRate == 25)
        #expect(s.failureRateThreshold == 40 && s.minimumCalls == 8)
    }
}
