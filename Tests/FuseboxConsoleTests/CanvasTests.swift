import Testing

@testable import FuseboxConsole

/// Display width, grapheme cells, control characters, clipping and the driver's diff.
@Suite struct CanvasTests {
    /// Row `y` as (text, width) per cell, continuation cells included.
    static func cells(_ canvas: Canvas, row y: Int) -> [(String, Int)] {
        (0..<canvas.width).map { (String(canvas[$0, y].character), canvas[$0, y].width) }
    }

    @Test(arguments: [
        ("a", 1), ("界", 2), ("한", 2), ("Ａ", 2), ("ﾊ", 1), ("😀", 2), ("❤", 1), ("❤\u{FE0F}", 2), ("e\u{301}", 1),
        ("\u{301}", 0), ("\u{200D}", 0), ("\u{FE0F}", 0), ("👨\u{200D}👩\u{200D}👧", 2), ("🇺🇸", 2), ("é", 1),
        ("\u{3000}", 2), ("\u{202E}", 0), ("\t", 1), ("\u{1B}", 1),
    ])
    func graphemeWidths(grapheme: String, width: Int) {
        #expect(TextWidth.of(Character(grapheme)) == width, "\(grapheme.unicodeScalars.map(\.value))")
    }

    @Test func scalarAndTextWidths() {
        #expect(TextWidth.of(Unicode.Scalar(0x4E2D)!) == 2)
        #expect(TextWidth.of(Unicode.Scalar(0x0301)!) == 0)
        #expect(TextWidth.of(Unicode.Scalar(0x1F600)!) == 2)
        #expect(TextWidth.of(Unicode.Scalar(0x20000)!) == 2)
        #expect(TextWidth.of(Unicode.Scalar(0x1B)!) == 0)
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("日本語 ok") == 9)
        #expect(TextWidth.of("cafe\u{301}") == 4)
        #expect(TextWidth.of("ab"[...]) == 2)
    }

    @Test func wideGraphemesTakeTwoCellsAndAppearOnceInTheLine() {
        var canvas = Canvas(width: 8, height: 1)
        let end = canvas.put("a界😀b", x: 0, y: 0)
        #expect(end == 6)
        let cells = Self.cells(canvas, row: 0)
        #expect(cells[0] == ("a", 1))
        #expect(cells[1] == ("界", 2))
        #expect(cells[2].1 == 0 && canvas[2, 0].isContinuation)
        #expect(cells[3] == ("😀", 2))
        #expect(cells[4].1 == 0)
        #expect(cells[5] == ("b", 1))
        #expect(canvas.line(0) == "a界😀b")
    }

    @Test func aCombiningMarkStaysWithItsBase() {
        var canvas = Canvas(width: 4, height: 1)
        #expect(canvas.put("e\u{301}x", x: 0, y: 0) == 2)
        #expect(canvas[0, 0].character == "e\u{301}")
        #expect(canvas[1, 0].character == "x")
        #expect(canvas.line(0) == "e\u{301}x")
        // A mark with no base takes no cell.
        #expect(canvas.put("\u{301}y", x: 2, y: 0) == 3)
        #expect(canvas[2, 0].character == "y")
    }

    @Test func controlCharactersNeverReachACell() {
        var canvas = Canvas(width: 30, height: 1)
        canvas.put("a\tb\nc\u{1b}[31m\u{7F}\u{9B}\u{202E}z\r\nq", x: 0, y: 0)
        for x in 0..<canvas.width {
            for scalar in canvas[x, 0].character.unicodeScalars {
                let value = scalar.value
                #expect(value >= 0x20 && value != 0x7F && !(0x80..<0xA0).contains(value), "cell \(x): \(value)")
                #expect(!(0x202A...0x202E).contains(value) && !(0x2066...0x2069).contains(value))
            }
        }
        #expect(canvas.line(0) == "a b c\u{FFFD}[31m\u{FFFD}\u{FFFD}z q")
    }

    @Test func aWideGraphemeThatWouldCrossALimitIsASpace() {
        var canvas = Canvas(width: 6, height: 3)
        canvas.put("......", x: 0, y: 0)
        #expect(canvas.put("ab界c", x: 0, y: 0, limit: 3) == 3)
        #expect(Self.cells(canvas, row: 0).map(\.0) == ["a", "b", " ", ".", ".", "."])
        #expect(canvas[2, 0].width == 1)
        // The right edge of the canvas.
        #expect(canvas.put("abcd界", x: 1, y: 1) == 6)
        #expect(canvas.line(1) == " abcd")
        #expect(canvas[5, 1].width == 1)
        // Off the left edge: the right half alone is not drawn either.
        canvas.put("界b", x: -1, y: 2)
        #expect(Self.cells(canvas, row: 2).prefix(2).map(\.0) == [" ", "b"])
        #expect(canvas[0, 2].width == 1)
    }

    @Test func overwritingHalfAWideGraphemeLeavesNoDanglingHalf() {
        var canvas = Canvas(width: 6, height: 1)
        canvas.put("界界", x: 0, y: 0)
        canvas.put("x", x: 1, y: 0)
        #expect(Self.cells(canvas, row: 0).prefix(4).map(\.0) == [" ", "x", "界", " "])
        #expect(canvas[0, 0].width == 1 && canvas[3, 0].isContinuation)

        canvas.put("y", x: 2, y: 0)
        #expect(canvas.line(0) == " xy")
        #expect(canvas[3, 0].width == 1)

        canvas.put("界界", x: 0, y: 0)
        canvas.put("世", x: 1, y: 0)
        #expect(Self.cells(canvas, row: 0).prefix(4).map(\.1) == [1, 2, 0, 1])
        #expect(canvas.line(0) == " 世")
    }

    @Test func formatMeasuresDisplayWidth() {
        #expect(Format.left("界", 4) == "界  ")
        #expect(Format.right("界", 4) == "  界")
        #expect(Format.left("abc", 2) == "abc")
        #expect(Format.fit("日本語テキスト", 7, ellipsis: "…") == "日本語…")
        #expect(Format.fit("日本語", 4, ellipsis: "…") == "日…")
        #expect(Format.fit("日本語", 6, ellipsis: "…") == "日本語")
        #expect(Format.fit("abcdef", 4, ellipsis: "…") == "abc…")
        #expect(Format.fit("abcdef", 1, ellipsis: "…") == "a")
        #expect(Format.fit("e\u{301}e\u{301}e\u{301}", 2, ellipsis: "…") == "e\u{301}…")
        #expect(TextWidth.of(Format.fit("ab界界界", 5, ellipsis: "~")) <= 5)
    }

    @Test func rolesHaveSmallStableIndices() {
        #expect(Role.allCases.count == Role.count)
        for (offset, role) in Role.allCases.enumerated() {
            #expect(role.index == offset)
            #expect(Role(name: role.name) == role)
        }
        #expect(Role.stateOpen.name == "state.open")
    }

    @Test func rectSplits() {
        let rect = Rect(x: 2, y: 1, width: 10, height: 6)
        let (top, rest) = rect.splitTop(2)
        #expect(top == Rect(x: 2, y: 1, width: 10, height: 2))
        #expect(rest == Rect(x: 2, y: 3, width: 10, height: 4))
        #expect(rect.splitTop(99).rest.isEmpty)
        let (left, right) = rect.splitLeft(3)
        #expect(left == Rect(x: 2, y: 1, width: 3, height: 6))
        #expect(right == Rect(x: 5, y: 1, width: 7, height: 6))
        #expect(rect.splitBottom(1).bottom == Rect(x: 2, y: 6, width: 10, height: 1))
        #expect(rect.splitRight(4).right == Rect(x: 8, y: 1, width: 4, height: 6))
        #expect(rect.inset(by: 1) == Rect(x: 3, y: 2, width: 8, height: 4))
        #expect(rect.inset(by: 9).isEmpty)
        #expect(Array(rect.rows) == [1, 2, 3, 4, 5, 6])
        #expect(rect.row(5) == Rect(x: 2, y: 6, width: 10, height: 1))
        #expect(rect.row(6).isEmpty)

        let thirds = Rect(width: 10, height: 1).split(columnFractions: [1, 1, 1])
        #expect(thirds.map(\.width).reduce(0, +) == 10)
        #expect(thirds.map(\.x) == [0, thirds[0].width, thirds[0].width + thirds[1].width])
        let gapped = Rect(width: 11, height: 9).split(rowFractions: [2, 1], gap: 1)
        #expect(gapped == [Rect(x: 0, y: 0, width: 11, height: 5), Rect(x: 0, y: 6, width: 11, height: 3)])
    }

    @Test func writesInARectStayInsideIt() {
        var canvas = Canvas(width: 12, height: 5)
        let rect = Rect(x: 3, y: 1, width: 5, height: 2)
        let end = canvas.put("hello world", in: rect, row: 0, role: .title)
        #expect(end == 5)
        canvas.put("界界界", in: rect, row: 1, column: -1)
        canvas.put("outside", in: rect, row: 2)
        canvas.put("outside", in: rect, row: -1)
        canvas.put("ab界", in: rect, row: 0, column: 4)
        for y in 0..<canvas.height {
            for x in 0..<canvas.width where !rect.contains(column: x, row: y) {
                #expect(canvas[x, y] == Cell(), "wrote outside the rect at \(x),\(y)")
            }
        }
        #expect(canvas.line(1) == "   hella")
        #expect(canvas.line(2) == "    界界")
        #expect(canvas[7, 1].character == "a")
        // Continuing from a returned column.
        var line = Canvas(width: 10, height: 1)
        let next = line.put("ab", in: Rect(x: 4, y: 0, width: 6, height: 1))
        line.put("界", in: Rect(x: 4, y: 0, width: 6, height: 1), column: next)
        #expect(line.line(0) == "    ab界")
    }

    @Test func changedSpansCoverWholeWideGraphemes() {
        var old = Canvas(width: 10, height: 2)
        old.put("ab界cd", x: 0, y: 0)
        var new = old
        #expect(new.changedSpans(from: old, row: 0).isEmpty)
        new.put("x", x: 3, y: 0)
        // The continuation cell changed: the span starts at the wide grapheme's left half.
        #expect(new.changedSpans(from: old, row: 0) == [2..<4])
        new.put("Z", x: 9, y: 0)
        #expect(new.changedSpans(from: old, row: 0) == [2..<4, 9..<10])
        #expect(new.changedSpans(from: old, row: 0, gap: 8) == [2..<10])
        #expect(new.changedSpans(from: old, row: 0, columns: 5) == [2..<4])
        var roles = old
        roles.paint(row: 1, from: 1, width: 2, role: .error)
        #expect(roles.changedSpans(from: old, row: 1) == [1..<3])
    }
}
