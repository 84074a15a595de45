import AsyncHTTPClient
import Foundation
import FuseboxBackend
import FuseboxHTTP
import NIOCore
import NIOHTTP1

/// One answer from the actuator, read whole.
struct Answer: Sendable {
    var status: UInt
    var contentType: String?
    var body: Data
}

extension Resilience4jBackend {
    /// `GET path`, as a result so that concurrent reads can fail one by one.
    func get(_ path: ActuatorPath) async -> Result<Answer, BackendError> {
        var request = HTTPClientRequest(url: endpoint.url(path.rawValue))
        request.headers.add(name: "Accept", value: "application/json")
        do throws(BackendError) {
            return .success(try await execute(request, path: path.rawValue))
        } catch {
            return .failure(error)
        }
    }

    /// Sends `request` and reads the answer, head and body under one deadline.
    func execute(_ request: HTTPClientRequest, path: String) async throws(BackendError) -> Answer {
        do {
            let answer = try await DeadlineExchange.send(
                request, with: client, timeout: requestTimeout, limit: Self.maxBodyBytes)
            return Answer(
                status: answer.status, contentType: answer.contentType, body: Data(answer.body.readableBytesView))
        } catch {
            throw transportError(error, path: path)
        }
    }

    private func transportError(_ error: any Error, path: String) -> BackendError {
        let shown = endpoint.shown(path)
        switch TransportFailure(error) {
        case .connectTimeout:
            return BackendError(
                .unreachable, "cannot connect to \(endpoint.authority) (is the service running, and is this its port?)")
        case .timedOut:
            return BackendError(.timedOut, "\(shown) did not answer within \(requestTimeout.secondsText)s")
        case .closed:
            return BackendError(.unreachable, "\(shown): \(endpoint.authority) closed the connection")
        case .tooLarge:
            return BackendError(.malformedResponse, "\(shown) sent more than this fusebox reads in one answer (8 MiB)")
        case .refused:
            return BackendError(
                .unreachable, "cannot reach \(endpoint.authority): connection refused (is the service running?)")
        case .notTLS, .tls:
            return BackendError(
                .unreachable,
                "TLS with \(endpoint.authority) failed: is it http rather than https, or its certificate untrusted?")
        case .other(let text):
            return BackendError(.unreachable, "cannot reach \(shown): \(Printable.clipped(text, to: 120))")
        }
    }

    /// The error for an unexpected status.
    func failure(_ answer: Answer, path: String, doing: String) -> BackendError {
        let shown = endpoint.shown(path)
        let status = answer.status
        switch status {
        case 300...399:
            return BackendError(
                .notASource,
                "\(shown) answered HTTP \(status), a redirect, which fusebox does not follow: give the actuator's own address"
            )
        case 401:
            return BackendError(
                .unauthorized,
                doing == "read its circuit breakers"
                    ? "\(shown) requires a login (HTTP 401); fusebox reads actuators without one: allow anonymous "
                        + "reads of the actuator (a management port)"
                    : "\(shown) refused to \(doing) without valid credentials (HTTP 401): check --token-file or FUSEBOX_TOKEN"
            )
        case 403:
            return BackendError(.forbidden, "\(shown) refused to \(doing) (HTTP 403)")
        case 404:
            return BackendError(
                .notASource,
                "\(shown) answered HTTP 404: is this a Spring Boot actuator with Resilience4j, and is the endpoint "
                    + "exposed (management.endpoints.web.exposure.include)?")
        case 429, 503:
            return BackendError(.throttled, "\(shown) answered HTTP \(status) (busy)")
        case 500...599:
            return BackendError(.serverError, "\(shown) failed (HTTP \(status)); see the service's log")
        default:
            return BackendError(.notASource, "\(shown) answered HTTP \(status) when asked to \(doing)")
        }
    }
}
