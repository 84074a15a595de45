/// An area of a ``Canvas`` in cells: views split the screen into rects and draw into each with
/// ``Canvas/put(_:in:row:column:role:)``, which never writes outside it.
///
/// Sizes are never negative, and every split returns parts that together cover exactly the original area.
public struct Rect: Sendable, Hashable, CustomStringConvertible {
    /// The leftmost column.
    public var x: Int
    /// The top row.
    public var y: Int
    /// Columns, at least 0.
    public var width: Int {
        didSet { width = max(0, width) }
    }
    /// Rows, at least 0.
    public var height: Int {
        didSet { height = max(0, height) }
    }

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// A rect at the origin.
    public init(width: Int, height: Int) {
        self.init(x: 0, y: 0, width: width, height: height)
    }

    /// The column just right of the rect.
    public var right: Int { x + width }
    /// The row just below the rect.
    public var bottom: Int { y + height }
    /// Whether the rect has no cells.
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// Its rows, top to bottom (canvas coordinates).
    public var rows: Range<Int> { y..<bottom }
    /// Its columns, left to right (canvas coordinates).
    public var columns: Range<Int> { x..<right }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }

    /// Row `index` (0 is the top) as a one-row rect; empty when `index` is outside the rect.
    public func row(_ index: Int) -> Rect {
        let inside = index >= 0 && index < height
        return Rect(x: x, y: y + index, width: inside ? width : 0, height: inside ? 1 : 0)
    }

    /// The top `rows` rows (at most all of them) and the rest below.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let taken = min(height, max(0, rows))
        return (
            Rect(x: x, y: y, width: width, height: taken),
            Rect(x: x, y: y + taken, width: width, height: height - taken)
        )
    }

    /// The bottom `rows` rows (at most all of them) and the rest above.
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let (rest, bottom) = splitTop(height - min(height, max(0, rows)))
        return (rest, bottom)
    }

    /// The left `columns` columns (at most all of them) and the rest to the right.
    public func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let taken = min(width, max(0, columns))
        return (
            Rect(x: x, y: y, width: taken, height: height),
            Rect(x: x + taken, y: y, width: width - taken, height: height)
        )
    }

    /// The right `columns` columns (at most all of them) and the rest to the left.
    public func splitRight(_ columns: Int) -> (rest: Rect, right: Rect) {
        let (rest, right) = splitLeft(width - min(width, max(0, columns)))
        return (rest, right)
    }

    /// Side-by-side parts whose widths are in proportion to `fractions`, with `gap` columns between parts.
    /// Rounding never loses a column: the parts and gaps cover the whole width (while it is wide enough).
    public func split(columnFractions fractions: [Double], gap: Int = 0) -> [Rect] {
        Self.spans(width, fractions, gap).map { Rect(x: x + $0.start, y: y, width: $0.length, height: height) }
    }

    /// Stacked parts whose heights are in proportion to `fractions`, with `gap` rows between parts.
    public func split(rowFractions fractions: [Double], gap: Int = 0) -> [Rect] {
        Self.spans(height, fractions, gap).map { Rect(x: x, y: y + $0.start, width: width, height: $0.length) }
    }

    /// The rect shrunk by `amount` on every side.
    public func inset(by amount: Int) -> Rect {
        inset(top: amount, left: amount, bottom: amount, right: amount)
    }

    /// The rect shrunk by the given amounts (never below zero size).
    public func inset(top: Int = 0, left: Int = 0, bottom: Int = 0, right: Int = 0) -> Rect {
        let newWidth = max(0, width - left - right)
        let newHeight = max(0, height - top - bottom)
        return Rect(
            x: x + min(max(0, left), width), y: y + min(max(0, top), height), width: newWidth, height: newHeight)
    }

    /// The cells both rects share (empty, at this rect's origin, when they do not overlap).
    public func intersection(_ other: Rect) -> Rect {
        let left = max(x, other.x)
        let top = max(y, other.y)
        let right = min(self.right, other.right)
        let bottom = min(self.bottom, other.bottom)
        guard right > left && bottom > top else { return Rect(x: x, y: y, width: 0, height: 0) }
        return Rect(x: left, y: top, width: right - left, height: bottom - top)
    }

    /// Whether the cell at column `column` of row `row` is inside.
    public func contains(column: Int, row: Int) -> Bool {
        columns.contains(column) && rows.contains(row)
    }

    /// Offsets and lengths of parts of `total` in proportion to `fractions`, `gap` apart.
    private static func spans(_ total: Int, _ fractions: [Double], _ gap: Int) -> [(start: Int, length: Int)] {
        guard !fractions.isEmpty else { return [] }
        let gap = max(0, gap)
        let available = max(0, total - gap * (fractions.count - 1))
        let weights = fractions.map { $0.isFinite ? max(0, $0) : 0 }
        let sum = weights.reduce(0, +)
        var result: [(start: Int, length: Int)] = []
        var cumulative = 0.0
        var previousEnd = 0
        for (index, weight) in weights.enumerated() {
            cumulative += weight
            let end =
                index == weights.count - 1
                ? available : sum > 0 ? Int((Double(available) * cumulative / sum).rounded()) : 0
            let start = min(total, previousEnd + index * gap)
            result.append((start, max(0, min(total - start, end - previousEnd))))
            previousEnd = end
        }
        return result
    }
}
