import FuseboxBackend

/// Where a Spring Boot actuator serves Resilience4j, parsed from
/// `resilience4j+http://host:port/actuator[#service]` or `resilience4j+https://...`.
struct ActuatorEndpoint: Sendable, Hashable {
    /// `http` or `https`.
    let scheme: String
    /// `10.0.0.5:8080`: the instance's name, and how messages name the actuator.
    let authority: String
    /// The actuator's base path without a trailing slash (`/actuator`), possibly empty.
    let path: String
    /// The fragment, or `authority` when there is none.
    let service: String

    /// The scheme prefix before `http://` or `https://`.
    static let prefix = "resilience4j+"

    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) saying what is wrong with the address.
    init(parsing specification: String) throws(BackendError) {
        let shown = Self.redacted(specification)
        guard specification.lowercased().hasPrefix(Self.prefix), let separator = specification.range(of: "://") else {
            throw BackendError(
                .invalidSource, "'\(shown)' is not a Resilience4j address; write resilience4j+http://host:port/actuator"
            )
        }
        let scheme = specification[
            specification.index(
                specification.startIndex, offsetBy: Self.prefix.count)..<separator
                .lowerBound
        ].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw BackendError(
                .invalidSource, "'\(shown)' is not a resilience4j+http:// or resilience4j+https:// address")
        }
        var rest = specification[separator.upperBound...]
        // An `@` anywhere means credentials (a password may hold `/` or `#`): refused before any lookup.
        guard !rest.contains("@") else {
            throw BackendError(
                .invalidSource, "'\(shown)': do not put credentials in the address; use --token-file for commands")
        }
        var service: String?
        if let hash = rest.firstIndex(of: "#") {
            let fragment = rest[rest.index(after: hash)...]
            guard !fragment.isEmpty, fragment.allSatisfy({ !$0.isWhitespace && !$0.isNewline && $0 != "#" }) else {
                throw BackendError(
                    .invalidSource,
                    "'\(shown)': the part after '#' names the service, as #checkout; leave it out or fill it")
            }
            service = String(fragment)
            rest = rest[..<hash]
        }
        guard !rest.contains("?") else {
            throw BackendError(
                .invalidSource, "'\(shown)': leave out the query; give resilience4j+http://host:port/actuator")
        }
        let authority = rest.prefix { $0 != "/" }
        var path = rest.dropFirst(authority.count)
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty else {
            throw BackendError(.invalidSource, "'\(shown)' names no host; write resilience4j+http://host:port/actuator")
        }
        if authority.hasPrefix("[") != authority.contains("]")
            || (!authority.hasPrefix("[") && authority.filter { $0 == ":" }.count > 1)
        {
            throw BackendError(
                .invalidSource,
                "'\(shown)': an IPv6 address goes in brackets, as resilience4j+http://[::1]:8080/actuator")
        }
        let host = authority.hasPrefix("[") ? authority : authority.prefix { $0 != ":" }
        guard !host.isEmpty, host.allSatisfy({ !$0.isWhitespace && !$0.isNewline }) else {
            throw BackendError(
                .invalidSource, "'\(shown)' names no usable host; write resilience4j+http://host:port/actuator")
        }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number) else {
                throw BackendError(.invalidSource, "'\(shown)': the port must be a number from 1 to 65535")
            }
        }
        guard path.allSatisfy({ !$0.isWhitespace && !$0.isNewline && $0 != "%" }) else {
            throw BackendError(.invalidSource, "'\(shown)': the actuator's path cannot hold spaces or escapes")
        }
        self.scheme = scheme
        self.authority = String(authority)
        self.path = String(path)
        self.service = service ?? String(authority)
    }

    /// The URL of `suffix` (`/circuitbreakers`) under the actuator.
    func url(_ suffix: String) -> String { "\(scheme)://\(authority)\(path)\(suffix)" }

    /// `10.0.0.5:8080/actuator/circuitbreakers`: how a message names one endpoint.
    func shown(_ suffix: String) -> String { "\(authority)\(path)\(suffix)" }

    /// `specification` with any user information replaced by `***` and any query or fragment by `…`.
    static func redacted(_ specification: String) -> String { SourceAddress.redacted(specification) }
}
