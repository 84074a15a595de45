public import FuseboxProtocol

/// A key press, as the terminal driver reports it.
public enum Key: Sendable, Hashable {
    case character(Character)
    case enter, escape, backspace, tab, backTab
    case up, down, left, right, pageUp, pageDown, home, end
    /// Ctrl-C when the terminal delivers it as a key rather than a signal.
    case interrupt
    /// Ctrl-L: repaint the whole screen.
    case redraw
    /// Text pasted in one go (bracketed paste): it goes into a text field as text, never as keys.
    case paste(String)

    /// A key that types a character (listed before named keys in help).
    var isPrintable: Bool {
        if case .character = self { return true }
        return false
    }

    /// How help and the key-hint bar print it.
    public var label: String {
        switch self {
        case .character(" "): return "space"
        case .character(let c): return String(c)
        case .enter: return "enter"
        case .escape: return "esc"
        case .backspace: return "bksp"
        case .tab: return "tab"
        case .backTab: return "S-tab"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "pgup"
        case .pageDown: return "pgdn"
        case .home: return "home"
        case .end: return "end"
        case .interrupt: return "C-c"
        case .redraw: return "C-l"
        case .paste: return "paste"
        }
    }
}

/// What a key can do. Remappable through the config file.
public enum KeyAction: String, Sendable, Hashable, CaseIterable {
    case quit, help, pause, sort, filter, command, back, select, up, down, pageUp, pageDown
    case forceOpen = "force-open", close, disable, backIn = "back-in", toggleFlag = "toggle-flag"
    case flags, events, overview
    /// The event log: cycle the kind of line shown.
    case kindFilter = "kind-filter"
    /// The event log: follow the newest line again.
    case newest
    /// The overview: show a fleet row's instances, or hide them again.
    case expand, collapse
    /// Add a line of text to the session (and its recording) as a marker.
    case annotate

    /// A few words for help and hints.
    public var summary: String {
        switch self {
        case .quit: return "quit"
        case .help: return "help"
        case .pause: return "pause/resume"
        case .sort: return "cycle sort"
        case .filter: return "filter"
        case .command: return "command line"
        case .back: return "back"
        case .select: return "select"
        case .up: return "up"
        case .down: return "down"
        case .pageUp: return "page up"
        case .pageDown: return "page down"
        case .forceOpen: return "force open"
        case .close: return "close (reset)"
        case .disable: return "disable breaker"
        case .backIn: return "start back-in"
        case .toggleFlag: return "set flag"
        case .flags: return "flags"
        case .events: return "event log"
        case .overview: return "overview"
        case .kindFilter: return "kind: all/transitions/commands/..."
        case .newest: return "follow newest"
        case .expand: return "expand fleet"
        case .collapse: return "collapse fleet"
        case .annotate: return "annotate"
        }
    }

    /// The command the action leads to, for actions that change production.
    public var commandKind: CommandKind? {
        switch self {
        case .forceOpen: return .forceOpen
        case .close: return .close
        case .disable: return .disable
        case .backIn: return .startBackIn
        case .toggleFlag: return .setFlag
        case .quit, .help, .pause, .sort, .filter, .command, .back, .select, .up, .down, .pageUp, .pageDown, .flags,
            .events, .overview, .kindFilter, .newest, .expand, .collapse, .annotate:
            return nil
        }
    }

    /// Whether the action changes production (and so is gated by read-only mode).
    public var isWrite: Bool { commandKind != nil }
}

/// Which key does what. Defaults follow k9s and lazygit; nothing destructive sits on a Ctrl chord.
public struct Keymap: Sendable, Hashable {
    public private(set) var bindings: [Key: KeyAction]

    public static let standard = Keymap(bindings: [
        .character("q"): .quit, .interrupt: .quit, .character("?"): .help, .character("p"): .pause,
        .character(" "): .pause, .character("s"): .sort, .character("/"): .filter, .character(":"): .command,
        .escape: .back, .enter: .select, .up: .up, .character("k"): .up, .down: .down, .character("j"): .down,
        .pageUp: .pageUp, .pageDown: .pageDown, .character("o"): .forceOpen, .character("c"): .close,
        .character("x"): .disable, .character("b"): .backIn, .character("f"): .toggleFlag,
        .character("F"): .flags, .character("e"): .events, .character("1"): .overview,
        .character("t"): .kindFilter, .character("G"): .newest, .end: .newest, .right: .expand,
        .character("+"): .expand, .left: .collapse, .character("-"): .collapse,
        .character("a"): .annotate,
    ])

    public init(bindings: [Key: KeyAction]) {
        self.bindings = bindings
    }

    public func action(for key: Key) -> KeyAction? { bindings[key] }

    /// The keys bound to `action`, for help.
    public func keys(for action: KeyAction) -> [Key] {
        bindings.filter { $0.value == action }.map(\.key).sorted { a, b in
            (a.isPrintable ? 0 : 1, a.label) < (b.isPrintable ? 0 : 1, b.label)
        }
    }

    /// Binds `key` to `action` (`nil` unbinds it); Ctrl-C always quits.
    public mutating func bind(_ key: Key, to action: KeyAction?) {
        guard key != .interrupt else { return }
        bindings[key] = action
    }
}
