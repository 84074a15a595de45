import FuseboxBackend
import FuseboxProtocol
import FuseboxResilience4jBackend
import FuseboxTestSupport
import Hummingbird
import NIOCore
import Testing

@Suite struct Resilience4jFailureTests {
    /// Serves `body` with `status` as `/x/circuitbreakers` and returns the poll's error.
    func pollError(
        status: HTTPResponse.Status = .ok, contentType: String = "application/json", headers: HTTPFields = [:],
        _ body: String, timeout: Duration = .seconds(5)
    ) async throws -> BackendError? {
        try await withRouter({ router in
            router.get("/x/circuitbreakers") { _, _ -> Response in
                var fields = headers
                fields[.contentType] = contentType
                return Response(
                    status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
        }) { authority in
            // A roomy connect time-out: the whole suite loads the machine, and a slow accept must not
            // read as nothing listening.
            let backend = try Resilience4jBackend(
                specification: "resilience4j+http://\(authority)/x", connectTimeout: .seconds(10),
                requestTimeout: timeout)
            let error = await backendFailure("the poll must fail") { () throws(BackendError) in
                _ = try await backend.poll()
            }
            if let error {
                #expect(!error.message.contains("\n"), "one line: \(error.message)")
                #expect(error.message.contains(authority), "names the actuator: \(error.message)")
            }
            return error
        }
    }

    @Test(arguments: [
        ("{\"circuitBreakers\":{\"a\":{\"state\":\"CLOSED\",\"bufferedCalls\":", "not JSON"),
        ("{\"circuitBreakers\":{\"a\":{\"state\":\"CLOSED\",\"bufferedCalls\":\"3\"}}}", "bufferedCalls"),
        ("{\"circuitBreakers\":[1,2]}", "circuitBreakers"),
        ("not json at all", "not JSON"),
        ("", "not JSON"),
    ])
    func malformedAnswersAreRetryableAndSayWhere(_ body: String, _ hint: String) async throws {
        let error = try #require(try await pollError(body))
        #expect(error.code == .malformedResponse)
        #expect(error.isRetryable)
        #expect(error.message.contains("/x/circuitbreakers"))
        #expect(error.message.contains(hint), "\(error.message)")
    }

    @Test func anUnknownStateAsksForAnUpgradeAndANullStateIsMalformed() async throws {
        let unknown = try #require(try await pollError("{\"circuitBreakers\":{\"a\":{\"state\":\"HALF_CLOSED\"}}}"))
        #expect(unknown.code == .unsupportedVersion)
        #expect(unknown.message.contains("HALF_CLOSED") && unknown.message.contains("upgrade fusebox"))
        let null = try #require(try await pollError("{\"circuitBreakers\":{\"a\":{\"state\":null}}}"))
        #expect(null.code == .malformedResponse)
    }

    @Test func nullBreakersAreNoBreakers() async throws {
        try await withRouter({ router in
            router.get("/x/circuitbreakers") { _, _ in "{\"circuitBreakers\":null}" }
        }) { authority in
            let backend = try Resilience4jBackend(specification: "resilience4j+http://\(authority)/x")
            #expect(try await backend.poll().first?.dependencies.isEmpty == true)
        }
    }

    @Test func aHugeAnswerIsCutOff() async throws {
        let huge =
            "{\"circuitBreakers\":{\"a\":{\"state\":\"" + String(repeating: "x", count: 9 * 1024 * 1024) + "\"}}}"
        let error = try #require(try await pollError(huge))
        #expect(error.code == .malformedResponse)
        #expect(error.message.contains("8 MiB"))
    }

    @Test func aWebPageIsNotASource() async throws {
        let error = try #require(try await pollError(contentType: "text/html", "<html>login</html>"))
        #expect(error.code == .notASource)
        #expect(!error.isRetryable)
    }

    @Test(arguments: [
        (HTTPResponse.Status.notFound, BackendError.Code.notASource),
        (.internalServerError, .serverError),
        (.serviceUnavailable, .throttled),
        (.unauthorized, .unauthorized),
        (.forbidden, .forbidden),
        (.found, .notASource),
    ])
    func statusesMapToCodes(_ status: HTTPResponse.Status, _ code: BackendError.Code) async throws {
        let error = try #require(
            try await pollError(
                status: status, headers: [.location: "http://user:secret@elsewhere/"], "{\"status\":\(status.code)}"))
        #expect(error.code == code)
        #expect(!error.message.contains("secret"), "a redirect's target is neither followed nor shown")
    }

    @Test func anActuatorThatNeverAnswersTimesOut() async throws {
        try await withRouter({ router in
            router.get("/x/circuitbreakers") { _, _ -> String in
                try await Task.sleep(for: .seconds(6))
                return "{}"
            }
        }) { authority in
            let backend = try Resilience4jBackend(
                specification: "resilience4j+http://\(authority)/x", requestTimeout: .seconds(1))
            let started = ContinuousClock.now
            let error = try #require(
                await backendFailure("the actuator is too slow") { () throws(BackendError) in
                    _ = try await backend.poll()
                })
            #expect(error.code == .timedOut)
            #expect(error.message == "\(authority)/x/circuitbreakers did not answer within 1s")
            // The 1 s limit and its grace second, not the actuator's 6 s (roomy: the suite loads the machine).
            #expect(ContinuousClock.now - started < .milliseconds(5_500))
        }
    }

