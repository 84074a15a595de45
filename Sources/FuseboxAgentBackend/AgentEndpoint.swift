import FuseboxBackend

/// Where an agent listens, parsed from `http://host:port[/prefix]` or `https://...`.
struct AgentEndpoint: Sendable, Hashable {
    /// `http` or `https`.
    let scheme: String
    /// `127.0.0.1:9901`, as people name the agent in messages.
    let authority: String
    /// Everything before `/fusebox/v1/...`: scheme, authority and any path prefix of a proxy.
    let base: String

    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) saying what is wrong with the address.
    init(parsing specification: String) throws(BackendError) {
        // Messages show the address without credentials, query or fragment: a token may be in them.
        let shown = Self.redacted(specification)
        guard let separator = specification.range(of: "://") else {
            throw BackendError(.invalidSource, "'\(shown)' is not an agent address; write http://host:port")
        }
        let scheme = specification[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw BackendError(.invalidSource, "'\(shown)' is not an http:// or https:// address")
        }
        let rest = specification[separator.upperBound...]
        // An `@` anywhere means credentials (a base64 token may hold `/`, which would otherwise end
        // the host early): refused before any lookup, so no part of a token reaches DNS.
        guard !rest.contains("@") else {
            throw BackendError(.invalidSource, "'\(shown)': do not put credentials in the address; use --token-file")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = rest.dropFirst(authority.count)
        guard !path.contains("?"), !path.contains("#") else {
            throw BackendError(
                .invalidSource, "'\(shown)': leave out the query and fragment; give http://host:port[/prefix]")
        }
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw BackendError(
                .invalidSource,
                authority.contains("@")
                    ? "'\(shown)': do not put credentials in the address; use --token-file"
                    : "'\(shown)' names no host; write http://host:port")
        }
        if authority.hasPrefix("[") != authority.contains("]")
            || (!authority.hasPrefix("[") && authority.filter { $0 == ":" }.count > 1)
        {
            throw BackendError(
                .invalidSource, "'\(shown)': an IPv6 address goes in brackets, as http://[::1]:9901")
        }
        let host = authority.hasPrefix("[") ? authority : authority.prefix { $0 != ":" }
        guard !host.isEmpty else {
            throw BackendError(.invalidSource, "'\(shown)' names no host; write http://host:port")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw BackendError(.invalidSource, "'\(shown)': the port must be a number from 1 to 65535")
            }
        }
        self.scheme = scheme
        self.authority = String(authority)
        self.base = "\(scheme)://\(authority)\(path)"
    }

    func url(_ path: String) -> String { base + path }

    /// `specification` with any user information replaced by `***` and any query or fragment by `…`.
    static func redacted(_ specification: String) -> String { SourceAddress.redacted(specification) }
}
