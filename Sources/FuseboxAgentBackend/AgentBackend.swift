import AsyncHTTPClient
import Foundation
public import FuseboxBackend
import FuseboxHTTP
public import FuseboxProtocol
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A Fusebox agent over HTTP (`http://host:port`, `https://host:port`): one service instance,
/// read with conditional GETs and steered with bearer-authenticated commands.
///
/// Connections are pooled and time out (connect 2 s, whole request 5 s by default, the body
/// included), so a dead or slow agent costs the caller one bounded wait per poll; the console
/// keeps its last good data and backs off. A restarted agent is picked up by the next poll.
///
/// The token goes with commands, and with reads only once the agent has asked for it (a 401), so
/// pointing the console at the wrong port does not hand the token to whatever listens there. It
/// is read again for every request, so a rotated token file is picked up without a restart.
public final class AgentBackend: ResilienceBackend {
    public let description: String
    /// Every command with a token, none without; none either once the agent's `/healthz` has
    /// said it takes no commands (started `--read-only`, or without a token of its own).
    public var capabilities: BackendCapabilities {
        guard let refusal = learned.withLock({ $0.refusal }) else { return assumed }
        return BackendCapabilities(commands: [], fields: assumed.fields, commandsUnavailableReason: refusal)
    }
    /// What the token allows, before the agent has said anything.
    private let assumed: BackendCapabilities
    /// Why the agent takes no commands, if it said so, and which process it was asked on.
    private let learned = Mutex<(refusal: String?, checkedInstance: String?)>((nil, nil))
    private let endpoint: AgentEndpoint
    /// `Bearer ...`, read for each request; never logged, never part of a message.
    private let authorization: @Sendable () throws(BackendError) -> String?
    /// Whether the agent has asked for the token on reads.
    private let readsNeedToken = Atomic(false)
    private let trustRootsFile: String?
    private let requestTimeout: TimeAmount
    private let client: HTTPClient
    /// The last snapshot and its tag, for `If-None-Match`.
    private let cached = Mutex<(tag: String, snapshot: Snapshot)?>(nil)

    /// The largest snapshot read (10,000 dependencies take about 15 MB).
    static let maxSnapshotBytes = 64 * 1024 * 1024

