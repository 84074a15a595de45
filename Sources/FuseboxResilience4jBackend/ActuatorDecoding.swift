import Foundation

/// Decodes the actuator's answers; every failure is a short reason, never a trap.
enum ActuatorDecoding {
    /// The value in `data`, or why it cannot be read (`not JSON`, `bad 'circuitBreakers.a.bufferedCalls'`).
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) -> Result<Value, DecodingProblem> {
        do {
            return .success(try JSONDecoder().decode(type, from: data))
        } catch let error as DecodingError {
            return .failure(DecodingProblem(summary: summary(error)))
        } catch {
            return .failure(DecodingProblem(summary: "not JSON"))
        }
    }

    /// Why an answer could not be decoded, in a few words.
    struct DecodingProblem: Error, Hashable {
        var summary: String
    }

    private static func summary(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "bad '\(path(context.codingPath))'"
        @unknown default:
            return "unreadable"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        Printable.clipped(keys.map(\.stringValue).joined(separator: "."), to: 80)
    }
}

/// Text from the actuator made safe for a one-line message.
enum Printable {
    /// `text` with control characters shown as `?` and cut to `limit` characters.
    static func clipped(_ text: String, to limit: Int = 60) -> String {
        let clean = String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(limit + 1).map {
                    $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" ? "?" : $0
                }))
        return clean.unicodeScalars.count > limit ? String(clean.prefix(limit)) + "…" : clean
    }
}
