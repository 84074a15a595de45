public import FuseboxConsole

/// Maps theme colours to what a terminal has: on a direct-colour terminal (`TERM=*-direct`, 2^24
/// colours) `#rrggbb` is exact; elsewhere true colour and 256-colour themes degrade to the nearest
/// of 256, 16 or 8 colours.
public enum ColorDepth {
    /// Terminals whose colour numbers are RGB values.
    static let direct = 1 << 24

    /// The colour number for `color` on a terminal with `colors` colours (-1: the terminal's default).
    public static func number(for color: ThemeColor, colors: Int) -> Int32 {
        switch color {
        case .terminalDefault:
            return -1
        case .ansi(let index):
            return colors >= 16 ? Int32(index) : Int32(index % 8)
        case .indexed(let index):
            if colors >= direct && index >= 16 {
                let (r, g, b) = rgb(ofIndexed: index)
                return Int32(r << 16 | g << 8 | b)
            }
            if colors >= 256 { return Int32(index) }
            return number(for: .ansi(nearestANSI(rgb(ofIndexed: index))), colors: colors)
        case .rgb(let r, let g, let b):
            if colors >= direct { return Int32(Int(r) << 16 | Int(g) << 8 | Int(b)) }
            if colors >= 256 { return Int32(nearestIndexed(r, g, b)) }
            return number(for: .ansi(nearestANSI((Int(r), Int(g), Int(b)))), colors: colors)
        }
    }

    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255),
        (0, 255, 255), (255, 255, 255),
    ]

    static func rgb(ofIndexed index: Int) -> (Int, Int, Int) {
        if index < 16 { return ansiRGB[index] }
        if index >= 232 {
            let level = 8 + (index - 232) * 10
            return (level, level, level)
        }
        let cube = index - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[cube / 36], steps[(cube / 6) % 6], steps[cube % 6])
    }

    static func nearestIndexed(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        (16..<256).min {
            distance(rgb(ofIndexed: $0), (Int(r), Int(g), Int(b)))
                < distance(rgb(ofIndexed: $1), (Int(r), Int(g), Int(b)))
        }!
    }

    static func nearestANSI(_ color: (Int, Int, Int)) -> Int {
        (0..<16).min { distance(ansiRGB[$0], color) < distance(ansiRGB[$1], color) }!
    }

    private static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0
        let dg = a.1 - b.1
        let db = a.2 - b.2
        return dr * dr + dg * dg + db * db
    }
}
