/// A grid of styled cells that views draw into. The terminal driver copies it to the screen;
/// tests compare its text with golden files.
///
/// Text is laid out by display width (``TextWidth``): a wide grapheme takes two cells, a combining mark
/// stays with its base, and control characters never reach a cell, so text from a remote source cannot
/// move the cursor or send escape sequences.
public struct Canvas: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    /// The cell at column `x` of row `y`.
    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Writes `text` from column `x` of row `y`, clipped to the canvas and to `limit` columns.
    ///
    /// A wide grapheme that would cross the clip edge is drawn as a space instead of half.
    /// - Returns: the column after the last one written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .text, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit.map { x + $0 } ?? width)
        return write(text, x: x, y: y, role: role, from: 0, to: end)
    }

    /// Gives a whole row (or a span of it) one role, keeping its characters.
    public mutating func paint(row y: Int, from x: Int = 0, width span: Int? = nil, role: Role) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (span ?? width))
        let row = y * width
        for column in max(0, x)..<max(max(0, x), end) { cells[row + column].role = role }
    }

    /// Row `y` as text, trailing spaces trimmed; a wide grapheme appears once.
    public func line(_ y: Int) -> String {
        var text = ""
        text.reserveCapacity(width)
        let row = y * width
        for x in 0..<width where !cells[row + x].isContinuation { text.append(cells[row + x].character) }
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// Every row as text, one per line (what golden files hold).
    public var text: String {
        (0..<height).map(line).joined(separator: "\n")
    }

    /// Writes `text` on row `y` from column `x`, drawing only in columns `lower..<upper` (already within the
    /// canvas). Returns the column after the last one written.
    mutating func write(_ text: String, x: Int, y: Int, role: Role, from lower: Int, to upper: Int) -> Int {
        var column = x
        guard column < upper else { return column }
        let row = y * width
        if TextWidth.printableASCIICount(text.utf8) != nil {
            let ascii = Self.asciiCharacters
            for byte in text.utf8 {
                if column >= upper { break }
                if column >= lower { place(ascii[Int(byte)], width: 1, role: role, row: row, x: column) }
                column += 1
            }
            return column
        }
        for grapheme in text {
            if column >= upper { break }
            guard let (character, columns) = TextWidth.cell(for: grapheme) else { continue }
            if column + columns > upper {
                // Only the left half would fit.
                if column >= lower { place(" ", width: 1, role: role, row: row, x: column) }
                return column + 1
            }
            if column >= lower {
                place(character, width: columns, role: role, row: row, x: column)
            } else if column + columns > lower {
                // Only the right half would show.
                place(" ", width: 1, role: role, row: row, x: lower)
            }
            column += columns
        }
        return column
    }

    /// Every ASCII character, made once (the text of most cells).
    private static let asciiCharacters: [Character] = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) }

    /// Puts a grapheme of `columns` (1 or 2) at column `x` of the row starting at `row`, first breaking up any
    /// wide grapheme it overlaps so that no half is left dangling.
    @inline(__always)
    private mutating func place(_ character: Character, width columns: Int, role: Role, row: Int, x: Int) {
        separate(row: row, x: x)
        if columns == 2 {
            separate(row: row, x: x + 1)
            cells[row + x] = Cell(character, role, width: 2)
            cells[row + x + 1] = Cell(" ", role, width: 0)
        } else {
            cells[row + x] = Cell(character, role, width: 1)
        }
    }

    /// If column `x` holds half of a wide grapheme, turns the other half into a space.
    @inline(__always)
    private mutating func separate(row: Int, x: Int) {
        switch cells[row + x].width {
        case 0 where x > 0: cells[row + x - 1].clear()
        case 2 where x + 1 < width: cells[row + x + 1].clear()
        default: break
        }
    }
}

extension Canvas {
    /// The canvas with every character a non-UTF-8 terminal cannot show replaced by an ASCII one of
    /// the same width: arrows by `<` `>` `^` `v`, lines and blocks by `|` `-` `#`, anything else by `?`.
    public func asciiOnly() -> Canvas {
        var copy = self
        for y in 0..<height {
            for x in 0..<width {
                let cell = self[x, y]
                guard !cell.isContinuation, !cell.character.isASCII else { continue }
                copy.put(Self.ascii(cell.character), x: x, y: y, role: cell.role, limit: 1)
            }
        }
        return copy
    }

    private static func ascii(_ character: Character) -> String {
        switch character {
        case "→": return ">"
        case "←": return "<"
        case "↑", "▲": return "^"
        case "↓": return "v"
        case "│": return "|"
        case "─": return "-"
        case "…": return "~"
        case "●": return "*"
        case "█", "▉", "▊", "▋", "▌", "▍", "▎", "▏", "▇", "▆", "▅": return "#"
        case "▄", "▃": return "="
        case "▂", "▁": return "_"
        default: return "?"
        }
    }
}
