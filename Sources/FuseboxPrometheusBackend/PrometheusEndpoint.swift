import FuseboxBackend

/// Where Prometheus listens, from `prometheus+http://host:9090[/prefix]` or `prometheus+https://...`.
struct PrometheusEndpoint: Sendable, Hashable {
    /// The scheme prefix every specification starts with.
    static let prefix = "prometheus+"

    /// `127.0.0.1:9090`, as messages name the server.
    let authority: String
    /// `http://host:port/prefix`: everything before `/api/v1/...`.
    let base: String

    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) saying what is wrong with the address.
    init(parsing specification: String) throws(BackendError) {
        let shown = Self.redacted(specification)
        guard specification.lowercased().hasPrefix(Self.prefix), let separator = specification.range(of: "://") else {
            throw BackendError(
                .invalidSource, "'\(shown)' is not a Prometheus address; write prometheus+http://host:9090")
        }
        let scheme = specification[
            specification.index(specification.startIndex, offsetBy: Self.prefix.count)..<separator.lowerBound
        ]
        .lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw BackendError(.invalidSource, "'\(shown)': write prometheus+http:// or prometheus+https://")
        }
        let rest = specification[separator.upperBound...]
        guard !rest.contains("@") else {
            throw BackendError(
                .invalidSource, "'\(shown)': do not put credentials in the address; Prometheus is read without them")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = rest.dropFirst(authority.count)
        guard !path.contains("?"), !path.contains("#") else {
            throw BackendError(
                .invalidSource, "'\(shown)': leave out the query and fragment; give prometheus+http://host:port")
        }
        while path.hasSuffix("/") { path.removeLast() }
        let host = authority.hasPrefix("[") ? authority.prefix { $0 != "]" } : authority.prefix { $0 != ":" }
        guard !host.isEmpty, !(authority.hasPrefix("[") && !authority.contains("]")) else {
            throw BackendError(.invalidSource, "'\(shown)' names no host; write prometheus+http://host:9090")
        }
        if !authority.hasPrefix("[") && authority.filter({ $0 == ":" }).count > 1 {
            throw BackendError(
                .invalidSource, "'\(shown)': an IPv6 address goes in brackets, as prometheus+http://[::1]:9090")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                throw BackendError(.invalidSource, "'\(shown)': the port must be a number from 1 to 65535")
            }
        }
        guard path.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw BackendError(.invalidSource, "'\(shown)': the path may hold only printable ASCII")
        }
        self.authority = String(authority)
        base = "\(scheme)://\(authority)\(path)"
    }

    /// The URL of an instant query for `promql`.
    func queryURL(_ promql: String, timeoutSeconds: Int) -> String {
        base + "/api/v1/query?query=" + Self.percentEncoded(promql) + "&timeout=\(timeoutSeconds)s"
    }

    /// `text` with everything but unreserved characters percent-encoded (RFC 3986).
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return encoded
    }

    /// `specification` with any user information replaced by `***` and any query or fragment by `…`.
    static func redacted(_ specification: String) -> String { SourceAddress.redacted(specification) }
}
