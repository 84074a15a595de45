import FuseboxBackend
import FuseboxProtocol
import FuseboxResilience4jBackend
import Testing

@Suite struct Resilience4jPollTests {
    @Test func mapsStatesRatesWindowsAndUnknowns() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let snapshots = try await backend.poll()
            let snapshot = try #require(snapshots.first)
            #expect(snapshots.count == 1)
            let authority = String(spec.dropFirst("resilience4j+http://".count).prefix { $0 != "/" })
            #expect(snapshot.instance == authority)
            #expect(snapshot.service == authority, "without a fragment the service is host:port")
            #expect(snapshot.dependencies.map(\.name) == ["inventory", "legacy", "payments", "search"])

            let payments = try #require(snapshot.dependency(named: "payments"))
            #expect(payments.breaker.state == .open)
            #expect(payments.breaker.failureRate == 66.666664)
            #expect(payments.breaker.slowCallRate == 0)
            #expect(payments.breaker.failureRateThreshold == 50)
            #expect(payments.breaker.slowCallRateThreshold == 100)
            #expect(payments.breaker.windowCalls == 6)
            #expect(payments.breaker.windowFailures == 4)
            #expect(payments.breaker.windowSize == nil && payments.breaker.minimumCalls == nil)
            #expect(payments.breaker.halfOpenProbes == nil && payments.breaker.consecutiveTrips == nil)
            #expect(payments.calls.rejected == 17)
            #expect(payments.calls.rejectedByReason == [.breakerOpen: 17])
            #expect(payments.calls.successes == 1 && payments.calls.failures == 1)
            #expect(payments.calls.calls == 19)
            #expect(payments.calls.bypassed == nil && payments.calls.timeouts == nil && payments.calls.cacheHits == nil)
            #expect(payments.latency == .unknown)
            #expect(payments.bulkhead == nil && payments.rateLimiter == nil && payments.slo == nil)
            #expect(payments.metadata["resilience4j.bulkhead"] == "payments")
            #expect(payments.breaker.stateSinceMilliseconds == halfPastEight + 22_536)

            let search = try #require(snapshot.dependency(named: "search"))
            #expect(search.breaker.state == .closed)
            #expect(search.breaker.failureRate == nil, "-1.0% means too few calls: unknown, never -1")
            #expect(search.breaker.slowCallRate == nil)
            #expect(search.retry == .unknown, "no retry is named search")
            #expect(search.metadata["resilience4j.ratelimiter"] == "search")

            let inventory = try #require(snapshot.dependency(named: "inventory"))
            #expect(inventory.breaker.state == .halfOpen)
            #expect(inventory.calls.rejectedByReason == [.halfOpenFull: 2])
            #expect(inventory.breaker.stateSinceMilliseconds == halfPastEight + 25_000)

