import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Testing

/// Services with several instances: one row per dependency for the fleet, merged honestly, and its
/// instances one key away.
@Suite struct FleetGroupingTests {
    static let at = ConsoleFixtures.origin

    /// Three instances of checkout (payments open on one), one of billing; two polls a second apart.
    static func state(width: Int = 120, height: Int = 40) -> ConsoleState {
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: width, height: height)
        for (step, scale) in [(Int64(0), UInt64(1)), (1_000, 2)] {
            let snapshots =
                ["checkout-1", "checkout-2", "checkout-3"].map { instance in
                    SnapshotBuilder(service: "checkout", instance: instance, at: at + step)
                        .with(
                            SnapshotBuilder.dependency(
                                "payments", state: instance == "checkout-2" ? .open : .closed, criticality: .critical,
                                calls: 100 * scale, failures: (instance == "checkout-2" ? 60 : 5) * scale,
                                failureRate: instance == "checkout-2" ? 60 : 5, p99: instance == "checkout-2" ? 900 : 40
                            )
                        )
                        .with(SnapshotBuilder.dependency("catalog", calls: 50 * scale, p99: 20))
                        .build()
                } + [
                    SnapshotBuilder(service: "billing", instance: "billing-1", at: at + step)
                        .with(SnapshotBuilder.dependency("ledger", calls: 10 * scale, p99: 8)).build()
                ]
            _ = update(&state, .data(snapshots, atMilliseconds: at + step))
        }
        return state
    }

    @Test func aServiceWithSeveralInstancesShowsOneRowPerDependency() throws {
        let state = Self.state()
        let names = state.visibleRows.map { "\($0.service)/\($0.isFleet ? "*" : $0.instance)/\($0.name)" }
        #expect(names.count == 3, "payments and catalog for the checkout fleet, ledger for billing: \(names)")
        #expect(names.first == "checkout/*/payments", "the fleet with an open breaker sorts first")
        #expect(Set(names) == ["checkout/*/payments", "checkout/*/catalog", "billing/billing-1/ledger"])
        let payments = try #require(state.visibleRows.first)
        #expect(payments.dependency.breaker.state == .open, "the fleet shows its worst instance's state")
        #expect(payments.fleetInstances == ["checkout-1", "checkout-2", "checkout-3"])
        #expect(abs(payments.callsPerSecond - 300) < 0.001, "calls per second are summed: \(payments.callsPerSecond)")
        // 5 + 60 + 5 failures of 300 calls in the interval.
        #expect(abs(payments.intervalFailurePercent - 70.0 / 3) < 0.001)
        // Window rates weighted by window calls (100 each): (5 + 60 + 5) / 3.
        #expect(abs((payments.dependency.breaker.failureRate ?? 0) - 70.0 / 3) < 0.001)
    }

    @Test func expandingShowsTheInstancesUnderTheFleetAndCollapsingReturnsToIt() throws {
        var state = Self.state()
        ConsoleFixtures.press([.right], &state)
        let rows = state.visibleRows.prefix(4).map { $0.isFleet ? "*" : $0.instance }
        #expect(rows == ["*", "checkout-2", "checkout-1", "checkout-3"], "the worst instance first: \(rows)")
        let text = render(state).text
        #expect(text.contains("▾ payments") && text.contains("  payments") && text.contains("3 inst"))
        ConsoleFixtures.press([.down, .down], &state)
        #expect(state.selectedRow?.instance == "checkout-1")
        ConsoleFixtures.press([.left], &state)
        #expect(state.selectedRow?.isFleet == true && state.selectedRow?.name == "payments")
        #expect(state.visibleRows.count == 3)
        #expect(render(state).text.contains("▸ payments"))
    }

    @Test func expandingAFleetPinsTheCursorOnIt() throws {
        var state = Self.state()
        #expect(state.selectionFollowsWorst && state.selectedRow?.isFleet == true)
        ConsoleFixtures.press([.right], &state)
        #expect(!state.selectionFollowsWorst, "the operator chose this row")
        // checkout-2, the open instance, is as bad as its fleet row, yet the cursor stays on the fleet.
        #expect(state.selectedRow?.isFleet == true && state.selectedRow?.name == "payments")
    }

    @Test func aCommandOnTheFleetRowGoesToEveryInstanceAndOnAnInstanceRowToThatOne() throws {
        var state = Self.state()
        ConsoleFixtures.settle(&state)
        ConsoleFixtures.press([.character("c")], &state)
        #expect(state.dialog?.instances == ["checkout-1", "checkout-2", "checkout-3"])
        #expect(state.dialog?.question.hasPrefix("3 instances of checkout: ") == true)
        #expect(state.dialog?.expectedTypedName == "checkout")
        // The scope goes from all to each instance in turn, and back to all.
        ConsoleFixtures.press([.tab], &state)
        var scopes: [ConfirmationDialog.Scope] = []
        for _ in 0..<4 {
            ConsoleFixtures.press([.right], &state)
            scopes.append(state.dialog!.scope)
        }
        #expect(scopes == [.one("checkout-1"), .one("checkout-2"), .one("checkout-3"), .all])
        ConsoleFixtures.press([.escape, .right, .down, .character("c")], &state)
        #expect(state.dialog?.instances == ["checkout-2"], "the instance row under the fleet aims at that instance")
        #expect(state.dialog?.expectedTypedName == "payments", "critical, one instance: the dependency is typed")
    }

    @Test func latencyPercentilesComeFromTheMergedHistogramNotAnAverage() throws {
        // Instance a: 99 calls at <= 10 ms and 1 at <= 1000 ms; instance b: 100 calls at <= 10 ms.
        let a = LatencySnapshot(
            count: 100, max: 900,
            buckets: [
                LatencyBucket(upperBoundMilliseconds: 10, count: 99), .init(upperBoundMilliseconds: 1000, count: 1),
            ])
        let b = LatencySnapshot(count: 100, max: 9, buckets: [LatencyBucket(upperBoundMilliseconds: 10, count: 100)])
        var one = SnapshotBuilder.dependency("x")
        one.latency = a
        var two = SnapshotBuilder.dependency("x")
        two.latency = b
        let merged = FleetMerge.merged([one, two]).latency
        #expect(
            merged.buckets == [
                .init(upperBoundMilliseconds: 10, count: 199), .init(upperBoundMilliseconds: 1000, count: 1),
            ])
        // Rank 198 of 200 falls in the first bucket: averaging the p99s (10 and ~1000) would say ~500.
        let p99 = try #require(merged.p99)
        #expect(p99 <= 10, "p99 \(p99)")
        #expect(try #require(merged.p999) > 10, "the slow call is in the top 0.1%")
        #expect(merged.count == 200 && merged.max == 900)
    }

    @Test func aFigureOneInstanceDoesNotKnowIsUnknownForTheFleet() {
        let known = SnapshotBuilder.dependency("x", retries: 4)
        let sparse = SnapshotBuilder.sparseDependency("x", state: .halfOpen, calls: 10, failures: 1)
        let merged = FleetMerge.merged([known, sparse])
        #expect(merged.retry.retries == nil, "never a partial sum passed off as the fleet's")
        #expect(merged.latency.p99 == nil && merged.latency.buckets == nil)
        #expect(merged.breaker.state == .halfOpen, "half-open is worse than closed")
        #expect(merged.calls.calls == 1_010)
        #expect(merged.breaker.failureRate == 0, "the only known rate")
    }

    @Test func theSameSnapshotAgainKeepsItsRatesRatherThanReadingAsNoTraffic() throws {
        var state = Self.state()
        let before = try #require(state.shown.rows.first { $0.instance == "checkout-3" && $0.name == "payments" })
        #expect(before.callsPerSecond > 0)
        // checkout-3's source stopped answering: its last good snapshot comes again, unchanged.
        var snapshots = state.shown.snapshots
        for index in snapshots.indices where snapshots[index].instance != "checkout-3" {
            snapshots[index].takenAtMilliseconds += 1_000
        }
        _ = update(&state, .data(snapshots, atMilliseconds: Self.at + 2_000))
        let after = try #require(state.shown.rows.first { $0.instance == "checkout-3" && $0.name == "payments" })
        #expect(after.callsPerSecond == before.callsPerSecond, "its last known rate, not zero")
        #expect(after.failureHistory == before.failureHistory)
        let others = try #require(state.shown.rows.first { $0.instance == "checkout-1" && $0.name == "payments" })
        #expect(others.callsPerSecond == 0, "an instance whose counters did not move in a second had no traffic")
    }

    @Test func rowsOfAFailingSourceSayTheirDataIsOld() {
        var state = Self.state()
        _ = update(
            &state,
            .sources(
                [
                    SourceStatus(
                        source: "http://a:1", instances: ["checkout-1", "checkout-2", "billing-1"],
                        lastSuccessMilliseconds: Self.at + 1_000),
                    SourceStatus(
                        source: "http://b:2", instances: ["checkout-3"], lastSuccessMilliseconds: Self.at,
                        error: BackendError(.unreachable, "cannot reach b:2: connection refused"),
                        consecutiveFailures: 2, retryAtMilliseconds: Self.at + 5_000),
                ], atMilliseconds: Self.at + 1_000))
        let text = render(state).text
        #expect(text.contains("1/2 sources live"), "\(text)")
        #expect(text.contains("2/3 live"), "the fleet row counts the instance whose source fails")
        #expect(
            text.contains("source http://b:2: cannot reach b:2: connection refused (data 1.0s old; retrying in 4.0s)"))
        #expect(
            state.log.contains {
                $0.kind == .backend && $0.instance == "http://b:2" && $0.text.hasPrefix("source failing")
            })
        _ = update(
            &state,
            .sources(
                [
                    SourceStatus(source: "http://a:1", lastSuccessMilliseconds: Self.at + 2_000),
                    SourceStatus(source: "http://b:2", lastSuccessMilliseconds: Self.at + 2_000),
                ], atMilliseconds: Self.at + 2_000))
        #expect(state.log.last?.text == "source answering again")
        #expect(render(state).text.contains("2 sources"))
        // A source not heard from yet is not counted as failing; one being tried again says so.
        var waiting = SourceStatus(source: "http://c:3")
        waiting.polling = true
        _ = update(
            &state,
            .sources(
                [SourceStatus(source: "http://a:1", lastSuccessMilliseconds: Self.at + 2_000), waiting],
                atMilliseconds: Self.at + 2_000))
        #expect(render(state).text.contains("2 sources (1 not answered yet)"))
        var retrying = SourceStatus(
            source: "http://b:2", lastSuccessMilliseconds: Self.at, error: BackendError(.timedOut, "did not answer"),
            consecutiveFailures: 1, retryAtMilliseconds: Self.at + 1_000)
        retrying.polling = true
        _ = update(&state, .sources([retrying], atMilliseconds: Self.at + 3_000))
        #expect(render(state).text.contains("(data 3.0s old; trying again now)"))
    }

    @Test func aCommandTheSourceDoesNotTakeSaysSoRatherThanReadOnly() {
        var state = Self.state()
        state.capabilities = BackendCapabilities(
            commands: [.forceOpen, .close, .disable],
            commandsUnavailableReason: "a Resilience4j actuator has no controlled back-in")
        ConsoleFixtures.press([.character("b")], &state)
        #expect(state.dialog == nil)
        #expect(
            state.status?.text
                == "start-back-in is not available from this source: a Resilience4j actuator has no controlled back-in")
        ConsoleFixtures.press([.character("?")], &state)
        let help = render(state).text
        #expect(help.contains("start back-in") && help.contains("(not available from this source)"))
        #expect(help.contains("force open") && help.contains("(asks for confirmation)"))
    }

    @Test func absurdNumbersFromALyingSourceAreDrawnNotTrappedOn() {
        // 1e308 rates and latencies, the largest window counts: two instances, so the fleet row sums them.
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 120, height: 40)
        let snapshots = ["liar-1", "liar-2"].map { instance -> Snapshot in
            var dependency = SnapshotBuilder.dependency("payments", p99: 1e308)
            dependency.breaker.failureRate = 1e308
            dependency.breaker.failureRateThreshold = -1e308
            dependency.breaker.windowCalls = Int.max
            dependency.latency.max = .infinity
            return SnapshotBuilder(service: "liar", instance: instance).with(dependency).build()
        }
        _ = update(&state, .data(snapshots, atMilliseconds: Self.at))
        let overview = render(state).text
        #expect(overview.contains("payments"))
        ConsoleFixtures.press([.right, .enter], &state)
        #expect(render(state).text.contains("payments"), "the detail is drawn too")
    }

    @Test func commandResultsNameEveryInstanceTheCommandMissed() {
        func result(_ instance: String, _ status: CommandResult.Status, _ message: String) -> CommandResult {
            CommandResult(
                commandId: "c1", instance: instance, status: status, target: "payments", before: nil, after: nil,
                refusal: nil, message: message, atMilliseconds: Self.at)
        }
        var state = Self.state()
        _ = update(
            &state,
            .commandResults(
                [
                    result("checkout-1", .applied, "payments forced open"),
                    result("checkout-2", .applied, "payments forced open"),
                    result("checkout-3", .applied, "payments forced open"),
                    result("checkout-4", .failed, "cannot reach 10.0.0.4:9901: connection refused"),
                ], atMilliseconds: Self.at))
        #expect(
            state.status?.text
                == "applied on 3 of 4; checkout-4 failed: cannot reach 10.0.0.4:9901: connection refused")
        #expect(state.status?.isError == true)
        // All applied, one of them already so: named.
        var already = result("checkout-2", .applied, "payments forced open")
        already.before = .breaker(.forcedOpen)
        already.after = .breaker(.forcedOpen)
        _ = update(
            &state,
            .commandResults(
                [result("checkout-1", .applied, "payments forced open"), already], atMilliseconds: Self.at))
        #expect(state.status?.text == "applied on all 2 instances (already so on checkout-2): payments forced open")
        // No answer is not "unreachable": it may have been applied.
        _ = update(
            &state,
            .commandResults(
                [
                    result("checkout-1", .applied, "payments forced open"),
                    result("checkout-2", .failed, "no answer (did not answer within 7 s); it may have been applied"),
                    result("checkout-3", .refused, "payments does not allow force-open"),
                ], atMilliseconds: Self.at))
        #expect(
            state.status?.text
                == "applied on 1 of 3; checkout-2 no answer (did not answer within 7 s); it may have been applied; "
                + "checkout-3 refused: payments does not allow force-open")
    }
}
