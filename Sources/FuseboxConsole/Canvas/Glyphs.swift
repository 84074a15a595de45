/// The characters views draw with: Unicode where the locale allows, ASCII otherwise.
public struct Glyphs: Sendable, Hashable {
    public let sparks: [String]
    public let bar: String
    public let partialBars: [String]
    public let vertical: String
    public let horizontal: String
    public let rising: String
    public let bullet: String
    public let ellipsis: String
    /// Before a fleet row whose instances are hidden, and one whose instances are shown.
    public let collapsed: String
    public let expanded: String
    /// A box's corners: top left, top right, bottom left, bottom right.
    public let corners: [String]

    public static let unicode = Glyphs(
        sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], bar: "█",
        partialBars: ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"],
        vertical: "│", horizontal: "─", rising: "▲", bullet: "●", ellipsis: "…",
        collapsed: "▸", expanded: "▾", corners: ["┌", "┐", "└", "┘"])

    public static let ascii = Glyphs(
        sparks: ["_", ".", "-", "-", "=", "=", "#", "#"], bar: "#", partialBars: ["", "", "", "", "", "", "", ""],
        vertical: "|", horizontal: "-", rising: "^", bullet: "*", ellipsis: "~",
        collapsed: "+", expanded: "-", corners: ["+", "+", "+", "+"])

    /// A sparkline of `values` scaled to `maximum` (or the series' own maximum), `width` cells wide.
    public func sparkline(_ values: [Double], width: Int, maximum: Double? = nil) -> String {
        let recent = Array(values.suffix(width))
        let top = max(maximum ?? 0, recent.filter(\.isFinite).max() ?? 0, 1e-9)
        let drawn = recent.map { value -> String in
            // Unknown (NaN) is a gap, not a zero.
            guard value.isFinite else { return " " }
            let level = Int((max(0, value) / top * Double(sparks.count - 1)).rounded())
            return sparks[min(sparks.count - 1, level)]
        }
        return String(repeating: " ", count: max(0, width - drawn.count)) + drawn.joined()
    }

    /// A horizontal bar `fraction` (0...1) of `width` cells.
    public func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((min(1, max(0, fraction)) * Double(width * 8)).rounded())
        var text = String(repeating: bar, count: eighths / 8)
        if eighths % 8 > 0 { text += partialBars[eighths % 8] }
        return text
    }
}
