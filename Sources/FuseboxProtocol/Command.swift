/// An operator command sent to a service: force a breaker open, close it, disable it, start a
/// controlled back-in, or set a flag.
///
/// The `id` is chosen by the client; applying the same id twice returns the first result and
/// changes nothing, so a client can retry a command whose response it lost.
public struct Command: Codable, Sendable, Hashable {
    /// What the command does.
    public enum Action: Codable, Sendable, Hashable {
        case forceOpen(dependency: String)
        /// Close (reset) the breaker: clears its window and lets every call through.
        case close(dependency: String)
        case disable(dependency: String)
        /// Start a controlled back-in; `nil` uses the dependency's configured schedule.
        case startBackIn(dependency: String, schedule: BackInSchedule?)
        case setFlag(name: String, value: FlagValue)

        /// The dependency or flag the action targets.
        public var target: String {
            switch self {
            case .forceOpen(let d), .close(let d), .disable(let d), .startBackIn(let d, _): return d
            case .setFlag(let name, _): return name
            }
        }

        /// A short verb for logs and audit lines (`force-open`, `set-flag`).
        public var verb: String {
            switch self {
            case .forceOpen: return "force-open"
            case .close: return "close"
            case .disable: return "disable"
            case .startBackIn: return "start-back-in"
            case .setFlag: return "set-flag"
            }
        }

        private enum CodingKeys: String, CodingKey { case type, dependency, schedule, flag, value }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let type = try c.decode(String.self, forKey: .type)
            switch type {
            case "force-open": self = .forceOpen(dependency: try c.decode(String.self, forKey: .dependency))
            case "close": self = .close(dependency: try c.decode(String.self, forKey: .dependency))
            case "disable": self = .disable(dependency: try c.decode(String.self, forKey: .dependency))
            case "start-back-in":
                self = .startBackIn(
                    dependency: try c.decode(String.self, forKey: .dependency),
                    schedule: try c.decodeIfPresent(BackInSchedule.self, forKey: .schedule))
            case "set-flag":
                self = .setFlag(
                    name: try c.decode(String.self, forKey: .flag), value: try c.decode(FlagValue.self, forKey: .value))
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: c,
                    debugDescription:
                        "unknown command type '\(type)' (use force-open, close, disable, start-back-in or set-flag)")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(verb, forKey: .type)
            switch self {
            case .forceOpen(let d), .close(let d), .disable(let d):
                try c.encode(d, forKey: .dependency)
            case .startBackIn(let d, let schedule):
                try c.encode(d, forKey: .dependency)
                try c.encodeIfPresent(schedule, forKey: .schedule)
            case .setFlag(let name, let value):
                try c.encode(name, forKey: .flag)
                try c.encode(value, forKey: .value)
            }
        }
    }

    /// Client-chosen, unique per intended change.
    public var id: String
    /// Who asked, e.g. an operator's login.
    public var actor: String
    /// Why, in the operator's words (may be empty).
    public var reason: String
    public var action: Action

    public init(id: String, actor: String, reason: String, action: Action) {
        self.id = id
        self.actor = actor
        self.reason = reason
        self.action = action
    }
}

/// The kinds of operator command, for sources to say which they accept.
public enum CommandKind: String, Codable, Sendable, CaseIterable {
    case forceOpen = "force-open"
    case close
    case disable
    case startBackIn = "start-back-in"
    case setFlag = "set-flag"
}

extension Command.Action {
    /// The action's kind.
    public var kind: CommandKind {
        switch self {
        case .forceOpen: return .forceOpen
        case .close: return .close
        case .disable: return .disable
        case .startBackIn: return .startBackIn
        case .setFlag: return .setFlag
        }
    }
}
