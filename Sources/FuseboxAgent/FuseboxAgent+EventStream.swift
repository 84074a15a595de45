import FuseboxProtocol
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

extension FuseboxAgent {
    /// `GET /fusebox/v1/events`: server-sent events, one per registry event (transitions,
    /// commands, flag changes, fallback bursts), each with its sequence as the SSE `id`.
    ///
    /// A client resumes with `Last-Event-ID` (or `?after=SEQ`); without either the stream starts
    /// with new events only. Events the ring dropped before the client read them are announced
    /// with a `gap` event; a resume id from an earlier process of the service (beyond the newest
    /// event) gets a `reset` event and every event still kept. A comment line keeps idle connections open; the stream ends when the
    /// client goes away or the server shuts down gracefully.
    func eventStream(_ request: Request) throws -> Response {
        try authorizeRead(request)
        let resumeText =
            request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.uri.queryParameters["after"].map(String.init)
        let newest = registry.events.lastSequence
        var resume: UInt64?
        if let resumeText {
            guard let value = UInt64(resumeText) else {
                throw Problem(
                    .invalidQuery, detail: "the event id to resume after must be a number, got '\(resumeText)'")
            }
            resume = value
        }
        // An id beyond the newest event was given by an earlier process: start this one's from the top.
        let slot = try StreamSlot(agent: self)
        let restarted = resume.map { $0 > newest } ?? false
        let start = restarted ? 0 : (resume ?? newest)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let events = registry.events
        let interval = configuration.eventStreamInterval
        let keepAlive = configuration.eventStreamKeepAlive
        let body = ResponseBody { writer in
            // Held for as long as the stream is: freed when the body is done or dropped unsent.
            _ = slot
            var last = start
            var quiet = Duration.zero
            try await writer.write(ByteBuffer(string: ": fusebox events from \(start + 1)\nretry: 2000\n\n"))
            if restarted {
                try await writer.write(ByteBuffer(string: "event: reset\ndata: {\"lastEventSequence\":\(newest)}\n\n"))
            }
            let stopping = Atomic(false)
            try await withGracefulShutdownHandler {
                while !Task.isCancelled, !stopping.load(ordering: .relaxed) {
                    let fresh = events.recent(after: last)
                    if let first = fresh.first, first.sequence > last + 1, last > 0 {
                        try await writer.write(
                            ByteBuffer(
                                string: "event: gap\ndata: {\"missed\":\(first.sequence - last - 1)}\n\n"))
                    }
                    for event in fresh {
                        var frame = ByteBuffer(string: "id: \(event.sequence)\nevent: \(event.kind.rawValue)\ndata: ")
                        frame.writeImmutableBuffer(try AgentJSON.encode(event))
                        frame.writeString("\n\n")
                        try await writer.write(frame)
                        last = event.sequence
                    }
                    if fresh.isEmpty {
                        quiet += interval
                        if quiet >= keepAlive {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            quiet = .zero
                        }
                    } else {
                        quiet = .zero
                    }
                    try await Task.sleep(for: interval)
                }
            } onGracefulShutdown: {
                stopping.store(true, ordering: .relaxed)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// One of the agent's event-stream places, given back when the last reference goes.
private final class StreamSlot: Sendable {
    let agent: FuseboxAgent

    init(agent: FuseboxAgent) throws(Problem) {
        let limit = agent.configuration.maxEventStreams
        guard agent.openStreams.wrappingAdd(1, ordering: .relaxed).newValue <= limit else {
            agent.openStreams.wrappingSubtract(1, ordering: .relaxed)
            throw Problem(
                .tooManyStreams,
                detail: "this agent serves at most \(limit) event streams at once; poll "
                    + "/fusebox/v1/snapshot with events_after instead, or try again later",
                retryAfterSeconds: 10)
        }
        self.agent = agent
    }

    deinit { agent.openStreams.wrappingSubtract(1, ordering: .relaxed) }
}