    /// - Parameters:
    ///   - specification: `http://host:port[/prefix]` or `https://...`.
    ///   - authorization: the `Authorization` header value for commands and guarded reads
    ///     (`Bearer <token>`); without it the source is read-only.
    ///   - trustRootsFile: PEM certificates to trust for `https` instead of the system's (a private CA).
    ///   - connectTimeout: how long to wait for a connection.
    ///   - requestTimeout: how long a whole request may take.
    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) for an address that cannot be used.
    public convenience init(
        specification: String, authorization: String?, trustRootsFile: String? = nil,
        connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5)
    ) throws(BackendError) {
        try self.init(
            specification: specification, authorizationProvider: { authorization }, trustRootsFile: trustRootsFile,
            connectTimeout: connectTimeout, requestTimeout: requestTimeout)
    }

    /// The same, with the token read again for every request (a file that may be rotated).
    public init(
        specification: String, authorizationProvider: @escaping @Sendable () throws(BackendError) -> String?,
        trustRootsFile: String? = nil, connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5)
    ) throws(BackendError) {
        endpoint = try AgentEndpoint(parsing: specification)
        description = specification
        self.authorization = authorizationProvider
        self.trustRootsFile = trustRootsFile
        self.requestTimeout = TimeAmount(requestTimeout)
        var configuration = HTTPClient.Configuration.source(
            connectTimeout: connectTimeout, requestTimeout: requestTimeout)
        if let trustRootsFile {
            guard FileManager.default.fileExists(atPath: trustRootsFile) else {
                throw BackendError(.invalidSource, "--ca-file \(trustRootsFile): no such file")
            }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(trustRootsFile)
            } catch {
                throw BackendError(.invalidSource, "cannot read PEM certificates from --ca-file \(trustRootsFile)")
            }
            guard !certificates.isEmpty else {
                throw BackendError(.invalidSource, "--ca-file \(trustRootsFile) holds no PEM certificate")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(certificates)
            configuration.tlsConfiguration = tls
        }
        // Everything that can fail comes before the client: a client must be shut down once made.
        let authorization = try authorizationProvider()
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        assumed = BackendCapabilities(
            commands: authorization == nil ? [] : Set(CommandKind.allCases), fields: .all,
            commandsUnavailableReason: authorization == nil
                ? "\(endpoint.authority) takes commands only with a token: pass --token-file or set FUSEBOX_TOKEN"
                : nil)
    }

    deinit {
        // Not awaited: the pool closes its connections in the background.
        client.shutdown { _ in }
    }

    public func poll() async throws(BackendError) -> [Snapshot] {
        let previous = cached.withLock { $0 }
        // Events the console already has are not sent again: ask only for newer ones.
        // (Always with a cut, 0 at first, so the tag of the first answer matches the next request's.)
        let cut = previous?.snapshot.lastEventSequence ?? 0
        var snapshot = try await fetch(eventsAfter: cut, previous: previous)
        if let previous, Self.isAnotherProcess(snapshot, than: previous.snapshot, cut: cut) {
            // Another process answers now (a restart): its events are numbered from 1 again.
            cached.withLock { $0 = nil }
            learned.withLock { $0.checkedInstance = nil }
            snapshot = try await fetch(eventsAfter: 0, previous: nil)
        }
        await learnWhetherCommandsAreTaken(by: snapshot.instance)
        return [snapshot]
    }

    /// Whether a 401 is a Fusebox agent's own answer: a problem of type `token-required`.
    static func isAgentAskingForAToken(_ response: HTTPClientResponse, _ body: ByteBuffer) -> Bool {
        guard response.headers.first(name: "Content-Type")?.hasPrefix("application/problem+json") == true,
            let problem = try? JSONDecoder().decode(AgentProblem.self, from: Data(body.readableBytesView))
        else { return false }
        return problem.type == "urn:fusebox:problem:token-required"
    }

    /// Whether `snapshot` comes from another process than `previous`: another instance, a new start
    /// time (format 1.2), or, from older agents, event numbers that went down.
    static func isAnotherProcess(_ snapshot: Snapshot, than previous: Snapshot, cut: UInt64) -> Bool {
        if snapshot.instance != previous.instance { return true }
        if let started = snapshot.startedAtMilliseconds, let before = previous.startedAtMilliseconds {
            return started != before
        }
        return snapshot.lastEventSequence < cut
    }

    /// Whether the agent takes commands, from its `/healthz`, once per process it meets. An agent
    /// that does not say keeps the capabilities assumed from the token.
    private func learnWhetherCommandsAreTaken(by instance: String) async {
        guard !assumed.commands.isEmpty, learned.withLock({ $0.checkedInstance != instance }) else { return }
        struct Health: Decodable {
            var commandsEnabled: Bool?
            var readOnly: Bool?
        }
        var request = HTTPClientRequest(url: endpoint.url("/healthz"))
        request.headers.add(name: "Accept", value: "application/json")
        guard let (response, body) = try? await execute(request, limit: 64 * 1024), response.status.code == 200,
            let health = try? JSONDecoder().decode(Health.self, from: Data(body.readableBytesView))
        else { return }
        let refusal: String? =
            health.commandsEnabled != false
            ? nil
            : health.readOnly == true
                ? "\(endpoint.authority) was started --read-only and refuses every command"
                : "\(endpoint.authority) has no token of its own, so it takes no commands"
        learned.withLock { $0 = (refusal, instance) }
    }

    private func fetch(eventsAfter cut: UInt64, previous: (tag: String, snapshot: Snapshot)?) async throws(BackendError)
        -> Snapshot
    {
        var request = HTTPClientRequest(url: endpoint.url("/fusebox/v1/snapshot") + "?events_after=\(cut)")
        request.headers.add(name: "Accept", value: "application/json")
        let token = try authorization()
        if readsNeedToken.load(ordering: .relaxed), let token {
            request.headers.add(name: "Authorization", value: token)
        }
        if let previous { request.headers.add(name: "If-None-Match", value: previous.tag) }
        var (response, body) = try await execute(request, limit: Self.maxSnapshotBytes)
        if response.status.code == 401, let token, !readsNeedToken.load(ordering: .relaxed),
            Self.isAgentAskingForAToken(response, body)
        {
            // The agent guards reads: from now on they carry the token. (Only an agent's own
            // problem answer counts: any server can answer 401 to fish for a token.)
            readsNeedToken.store(true, ordering: .relaxed)
            request.headers.replaceOrAdd(name: "Authorization", value: token)
            (response, body) = try await execute(request, limit: Self.maxSnapshotBytes)
        }
        switch response.status.code {
        case 200:
            let snapshot = try decodeSnapshot(body, contentType: response.headers.first(name: "Content-Type"))
            if let tag = response.headers.first(name: "ETag") {
                cached.withLock { $0 = (tag, snapshot) }
            }
            return snapshot
        case 304:
            guard var snapshot = previous?.snapshot else {
                throw BackendError(.malformedResponse, "\(endpoint.authority) answered 304 to a first request")
            }
            // Unchanged content, newly confirmed: date it as the agent does.
            if let taken = response.headers.first(name: "Fusebox-Taken-At").flatMap(Int64.init) {
                snapshot.takenAtMilliseconds = taken
            }
            return snapshot
        case 404:
            throw BackendError(
                .notASource,
                "\(endpoint.base) has no /fusebox/v1/snapshot (HTTP 404): is it a Fusebox agent? check the port")
        default:
            throw failure(response, body, doing: "read its snapshot")
        }
    }

    public func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        guard let authorization = try authorization() else {
            throw BackendError(
                .unsupportedCommand,
                "\(endpoint.authority) takes commands only with a token: pass --token-file or set FUSEBOX_TOKEN")
        }
        let known = cached.withLock { $0?.snapshot.instance }
        if let known, let stranger = instances.first(where: { $0 != known }) {
            throw BackendError(
                .unsupportedCommand,
                "\(endpoint.authority) serves instance '\(known)', not '\(stranger)'; nothing was sent")
        }
        var request = HTTPClientRequest(url: endpoint.url("/fusebox/v1/commands"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: authorization)
        let payload: Data
        do {
            payload = try JSONEncoder().encode(VersionedCommand(command: command))
        } catch {
            throw BackendError(.invalidSource, "cannot encode the command: \(error)")
        }
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do throws(BackendError) {
            (response, body) = try await execute(request, limit: 1024 * 1024)
        } catch  where error.code == .timedOut || error.message.contains("closed the connection") {
            // The command went out; whether it was applied is not known.
            throw BackendError(
                error.code,
                "\(error.message); the command may still have been applied: check the event log or "
                    + "\(endpoint.authority)/fusebox/v1/audit before sending it again")
        }
        var result: CommandResult
        switch response.status.code {
        case 200:
            do {
                result = try JSONDecoder().decode(CommandResult.self, from: Data(body.readableBytesView))
            } catch {
                throw BackendError(
                    .malformedResponse, "\(endpoint.authority) sent a command result this fusebox cannot read")
            }
        default:
            // A refusal (unknown target, not allowed, invalid argument) is a result, not an error.
            if let problem = try? JSONDecoder().decode(AgentProblem.self, from: Data(body.readableBytesView)),
                let refused = problem.result
            {
                result = refused
            } else {
                throw failure(response, body, doing: command.action.verb)
            }
        }
        if let auditError = response.headers.first(name: "Fusebox-Audit-Error") {
            result.message += " (warning: the agent could not write its audit log: \(auditError))"
        }
        return [result]
    }

    // MARK: - HTTP

    private func execute(_ request: HTTPClientRequest, limit: Int) async throws(BackendError) -> (
        HTTPClientResponse, ByteBuffer
    ) {
        do {
            let answer = try await DeadlineExchange.send(request, with: client, timeout: requestTimeout, limit: limit)
            return (answer.response, answer.body)
        } catch {
            throw transportError(error)
        }
    }

    private func transportError(_ error: any Error) -> BackendError {
        let agent = endpoint.authority
        switch TransportFailure(error) {
        case .connectTimeout:
            return BackendError(
                .unreachable, "cannot connect to \(agent) (is the agent running, and is this its port?)")
        case .timedOut:
            return BackendError(.timedOut, "\(agent) did not answer within \(requestTimeout.secondsText)s")
        case .closed:
            return BackendError(.unreachable, "\(agent) closed the connection")
        case .tooLarge:
            return BackendError(.malformedResponse, "\(agent) sent more than this fusebox reads in one answer")
        case .notTLS:
            return BackendError(
                .unreachable, "\(agent) does not speak TLS on this port: is it http:// rather than https://?")
        case .refused:
            return BackendError(.unreachable, "cannot reach \(agent): connection refused (is the agent running?)")
        case .tls(let wrongHost):
            let hint: String
            if wrongHost {
                hint = "its certificate is for another host name; use the name it was issued for"
            } else if let trustRootsFile {
                hint = "its certificate is not signed by a CA in --ca-file \(trustRootsFile)"
            } else {
                hint = "if its certificate is from a private CA, pass --ca-file"
            }
            return BackendError(.unreachable, "TLS with \(agent) failed: \(hint)")
        case .other(let text):
            return BackendError(.unreachable, "cannot reach \(agent): \(text)")
        }
    }

    /// The error for an unexpected status, from the problem body when there is one.
    private func failure(_ response: HTTPClientResponse, _ body: ByteBuffer, doing: String) -> BackendError {
        let problem = try? JSONDecoder().decode(AgentProblem.self, from: Data(body.readableBytesView))
        let detail = problem?.detail
        let status = response.status.code
        switch status {
        case 401:
            return BackendError(
                .unauthorized,
                (try? authorization()) ?? nil == nil
                    ? "\(endpoint.authority) requires a token: pass --token-file or set FUSEBOX_TOKEN"
                    : "token rejected by \(endpoint.authority): check --token-file or FUSEBOX_TOKEN")
        case 403:
            return BackendError(
                .forbidden, "\(endpoint.authority) refused to \(doing): \(detail ?? "forbidden (HTTP 403)")")
        case 429, 503:
            // The agent says why (a full audit disk, too many streams); a bare proxy does not.
            let why = detail.map { ": \($0)" } ?? " (busy)"
            return BackendError(.throttled, "\(endpoint.authority) answered HTTP \(status)\(why)")
        case 500...599:
            return BackendError(
                .serverError, "\(endpoint.authority) failed (HTTP \(status))\(detail.map { ": \($0)" } ?? "")")
        default:
            return BackendError(
                problem == nil ? .notASource : .unsupportedCommand,
                "\(endpoint.authority) answered HTTP \(status)\(detail.map { ": \($0)" } ?? "") when asked to \(doing)"
            )
        }
    }

    private func decodeSnapshot(_ body: ByteBuffer, contentType: String?) throws(BackendError) -> Snapshot {
        guard contentType?.lowercased().hasPrefix("application/json") ?? true else {
            throw BackendError(
                .notASource,
                "\(endpoint.base) answered with \(contentType ?? "no content type"), not a snapshot: "
                    + "is it a Fusebox agent? check the port")
        }
        do {
            return try JSONDecoder().decode(Snapshot.self, from: Data(body.readableBytesView))
        } catch let error as FormatVersionError {
            throw BackendError(.unsupportedVersion, "\(endpoint.authority): \(error.description)")
        } catch {
            throw BackendError(
                .malformedResponse,
                "\(endpoint.authority) sent a snapshot this fusebox cannot read (\(Self.summary(error)))")
        }
    }

    private static func summary(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "bad '\(path)'"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The parts of an agent's problem body the backend reads.
struct AgentProblem: Decodable {
    var type: String?
    var detail: String?
    var result: CommandResult?
}

/// A command with the format version it was written in, as the agent expects it.
struct VersionedCommand: Encodable {
    let command: Command

    private enum CodingKeys: String, CodingKey { case formatVersion }

    func encode(to encoder: any Encoder) throws {
        try command.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(FormatVersion.current, forKey: .formatVersion)
    }
}
