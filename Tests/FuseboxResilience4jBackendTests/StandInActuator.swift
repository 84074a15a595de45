import Foundation
import FuseboxTestSupport
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stand-in for a Spring Boot actuator serving Resilience4j 2.x, on a real loopback port: the
/// exact answer shapes of `CircuitBreakerEndpoint` and friends (rates as `"53.84%"` strings,
/// `"-1.0%"` below the minimum, nulls kept, `ZonedDateTime` strings), breakers whose state a POST
/// changes, and 404 for endpoints that are not enabled.
final class StandInActuator: Sendable {
    struct Breaker: Sendable {
        var state = "CLOSED"
        var failureRate = "-1.0%"
        var slowCallRate = "-1.0%"
        var failureRateThreshold = "50.0%"
        var slowCallRateThreshold = "100.0%"
        var bufferedCalls = 0
        var failedCalls = 0
        var slowCalls = 0
        var slowFailedCalls = 0
        var notPermittedCalls: Int64 = 0

        var json: String {
            """
            {"failureRate":"\(failureRate)","slowCallRate":"\(slowCallRate)","failureRateThreshold":"\(failureRateThreshold)",\
            "slowCallRateThreshold":"\(slowCallRateThreshold)","bufferedCalls":\(bufferedCalls),"failedCalls":\(failedCalls),\
            "slowCalls":\(slowCalls),"slowFailedCalls":\(slowFailedCalls),"notPermittedCalls":\(notPermittedCalls),\
            "state":"\(state)"}
            """
        }
    }

    struct State: Sendable {
        var breakers: [String: Breaker] = [:]
        /// Raw event objects, oldest first, as `CircuitBreakerEventDTO` serialises.
        var breakerEvents: [String] = []
        var retries: [String] = []
        var retryEvents: [String] = []
        var bulkheads: [String] = []
        var rateLimiters: [String] = []
        /// Paths (`/retries`) that answer 404, as when the endpoint is not enabled.
        var disabled: Set<String> = []
        /// Seconds past 08:30 for the next event's `creationTime`.
        var clock = 0
        /// Every POST: breaker name, body, Authorization header.
        var posts: [(name: String, body: String, authorization: String?)] = []
        /// How many GETs of `/circuitbreakers` were served.
        var breakerReads = 0
        /// GETs of any endpoint, by path.
        var reads: [String: Int] = [:]
        /// GETs that carried an Authorization header.
        var readsWithAuthorization = 0
    }

    let state: Mutex<State>

    init(_ state: State = State()) {
        self.state = Mutex(state)
    }

    static let contentType = "application/vnd.spring-boot.actuator.v3+json"

    /// `2026-11-29T08:30:07.123456789Z[Etc/UTC]` for second 7: nine fraction digits, as a JVM with a
    /// nanosecond clock writes.
    static func creationTime(_ second: Int) -> String {
        String(format: "2026-11-29T08:%02d:%02d.123456789Z[Etc/UTC]", 30 + second / 60, second % 60)
    }

    static func transitionEvent(_ name: String, _ transition: String, at time: String) -> String {
        """
        {"circuitBreakerName":"\(name)","type":"STATE_TRANSITION","creationTime":"\(time)","errorMessage":null,\
        "durationInMs":null,"stateTransition":"\(transition)"}
        """
    }

    static func callEvent(_ name: String, _ type: String, at time: String, error: String? = nil) -> String {
        let message = error.map { "\"\($0)\"" } ?? "null"
        return """
            {"circuitBreakerName":"\(name)","type":"\(type)","creationTime":"\(time)","errorMessage":\(message),\
            "durationInMs":\(type == "NOT_PERMITTED" ? "null" : "12"),"stateTransition":null}
            """
    }

    static func retryEvent(_ name: String, _ type: String, attempts: Int, at time: String) -> String {
        """
        {"retryName":"\(name)","type":"\(type)","creationTime":"\(time)",\
        "errorMessage":"java.io.IOException: connection reset","numberOfAttempts":\(attempts)}
        """
    }

