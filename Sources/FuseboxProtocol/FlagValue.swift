/// A service-wide degradation level that code can consult to shed optional work.
public enum DegradationLevel: String, Codable, Sendable, CaseIterable, Comparable {
    /// Everything runs.
    case normal
    /// Optional features are switched off.
    case reduced
    /// Writes are refused; reads are served.
    case readOnly = "read-only"

    private var rank: Int {
        switch self {
        case .normal: return 0
        case .reduced: return 1
        case .readOnly: return 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// The kind of a feature flag.
public enum FlagKind: String, Codable, Sendable, CaseIterable {
    /// On or off.
    case boolean
    /// On for a percentage of callers, sticky by a caller-supplied key.
    case percentage
    /// A ``DegradationLevel``.
    case degradation
}

/// The value of a feature flag.
public enum FlagValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case boolean(Bool)
    /// A percentage in 0...100.
    case percentage(Double)
    case degradation(DegradationLevel)

    /// The kind of flag that holds this value.
    public var kind: FlagKind {
        switch self {
        case .boolean: return .boolean
        case .percentage: return .percentage
        case .degradation: return .degradation
        }
    }

    public var description: String {
        switch self {
        case .boolean(let on): return on ? "on" : "off"
        case .percentage(let p): return "\(p)%"
        case .degradation(let level): return level.rawValue
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(FlagKind.self, forKey: .kind) {
        case .boolean: self = .boolean(try c.decode(Bool.self, forKey: .value))
        case .percentage: self = .percentage(try c.decode(Double.self, forKey: .value))
        case .degradation: self = .degradation(try c.decode(DegradationLevel.self, forKey: .value))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .boolean(let on): try c.encode(on, forKey: .value)
        case .percentage(let p): try c.encode(p, forKey: .value)
        case .degradation(let level): try c.encode(level, forKey: .value)
        }
    }
}
