import Foundation
import FuseboxProtocol

/// How the actuator's strings map onto Fusebox's values.
enum ActuatorValues {
    /// A rate or threshold such as `"53.84%"` or `"66.666664%"`, as a percentage; `nil` for
    /// `"-1.0%"` (fewer calls than the minimum, or metrics just reset by HALF_OPEN or FORCED_OPEN),
    /// for anything outside 0...100 and for anything that is not a number.
    static func percentage(_ text: String?) -> Double? {
        guard var text = text?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text.hasSuffix("%") { text.removeLast() }
        guard text.count <= 32, let value = Double(text), value.isFinite, (0...100).contains(value) else { return nil }
        return value
    }

    /// The Fusebox state for a Resilience4j state name, or `nil` for a name this build does not know.
    ///
    /// `METRICS_ONLY` maps to ``BreakerState/disabled``: like a disabled breaker it admits every
    /// call and never trips or transitions; it only goes on recording metrics and events. Showing it
    /// as CLOSED would promise protection it does not give. The raw name stays in the dependency's
    /// `resilience4j.state` metadata.
    static func state(_ name: String?) -> BreakerState? {
        switch name {
        case "CLOSED": return .closed
        case "OPEN": return .open
        case "HALF_OPEN": return .halfOpen
        case "FORCED_OPEN": return .forcedOpen
        case "DISABLED", "METRICS_ONLY": return .disabled
        default: return nil
        }
    }

    /// The two states of a transition name such as `CLOSED_TO_OPEN` or `HALF_OPEN_TO_METRICS_ONLY`.
    static func transition(_ name: String?) -> (from: String, to: String)? {
        guard let name, let separator = name.range(of: "_TO_") else { return nil }
        let from = String(name[..<separator.lowerBound])
        let to = String(name[separator.upperBound...])
        guard state(from) != nil, state(to) != nil else { return nil }
        return (from, to)
    }

    /// `FORCED-OPEN`, `METRICS-ONLY`: a Resilience4j state name as the console prints states.
    static func label(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "-") }

    /// Why a rejection happened, from the state the breaker was in.
    static func rejectionReason(_ state: BreakerState) -> RejectionReason {
        switch state {
        case .forcedOpen: return .forcedOpen
        case .halfOpen: return .halfOpenFull
        default: return .breakerOpen
        }
    }
}