    /// Adds an event at the stand-in's next second.
    func addBreakerEvent(_ make: (String) -> String) {
        state.withLock { state in
            state.breakerEvents.append(make(Self.creationTime(state.clock)))
            state.clock += 1
        }
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/actuator/circuitbreakers") { request, _ -> Response in
            self.answer("/circuitbreakers", request) { state in
                state.breakerReads += 1
                let entries = state.breakers.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value.json)" }
                return "{\"circuitBreakers\":{\(entries.joined(separator: ","))}}"
            }
        }
        router.get("/actuator/circuitbreakerevents") { request, _ -> Response in
            self.answer("/circuitbreakerevents", request) {
                "{\"circuitBreakerEvents\":[\($0.breakerEvents.joined(separator: ","))]}"
            }
        }
        router.get("/actuator/retries") { request, _ -> Response in
            self.answer("/retries", request) {
                "{\"retries\":[\($0.retries.map { "\"\($0)\"" }.joined(separator: ","))]}"
            }
        }
        router.get("/actuator/retryevents") { request, _ -> Response in
            self.answer("/retryevents", request) { "{\"retryEvents\":[\($0.retryEvents.joined(separator: ","))]}" }
        }
        router.get("/actuator/bulkheads") { request, _ -> Response in
            self.answer("/bulkheads", request) {
                "{\"bulkheads\":[\($0.bulkheads.map { "\"\($0)\"" }.joined(separator: ","))]}"
            }
        }
        router.get("/actuator/ratelimiters") { request, _ -> Response in
            self.answer("/ratelimiters", request) {
                "{\"rateLimiters\":[\($0.rateLimiters.map { "\"\($0)\"" }.joined(separator: ","))]}"
            }
        }
        router.post("/actuator/circuitbreakers/:name") { request, context -> Response in
            let name = try context.parameters.require("name")
            let body = String(buffer: try await request.body.collect(upTo: 64 * 1024))
            let authorization = request.headers[.authorization]
            return self.update(name, body: body, authorization: authorization)
        }
    }

    private func answer(_ path: String, _ request: Request, _ body: (inout State) -> String) -> Response {
        state.withLock { state in
            state.reads[path, default: 0] += 1
            if request.headers[.authorization] != nil { state.readsWithAuthorization += 1 }
            guard !state.disabled.contains(path) else {
                return Response(
                    status: .notFound, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":404,\"error\":\"Not Found\"}")))
            }
            return Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body(&state))))
        }
    }

    /// `CircuitBreakerEndpoint.updateCircuitBreakerState`: like the real one, it makes a breaker
    /// for a name it does not know.
    private func update(_ name: String, body: String, authorization: String?) -> Response {
        state.withLock { state in
            state.posts.append((name, body, authorization))
            struct Update: Decodable { var updateState: String }
            guard let update = try? JSONDecoder().decode(Update.self, from: Data(body.utf8)),
                let target = ["CLOSE": "CLOSED", "FORCE_OPEN": "FORCED_OPEN", "DISABLE": "DISABLED"][update.updateState]
            else {
                return Response(
                    status: .badRequest, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"status\":400,\"error\":\"Bad Request\"}")))
            }
            var breaker = state.breakers[name] ?? Breaker()
            let before = breaker.state
            // Every transition starts a new window: the rates read "-1.0%" until enough calls come.
            breaker = Breaker(
                state: target, failureRateThreshold: breaker.failureRateThreshold,
                slowCallRateThreshold: breaker.slowCallRateThreshold)
            state.breakers[name] = breaker
            if before != target {
                state.breakerEvents.append(
                    Self.transitionEvent(name, "\(before)_TO_\(target)", at: Self.creationTime(state.clock)))
                state.clock += 1
            }
            let answer = """
                {"circuitBreakerName":"\(name)","currentState":"\(target)",\
                "message":"\(name) state has been changed successfully"}
                """
            return Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
        }
    }
}

/// Serves a Hummingbird router on a free loopback port for the duration of `body` (which gets
/// `127.0.0.1:PORT`), stopped gracefully (see `withTestServer`).
func withRouter<T: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void, _ body: (String) async throws -> T
) async throws -> T {
    try await withTestServer(configure) { port in try await body("127.0.0.1:\(port)") }
}

/// Serves `actuator` under `/actuator`; `body` gets `resilience4j+http://127.0.0.1:PORT/actuator`.
func withStandIn<T: Sendable>(_ actuator: StandInActuator, _ body: (String) async throws -> T) async throws -> T {
    try await withRouter({ actuator.addRoutes(to: $0) }) { authority in
        try await body("resilience4j+http://\(authority)/actuator")
    }
}

struct StandInError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
