/// One key action a screen answers to.
public struct ScreenBinding: Sendable, Hashable {
    public let action: KeyAction
    /// Whether the key-hint bar shows it (help lists every binding).
    public let hinted: Bool
    /// What it does on this screen, when that says more than the action's own summary.
    public let label: String?

    init(_ action: KeyAction, hinted: Bool = true, label: String? = nil) {
        self.action = action
        self.hinted = hinted
        self.label = label
    }

    /// What the hint bar and help say it does here.
    public var summary: String { label ?? action.summary }
}

extension ConsoleState.Screen {
    /// The actions this screen answers to, in the order an operator needs them: the one
    /// declaration that dispatch, the key-hint bar and help all read. A key whose action is not
    /// listed does nothing on this screen.
    public var bindings: [ScreenBinding] {
        switch self {
        case .overview:
            // Looking first, changing production after; help and quit always show (see the hint bar).
            return [
                .init(.select, label: "details"), .init(.expand), .init(.filter), .init(.sort),
                .init(.flags), .init(.events), .init(.pause),
                .init(.forceOpen), .init(.close), .init(.disable), .init(.backIn), .init(.help), .init(.quit),
                .init(.up, hinted: false), .init(.down, hinted: false), .init(.pageUp, hinted: false),
                .init(.pageDown, hinted: false), .init(.command, hinted: false), .init(.back, hinted: false),
                .init(.collapse, hinted: false), .init(.annotate, hinted: false),
            ]
        case .detail:
            return [
                .init(.back), .init(.pause), .init(.forceOpen), .init(.close), .init(.disable), .init(.backIn),
                .init(.help), .init(.quit), .init(.up, hinted: false), .init(.down, hinted: false),
                .init(.flags, hinted: false), .init(.events, hinted: false), .init(.overview, hinted: false),
                .init(.command, hinted: false), .init(.annotate, hinted: false),
            ]
        case .flags:
            return [
                .init(.toggleFlag, label: "set value"), .init(.up), .init(.down), .init(.back), .init(.help),
                .init(.quit), .init(.select, hinted: false, label: "set value"), .init(.overview, hinted: false),
                .init(.events, hinted: false),
                .init(.pause, hinted: false), .init(.command, hinted: false),
            ]
        case .events:
            return [
                .init(.up), .init(.down), .init(.select, label: "expand"), .init(.filter), .init(.kindFilter),
                .init(.newest),
                .init(.back), .init(.help), .init(.quit), .init(.pageUp, hinted: false),
                .init(.pageDown, hinted: false), .init(.overview, hinted: false), .init(.flags, hinted: false),
                .init(.pause, hinted: false), .init(.command, hinted: false), .init(.annotate, hinted: false),
            ]
        case .help:
            return [
                .init(.back), .init(.help), .init(.quit), .init(.command, hinted: false), .init(.up, hinted: false),
                .init(.down, hinted: false), .init(.pageUp, hinted: false), .init(.pageDown, hinted: false),
            ]
        }
    }

    /// Whether `action` does anything on this screen.
    public func answers(_ action: KeyAction) -> Bool { bindings.contains { $0.action == action } }
}
