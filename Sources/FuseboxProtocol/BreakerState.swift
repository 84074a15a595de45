/// The state of a circuit breaker as operators see it.
public enum BreakerState: String, Codable, Sendable, CaseIterable {
    /// Calls flow; outcomes are recorded in the sliding window.
    case closed
    /// Calls are rejected until the wait in open elapses.
    case open
    /// A limited number of probe calls are admitted to test the downstream.
    case halfOpen = "half-open"
    /// An operator holds the breaker open; only an operator command releases it.
    case forcedOpen = "forced-open"
    /// The breaker admits every call and never trips (an operator switched it off).
    case disabled
    /// Controlled back-in: a growing share of calls is admitted while rates stay under threshold.
    case recovering

    /// The upper-case label the console and reports print (`HALF-OPEN`, `FORCED-OPEN`).
    public var label: String { rawValue.uppercased() }

    /// Whether calls can reach the downstream in this state (possibly only a share of them).
    public var admitsCalls: Bool {
        switch self {
        case .closed, .halfOpen, .disabled, .recovering: return true
        case .open, .forcedOpen: return false
        }
    }
}
