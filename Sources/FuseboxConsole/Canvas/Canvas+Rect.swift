extension Canvas {
    /// The whole canvas as a rect.
    public var bounds: Rect { Rect(width: width, height: height) }

    /// Writes `text` on row `row` of `rect`, starting `column` columns from its left edge, and never outside
    /// `rect` (or the canvas): what does not fit is cut, and a wide grapheme that would cross an edge is drawn
    /// as a space.
    /// - Returns: the column after the last one written, counted from the rect's left edge, to continue from.
    @discardableResult
    public mutating func put(_ text: String, in rect: Rect, row: Int = 0, column: Int = 0, role: Role = .text) -> Int {
        let area = rect.intersection(bounds)
        let y = rect.y + row
        guard !area.isEmpty, area.rows.contains(y) else { return column }
        return write(text, x: rect.x + column, y: y, role: role, from: area.x, to: area.right) - rect.x
    }

    /// Fills `rect` with `character` (a space by default) in `role`.
    public mutating func fill(_ rect: Rect, with character: Character = " ", role: Role = .text) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        let columns = max(1, TextWidth.of(character))
        let line = String(repeating: String(character), count: (area.width + columns - 1) / columns)
        for y in area.rows { _ = write(line, x: area.x, y: y, role: role, from: area.x, to: area.right) }
    }

    /// Gives every cell of `rect` one role, keeping its characters.
    public mutating func paint(_ rect: Rect, role: Role) {
        let area = rect.intersection(bounds)
        for y in area.rows { paint(row: y, from: area.x, width: area.width, role: role) }
    }
}
