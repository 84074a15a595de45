/// A colour as a theme file names it.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case terminalDefault
    /// One of the 16 ANSI colours (0–7 normal, 8–15 bright).
    case ansi(Int)
    /// An xterm 256-colour index.
    case indexed(Int)
    /// A true colour; shown as the nearest colour the terminal has.
    case rgb(UInt8, UInt8, UInt8)
}

/// How one role looks.
public struct ThemeStyle: Sendable, Hashable {
    public var foreground: ThemeColor = .terminalDefault
    public var background: ThemeColor = .terminalDefault
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(
        foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, bold: Bool = false,
        dim: Bool = false, reverse: Bool = false, underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }
}

/// A mapping from every ``Role`` to a style.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var styles: [Role: ThemeStyle]

    public init(name: String, styles: [Role: ThemeStyle]) {
        self.name = name
        self.styles = styles
    }

    public func style(for role: Role) -> ThemeStyle { styles[role] ?? ThemeStyle() }

    /// The compiled-in default, used when no theme file can be found.
    public static let builtInDark = try! ThemeParser.parse(
        """
        name = dark
        text = default
        dim = bright-black
        title = bright-cyan bold
        header = bright-white bold underline
        border = bright-black
        selected = reverse
        keyName = bright-yellow bold
        keyHint = bright-black
        status = green
        error = bright-red bold
        warning = yellow
        ok = green
        state.closed = green
        state.open = bright-red bold
        state.half-open = yellow bold
        state.forced-open = bright-magenta bold
        state.disabled = bright-black
        state.recovering = bright-cyan bold
        badge.live = black on green bold
        badge.paused = black on yellow bold
        badge.read-only = white on red bold
        badge.read-write = black on cyan
        dialog = white on blue
        dialog.focus = black on bright-yellow bold
        critical = bright-red
        sparkline = cyan
        bar = blue
        rising = bright-yellow bold
        """, file: "built-in dark")
}
