import AsyncHTTPClient
public import NIOCore

/// What went wrong below HTTP, read from the client's errors, so each source words it for its own
/// users (an agent, a Prometheus server, an actuator) without each reading the errors again.
public enum TransportFailure: Sendable, Equatable {
    /// The pool retried a refused connection until the connect time-out: nothing listens there.
    case connectTimeout
    /// No whole answer within the deadline.
    case timedOut
    /// The server closed the connection mid-answer.
    case closed
    /// The body was larger than the limit asked for.
    case tooLarge
    /// The connection was refused.
    case refused
    /// The server does not speak TLS on this port (plain HTTP answered a TLS hello).
    case notTLS
    /// TLS failed: a certificate for another host name (`wrongHost`), or one not trusted.
    case tls(wrongHost: Bool)
    /// Anything else, as the error describes itself (one line, at most 160 characters).
    case other(String)

    /// The failure `error` stands for.
    public init(_ error: any Error) {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                self = .connectTimeout
                return
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                self = .timedOut
                return
            case .remoteConnectionClosed:
                self = .closed
                return
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            self = .tooLarge
            return
        }
        let text = String(describing: error)
        if text.contains("WRONG_VERSION_NUMBER") {
            self = .notTLS
        } else if text.contains("refused") || text.contains("ECONNREFUSED") {
            self = .refused
        } else if text.contains("SSL") || text.contains("TLS") || text.contains("handshake")
            || text.contains("certificate")
        {
            self = .tls(wrongHost: text.lowercased().contains("hostname") || text.contains("SubjectAlternativeName"))
        } else {
            self = .other(Self.oneLine(text, limit: 160))
        }
    }

    /// `text` on one line, control characters replaced, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let cleaned = String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}

extension TimeAmount {
    /// Seconds as a person writes them: `5`, `0.5`.
    public var secondsText: String {
        let value = Double(nanoseconds) / 1e9
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
