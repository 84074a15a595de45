extension Canvas {
    /// The column spans of row `y` whose cells differ from `previous`, a canvas of the same size: what a
    /// terminal driver must send to turn what `previous` put on screen into this canvas.
    ///
    /// Each span is widened to whole wide graphemes of both canvases (a terminal blanks the other half of any
    /// wide character a write cuts), and spans fewer than `gap` unchanged cells apart are merged.
    /// - Parameter columns: only the first `columns` columns are compared (the terminal may be narrower).
    public func changedSpans(from previous: Canvas, row y: Int, columns: Int? = nil, gap: Int = 4) -> [Range<Int>] {
        precondition(previous.width == width && previous.height == height, "canvases differ in size")
        guard y >= 0 && y < height else { return [] }
        let columns = min(width, max(0, columns ?? width))
        let row = y * width
        let old = previous.cells
        var spans: [Range<Int>] = []
        var x = 0
        while x < columns {
            if cells[row + x] == old[row + x] {
                x += 1
                continue
            }
            var start = x
            var end = x + 1
            var probe = end
            while probe < columns && probe - end < max(1, gap) {
                if cells[row + probe] != old[row + probe] { end = probe + 1 }
                probe += 1
            }
            while start > 0 && (cells[row + start].isContinuation || old[row + start].isContinuation) { start -= 1 }
            while end < columns && (cells[row + end].isContinuation || old[row + end].isContinuation) { end += 1 }
            if let last = spans.last, last.upperBound >= start {
                spans[spans.count - 1] = last.lowerBound..<end
            } else {
                spans.append(start..<end)
            }
            x = end
        }
        return spans
    }
}