    @Test func aSlowOptionalEndpointDoesNotFailThePoll() async throws {
        try await withRouter({ router in
            router.get("/x/circuitbreakers") { _, _ in "{\"circuitBreakers\":{\"a\":{\"state\":\"OPEN\"}}}" }
            router.get("/x/retries") { _, _ -> String in
                try await Task.sleep(for: .seconds(9))
                return "{}"
            }
            router.get("/x/circuitbreakerevents") { _, _ in "{\"circuitBreakerEvents\":\"garbage\"}" }
        }) { authority in
            // Long enough for the breakers on a machine loaded by the whole suite, short of the slow endpoint.
            let backend = try Resilience4jBackend(
                specification: "resilience4j+http://\(authority)/x", connectTimeout: .seconds(10),
                requestTimeout: .seconds(6))
            let snapshot = try #require(try await backend.poll().first)
            #expect(snapshot.dependency(named: "a")?.breaker.state == .open)
            #expect(snapshot.dependency(named: "a")?.retry == .unknown)
        }
    }

    @Test func nothingListeningIsUnreachable() async throws {
        let backend = try Resilience4jBackend(
            specification: "resilience4j+http://127.0.0.1:1/actuator", connectTimeout: .milliseconds(500))
        let error = try #require(
            await backendFailure("nothing listens there") { () throws(BackendError) in _ = try await backend.poll() })
        #expect(error.code == .unreachable)
        #expect(error.message.contains("127.0.0.1:1"))
    }

    @Test(arguments: [
        "resilience4j+ftp://h:1/actuator", "resilience4j+http://", "resilience4j+http://user:pw@h:8080/actuator",
        "resilience4j+http://h:99999/actuator", "resilience4j+http://h:8080/actuator?x=1",
        "resilience4j+http://::1:80/a",
        "resilience4j+http://h:8080/actuator#", "resilience4j+http://u:p#w@h:1/a", "http://h:8080/actuator",
    ])
    func badAddressesAreInvalidSources(_ specification: String) {
        do {
            _ = try Resilience4jBackend(specification: specification)
            Issue.record("'\(specification)' must be refused")
        } catch {
            #expect(error.code == .invalidSource)
            #expect(!error.message.contains("pw") && !error.message.contains("p#w"))
        }
    }

    @Test func theSchemeRecognisesItsSpecifications() throws {
        let scheme = Resilience4jBackend.scheme()
        #expect(scheme.matches("resilience4j+http://h:8080/actuator"))
        #expect(scheme.matches("RESILIENCE4J+HTTPS://h:8443/actuator#checkout"))
        #expect(!scheme.matches("http://h:8080"))
        let backend = try scheme.make("resilience4j+https://[::1]:8443/manage/#checkout")
        #expect(backend.description == "resilience4j+https://[::1]:8443/manage/#checkout")
        #expect(backend.capabilities.commands == [.forceOpen, .close, .disable])
    }
}
