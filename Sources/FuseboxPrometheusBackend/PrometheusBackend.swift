import AsyncHTTPClient
import Foundation
public import FuseboxBackend
import FuseboxHTTP
public import FuseboxProtocol
import NIOCore
import Synchronization

/// A whole fleet read through a Prometheus server's HTTP API (`prometheus+http://host:9090`):
/// one snapshot per (`job`, `instance`) pair that exports Fusebox's `fusebox_*` metrics or
/// Resilience4j's Micrometer `resilience4j_*` metrics; `service` is the job.
///
/// A refresh runs the few instant queries of ``PrometheusQuery`` concurrently, each under one
/// deadline over head and body and a cap on the body. Read-only: it takes no commands. What the
/// metrics cannot say (windows, thresholds, probes, events, flags, SLOs) is `nil` or left out.
/// A target whose scrape fails (`up == 0`) keeps its last snapshot, with its old time, so the
/// console shows it stale rather than gone.
public final class PrometheusBackend: ResilienceBackend {
    public let description: String
    public var capabilities: BackendCapabilities {
        BackendCapabilities(
            commands: [], fields: [.retries, .fallbacks, .latencyPercentiles, .latencyHistogram, .limits],
            commandsUnavailableReason: Self.readOnlyReason)
    }

    /// The PromQL of the instant queries one refresh runs, concurrently.
    public static var queries: [String] { PrometheusQuery.allCases.map(\.promql) }

    /// Why there are no commands.
    static let readOnlyReason =
        "Prometheus is read-only: point --source at an agent (http://host:port) to send commands"
    /// The default cap on one query's answer (200 instances of 20 dependencies take about 10 MB).
    public static let defaultMaxAnswerBytes = 64 * 1024 * 1024

    private let endpoint: PrometheusEndpoint
    private let requestTimeout: TimeAmount
    private let maxAnswerBytes: Int
    private let client: HTTPClient
    /// The last snapshot of every target seen, for targets that go down.
    private let lastSeen = Mutex<[FleetAssembler.Target: Snapshot]>([:])
    /// The last refresh's fleet and the scrape times it was read at.
    private let lastRefresh = Mutex<(scraped: [FleetAssembler.Target: Int64], fleet: [Snapshot])?>(nil)

