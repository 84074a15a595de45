import Foundation
import FuseboxConsole
import FuseboxTerminal
import Testing

@Suite struct ThemeTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    @Test(arguments: ["dark", "light", "high-contrast", "colorblind", "monochrome"])
    func shippedThemesLoadAndStyleEveryRole(name: String) throws {
        let theme = try ThemeLoader(searchDirectories: [Self.themes.path]).load(name)
        #expect(theme.name == name)
        #expect(
            Set(theme.styles.keys) == Set(Role.allCases),
            "missing: \(Set(Role.allCases).subtracting(theme.styles.keys))")
    }

    @Test func builtInDarkMatchesTheShippedFile() throws {
        let file = try ThemeLoader(searchDirectories: [Self.themes.path]).load("dark")
        #expect(file.styles == Theme.builtInDark.styles)
    }

    @Test func badFilesNameFileLineAndKey() {
        #expect {
            try ThemeParser.parse("# c\ntext = default\nstate.open = reddish bold", file: "t.theme")
        } throws: { error in
            String(describing: error)
                == "theme t.theme: line 3, key 'state.open': unknown colour 'reddish'; use default, a name like red or"
                + " bright-red, color0...color255, or #rrggbb"
        }
        #expect {
            try ThemeParser.parse("state.shut = red", file: "t.theme")
        } throws: { error in
            let message = String(describing: error)
            return message.hasPrefix("theme t.theme: line 1, key 'state.shut': unknown role")
        }
        #expect {
            try ThemeParser.parse("text red", file: "t.theme")
        } throws: { error in
            String(describing: error) == "theme t.theme: line 1: expected 'role = style'"
        }
        #expect {
            try ThemeParser.parse("text = red on", file: "t.theme")
        } throws: { error in
            String(describing: error).contains("'on' needs a background colour")
        }
    }

    @Test func unknownThemeNamesTheAvailableOnes() {
        #expect {
            try ThemeLoader(searchDirectories: [Self.themes.path]).load("neon")
        } throws: { error in
            String(describing: error).contains(
                "no such theme; available: colorblind, dark, high-contrast, light, monochrome")
        }
    }

    @Test func coloursDegradeToWhatTheTerminalHas() {
        #expect(ColorDepth.number(for: .rgb(0x12, 0x34, 0x56), colors: 1 << 24) == 0x123456, "direct colour is exact")
        #expect(ColorDepth.number(for: .indexed(196), colors: 1 << 24) == 0xff0000)
        #expect(ColorDepth.number(for: .ansi(3), colors: 1 << 24) == 3)
        #expect(ColorDepth.number(for: .rgb(255, 0, 0), colors: 256) == 196)
        #expect(ColorDepth.number(for: .rgb(255, 0, 0), colors: 16) == 9)
        #expect(ColorDepth.number(for: .rgb(255, 0, 0), colors: 8) == 1)
        #expect(ColorDepth.number(for: .indexed(46), colors: 16) == 10)
        #expect(ColorDepth.number(for: .ansi(12), colors: 8) == 4)
        #expect(ColorDepth.number(for: .terminalDefault, colors: 256) == -1)
    }

    @Test func keymapRemapsAndDisablesButNeverCtrlChords() throws {
        let keymap = try Keymap.parse("# mine\nkey.force-open = O\nkey.disable = none\n", file: "config")
        #expect(keymap.action(for: .character("O")) == .forceOpen)
        #expect(keymap.action(for: .character("o")) == nil)
        #expect(keymap.keys(for: .disable).isEmpty)
        #expect(keymap.action(for: .interrupt) == .quit)
        #expect(throws: KeymapError.self) { try Keymap.parse("key.explode = z", file: "config") }
        #expect(throws: KeymapError.self) { try Keymap.parse("key.quit = \u{3}", file: "config") }
    }
}
