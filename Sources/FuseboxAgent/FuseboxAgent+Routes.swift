import Fusebox
import HTTPTypes
public import Hummingbird
import NIOCore

/// Which of the agent's routes to mount.
public struct AgentRoutes: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `/fusebox/v1/...`: snapshot, commands, events and audit.
    public static let api = AgentRoutes(rawValue: 1 << 0)
    /// `GET /metrics`.
    public static let metrics = AgentRoutes(rawValue: 1 << 1)
    /// `GET /healthz`.
    public static let health = AgentRoutes(rawValue: 1 << 2)
    /// Every route: what the standalone ``AgentServer`` serves.
    public static let all: AgentRoutes = [.api, .metrics, .health]
}

extension FuseboxAgent {
    /// Adds the agent's routes (see ``Path``) to `router`.
    ///
    /// A service that already answers `/metrics` or `/healthz` leaves those out (`including: .api`),
    /// since Hummingbird refuses a second handler for a path: its own `/metrics` shows the runtime's
    /// metrics anyway when it renders the registry given to ``FuseboxMetricsFactory``.
    ///
    /// If the router's context conforms to `RemoteAddressRequestContext`, the audit trail and the
    /// rate limiter know each client's address; otherwise all clients share one allowance.
    public func addRoutes<Context: RequestContext>(
        to router: some RouterMethods<Context>, including routes: AgentRoutes = .all
    ) {
        if routes.contains(.metrics) {
            router.get(RouterPath(Path.metrics)) { request, context in
                await self.respond(request) { try self.metrics(request) }
            }
        }
        if routes.contains(.health) {
            router.get(RouterPath(Path.health)) { request, context in
                await self.respond(request) { try self.health() }
            }
            // Load balancers often check health with HEAD: the same status and headers, no body.
            router.head(RouterPath(Path.health)) { request, context in
                Self.headers(of: await self.respond(request) { try self.health() })
            }
        }
        guard routes.contains(.api) else { return }
        router.get(RouterPath(Path.snapshot)) { request, context in
            await self.respond(request) { try await self.snapshot(request) }
        }
        router.head(RouterPath(Path.snapshot)) { request, context in
            Self.headers(of: await self.respond(request) { try await self.snapshot(request) })
        }
        router.post(RouterPath(Path.commands)) { request, context in
            await self.respond(request) { try await self.command(request, from: Self.remoteAddress(of: context)) }
        }
        router.get(RouterPath(Path.events)) { request, context in
            await self.respond(request) { try self.eventStream(request) }
        }
        router.get(RouterPath(Path.audit)) { request, context in
            await self.respond(request) { try self.auditPage(request) }
        }
        // Known paths with another common method, and unknown GETs under /fusebox, answer in problem+json too.
        for (path, allowed) in [
            (Path.snapshot, "GET"), (Path.commands, "POST"), (Path.events, "GET"), (Path.audit, "GET"),
        ] {
            for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where method.rawValue != allowed {
                router.on(RouterPath(path), method: method) { request, _ in
                    var response = Self.problemResponse(
                        Problem(
                            .methodNotAllowed, detail: "\(path) accepts \(allowed) only", instance: request.uri.path))
                    response.headers[.allow] = allowed
                    return response
                }
            }
        }
        router.get("/fusebox/**") { request, _ in
            Self.problemResponse(
                Problem(
                    .notFound,
                    detail: "no such endpoint; this agent serves \(Path.snapshot), \(Path.commands), "
                        + "\(Path.events) and \(Path.audit)",
                    instance: request.uri.path))
        }
    }

    /// Runs `handler`, turning a thrown ``Problem`` (or anything else) into a problem response.
    func respond(_ request: Request, _ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch var problem as Problem {
            problem.instance = problem.instance ?? request.uri.path
            return Self.problemResponse(problem)
        } catch {
            logger.error(
                "agent request failed", metadata: ["path": "\(request.uri.path.logSafe)", "error": "\(error)"])
            return Self.problemResponse(
                Problem(
                    .internalError, detail: "the agent could not answer; see the service's log",
                    instance: request.uri.path))
        }
    }

    static func problemResponse(_ problem: Problem) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = Problem.mediaType
        headers[.cacheControl] = "no-store"
        if let seconds = problem.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        if problem.status == 401 {
            // RFC 6750: a token that was sent and refused is `invalid_token`.
            let invalid = problem.type == Problem.Kind.unauthorized.type ? ", error=\"invalid_token\"" : ""
            headers[.wwwAuthenticate] = "Bearer realm=\"fusebox\"" + invalid
        }
        let body = (try? AgentJSON.encode(problem)) ?? ByteBuffer(string: "{}")
        return Response(
            status: HTTPResponse.Status(code: problem.status), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// `response` without its body, for HEAD.
    static func headers(of response: Response) -> Response {
        Response(status: response.status, headers: response.headers)
    }

    static func remoteAddress(of context: some RequestContext) -> String? {
        guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return nil }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return address.pathname ?? "\(address)"
    }

    static func jsonResponse(_ body: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.cacheControl] = headers[.cacheControl] ?? "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
