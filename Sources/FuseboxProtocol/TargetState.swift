/// The state of what a command or event is about: a breaker's state or a flag's value.
///
/// Encoded as `{"breaker": "open"}` or `{"flag": {"kind": "boolean", "value": true}}`.
public enum TargetState: Codable, Sendable, Hashable, CustomStringConvertible {
    case breaker(BreakerState)
    case flag(FlagValue)

    /// `forced-open`, `on`, `25.0%`.
    public var description: String {
        switch self {
        case .breaker(let state): return state.rawValue
        case .flag(let value): return value.description
        }
    }

    private enum CodingKeys: String, CodingKey { case breaker, flag }

    public init(from decoder: any Decoder) throws {
        // Early builds wrote a bare string ("forced-open", "on", "25.0%", "read-only").
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard let state = TargetState(legacy: text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "unknown target state '\(text)'"))
            }
            self = state
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let state = try c.decodeIfPresent(BreakerState.self, forKey: .breaker) {
            self = .breaker(state)
        } else if let value = try c.decodeIfPresent(FlagValue.self, forKey: .flag) {
            self = .flag(value)
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a target state needs 'breaker' or 'flag'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .breaker(let state): try c.encode(state, forKey: .breaker)
        case .flag(let value): try c.encode(value, forKey: .flag)
        }
    }

    /// A state as early builds wrote it: a breaker state's name, or a flag value's description.
    init?(legacy text: String) {
        if let state = BreakerState(rawValue: text) {
            self = .breaker(state)
        } else if let level = DegradationLevel(rawValue: text) {
            self = .flag(.degradation(level))
        } else if text == "on" || text == "off" {
            self = .flag(.boolean(text == "on"))
        } else if text.hasSuffix("%"), let percentage = Double(text.dropLast()) {
            self = .flag(.percentage(percentage))
        } else {
            return nil
        }
    }
}