            let legacy = try #require(snapshot.dependency(named: "legacy"))
            #expect(legacy.breaker.state == .disabled, "METRICS_ONLY admits every call and never trips")
            #expect(legacy.metadata["resilience4j.state"] == "METRICS_ONLY")
            #expect(legacy.breaker.failureRate == 53.84)
            #expect(legacy.breaker.slowCallRate == 7.6923075)
            #expect(legacy.breaker.windowSlowCalls == 1)
        }
    }

    @Test func theFragmentNamesTheService() async throws {
        try await withStandIn(incidentActuator()) { spec in
            let backend = try Resilience4jBackend(specification: spec + "/#checkout")
            let snapshot = try #require(try await backend.poll().first)
            #expect(snapshot.service == "checkout")
            #expect(snapshot.instance.hasPrefix("127.0.0.1:"))
        }
    }

    @Test func transitionsBecomeEventsNumberedOnceInTheOrderTheyHappened() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let first = try #require(try await backend.poll().first)
            #expect(first.events.map(\.sequence) == [1, 2])
            #expect(first.lastEventSequence == 2)
            #expect(first.events[0].kind == .transition)
            #expect(first.events[0].dependency == "payments")
            #expect(first.events[0].from == .breaker(.closed) && first.events[0].to == .breaker(.open))
            #expect(first.events[0].atMilliseconds == halfPastEight + 22_536)
            #expect(first.events[0].message == "payments: CLOSED -> OPEN")
            #expect(first.events[1].message == "inventory: OPEN -> HALF-OPEN")

            // Nothing new: same numbers, nothing counted twice.
            let again = try #require(try await backend.poll().first)
            #expect(again.events == first.events)
            #expect(again.lastEventSequence == 2)
            #expect(again.dependency(named: "payments")?.calls == first.dependency(named: "payments")?.calls)

            actuator.addBreakerEvent { StandInActuator.transitionEvent("search", "CLOSED_TO_OPEN", at: $0) }
            actuator.addBreakerEvent { StandInActuator.callEvent("search", "ERROR", at: $0, error: "java.lang.X: y") }
            let third = try #require(try await backend.poll().first)
            #expect(third.events.map(\.sequence) == [1, 2, 3])
            #expect(third.lastEventSequence == 3)
            #expect(third.events.last?.message == "search: CLOSED -> OPEN")
            #expect(third.dependency(named: "search")?.calls.failures == 1)
        }
    }

    @Test func countersOnlyGrowWhenTheActuatorsWindowsStartOver() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let before = try #require(try await backend.poll().first?.dependency(named: "payments"))
            #expect(before.calls.rejected == 17)
            actuator.state.withLock { $0.breakers["payments"]?.notPermittedCalls = 20 }
            #expect(try await backend.poll().first?.dependency(named: "payments")?.calls.rejected == 20)
            // A state change restarts notPermittedCalls at 0: what came since adds, nothing is taken away.
            actuator.state.withLock {
                $0.breakers["payments"] = .init(state: "FORCED_OPEN", notPermittedCalls: 5)
            }
            let after = try #require(try await backend.poll().first?.dependency(named: "payments"))
            #expect(after.calls.rejected == 25)
            #expect(after.calls.rejectedByReason == [.breakerOpen: 20, .forcedOpen: 5])
            #expect(after.breaker.failureRate == nil && after.breaker.windowCalls == 0)
        }
    }

    @Test func retriesAreCountedFromRetryEvents() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let payments = try #require(try await backend.poll().first?.dependency(named: "payments"))
            #expect(payments.retry.retries == 2)
            #expect(payments.retry.exhausted == 1)
            #expect(payments.retry.successesAfterRetry == 1)
            #expect(payments.retry.attempts == nil && payments.retry.maxAttempts == nil)
            #expect(payments.metadata["resilience4j.retry"] == "payments")
            actuator.state.withLock {
                $0.retryEvents.append(
                    StandInActuator.retryEvent("payments", "RETRY", attempts: 1, at: StandInActuator.creationTime(40)))
            }
            #expect(try await backend.poll().first?.dependency(named: "payments")?.retry.retries == 3)
            #expect(backend.capabilities.fields.contains(.retries))
        }
    }

    @Test func endpointsThatAreNotEnabledLeaveTheirFieldsUnknown() async throws {
        let actuator = incidentActuator()
        actuator.state.withLock {
            $0.disabled = ["/circuitbreakerevents", "/retries", "/retryevents", "/bulkheads", "/ratelimiters"]
        }
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let snapshot = try #require(try await backend.poll().first)
            #expect(snapshot.events.isEmpty)
            #expect(snapshot.lastEventSequence == 0)
            let payments = try #require(snapshot.dependency(named: "payments"))
            #expect(payments.breaker.state == .open)
            #expect(payments.retry == .unknown)
            #expect(payments.breaker.stateSinceMilliseconds == nil)
            #expect(payments.metadata["resilience4j.bulkhead"] == nil)
            #expect(!backend.capabilities.fields.contains(.events))
            #expect(!backend.capabilities.fields.contains(.retries))
            _ = try await backend.poll()
            let reads = actuator.state.withLock { $0.reads }
            #expect(reads["/circuitbreakers"] == 2)
            #expect(reads["/retries"] == 1, "a 404 is remembered: not asked again at once")
        }
    }

    @Test func readsNeverCarryTheAuthorization() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec, authorization: { "Bearer secret-token" })
            _ = try await backend.poll()
            #expect(actuator.state.withLock { $0.readsWithAuthorization } == 0)
        }
    }
}
