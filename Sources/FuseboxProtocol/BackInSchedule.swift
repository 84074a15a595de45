/// How a controlled back-in ramps traffic up after an outage.
///
/// Either a list of steps, each admitting a share of calls for a hold time, or a smooth curve over
/// a window in the manner of Envoy's slow start: `share = max(minimumShare, (elapsed / window) ^ (1 / aggression))`.
public enum BackInSchedule: Codable, Sendable, Hashable {
    /// Admit each share (0...1) in turn, holding each for `holdMilliseconds`.
    case steps(shares: [Double], holdMilliseconds: Int64)
    /// Ramp smoothly from `minimumShare` to 1 over `windowMilliseconds`.
    case smooth(windowMilliseconds: Int64, aggression: Double, minimumShare: Double)

    /// The default ramp: 10%, 25%, 50%, 100%, each held for 30 seconds.
    public static let standard = BackInSchedule.steps(shares: [0.10, 0.25, 0.50, 1.0], holdMilliseconds: 30_000)

    /// The total time the ramp takes if nothing trips it back to open.
    public var totalMilliseconds: Int64 {
        switch self {
        case .steps(let shares, let hold): return Int64(shares.count) * hold
        case .smooth(let window, _, _): return window
        }
    }

    /// Checks the schedule's numbers; returns a one-line description of the first problem, or `nil`.
    public func validationProblem() -> String? {
        switch self {
        case .steps(let shares, let hold):
            if shares.isEmpty { return "a back-in schedule needs at least one step" }
            if hold <= 0 { return "each back-in step must be held for more than 0 ms" }
            if let bad = shares.first(where: { !($0 > 0 && $0 <= 1) }) {
                return "back-in shares must be in (0, 1]; got \(bad)"
            }
            if zip(shares, shares.dropFirst()).contains(where: { $0 > $1 }) {
                return "back-in shares must not decrease"
            }
        case .smooth(let window, let aggression, let minimumShare):
            if window <= 0 { return "a smooth back-in needs a window longer than 0 ms" }
            if !(aggression > 0) { return "the back-in aggression must be greater than 0" }
            if !(minimumShare > 0 && minimumShare <= 1) { return "the minimum back-in share must be in (0, 1]" }
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case kind, shares, holdMilliseconds, windowMilliseconds, aggression, minimumShare
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "steps":
            self = .steps(
                shares: try c.decode([Double].self, forKey: .shares),
                holdMilliseconds: try c.decode(Int64.self, forKey: .holdMilliseconds)
            )
        case "smooth":
            self = .smooth(
                windowMilliseconds: try c.decode(Int64.self, forKey: .windowMilliseconds),
                aggression: try c.decode(Double.self, forKey: .aggression),
                minimumShare: try c.decode(Double.self, forKey: .minimumShare)
            )
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "unknown back-in schedule kind '\(other)' (use steps or smooth)"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .steps(let shares, let hold):
            try c.encode("steps", forKey: .kind)
            try c.encode(shares, forKey: .shares)
            try c.encode(hold, forKey: .holdMilliseconds)
        case .smooth(let window, let aggression, let minimumShare):
            try c.encode("smooth", forKey: .kind)
            try c.encode(window, forKey: .windowMilliseconds)
            try c.encode(aggression, forKey: .aggression)
            try c.encode(minimumShare, forKey: .minimumShare)
        }
    }
}
