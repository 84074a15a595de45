import Fusebox
import FuseboxProtocol
import HTTPTypes
import Hummingbird
import NIOCore

extension FuseboxAgent {
    /// A header carrying the snapshot's time on 304s, so clients can date the copy they keep.
    static let takenAtHeader = HTTPField.Name("Fusebox-Taken-At")!

    /// `GET /fusebox/v1/snapshot[?events_after=SEQ]`, with `ETag` and `If-None-Match`.
    func snapshot(_ request: Request) async throws -> Response {
        try authorizeRead(request)
        let query = request.uri.queryParameters
        var eventsAfter: UInt64?
        if let text = query["events_after"] {
            guard let value = UInt64(text) else {
                throw Problem(
                    .invalidQuery, detail: "events_after must be an event sequence number (0 or more), got '\(text)'")
            }
            eventsAfter = value
        }
        let entry = await cache.current()
        let tag = cache.tag(entry, eventsAfter: eventsAfter)
        var headers = HTTPFields()
        headers[.eTag] = tag
        headers[.cacheControl] = "no-cache"
        headers[Self.takenAtHeader] = String(entry.snapshot.takenAtMilliseconds)
        if let match = request.headers[.ifNoneMatch], Self.matches(match, tag) {
            return Response(status: .notModified, headers: headers)
        }
        return Self.jsonResponse(try await cache.body(entry, eventsAfter: eventsAfter), headers: headers)
    }

    /// Whether an `If-None-Match` value names `tag` (weak comparison, as RFC 9110 asks for GET).
    static func matches(_ header: String, _ tag: String) -> Bool {
        let opaque = tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
        return header.split(separator: ",").contains { candidate in
            var candidate = Substring(candidate.drop { $0 == " " || $0 == "\t" })
            while candidate.last == " " || candidate.last == "\t" { candidate.removeLast() }
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            return candidate == opaque
        }
    }

    /// `GET /fusebox/v1/audit[?limit=N][&before=SEQ]`: newest first.
    func auditPage(_ request: Request) throws -> Response {
        try authorizeRead(request)
        let query = request.uri.queryParameters
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw Problem(.invalidQuery, detail: "limit must be a whole number from 1 to 1000, got '\(text)'")
            }
            limit = value
        }
        var before: UInt64?
        if let text = query["before"] {
            guard let value = UInt64(text) else {
                throw Problem(.invalidQuery, detail: "before must be an audit sequence number, got '\(text)'")
            }
            before = value
        }
        return Self.jsonResponse(try AgentJSON.encode(audit.page(limit: limit, before: before)))
    }

    /// `GET /metrics`: the Prometheus text exposition of the application's metrics registry.
    func metrics(_ request: Request) throws -> Response {
        try authorizeRead(request)
        guard let prometheus else {
            throw Problem(
                .metricsUnavailable,
                detail: "this service did not give the agent a Prometheus registry; bootstrap swift-metrics with "
                    + "FuseboxMetricsFactory and pass its registry to FuseboxAgent")
        }
        registry.publishGauges()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * 1024)
        prometheus.emit(into: &bytes)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// What `/healthz` reports.
    struct Health: Codable {
        var status: String
        var service: String
        var instance: String
        var commandsEnabled: Bool
        var readOnly: Bool
        var auditLog: String
    }

    /// `GET /healthz`: always answers without a token; `degraded` when the audit file cannot be written.
    func health() throws -> Response {
        let fileError = audit.fileError
        let auditLog: String
        if configuration.auditLogPath == nil {
            auditLog = "memory only"
        } else if let fileError {
            auditLog = "failing: \(fileError)"
        } else {
            auditLog = "ok"
        }
        let health = Health(
            status: fileError == nil ? "ok" : "degraded", service: registry.service, instance: registry.instance,
            commandsEnabled: configuration.commandsEnabled, readOnly: configuration.readOnly, auditLog: auditLog)
        return Self.jsonResponse(try AgentJSON.encode(health))
    }
}
