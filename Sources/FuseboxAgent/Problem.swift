public import FuseboxProtocol
public import HTTPTypes

/// An RFC 9457 problem detail: what went wrong with a request, in a body machines can branch on
/// (`type`) and people can act on (`detail`).
public struct Problem: Error, Codable, Sendable, Hashable {
    /// A stable identifier per kind of problem: `urn:fusebox:problem:<kind>`.
    public var type: String
    /// A short summary of the kind, the same for every problem of that kind.
    public var title: String
    /// The HTTP status code.
    public var status: Int
    /// What went wrong with this request, and what to do about it.
    public var detail: String
    /// The request path the problem is about.
    public var instance: String?
    /// For a refused command: the result the registry returned (extension member).
    public var result: CommandResult?
    /// Seconds the client should wait before trying again, sent as the `Retry-After` header.
    public var retryAfterSeconds: Int?

    public init(
        _ kind: Kind, detail: String, instance: String? = nil, result: CommandResult? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        type = kind.type
        title = kind.title
        status = kind.status.code
        self.detail = detail
        self.instance = instance
        self.result = result
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The kinds of problem the agent reports; each has its own stable `type`.
    public enum Kind: String, Sendable, CaseIterable {
        case unauthorized
        case tokenRequired = "token-required"
        case readOnly = "read-only"
        case commandsDisabled = "commands-disabled"
        case rateLimited = "rate-limited"
        case malformedJSON = "malformed-json"
        case unknownCommand = "unknown-command"
        case unsupportedFormatVersion = "unsupported-format-version"
        case bodyTooLarge = "body-too-large"
        case unsupportedMediaType = "unsupported-media-type"
        case invalidQuery = "invalid-query"
        case unknownTarget = "unknown-target"
        case commandNotAllowed = "command-not-allowed"
        case invalidArgument = "invalid-argument"
        case notFound = "not-found"
        case methodNotAllowed = "method-not-allowed"
        case metricsUnavailable = "metrics-unavailable"
        case auditUnavailable = "audit-unavailable"
        case tooManyStreams = "too-many-streams"
        case internalError = "internal-error"

        /// `urn:fusebox:problem:<kind>`.
        public var type: String { "urn:fusebox:problem:\(rawValue)" }

        /// The HTTP status the kind is answered with.
        public var status: HTTPResponse.Status {
            switch self {
            case .unauthorized, .tokenRequired: return .unauthorized
            case .readOnly, .commandsDisabled: return .forbidden
            case .rateLimited: return .tooManyRequests
            case .malformedJSON, .unknownCommand, .unsupportedFormatVersion, .invalidQuery: return .badRequest
            case .bodyTooLarge: return .contentTooLarge
            case .unsupportedMediaType: return .unsupportedMediaType
            case .unknownTarget, .notFound: return .notFound
            case .commandNotAllowed: return .conflict
            case .invalidArgument: return .unprocessableContent
            case .methodNotAllowed: return .methodNotAllowed
            case .metricsUnavailable: return .notFound
            case .auditUnavailable, .tooManyStreams: return .serviceUnavailable
            case .internalError: return .internalServerError
            }
        }

        /// The kind's `title`.
        public var title: String {
            switch self {
            case .unauthorized: return "Token rejected"
            case .tokenRequired: return "Token required"
            case .readOnly: return "Agent is read-only"
            case .commandsDisabled: return "Commands are disabled"
            case .rateLimited: return "Too many commands"
            case .malformedJSON: return "Malformed JSON"
            case .unknownCommand: return "Unknown command"
            case .unsupportedFormatVersion: return "Unsupported format version"
            case .bodyTooLarge: return "Body too large"
            case .unsupportedMediaType: return "Unsupported media type"
            case .invalidQuery: return "Invalid query"
            case .unknownTarget: return "Unknown target"
            case .commandNotAllowed: return "Command not allowed"
            case .invalidArgument: return "Invalid argument"
            case .notFound: return "Not found"
            case .methodNotAllowed: return "Method not allowed"
            case .metricsUnavailable: return "Metrics unavailable"
            case .auditUnavailable: return "Audit log unavailable"
            case .tooManyStreams: return "Too many event streams"
            case .internalError: return "Internal error"
            }
        }
    }

    /// The media type of a problem body.
    public static let mediaType = "application/problem+json"

    private enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, result
    }
}
