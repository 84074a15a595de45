/// A source could not be read or steered: why, in one line a person can act on, with a stable code
/// that says whether trying again can help.
public struct BackendError: Error, Hashable, CustomStringConvertible {
    /// Stable codes; scripts and tests may match on ``rawValue``.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Nothing answered (connection refused, no route, DNS). Retryable.
        case unreachable
        /// The source did not answer in time. Retryable.
        case timedOut = "timed-out"
        /// The source answered with a server error (HTTP 5xx). Retryable.
        case serverError = "server-error"
        /// The answer could not be read (truncated, not JSON, wrong shape). Retryable: a proxy's
        /// error page or a restart in progress often looks like this.
        case malformedResponse = "malformed-response"
        /// The source is busy or asked us to slow down (HTTP 429). Retryable.
        case throttled
        /// The credentials are missing or wrong (HTTP 401). Fatal until the token is fixed.
        case unauthorized
        /// The credentials are valid but not allowed this (HTTP 403). Fatal.
        case forbidden
        /// The source speaks a format version this build cannot read. Fatal.
        case unsupportedVersion = "unsupported-version"
        /// What answered is not a source of this kind (a web page, another service). Fatal.
        case notASource = "not-a-source"
        /// The source does not accept this command (read-only sources, unknown instance). Fatal.
        case unsupportedCommand = "unsupported-command"
        /// The source specification cannot be used (unknown scheme, bad address, unknown scenario). Fatal.
        case invalidSource = "invalid-source"
        /// The backend has stopped and will not answer again. Fatal.
        case stopped

        /// Whether trying again later can succeed without anyone changing anything.
        public var isRetryable: Bool {
            switch self {
            case .unreachable, .timedOut, .serverError, .malformedResponse, .throttled: return true
            case .unauthorized, .forbidden, .unsupportedVersion, .notASource, .unsupportedCommand, .invalidSource,
                .stopped:
                return false
            }
        }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// One line a person can act on; never contains a secret.
    public let message: String

    /// An error with `code` and a one-line `message` that says what to do (never a secret).
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether polling again later can help (see ``Code/isRetryable``).
    public var isRetryable: Bool { code.isRetryable }

    public var description: String { message }
}
