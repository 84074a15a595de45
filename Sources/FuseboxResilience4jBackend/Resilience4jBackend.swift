import AsyncHTTPClient
import Foundation
public import FuseboxBackend
import FuseboxHTTP
public import FuseboxProtocol
import NIOCore
import NIOHTTP1
import Synchronization

/// A JVM service's Resilience4j circuit breakers, read and steered through Spring Boot's actuator
/// (`resilience4j+http://host:port/actuator[#service]`): one snapshot per actuator, one dependency
/// per breaker.
///
/// Each poll reads `/circuitbreakers`, `/circuitbreakerevents`, `/retries`, `/retryevents`,
/// `/bulkheads` and `/ratelimiters` at once, each under one deadline (connect 2 s, the whole answer
/// 5 s by default, at most 8 MiB). Only `/circuitbreakers` must answer; an endpoint that is not
/// enabled (HTTP 404) is asked again a minute later, and until then what it tells stays unknown.
///
/// Commands are `POST /circuitbreakers/{name}` with `FORCE_OPEN`, `CLOSE` or `DISABLE`, the only
/// three the actuator takes; the authorization header, if any, goes with these and with nothing else.
public final class Resilience4jBackend: ResilienceBackend {
    public let description: String
    public var capabilities: BackendCapabilities {
        let now = ContinuousClock.now
        let missing = state.withLock { state in
            Set(state.missingSince.filter { now - $0.value < Self.missingRetry }.keys)
        }
        var fields: SnapshotFields = [.breakerWindow]
        if !missing.contains(.circuitBreakerEvents) { fields.insert(.events) }
        if !missing.contains(.retries) && !missing.contains(.retryEvents) { fields.insert(.retries) }
        return BackendCapabilities(
            commands: [.forceOpen, .close, .disable], fields: fields,
            commandsUnavailableReason: "\(endpoint.authority) is a Resilience4j actuator: it can force-open, close "
                + "or disable a circuit breaker, and has no flags and no controlled back-in")
    }

    let endpoint: ActuatorEndpoint
    /// The instance's name in snapshots and commands: `host:port`.
    var instance: String { endpoint.authority }
    private let authorization: @Sendable () throws(BackendError) -> String?
    let requestTimeout: TimeAmount
    let client: HTTPClient
    private let state = Mutex(State())

    private struct State {
        var ledger = ActuatorLedger()
        /// Endpoints that answered 404, and when.
        var missingSince: [ActuatorPath: ContinuousClock.Instant] = [:]
    }

    /// What may stand unescaped in a breaker's name in a URL path.
    private static let segmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/;?#%"))
    /// The largest answer read.
    static let maxBodyBytes = 8 * 1024 * 1024
    /// How long an endpoint that answered 404 is left alone before it is asked again.
    static let missingRetry = Duration.seconds(60)

