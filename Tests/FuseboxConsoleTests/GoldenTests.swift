import Foundation
import FuseboxConsole
import Testing

/// Every view rendered to text and compared with `Golden/NAME-WxH.txt`.
/// To accept new renderings after a deliberate change: `FUSEBOX_UPDATE_GOLDEN=1 swift test --filter GoldenTests`,
/// then review the diff of `Tests/FuseboxConsoleTests/Golden/` before committing.
@Suite struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ name: String, _ canvas: Canvas) throws {
        let file = Self.directory.appendingPathComponent("\(name)-\(canvas.width)x\(canvas.height).txt")
        let rendered = canvas.text + "\n"
        if ProcessInfo.processInfo.environment["FUSEBOX_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try #require(
            try? String(contentsOf: file, encoding: .utf8),
            "no golden file \(file.lastPathComponent); run FUSEBOX_UPDATE_GOLDEN=1 swift test --filter GoldenTests")
        #expect(rendered == expected, "\(file.lastPathComponent) differs:\n\(rendered)")
    }

    static let sizes = [(120, 40), (80, 24)]

    @Test(arguments: sizes.map { "\($0.0)x\($0.1)" })
    func everyViewMatchesItsGoldenFile(size: String) async throws {
        let parts = size.split(separator: "x").map { Int($0)! }
        let (width, height) = (parts[0], parts[1])
        var state = await ConsoleFixtures.state(width: width, height: height)
        try check("overview", render(state))

        var detail = state
        ConsoleFixtures.press([.enter], &detail)
        try check("detail", render(detail))

        var flags = state
        ConsoleFixtures.press([.character("F")], &flags)
        try check("flags", render(flags))

        var events = state
        ConsoleFixtures.press([.character("e")], &events)
        try check("events", render(events))

        var help = state
        ConsoleFixtures.press([.character("?")], &help)
        try check("help", render(help))

        ConsoleFixtures.press([.character("o")], &state)
        try check("dialog", render(state))
    }

    @Test func readOnlyAsciiAndTinyTerminals() async throws {
        try check("overview-readonly", render(await ConsoleFixtures.state(width: 100, height: 20, readOnly: true)))
        try check("overview-ascii", render(await ConsoleFixtures.state(width: 80, height: 24, glyphs: .ascii)))
        try check("small", render(await ConsoleFixtures.state(width: 50, height: 12)))
        try check("tiny", render(await ConsoleFixtures.state(width: 19, height: 5)))
    }
}
