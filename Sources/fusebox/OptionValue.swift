import ArgumentParser

/// Parsers for option values that check the range while they parse, so that `-1`, `abc`, `nan` and
/// `99999999999` all get one line saying what is allowed:
/// `the value '-1' is invalid for '--at <seconds>': must be a whole number of seconds, 1...3600`.
/// Number options parse `.unconditional`ly, or ArgumentParser would read `-1` as an option.
enum OptionValue {
    /// A whole number in `range`; `unit` (plural) is said in the error.
    static func integer(_ range: ClosedRange<Int>, _ unit: String = "") -> @Sendable (String) throws -> Int {
        { text in
            guard let value = Int(text), range.contains(value) else {
                throw ValidationError("must be a whole number\(unit.isEmpty ? "" : " of " + unit), \(range)")
            }
            return value
        }
    }

    /// A finite number in `range`.
    static func decimal(_ range: ClosedRange<Double>, _ unit: String) -> @Sendable (String) throws -> Double {
        { text in
            guard let value = Double(text), range.contains(value) else {
                let allowed = "\(format(range.lowerBound))...\(format(range.upperBound))"
                throw ValidationError("must be a number of \(unit), \(allowed)")
            }
            return value
        }
    }

    /// Any `UInt64`.
    static func unsigned(_ text: String) throws -> UInt64 {
        guard let value = UInt64(text) else { throw ValidationError("must be a whole number, 0...\(UInt64.max)") }
        return value
    }

    /// Who commands are sent as: it lands in the audit trail and the event log (`disabled by NAME: reason`).
    static func actor(_ text: String) throws -> String {
        if let problem = actorProblem(text) { throw ValidationError(problem) }
        return text
    }

    static let actorLength = 64

    /// Why `name` cannot be an actor, or `nil` if it can: it must be 1...64 printable characters, not all spaces.
    static func actorProblem(_ name: String) -> String? {
        let allowed = "must be 1...\(actorLength) printable characters, not all spaces"
        guard !name.isEmpty, name.count <= actorLength else { return allowed }
        guard !name.unicodeScalars.allSatisfy(\.properties.isWhitespace) else { return allowed }
        let unprintable = name.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
                return true
            default:
                return false
            }
        }
        return unprintable ? allowed : nil
    }

    /// `--actor`, else `$USER` if it would do as an actor, else `operator`.
    static func resolvedActor(_ option: String?, environment: [String: String]) -> String {
        if let option { return option }
        if let user = environment["USER"], actorProblem(user) == nil { return user }
        return "operator"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
