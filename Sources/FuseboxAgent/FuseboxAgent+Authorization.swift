import HTTPTypes
import Hummingbird

extension FuseboxAgent {
    /// What the request's `Authorization` header proves.
    enum Credential {
        case valid
        case missing
        case wrong
    }

    /// Checks the bearer token in constant time. Never logs or returns the header.
    func credential(of request: Request) -> Credential {
        guard let token = configuration.token, let header = request.headers[.authorization] else { return .missing }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else { return .wrong }
        return token.matches(header.dropFirst(scheme.count)) ? .valid : .wrong
    }

    /// Throws a 401 problem if reads need the token and the request lacks it.
    func authorizeRead(_ request: Request) throws(Problem) {
        guard configuration.readsRequireToken else { return }
        switch credential(of: request) {
        case .valid: return
        case .missing:
            throw Problem(.tokenRequired, detail: "this agent requires a bearer token for reads; pass --token-file")
        case .wrong:
            throw Problem(.unauthorized, detail: "the bearer token was rejected; check --token-file or FUSEBOX_TOKEN")
        }
    }
}
