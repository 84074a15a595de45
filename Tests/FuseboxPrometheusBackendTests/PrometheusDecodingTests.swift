import Foundation
import FuseboxBackend
import FuseboxProtocol
import Testing

@testable import FuseboxPrometheusBackend

@Suite struct PrometheusDecodingTests {
    @Test func vectorsDecodeWithTheirLabelsTimesAndSpecialValues() throws {
        let body = Fixtures.vector([
            Fixtures.series(["__name__": "up", "job": "a", "instance": "h:1"], "1"),
            Fixtures.series(["job": "a", "instance": "h:2"], "NaN"),
            Fixtures.series(["job": "a", "instance": "h:3"], "+Inf"),
            Fixtures.series(["job": "a", "instance": "h:4"], "-Inf"),
            Fixtures.series(["job": "a", "instance": "h:5"], "1.5e3", at: 1_700_000_000),
        ])
        let samples = try Fixtures.samples(body)
        #expect(samples.count == 5)
        #expect(samples[0].labels == ["__name__": "up", "job": "a", "instance": "h:1"])
        #expect(samples[0].timestampMilliseconds == 1_700_000_000_250)
        #expect(samples[0].value == 1)
        #expect(samples[1].value.isNaN)
        #expect(samples[2].value == .infinity && samples[3].value == -.infinity)
        #expect(samples[4].value == 1500 && samples[4].timestampMilliseconds == 1_700_000_000_000)
    }

    @Test(arguments: [
        ("not json at all", PrometheusAnswerError.malformed("not JSON")),
        (#"{"status":"success"}"#, .malformed("a success without 'data'")),
        (#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#, .notAVector("matrix")),
        (
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}"#,
            .malformed("bad 'data.result[0].value[1]'")
        ),
        (#"{"status":"maybe"}"#, .malformed("status 'maybe'")),
        (
            #"{"status":"error","errorType":"bad_data","error":"1:5: parse error:\nunexpected"}"#,
            .refused(type: "bad_data", message: "1:5: parse error: unexpected")
        ),
    ])
    func badAnswersAreTypedErrors(body: String, expected: PrometheusAnswerError) {
        #expect(throws: expected) { try Fixtures.samples(body) }
    }

    @Test func statusErrorsBecomeOneLineBackendErrorsNamingTheQuery() {
        func error(_ status: UInt, _ body: String, type: String? = "application/json") -> BackendError? {
            do {
                _ = try PrometheusBackend.samples(
                    status: status, contentType: type, body: Data(body.utf8), of: .latency, from: "prom:9090")
                return nil
            } catch { return error }
        }
        let refused = error(400, #"{"status":"error","errorType":"bad_data","error":"bad\nquery"}"#)
        #expect(refused?.code == .notASource)
        #expect(
            refused?.message == "prom:9090 could not give latency histograms: it refused the query (bad query); "
                + "fusebox needs Prometheus 2.x or newer")
        #expect(error(503, #"{"status":"error","errorType":"timeout","error":"query timed out"}"#)?.code == .timedOut)
        #expect(
            error(422, #"{"status":"error","errorType":"execution","error":"too many samples"}"#)?.code
                == .serverError)
        #expect(error(200, "<html>login</html>", type: "text/html")?.code == .notASource)
        #expect(error(502, "<html>bad gateway</html>", type: "text/html")?.code == .serverError)
        #expect(
            error(200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":7}]}}"#)?.code
                == .malformedResponse)
        #expect(error(404, "404 page not found", type: "text/plain")?.code == .notASource)
        #expect(error(401, "")?.code == .unauthorized)
        #expect(error(429, "")?.code == .throttled)
        let long = error(
            422, #"{"status":"error","errorType":"execution","error":""# + String(repeating: "x", count: 5000) + "\"}")
        #expect((long?.message.count ?? 0) < 300 && long?.message.contains("\n") == false)
    }

    @Test func specificationsAreCheckedAndCredentialsRefused() throws {
        let endpoint = try PrometheusEndpoint(parsing: "prometheus+http://prom.internal:9090/prom/")
        #expect(endpoint.base == "http://prom.internal:9090/prom" && endpoint.authority == "prom.internal:9090")
        #expect(try PrometheusEndpoint(parsing: "prometheus+https://[::1]:9090").base == "https://[::1]:9090")
        for bad in [
            "prometheus+ftp://h:1", "prometheus+http://", "prometheus+http://h:0", "prometheus+http://h:x",
            "prometheus+http://::1:9090", "prometheus+http://h:9090?x=1", "prometheus://h:9090",
        ] {
            #expect(throws: BackendError.self, "\(bad)") { try PrometheusEndpoint(parsing: bad) }
        }
        do {
            _ = try PrometheusBackend(specification: "prometheus+http://admin:s3cret@prom:9090")
            Issue.record("credentials were accepted")
        } catch {
            #expect(error.code == .invalidSource && !error.message.contains("s3cret"))
        }
        #expect(
            PrometheusEndpoint.queryURL(try PrometheusEndpoint(parsing: "prometheus+http://h:1"))(
                #"up{a="b c"} == 0"#, timeoutSeconds: 5)
                == "http://h:1/api/v1/query?query=up%7Ba%3D%22b%20c%22%7D%20%3D%3D%200&timeout=5s")
    }

    @Test func theSchemeClaimsOnlyPrometheusSpecificationsAndIsReadOnly() async throws {
        let scheme = PrometheusBackend.scheme()
        #expect(scheme.matches("prometheus+http://h:9090") && scheme.matches("PROMETHEUS+https://h"))
        #expect(!scheme.matches("http://h:9090") && !scheme.matches("sim"))
        let backend = try scheme.make("prometheus+http://127.0.0.1:9")
        #expect(backend.capabilities.isReadOnly)
        #expect(backend.capabilities.commandsUnavailableReason?.contains("point --source at an agent") == true)
        do {
            _ = try await backend.send(
                Command(id: "1", actor: "a", reason: "", action: .close(dependency: "x")), to: ["h"])
            Issue.record("a command was accepted")
        } catch {
            #expect(error.code == .unsupportedCommand)
        }
    }
}
