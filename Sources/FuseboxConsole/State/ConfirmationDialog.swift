public import FuseboxProtocol

/// The confirmation every production-changing action goes through: it names the target and its
/// blast radius, focuses Cancel, takes an optional reason, and for a critical dependency or more
/// than one instance wants the target's name typed.
public struct ConfirmationDialog: Sendable, Hashable {
    public enum Focus: Sendable, Hashable {
        case cancel, confirm, reason, typedName
    }

    /// A back-in schedule the operator can pick.
    public struct ScheduleChoice: Sendable, Hashable {
        public var label: String
        public var schedule: BackInSchedule
    }

    public static let scheduleChoices: [ScheduleChoice] = [
        ScheduleChoice(label: "10/25/50/100% x 30s", schedule: .standard),
        ScheduleChoice(
            label: "10/50/100% x 10s", schedule: .steps(shares: [0.1, 0.5, 1.0], holdMilliseconds: 10_000)),
        ScheduleChoice(
            label: "smooth over 2 min",
            schedule: .smooth(windowMilliseconds: 120_000, aggression: 1, minimumShare: 0.1)),
    ]

    public var action: Command.Action
    /// The dependency or flag, as the operator would type it.
    public var target: String
    public var criticality: Criticality?
    /// Instances the command goes to (all instances with this dependency or flag).
    public var instances: [String]
    public var requiresTypedName: Bool
    public var typedName = ""
    public var reason = ""
    public var focus: Focus = .cancel
    public var scheduleIndex = 0

    public init(action: Command.Action, target: String, criticality: Criticality?, instances: [String]) {
        self.action = action
        self.target = target
        self.criticality = criticality
        self.instances = instances
        self.requiresTypedName = criticality == .critical || instances.count > 1
    }

    /// The order Tab moves through.
    public var focusOrder: [Focus] {
        requiresTypedName ? [.cancel, .confirm, .reason, .typedName] : [.cancel, .confirm, .reason]
    }

    /// The action with the chosen schedule.
    public var finalAction: Command.Action {
        if case .startBackIn(let dependency, _) = action {
            return .startBackIn(dependency: dependency, schedule: Self.scheduleChoices[scheduleIndex].schedule)
        }
        return action
    }

    /// The question the dialog asks: `Force open payments?`, `Set flag search.canary to 25.0%?`.
    public var question: String {
        if case .setFlag(_, let value) = action { return "Set flag \(target) to \(value)?" }
        return "\(verb) \(target)?"
    }

    /// `force open`, `set flag`...
    public var verb: String {
        switch action {
        case .forceOpen: return "Force open"
        case .close: return "Close (reset)"
        case .disable: return "Disable breaker of"
        case .startBackIn: return "Start controlled back-in of"
        case .setFlag(_, let value): return "Set flag to \(value) on"
        }
    }
}
