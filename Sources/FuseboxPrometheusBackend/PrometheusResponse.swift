import Foundation

/// One series of an instant vector: its labels (`__name__` included while PromQL keeps it) and
/// its sample.
struct VectorSample: Sendable, Hashable {
    var labels: [String: String]
    /// The evaluation time, in milliseconds since the Unix epoch.
    var timestampMilliseconds: Int64
    /// The value; `NaN` and `±Inf` are kept as such.
    var value: Double
}

/// Why an answer from `/api/v1/query` could not be used, before it is put in a ``BackendError``.
enum PrometheusAnswerError: Error, Equatable {
    /// Not JSON, or JSON of another shape (the message says which part).
    case malformed(String)
    /// `"status":"error"`: Prometheus's `errorType` and `error`.
    case refused(type: String, message: String)
    /// A result type other than an instant vector.
    case notAVector(String)
}

/// The body of a Prometheus `/api/v1/query` answer.
///
/// ```json
/// {"status":"success","data":{"resultType":"vector","result":[
///   {"metric":{"__name__":"up","job":"checkout","instance":"10.0.0.1:9901"},"value":[1700000000.5,"1"]}]}}
/// {"status":"error","errorType":"bad_data","error":"1:5: parse error: ..."}
/// ```
enum PrometheusResponse {
    /// The samples of an instant-vector answer.
    /// - Throws: ``PrometheusAnswerError``; never traps, whatever the bytes.
    static func samples(from body: Data) throws(PrometheusAnswerError) -> [VectorSample] {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch {
            throw .malformed(Self.summary(error))
        }
        switch envelope.status {
        case "success":
            guard let data = envelope.data else { throw .malformed("a success without 'data'") }
            guard data.resultType == "vector" else { throw .notAVector(data.resultType) }
            guard let result = data.result else { throw .malformed("a vector without 'result'") }
            return result.map {
                VectorSample(labels: $0.metric, timestampMilliseconds: $0.value.ms, value: $0.value.value)
            }
        case "error":
            throw .refused(
                type: Self.oneLine(envelope.errorType ?? "unknown", limit: 40),
                message: Self.oneLine(envelope.error ?? "no reason given", limit: 200))
        default:
            throw .malformed("status '\(Self.oneLine(envelope.status, limit: 20))'")
        }
    }

    /// `text` on one line, control characters replaced, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let cleaned = String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }

    private static func summary(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "bad '\(oneLine(path, limit: 60))'"
        @unknown default:
            return "not JSON"
        }
    }

    private struct Envelope: Decodable {
        var status: String
        var data: Payload?
        var errorType: String?
        var error: String?
    }

    private struct Payload: Decodable {
        var resultType: String
        var result: [Series]?
    }

    private struct Series: Decodable {
        var metric: [String: String]
        var value: Pair
    }

    /// `[<unix seconds as a number>, "<value as a string>"]`.
    private struct Pair: Decodable {
        var ms: Int64
        var value: Double

        init(from decoder: any Decoder) throws {
            var pair = try decoder.unkeyedContainer()
            let seconds = try pair.decode(Double.self)
            let text = try pair.decode(String.self)
            guard seconds.isFinite, abs(seconds) < 1e11 else {
                throw DecodingError.dataCorruptedError(in: pair, debugDescription: "timestamp out of range")
            }
            guard let value = PrometheusResponse.number(text) else {
                throw DecodingError.dataCorruptedError(in: pair, debugDescription: "not a number")
            }
            ms = Int64((seconds * 1000).rounded())
            self.value = value
        }
    }

    /// A sample value as Prometheus writes it: a decimal, `NaN`, `+Inf` or `-Inf`.
    static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard !text.isEmpty, text.count <= 64 else { return nil }
            return Double(text)
        }
    }
}
