public import FuseboxProtocol

/// The confirmation every production-changing action goes through. It names the target, shows
/// before → after and the blast radius, takes a reason (focused first: typing goes there), lets the
/// operator aim at every instance or just one, and for a critical dependency or more than one
/// instance wants the target's name typed. Confirm is the last stop of Tab, never the first.
public struct ConfirmationDialog: Sendable, Hashable {
    /// The parts of the dialog Tab moves through.
    public enum Focus: Sendable, Hashable {
        /// The new value of a percentage or degradation flag.
        case value
        /// Why, in the operator's words; it has the focus first.
        case reason
        /// All instances, or the selected one only.
        case scope
        /// The back-in schedule.
        case schedule
        /// The target's name, typed to confirm a critical or multi-instance command.
        case typedName
        /// The buttons; Confirm is the last stop of Tab.
        case cancel, confirm
    }

    /// Which instances the command goes to.
    public enum Scope: Sendable, Hashable {
        /// Every instance of the selected service that has the target.
        case all
        /// Only this instance.
        case one(String)
    }

    /// A back-in schedule the operator can pick.
    public struct ScheduleChoice: Sendable, Hashable {
        public var label: String
        public var schedule: BackInSchedule
    }

    /// The schedules offered, the configured default first.
    public static let scheduleChoices: [ScheduleChoice] = [
        ScheduleChoice(label: "10/25/50/100% x 30s", schedule: .standard),
        ScheduleChoice(
            label: "10/50/100% x 10s", schedule: .steps(shares: [0.1, 0.5, 1.0], holdMilliseconds: 10_000)),
        ScheduleChoice(
            label: "smooth over 2 min",
            schedule: .smooth(windowMilliseconds: 120_000, aggression: 1, minimumShare: 0.1)),
    ]

    /// What the command does (for a flag, with the value picked so far).
    public var action: Command.Action
    /// The dependency or flag, as the operator would type it.
    public var target: String
    /// `nil` for a flag.
    public var criticality: Criticality?
    /// The service the instances belong to (empty when unknown).
    public var service = ""
    /// Every instance of the selected service that has the target.
    public var allInstances: [String]
    /// The instance the operator was looking at.
    public var selectedInstance: String
    /// Where the command goes.
    public var scope: Scope
    /// The target's state or value now, on the selected instance; `nil` if unknown.
    public var before: TargetState?
    /// Whether the instances in scope disagree about ``before``.
    public var beforeDiffers = false
    /// For a flag: the value before its last change, one key (`p`) away.
    public var previousValue: FlagValue?
    /// For a percentage flag: the number being typed.
    public var valueText = ""
    /// Whether a reason must be given (configured for production environments).
    public var requiresReason = false
    /// The name typed so far.
    public var typedName = ""
    /// The reason typed so far (sent with the command, into the audit trail).
    public var reason = ""
    /// The field Tab is on.
    public var focus: Focus = .reason
    /// The back-in schedule picked, in ``scheduleChoices``.
    public var scheduleIndex = 0

    /// A dialog for `action` on `target`; the scope is forced to all when there is one instance.
    public init(
        action: Command.Action, target: String, criticality: Criticality?, instances: [String],
        selectedInstance: String? = nil, scope: Scope = .all, before: TargetState? = nil
    ) {
        self.action = action
        self.target = target
        self.criticality = criticality
        self.allInstances = instances
        self.selectedInstance = selectedInstance ?? instances.first ?? ""
        self.scope = instances.count > 1 ? scope : .all
        self.before = before
        self.focus = Self.takesValue(action) ? .value : .reason
    }

    /// Whether the action needs a value picked in the dialog (percentage and degradation flags).
    static func takesValue(_ action: Command.Action) -> Bool {
        if case .setFlag(_, let value) = action, value.kind != .boolean { return true }
        return false
    }

    /// The instances the command goes to.
    public var instances: [String] {
        switch scope {
        case .all: return allInstances
        case .one(let instance): return [instance]
        }
    }

    /// A critical dependency, or more than one instance, wants the name typed.
    public var requiresTypedName: Bool { criticality == .critical || instances.count > 1 }

    /// What must be typed: the service's name when the command goes to several of its instances
    /// (the fleet is what is at stake), else the target's.
    public var expectedTypedName: String { instances.count > 1 && !service.isEmpty ? service : target }

    /// The order Tab moves through: what to change, why, where, the name, then Cancel and Confirm.
    public var focusOrder: [Focus] {
        var order: [Focus] = []
        if Self.takesValue(action) { order.append(.value) }
        order.append(.reason)
        if allInstances.count > 1 { order.append(.scope) }
        if case .startBackIn = action { order.append(.schedule) }
        if requiresTypedName { order.append(.typedName) }
        return order + [.cancel, .confirm]
    }

    /// The most text a dialog line shows: the box is at most 90 columns, 86 inside its frame.
    static let widestLine = 86

    /// What the command touches: `Blast radius: critical dependency, 1 instance: checkout-1`. The
    /// instance names give way to the count alone when they would not fit the widest dialog.
    public var blastRadius: String {
        let criticality = criticality.map { "\($0.rawValue) dependency" } ?? "flag"
        let plural = instances.count == 1 ? "instance" : "instances"
        let summary = "Blast radius: \(criticality), \(instances.count) \(plural)"
        let full = summary + ": " + instances.joined(separator: ", ")
        return TextWidth.of(full) <= Self.widestLine ? full : summary + " (names in the event log after sending)"
    }

    /// The terminal the whole dialog needs: every line, the buttons and the frame, under the header,
    /// and wide enough that the question and the blast radius are shown whole.
    public var minimumTerminal: (width: Int, height: Int) {
        var lines = 4  // question, change or value, blast radius, reason
        if previousValue != nil && Self.takesValue(action) { lines += 1 }
        if allInstances.count > 1 { lines += 1 }
        if case .startBackIn = action { lines += 1 }
        if requiresTypedName { lines += 1 }
        let widest = max(TextWidth.of(question), TextWidth.of(blastRadius))
        // The box is the terminal less 2 columns; its text, the box less 4.
        return (max(40, min(widest, Self.widestLine) + 6), lines + 4 + 2)
    }

    /// The action with the chosen schedule.
    public var finalAction: Command.Action {
        if case .startBackIn(let dependency, _) = action {
            return .startBackIn(dependency: dependency, schedule: Self.scheduleChoices[scheduleIndex].schedule)
        }
        return action
    }

    /// What the target becomes.
    public var after: TargetState {
        switch action {
        case .forceOpen: return .breaker(.forcedOpen)
        case .close: return .breaker(.closed)
        case .disable: return .breaker(.disabled)
        case .startBackIn: return .breaker(.recovering)
        case .setFlag(_, let value): return .flag(value)
        }
    }

    /// `Force open payments?`, `Set flag search.canary?`; for several instances, their count first:
    /// `4 instances of checkout: force open payments?`.
    public var question: String {
        let one = action.kind == .setFlag ? "Set flag \(target)?" : "\(verb) \(target)?"
        guard instances.count > 1 else { return one }
        let fleet = service.isEmpty ? "\(instances.count) instances" : "\(instances.count) instances of \(service)"
        return "\(fleet): \(one.prefix(1).lowercased())\(one.dropFirst())"
    }

    /// `Force open`, `Close (reset)`...
    public var verb: String {
        switch action {
        case .forceOpen: return "Force open"
        case .close: return "Close (reset)"
        case .disable: return "Disable breaker of"
        case .startBackIn: return "Start controlled back-in of"
        case .setFlag: return "Set flag"
        }
    }
}
