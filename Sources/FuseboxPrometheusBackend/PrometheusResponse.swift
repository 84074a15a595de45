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
        let parsed = body.withUnsafeBytes { bytes in
            Result { () throws(VectorAnswerParser.Failure) in try VectorAnswerParser.parse(bytes) }
        }
        let answer: VectorAnswerParser.Answer
        switch parsed {
        case .success(let read): answer = read
        case .failure(let failure):
            throw .malformed(failure.path.isEmpty ? "not JSON" : "bad '\(oneLine(failure.path, limit: 60))'")
        }
        guard let status = answer.status else { throw .malformed("missing 'status'") }
        switch status {
        case "success":
            guard answer.sawData else { throw .malformed("a success without 'data'") }
            guard let resultType = answer.resultType else { throw .malformed("missing 'data.resultType'") }
            guard resultType == "vector" else { throw .notAVector(oneLine(resultType, limit: 20)) }
            guard let result = answer.result else { throw .malformed("a vector without 'result'") }
            return result
        case "error":
            throw .refused(
                type: Self.oneLine(answer.errorType ?? "unknown", limit: 40),
                message: Self.oneLine(answer.error ?? "no reason given", limit: 200))
        default:
            throw .malformed("status '\(Self.oneLine(status, limit: 20))'")
        }
    }

    /// `text` on one line, control characters replaced, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let cleaned = String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
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
