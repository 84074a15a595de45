/// What a cell means; a theme decides how each role looks, so views never name colours.
///
/// The raw value is the role's name in theme files (`state.open`); ``index`` is a small stable number for
/// tables indexed by role (the terminal driver resolves styles through one).
public enum Role: String, CaseIterable, Sendable, Hashable {
    case text, dim, title, header, border, selected, keyName, keyHint, status, error, warning, ok
    case stateClosed = "state.closed", stateOpen = "state.open", stateHalfOpen = "state.half-open"
    case stateForcedOpen = "state.forced-open", stateDisabled = "state.disabled", stateRecovering = "state.recovering"
    case badgeLive = "badge.live", badgePaused = "badge.paused", badgeReadOnly = "badge.read-only"
    case badgeReadWrite = "badge.read-write"
    case dialog, dialogFocus = "dialog.focus", critical, sparkline, bar, rising

    /// How many roles there are: every ``index`` is in `0..<Role.count`.
    public static let count = 28

    /// The role's name in theme files, e.g. `state.open`.
    public var name: String { rawValue }

    /// The role named `name` in a theme file, if there is one.
    public init?(name: String) { self.init(rawValue: name) }

    /// A small stable number: the role's position in ``allCases``.
    public var index: Int {
        switch self {
        case .text: return 0
        case .dim: return 1
        case .title: return 2
        case .header: return 3
        case .border: return 4
        case .selected: return 5
        case .keyName: return 6
        case .keyHint: return 7
        case .status: return 8
        case .error: return 9
        case .warning: return 10
        case .ok: return 11
        case .stateClosed: return 12
        case .stateOpen: return 13
        case .stateHalfOpen: return 14
        case .stateForcedOpen: return 15
        case .stateDisabled: return 16
        case .stateRecovering: return 17
        case .badgeLive: return 18
        case .badgePaused: return 19
        case .badgeReadOnly: return 20
        case .badgeReadWrite: return 21
        case .dialog: return 22
        case .dialogFocus: return 23
        case .critical: return 24
        case .sparkline: return 25
        case .bar: return 26
        case .rising: return 27
        }
    }
}
