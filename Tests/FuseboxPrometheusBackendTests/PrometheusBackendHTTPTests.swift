import Foundation
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import FuseboxPrometheusBackend

/// A real HTTP server on loopback that plays Prometheus (or something that is not).
func withFakePrometheus<T: Sendable>(
    _ answer: @escaping @Sendable (_ query: String) async throws -> Response, _ body: (String) async throws -> T
) async throws -> T {
    try await withTestServer({ router in
        router.get("/api/v1/query") { request, _ -> Response in
            try await answer(request.uri.queryParameters.get("query") ?? "")
        }
    }) { port in try await body("prometheus+http://127.0.0.1:\(port)") }
}

func json(_ text: String, status: HTTPResponse.Status = .ok, type: String = "application/json") -> Response {
    Response(
        status: status, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

/// The `BackendError` `body` fails with; records an issue if it succeeds or fails otherwise.
func failure(_ body: () async throws -> Void) async -> BackendError? {
    do {
        try await body()
    } catch let error as BackendError {
        return error
    } catch {
        Issue.record("expected a BackendError, not \(error)")
        return nil
    }
    Issue.record("expected a BackendError")
    return nil
}

@Suite struct PrometheusBackendHTTPTests {
    @Test func aRefreshRunsEachQueryOnceAndAssemblesTheFleet() async throws {
        let asked = Mutex<[String]>([])
        let fleet = try await withFakePrometheus({ query in
            asked.withLock { $0.append(query) }
            switch query {
            case PrometheusQuery.states.promql: return json(Fixtures.states)
            case PrometheusQuery.values.promql: return json(Fixtures.values)
            case PrometheusQuery.latency.promql: return json(Fixtures.latency)
            default: return json(Fixtures.vector([]))
            }
        }) { spec in try await PrometheusBackend(specification: spec).poll() }
        #expect(asked.withLock { Set($0) } == Set(PrometheusQuery.allCases.map(\.promql)))
        #expect(asked.withLock { $0.count } == PrometheusQuery.allCases.count)
        #expect(fleet.map(\.instance) == ["10.0.0.1:9901", "10.0.0.2:9901", "10.0.0.9:8080"])
        #expect(fleet.map(\.service) == ["checkout", "checkout", "orders"])
    }

    @Test func aTargetThatGoesDownKeepsItsLastSnapshotWithItsOldTime() async throws {
        let down = Atomic(false)
        try await withFakePrometheus({ query in
            let isDown = down.load(ordering: .relaxed)
            switch query {
            case PrometheusQuery.states.promql:
                return json(
                    isDown
                        ? Fixtures.vector([
                            Fixtures.series(
                                Fixtures.fusebox("fusebox_breaker_state", instance: "10.0.0.2:9901", ["state": "open"]),
                                "1", at: 1_700_000_100)
                        ]) : Fixtures.states)
            case PrometheusQuery.down.promql where isDown:
                return json(
                    Fixtures.vector([
                        Fixtures.series(
                            ["__name__": "up", "job": "checkout", "instance": "10.0.0.1:9901"], "0", at: 1_700_000_100)
                    ]))
            default: return json(Fixtures.vector([]))
            }
        }) { spec in
            let backend = try PrometheusBackend(specification: spec)
            #expect(try await backend.poll().count == 3)
            down.store(true, ordering: .relaxed)
            let fleet = try await backend.poll()
            #expect(
                fleet.map(\.instance) == ["10.0.0.1:9901", "10.0.0.2:9901"],
                "down: kept; gone from the metrics: dropped")
            #expect(fleet[0].takenAtMilliseconds == 1_700_000_000_250, "the kept one is dated when last seen")
            #expect(fleet[1].takenAtMilliseconds == 1_700_000_100_000)
        }
    }

    @Test func nothingScrapedSinceTheLastRefreshAsksNothingMoreAndSnapshotsAreDatedByTheScrape() async throws {
        let asked = Mutex<[String]>([])
        let scrapedAt = Mutex<String>("1700000000.5")
        try await withFakePrometheus({ query in
            asked.withLock { $0.append(query) }
            switch query {
            case PrometheusQuery.scraped.promql:
                let at = scrapedAt.withLock { $0 }
                return json(
                    Fixtures.vector([
                        #"{"metric":{"job":"checkout","instance":"10.0.0.1:9901"},"value":[1700000009,"\#(at)"]}"#
                    ]))
            case PrometheusQuery.states.promql: return json(Fixtures.states)
            case PrometheusQuery.values.promql: return json(Fixtures.values)
            case PrometheusQuery.latency.promql: return json(Fixtures.latency)
            default: return json(Fixtures.vector([]))
            }
        }) { spec in
            let backend = try PrometheusBackend(specification: spec)
            let first = try await backend.poll()
            #expect(first.first { $0.instance == "10.0.0.1:9901" }?.takenAtMilliseconds == 1_700_000_000_500)
            asked.withLock { $0.removeAll() }
            // No new scrape: one small query, the same fleet.
            let second = try await backend.poll()
            #expect(asked.withLock { $0 } == [PrometheusQuery.scraped.promql])
            #expect(second == first)
            // A new scrape: the whole refresh again, dated by it.
            scrapedAt.withLock { $0 = "1700000015" }
            asked.withLock { $0.removeAll() }
            let third = try await backend.poll()
            #expect(asked.withLock { $0.count } == PrometheusQuery.allCases.count)
            #expect(third.first { $0.instance == "10.0.0.1:9901" }?.takenAtMilliseconds == 1_700_000_015_000)
        }
    }

    @Test func aFleetCommandToAReadOnlySourceIsRefusedForItsInstancesNotLost() async throws {
        try await withFakePrometheus({ query in
            switch query {
            case PrometheusQuery.states.promql: return json(Fixtures.states)
            default: return json(Fixtures.vector([]))
            }
        }) { spec in
            let fleet = MultiSourceBackend([try PrometheusBackend(specification: spec)])
            let instances = try await fleet.poll().map(\.instance)
            #expect(!instances.isEmpty)
            let results = try await fleet.send(
                Command(id: "c1", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")), to: instances)
            #expect(results.count == instances.count)
            #expect(results.allSatisfy { $0.status == .refused && $0.refusal == .notAllowed })
            #expect(results.first?.message.hasPrefix("Prometheus is read-only") == true, "\(results)")
        }
    }

    @Test func aServerThatNeverAnswersCostsOneBoundedWait() async throws {
        let (error, waited) = try await withFakePrometheus({ _ in
            // Far past the 1 s limit; short enough for the server's graceful stop to wait out.
            try await Task.sleep(for: .seconds(8))
            return json("{}")
        }) { spec in
            let backend = try PrometheusBackend(specification: spec, requestTimeout: .seconds(1))
            // The poll alone: the server's own start and stop are not the backend's wait.
            let started = ContinuousClock.now
            let error = await failure { _ = try await backend.poll() }
            return (error, ContinuousClock.now - started)
        }
        #expect(error?.code == .timedOut && error?.isRetryable == true)
        #expect(
            error?.message.contains("did not give breaker states within 1s") == true, "\(String(describing: error))")
        // The 1 s limit and its grace second, with room for a machine loaded by the whole suite; the
        // server would hold it 8 s.
        #expect(waited < .milliseconds(7_500), "one bounded wait: \(waited)")
    }

    @Test func aHugeBodyIsCappedAndAnErrorPageIsNotASource() async throws {
        let huge = try await withFakePrometheus({ _ in json(String(repeating: " ", count: 200_000)) }) { spec in
            await failure { _ = try await PrometheusBackend(specification: spec, maxAnswerBytes: 64 * 1024).poll() }
        }
        #expect(huge?.code == .malformedResponse && huge?.message.contains("more than 64 KiB") == true)
        let page = try await withFakePrometheus({ _ in json("<html>Grafana</html>", type: "text/html") }) { spec in
            await failure { _ = try await PrometheusBackend(specification: spec).poll() }
        }
        #expect(page?.code == .notASource && page?.isRetryable == false)
        let refused = try await withFakePrometheus({ query in
            query == PrometheusQuery.latency.promql
                ? json(
                    #"{"status":"error","errorType":"execution","error":"query processing would load too many samples"}"#,
                    status: .unprocessableContent)
                : json(Fixtures.vector([]))
        }) { spec in await failure { _ = try await PrometheusBackend(specification: spec).poll() } }
        #expect(refused?.code == .serverError)
        #expect(
            refused?.message.hasSuffix(
                "could not give latency histograms (execution): query processing would load too many samples") == true)
    }

    @Test func nothingListeningIsUnreachable() async throws {
        let error = await failure {
            _ = try await PrometheusBackend(specification: "prometheus+http://127.0.0.1:9", connectTimeout: .seconds(1))
                .poll()
        }
        #expect(error?.code == .unreachable && error?.message.contains("127.0.0.1:9") == true)
    }
}