    /// - Parameters:
    ///   - specification: `prometheus+http://host:port[/prefix]` or `prometheus+https://...`.
    ///   - connectTimeout: how long to wait for a connection.
    ///   - requestTimeout: how long one query may take, its body included (Prometheus is told too).
    ///   - maxAnswerBytes: the largest answer read for one query; a larger one is an error.
    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) for an address that cannot be used.
    public init(
        specification: String, connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5),
        maxAnswerBytes: Int = defaultMaxAnswerBytes
    ) throws(BackendError) {
        self.maxAnswerBytes = maxAnswerBytes
        endpoint = try PrometheusEndpoint(parsing: specification)
        description = PrometheusEndpoint.redacted(specification)
        self.requestTimeout = TimeAmount(requestTimeout)
        client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .source(connectTimeout: connectTimeout, requestTimeout: requestTimeout))
    }

    deinit {
        // Not awaited: the pool closes its connections in the background.
        client.shutdown { _ in }
    }

    public func poll() async throws(BackendError) -> [Snapshot] {
        // When each target was scraped. Nothing new since the last refresh: the same fleet, at the
        // cost of one small query (a console polls every second; fleets are scraped every 10-60 s).
        // A Prometheus that cannot answer it just gets the whole refresh every time.
        let scraped = Self.scrapeTimes((try? await run(.scraped)) ?? [])
        if !scraped.isEmpty, let last = lastRefresh.withLock({ $0 }), last.scraped == scraped {
            return last.fleet
        }
        // `async let`, not a task group returning (query, result) pairs: built with -O (Swift 6.1),
        // the group handed back corrupted enum keys under load.
        async let states = outcome(.states)
        async let values = outcome(.values)
        async let latency = outcome(.latency)
        async let down = outcome(.down)
        // The first query's error in their fixed order, so a broken server gives one message.
        let answers = try await [states, values, latency, down].map { result throws(BackendError) in try result.get() }
        let fresh = FleetAssembler.snapshots(states: answers[0], values: answers[1], latency: answers[2])
        let downTargets = Set(answers[3].compactMap { FleetAssembler.Target($0.labels) })
        let fleet = lastSeen.withLock { lastSeen in
            var kept = fresh
            for target in downTargets where kept[target] == nil {
                if let last = lastSeen[target] { kept[target] = last }
            }
            lastSeen = kept
            return kept
        }
        // Dated by the scrape, not by the query: rates are counters' changes over the time between scrapes.
        let snapshots = fleet.sorted { $0.key < $1.key }.map { target, snapshot in
            var dated = snapshot
            if let at = scraped[target] { dated.takenAtMilliseconds = at }
            return dated
        }
        lastRefresh.withLock { $0 = (scraped, snapshots) }
        return snapshots
    }

    /// Each target's latest scrape, in milliseconds, from `timestamp()`'s seconds.
    static func scrapeTimes(_ samples: [VectorSample]) -> [FleetAssembler.Target: Int64] {
        var times: [FleetAssembler.Target: Int64] = [:]
        for sample in samples where sample.value.isFinite && abs(sample.value) < 1e11 {
            guard let target = FleetAssembler.Target(sample.labels) else { continue }
            times[target] = Int64((sample.value * 1000).rounded())
        }
        return times
    }

    public func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        throw BackendError(.unsupportedCommand, Self.readOnlyReason)
    }

    /// The samples `query` returns, or why not.
    private func outcome(_ query: PrometheusQuery) async -> Result<[VectorSample], BackendError> {
        do throws(BackendError) {
            return .success(try await run(query))
        } catch {
            return .failure(error)
        }
    }

    /// The samples `query` returns.
    private func run(_ query: PrometheusQuery) async throws(BackendError) -> [VectorSample] {
        let seconds = max(1, Int(requestTimeout.nanoseconds / 1_000_000_000))
        var request = HTTPClientRequest(url: endpoint.queryURL(query.promql, timeoutSeconds: seconds))
        request.headers.add(name: "Accept", value: "application/json")
        let (status, contentType, body) = try await execute(request, doing: query)
        return try Self.samples(
            status: status, contentType: contentType, body: body, of: query, from: endpoint.authority)
    }

    /// The samples of one answer, or the one-line error it amounts to.
    static func samples(status: UInt, contentType: String?, body: Data, of query: PrometheusQuery, from server: String)
        throws(BackendError) -> [VectorSample]
    {
        let doing = "\(server) could not give \(query.purpose)"
        let isJSON = contentType.map { $0.lowercased().contains("json") } ?? true
        switch status {
        case 401:
            throw BackendError(
                .unauthorized, "\(server) asks for credentials, which fusebox does not send: reach it without them")
        case 403:
            throw BackendError(.forbidden, "\(server) refused to answer queries (HTTP 403)")
        case 404:
            throw BackendError(
                .notASource, "\(server) has no /api/v1/query (HTTP 404): is it Prometheus? check the port and path")
        case 429:
            throw BackendError(.throttled, "\(server) is busy (HTTP 429); fusebox will try again")
        default:
            break
        }
        guard isJSON else {
            throw BackendError(
                status >= 500 ? .serverError : .notASource,
                "\(server) answered HTTP \(status) with \(PrometheusResponse.oneLine(contentType ?? "", limit: 40)), "
                    + "not JSON: is it Prometheus? check the port and path")
        }
        let samples: [VectorSample]
        do throws(PrometheusAnswerError) {
            samples = try PrometheusResponse.samples(from: body)
        } catch {
            throw Self.backendError(error, status: status, doing: doing)
        }
        guard status == 200 else { throw BackendError(.serverError, "\(doing): HTTP \(status)") }
        return samples
    }

    private static func backendError(_ error: PrometheusAnswerError, status: UInt, doing: String) -> BackendError {
        switch error {
        case .refused(let type, let message):
            switch type {
            case "timeout", "canceled":
                return BackendError(.timedOut, "\(doing) in time (\(type)): \(message)")
            case "bad_data":
                return BackendError(
                    .notASource, "\(doing): it refused the query (\(message)); fusebox needs Prometheus 2.x or newer")
            default:
                return BackendError(.serverError, "\(doing) (\(type)): \(message)")
            }
        case .notAVector(let type):
            return BackendError(
                .notASource, "\(doing): it answered a \(type), not an instant vector: is it Prometheus?")
        case .malformed(let why):
            return BackendError(
                status >= 500 ? .serverError : .malformedResponse,
                "\(doing): its answer (HTTP \(status)) cannot be read (\(why))")
        }
    }

    // MARK: - HTTP

    private func execute(_ request: HTTPClientRequest, doing query: PrometheusQuery) async throws(BackendError) -> (
        UInt, String?, Data
    ) {
        do {
            let answer = try await DeadlineExchange.send(
                request, with: client, timeout: requestTimeout, limit: maxAnswerBytes)
            return (answer.status, answer.contentType, Data(answer.body.readableBytesView))
        } catch {
            throw transportError(error, doing: query)
        }
    }

    private func transportError(_ error: any Error, doing query: PrometheusQuery) -> BackendError {
        let server = endpoint.authority
        switch TransportFailure(error) {
        case .connectTimeout:
            return BackendError(
                .unreachable, "cannot connect to Prometheus at \(server) (is it running, and is this its port?)")
        case .timedOut:
            return BackendError(
                .timedOut,
                "\(server) did not give \(query.purpose) within \(timeout)s (a slow or overloaded Prometheus)")
        case .closed:
            return BackendError(.unreachable, "\(server) closed the connection while giving \(query.purpose)")
        case .tooLarge:
            return BackendError(
                .malformedResponse,
                "\(server) sent more than \(maxAnswerBytes / 1024) KiB for \(query.purpose): "
                    + "is the fleet that large? point fusebox at a smaller Prometheus or federation")
        case .refused:
            return BackendError(
                .unreachable, "cannot reach Prometheus at \(server): connection refused (is it running?)")
        case .notTLS, .tls:
            return BackendError(
                .unreachable, "TLS with \(server) failed: is it prometheus+http:// rather than https://?")
        case .other(let text):
            return BackendError(.unreachable, "cannot reach Prometheus at \(server): \(text)")
        }
    }

    private var timeout: String { requestTimeout.secondsText }
}
