/// What a cell means; a theme decides how each role looks, so views never name colours.
public enum Role: String, CaseIterable, Sendable, Hashable {
    case text, dim, title, header, border, selected, keyName, keyHint, status, error, warning, ok
    case stateClosed = "state.closed", stateOpen = "state.open", stateHalfOpen = "state.half-open"
    case stateForcedOpen = "state.forced-open", stateDisabled = "state.disabled", stateRecovering = "state.recovering"
    case badgeLive = "badge.live", badgePaused = "badge.paused", badgeReadOnly = "badge.read-only"
    case badgeReadWrite = "badge.read-write"
    case dialog, dialogFocus = "dialog.focus", critical, sparkline, bar, rising
}

/// One character cell.
public struct Cell: Sendable, Hashable {
    public var scalar: Unicode.Scalar
    public var role: Role

    public init(_ scalar: Unicode.Scalar = " ", _ role: Role = .text) {
        self.scalar = scalar
        self.role = role
    }
}

/// A grid of styled cells that views draw into. The terminal driver copies it to the screen;
/// tests compare its text with golden files.
public struct Canvas: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from column `x` of row `y`, clipped to the canvas and to `limit` columns.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .text, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        var column = x
        let end = min(width, limit.map { x + $0 } ?? width)
        for scalar in text.unicodeScalars {
            if column >= end { break }
            if column >= 0 { self[column, y] = Cell(scalar, role) }
            column += 1
        }
        return column
    }

    /// Gives a whole row (or a span of it) one role, keeping its characters.
    public mutating func paint(row y: Int, from x: Int = 0, width span: Int? = nil, role: Role) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (span ?? width))
        for column in max(0, x)..<max(max(0, x), end) { self[column, y].role = role }
    }

    /// Row `y` as text, trailing spaces trimmed.
    public func line(_ y: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for x in 0..<width { scalars.append(self[x, y].scalar) }
        var text = String(scalars)
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// Every row as text, one per line (what golden files hold).
    public var text: String {
        (0..<height).map(line).joined(separator: "\n")
    }
}
