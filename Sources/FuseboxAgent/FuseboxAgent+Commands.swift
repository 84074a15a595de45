import FuseboxProtocol
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension FuseboxAgent {
    /// A header on a command's response when its audit record could not be written to the file.
    static let auditErrorHeader = HTTPField.Name("Fusebox-Audit-Error")!

    /// `POST /fusebox/v1/commands`: checks, applies and audits one command.
    ///
    /// Every attempt is audited, whatever becomes of it, with whatever could be read of the command.
    func command(_ request: Request, from remoteAddress: String?) async throws -> Response {
        let now = registry.clock.wallMilliseconds()
        var command: Command?
        // What could be read of a body that is not a whole command: its id, actor and reason.
        var partial: PartialCommand?
        // Turns the attempt away with `problem`, auditing it first.
        func turnAway(_ outcome: AuditRecord.Outcome, _ problem: Problem) async -> Problem {
            var record = AuditRecord(
                atMilliseconds: now, outcome: outcome, status: problem.status, remoteAddress: remoteAddress,
                command: command.map(Self.trimmed), message: problem.detail)
            if command == nil, let partial {
                record.commandId = partial.id.map(Self.cut)
                record.actor = partial.actor.map(Self.cut)
                record.reason = partial.reason.map(Self.cut)
            }
            await audit.append(record)
            logger.warning(
                "operator command turned away",
                metadata: [
                    "outcome": "\(outcome.rawValue)", "remote_address": "\(remoteAddress ?? "-")",
                    "detail": "\(problem.detail.logQuoted)",
                ])
            return problem
        }

        // The allowance is per client address, and a client without the token has an allowance of
        // its own: strangers cannot use up the operators' commands, nor flood the audit file.
        let credential = credential(of: request)
        let client = remoteAddress.map(Self.host(of:)) ?? "unknown"
        let bucket = credential == .valid ? client : client + " (no valid token)"
        // Strangers from many addresses share one more allowance on top of their own.
        let strangers = credential == .valid ? nil : limiter.acquire(client: Self.allStrangers)
        if let retryAfter = limiter.acquire(client: bucket) ?? strangers {
            let problem = Problem(
                .rateLimited,
                detail: "more than \(configuration.commandBurst) commands in a burst from \(client); "
                    + "wait \(retryAfter)s and send again",
                retryAfterSeconds: retryAfter)
            // A flood is audited once a second per client, with the count of what was not.
            let (record, unrecorded) = refusals.shouldRecord(client: bucket)
            guard record else {
                scheduleRefusalFlush()
                throw problem
            }
            var recorded = problem
            if unrecorded > 0 { recorded.detail += " (\(unrecorded) more refused since the last record)" }
            _ = await turnAway(.rateLimited, recorded)
            throw problem
        }
        let body: ByteBuffer
        do {
            body = try await readBody(request)
        } catch let problem as Problem {
            throw await turnAway(.invalid, problem)
        }
        // Read what can be read of the command first, so refusals below are audited with it.
        let decoded = decodeCommand(body)
        switch decoded {
        case .success(let parsed): command = parsed
        case .failure: partial = try? JSONDecoder().decode(PartialCommand.self, from: Data(body.readableBytesView))
        }

        if configuration.readOnly {
            throw await turnAway(
                .forbidden,
                Problem(.readOnly, detail: "this agent was started read-only; commands are refused on this instance"))
        }
        guard configuration.token != nil else {
            throw await turnAway(
                .forbidden,
                Problem(
                    .commandsDisabled,
                    detail: "this agent has no token configured, so it is read-only; start it with a token file "
                        + "(--token-file) or FUSEBOX_TOKEN to enable commands"))
        }
        switch credential {
        case .valid: break
        case .missing:
            throw await turnAway(
                .unauthorized,
                Problem(.tokenRequired, detail: "commands need 'Authorization: Bearer <token>'; pass --token-file"))
        case .wrong:
            throw await turnAway(
                .unauthorized,
                Problem(.unauthorized, detail: "the bearer token was rejected; check --token-file or FUSEBOX_TOKEN"))
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw await turnAway(
                .invalid, Problem(.unsupportedMediaType, detail: "send the command as application/json, not \(type)"))
        }
        let parsed: Command
        switch decoded {
        case .success(let value): parsed = value
        case .failure(let problem): throw await turnAway(.invalid, problem)
        }

        if configuration.auditRequired && configuration.auditLogPath != nil {
            // Write-ahead: nothing is applied that the file has not recorded.
            let (_, fileError) = await audit.append(
                AuditRecord(
                    atMilliseconds: now, outcome: .accepted, status: 0, remoteAddress: remoteAddress,
                    command: parsed, message: "about to apply"))
            if let fileError {
                throw await turnAway(
                    .unaudited,
                    Problem(
                        .auditUnavailable,
                        detail: "the audit log cannot be written (\(fileError)), and this agent requires it: "
                            + "nothing was applied; fix the disk and send again",
                        retryAfterSeconds: 30))
            }
        }
        let (result, replayed) = registry.applyReportingReplay(parsed)
        let outcome: AuditRecord.Outcome = replayed ? .replayed : result.status == .applied ? .applied : .refused
        var problem: Problem?
        switch result.refusal {
        case nil: problem = nil
        case .unknownTarget?: problem = Problem(.unknownTarget, detail: result.message, result: result)
        case .notAllowed?: problem = Problem(.commandNotAllowed, detail: result.message, result: result)
        case .invalidArgument?: problem = Problem(.invalidArgument, detail: result.message, result: result)
        }
        let (_, fileError) = await audit.append(
            AuditRecord(
                atMilliseconds: replayed ? now : result.atMilliseconds, outcome: outcome,
                status: problem?.status ?? 200,
                remoteAddress: remoteAddress, command: parsed, before: result.before, after: result.after,
                message: result.message))
        logger.notice(
            "operator command \(outcome.rawValue)",
            metadata: [
                "command_id": "\(parsed.id.logQuoted)", "action": "\(parsed.action.verb)",
                "target": "\(parsed.action.target.logQuoted)", "actor": "\(parsed.actor.logQuoted)",
                "reason": "\(parsed.reason.logQuoted)", "remote_address": "\(remoteAddress ?? "-")",
                "result": "\(result.message.logQuoted)",
            ])
        var response: Response
        if let problem {
            response = Self.problemResponse(problem)
        } else {
            response = Self.jsonResponse(try AgentJSON.encode(result))
        }
        if let fileError { response.headers[Self.auditErrorHeader] = fileError }
        return response
    }

    /// The request body, refused beyond the configured size.
    private func readBody(_ request: Request) async throws -> ByteBuffer {
        let limit = configuration.maxBodyBytes
        let tooLarge = Problem(.bodyTooLarge, detail: "a command body may be at most \(limit) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            // A chunked body, or one longer than its Content-Length said.
            throw tooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }

    /// The format version a client may state beside the command (`"1.1"`, or `1` as early builds wrote it).
    private struct Envelope: Decodable {
        var formatVersion: FormatVersion?
    }

    /// The parts of a command an audit record keeps when the whole cannot be read.
    struct PartialCommand: Decodable {
        var id: String?
        var actor: String?
        var reason: String?
    }

    /// The longest id, actor and reason a command may carry: they go into events, snapshots and
    /// logs, and the console's own `--actor` is capped at 64.
    static let textLimits = (id: 128, actor: 64, reason: 1000)

    /// The command in `body`, or the problem that says what is wrong with it.
    private func decodeCommand(_ body: ByteBuffer) -> Result<Command, Problem> {
        let data = Data(body.readableBytesView)
        do {
            if let version = try JSONDecoder().decode(Envelope.self, from: data).formatVersion, !version.isReadable {
                return .failure(
                    Problem(
                        .unsupportedFormatVersion,
                        detail: "this agent reads commands of format \(FormatVersion.current.major).x, "
                            + "not \(version); upgrade the service's fusebox"))
            }
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.first?.stringValue == "formatVersion"
        {
            return .failure(
                Problem(
                    .unsupportedFormatVersion,
                    detail: "formatVersion must look like \"1.1\": \(context.debugDescription)"))
        } catch DecodingError.typeMismatch(_, let context)
            where context.codingPath.first?.stringValue == "formatVersion"
        {
            return .failure(Problem(.unsupportedFormatVersion, detail: "formatVersion must look like \"1.1\""))
        } catch let error as FormatVersionError {
            return .failure(Problem(.unsupportedFormatVersion, detail: "\(error); upgrade the service's fusebox"))
        } catch {
            // Not an object, or not JSON: the command's own decoding says which.
        }
        do {
            let command = try JSONDecoder().decode(Command.self, from: data)
            for (field, text, limit) in [
                ("id", command.id, Self.textLimits.id), ("actor", command.actor, Self.textLimits.actor),
                ("reason", command.reason, Self.textLimits.reason),
            ] where text.count > limit {
                return .failure(
                    Problem(
                        .invalidArgument,
                        detail: "the command's \(field) is \(text.count) characters long; at most \(limit)"))
            }
            return .success(command)
        } catch let error as DecodingError {
            return .failure(Self.problem(for: error))
        } catch {
            return .failure(Problem(.malformedJSON, detail: "the body is not a command: \(error)"))
        }
    }

    private static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Problem(.malformedJSON, detail: "the body is not valid JSON; send a command object")
        case .dataCorrupted(let context) where context.debugDescription.hasPrefix("unknown command type"):
            return Problem(.unknownCommand, detail: context.debugDescription)
        case .keyNotFound(let key, let context):
            return Problem(
                .malformedJSON, detail: "the command lacks '\(path(context.codingPath + [key]))'")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return Problem(
                .malformedJSON, detail: "'\(path(context.codingPath))' is not valid: \(context.debugDescription)")
        @unknown default:
            return Problem(.malformedJSON, detail: "the body is not a command")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// Writes, about a second from now, one record per client for the rate-limited attempts a burst
    /// left unrecorded: a flood's tail is in the audit trail even if no attempt follows it.
    private func scheduleRefusalFlush() {
        guard refusals.claimFlush() else { return }
        Task {
            try? await Task.sleep(for: .seconds(1))
            let now = registry.clock.wallMilliseconds()
            for (client, count) in refusals.takeUnrecorded() {
                await audit.append(
                    AuditRecord(
                        atMilliseconds: now, outcome: .rateLimited, status: 429, remoteAddress: nil, command: nil,
                        message: "\(count) more commands from \(client) refused by the rate limit since the last record"
                    ))
            }
        }
    }

    /// The rate limiter's key for every attempt without a valid token, from any address.
    static let allStrangers = "* (any address, no valid token)"

    /// The command as an attempt turned away is audited: its free text cut to 200 characters, so
    /// strangers cannot fill the audit file with 64 KiB lines.
    static func trimmed(_ command: Command) -> Command {
        var command = command
        command.id = cut(command.id)
        command.actor = cut(command.actor)
        command.reason = cut(command.reason)
        return command
    }

    /// `text`, cut to 200 characters.
    static func cut(_ text: String) -> String { text.count > 200 ? String(text.prefix(200)) + "…" : text }

    /// `203.0.113.9` from `203.0.113.9:51234`, `::1` from `[::1]:51234`.
    static func host(of address: String) -> String {
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        guard let colon = address.lastIndex(of: ":") else { return address }
        return String(address[..<colon])
    }
}