    /// - Parameters:
    ///   - specification: `resilience4j+http://host:port/actuator[#service]` or `resilience4j+https://...`.
    ///   - authorization: the `Authorization` header value for commands, read again for each one;
    ///     `nil` sends none. Reads never carry it.
    ///   - connectTimeout: how long to wait for a connection.
    ///   - requestTimeout: how long a whole request may take, its body included.
    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) for an address that cannot be used.
    public init(
        specification: String, authorization: @escaping @Sendable () throws(BackendError) -> String? = { nil },
        connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5)
    ) throws(BackendError) {
        endpoint = try ActuatorEndpoint(parsing: specification)
        description = specification
        self.authorization = authorization
        self.requestTimeout = TimeAmount(requestTimeout)
        client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .source(connectTimeout: connectTimeout, requestTimeout: requestTimeout))
    }

    deinit {
        // Not awaited: the pool closes its connections in the background.
        client.shutdown { _ in }
    }

    public func poll() async throws(BackendError) -> [Snapshot] {
        let reading = try await read()
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let result = state.withLock {
            $0.ledger.absorb(reading, service: endpoint.service, instance: instance, now: now)
        }
        switch result {
        case .success(let snapshot):
            return [snapshot]
        case .failure(let unknown):
            let breaker =
                "\(endpoint.shown(ActuatorPath.circuitBreakers.rawValue)): breaker '\(Printable.clipped(unknown.breaker))'"
            guard let name = unknown.state else {
                throw BackendError(.malformedResponse, "\(breaker) has no state")
            }
            throw BackendError(
                .unsupportedVersion,
                "\(breaker) is in state '\(Printable.clipped(name))', which this fusebox does not know; upgrade fusebox"
            )
        }
    }

    /// Every endpoint at once; fails only when the breakers cannot be read.
    private func read() async throws(BackendError) -> ActuatorReading {
        let now = ContinuousClock.now
        let skipped = state.withLock { state in
            Set(state.missingSince.filter { now - $0.value < Self.missingRetry }.keys)
        }
        let wanted = ActuatorPath.allCases.filter { !skipped.contains($0) }
        let answers = await withTaskGroup(of: (ActuatorPath, Result<Answer, BackendError>).self) { group in
            for path in wanted {
                group.addTask { (path, await self.get(path)) }
            }
            var answers: [ActuatorPath: Result<Answer, BackendError>] = [:]
            for await (path, answer) in group { answers[path] = answer }
            return answers
        }
        let breakers = try decodeEssential(
            CircuitBreakersResponse.self, answers[.circuitBreakers] ?? .failure(BackendError(.stopped, "not asked")))
        var reading = ActuatorReading(breakers: breakers.circuitBreakers ?? [:])
        reading.breakerEvents =
            optional(CircuitBreakerEventsResponse.self, answers, .circuitBreakerEvents)?
            .circuitBreakerEvents ?? nil
        reading.retries = optional(RetriesResponse.self, answers, .retries)?.retries ?? nil
        reading.retryEvents = optional(RetryEventsResponse.self, answers, .retryEvents)?.retryEvents ?? nil
        reading.bulkheads = optional(BulkheadsResponse.self, answers, .bulkheads)?.bulkheads ?? nil
        reading.rateLimiters = optional(RateLimitersResponse.self, answers, .rateLimiters)?.rateLimiters ?? nil
        return reading
    }

    /// An optional endpoint's answer, or `nil` (unknown this time); a 404 is remembered.
    private func optional<Value: Decodable>(
        _ type: Value.Type, _ answers: [ActuatorPath: Result<Answer, BackendError>], _ path: ActuatorPath
    ) -> Value? {
        guard case .success(let answer) = answers[path] else { return nil }
        switch answer.status {
        case 200:
            state.withLock { $0.missingSince[path] = nil }
            return try? ActuatorDecoding.decode(type, from: answer.body).get()
        case 404:
            state.withLock { $0.missingSince[path] = ContinuousClock.now }
            return nil
        default:
            return nil
        }
    }

    /// The breakers, or the poll's error.
    private func decodeEssential<Value: Decodable>(
        _ type: Value.Type, _ outcome: Result<Answer, BackendError>
    ) throws(BackendError) -> Value {
        let path = ActuatorPath.circuitBreakers
        let answer = try outcome.get()
        guard answer.status == 200 else {
            throw failure(answer, path: path.rawValue, doing: "read its circuit breakers")
        }
        if let type = answer.contentType?.lowercased(), type.contains("html") {
            throw BackendError(
                .notASource,
                "\(endpoint.shown(path.rawValue)) answered with \(Printable.clipped(type)), not JSON: "
                    + "is this a Spring Boot actuator with Resilience4j? check the port and path")
        }
        switch ActuatorDecoding.decode(type, from: answer.body) {
        case .success(let value): return value
        case .failure(let problem):
            throw BackendError(
                .malformedResponse,
                "\(endpoint.shown(path.rawValue)) sent \(path.noun) this fusebox cannot read (\(problem.summary))")
        }
    }

    public func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        let update: UpdateStateRequest.UpdateState
        let expected: BreakerState
        switch command.action {
        case .forceOpen: (update, expected) = (.forceOpen, .forcedOpen)
        case .close: (update, expected) = (.close, .closed)
        case .disable: (update, expected) = (.disable, .disabled)
        case .startBackIn:
            throw BackendError(
                .unsupportedCommand,
                "\(endpoint.authority) is a Resilience4j actuator, which has no controlled back-in: "
                    + "close the breaker instead (it goes half-open by its own settings); nothing was sent")
        case .setFlag:
            throw BackendError(
                .unsupportedCommand,
                "\(endpoint.authority) is a Resilience4j actuator, which has no flags; nothing was sent")
        }
        if let stranger = instances.first(where: { $0 != instance }) {
            throw BackendError(
                .unsupportedCommand,
                "\(endpoint.authority) serves instance '\(instance)', not '\(Printable.clipped(stranger))'; nothing was sent"
            )
        }
        guard !instances.isEmpty else { return [] }
        let name = command.action.target
        let path = ActuatorPath.circuitBreakers.rawValue
        // A fresh state for `before`, and the name checked: the actuator makes a breaker with default
        // settings for any name it is sent, so a typo would add one.
        let breakers = try decodeEssential(CircuitBreakersResponse.self, await get(.circuitBreakers))
        let at = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        guard let details = breakers.circuitBreakers?[name] else {
            return [
                CommandResult(
                    commandId: command.id, instance: instance, status: .refused, target: name, before: nil, after: nil,
                    refusal: .unknownTarget,
                    message:
                        "\(endpoint.authority) has no circuit breaker '\(Printable.clipped(name))'; nothing was sent",
                    atMilliseconds: at)
            ]
        }
        let before = ActuatorValues.state(details.state).map(TargetState.breaker)
        let segment = name.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? name
        var request = HTTPClientRequest(url: endpoint.url("\(path)/\(segment)"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let header = try authorization() { request.headers.add(name: "Authorization", value: header) }
        request.body = .bytes(
            ByteBuffer(bytes: (try? JSONEncoder().encode(UpdateStateRequest(updateState: update))) ?? Data()))
        let answer: Answer
        do throws(BackendError) {
            answer = try await execute(request, path: "\(path)/\(name)")
        } catch  where error.code == .timedOut || error.message.contains("closed the connection") {
            throw BackendError(
                error.code,
                "\(error.message); the command may still have been applied: check the breaker's state before "
                    + "sending it again")
        }
        switch answer.status {
        case 200:
            break
        case 400:
            return [
                CommandResult(
                    commandId: command.id, instance: instance, status: .refused, target: name, before: before,
                    after: before, refusal: .invalidArgument,
                    message:
                        "\(endpoint.authority) refused \(update.rawValue) for '\(Printable.clipped(name))' (HTTP 400)",
                    atMilliseconds: at)
            ]
        case 404, 405:
            throw BackendError(
                .unsupportedCommand,
                "\(endpoint.shown(path)) takes no writes (HTTP \(answer.status)): allow them with "
                    + "management.endpoint.circuitbreakers.access=unrestricted; nothing was applied")
        default:
            throw failure(answer, path: "\(path)/\(name)", doing: command.action.verb)
        }
        guard
            case .success(let response) = ActuatorDecoding.decode(
                CircuitBreakerUpdateStateResponse.self, from: answer.body),
            response.circuitBreakerName == name, let after = ActuatorValues.state(response.currentState)
        else {
            throw BackendError(
                .malformedResponse,
                "\(endpoint.shown(path))/\(Printable.clipped(name)) sent an answer this fusebox cannot read: "
                    + "it may have been applied; check the breaker's state before sending the command again")
        }
        var message = response.message.map { Printable.clipped($0, to: 200) } ?? "\(name) state has been changed"
        if after != expected {
            message += " (but the actuator reports \(Printable.clipped(response.currentState ?? "")))"
        }
        return [
            CommandResult(
                commandId: command.id, instance: instance, status: .applied, target: name, before: before,
                after: .breaker(after), refusal: nil, message: message, atMilliseconds: at)
        ]
    }
}
