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

    @Test func aThemeStylesEveryRoleOrInheritsTheRest() throws {
        #expect {
            try ThemeParser.parse("# nothing yet\n", file: "t.theme")
        } throws: { error in
            String(describing: error)
                == "theme t.theme: styles no role; style every role, or add 'inherit = dark' (or another theme's name)"
        }
        #expect {
            try ThemeParser.parse("name = t\nselected = reverse\ntext = default", file: "t.theme")
        } throws: { error in
            let message = String(describing: error)
            return message.hasPrefix("theme t.theme: has no style for dim, title, header, border, keyName,")
                && !message.contains("selected") && !message.contains(": line ")
        }
        let inherited = try ThemeParser.parse("name = mine\ninherit = dark\nselected = bold underline", file: "t.theme")
        #expect(inherited.name == "mine")
        #expect(Set(inherited.styles.keys) == Set(Role.allCases))
        #expect(inherited.style(for: .selected) == ThemeStyle(bold: true, underline: true))
        #expect(inherited.style(for: .stateOpen) == Theme.builtInDark.style(for: .stateOpen))
        #expect {
            try ThemeParser.parse("inherit = neon", file: "t.theme")
        } throws: { error in
            String(describing: error) == "theme t.theme: line 1, key 'inherit': no such theme; available: dark"
        }
        #expect {
            try ThemeParser.parse("inherit = dark\ntext = red\ntext = blue", file: "t.theme")
        } throws: { error in
            String(describing: error) == "theme t.theme: line 3, key 'text': already set on line 2; set it once"
        }
    }

    @Test func inheritFindsShippedThemesAndAnOverrideOfTheSameName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fusebox-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let loader = ThemeLoader(searchDirectories: [folder.path, Self.themes.path])
        func write(_ name: String, _ text: String) throws {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        // The user's own `light` builds on the shipped one.
        try write("light.theme", "name = light\ninherit = light\nselected = bold\n")
        let light = try loader.load("light")
        let shipped = try ThemeLoader(searchDirectories: [Self.themes.path]).load("light")
        #expect(light.style(for: .selected) == ThemeStyle(bold: true))
        #expect(light.style(for: .stateOpen) == shipped.style(for: .stateOpen))

        try write("a.theme", "inherit = b\n")
        try write("b.theme", "inherit = a\n")
        #expect {
            try loader.load("a")
        } throws: { error in
            String(describing: error).hasSuffix(
                "b.theme: line 1, key 'inherit': 'a' inherits from this theme in turn (a cycle); inherit from a"
                    + " shipped theme")
        }
        try write("deep.theme", "inherit = monochrome\ntext = bold\n")
        try write("deeper.theme", "name = deeper\ninherit = deep\n")
        let deeper = try loader.load("deeper")
        #expect(deeper.style(for: .text) == ThemeStyle(bold: true))
        #expect(deeper.style(for: .selected) == ThemeStyle(reverse: true))
    }

    @Test func unreadableThemeFilesNameTheFileWithoutALine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fusebox-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("folder.theme"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let loop = folder.appendingPathComponent("loop.theme").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        let loader = ThemeLoader(searchDirectories: [folder.path, Self.themes.path])
        #expect {
            try loader.load("folder")
        } throws: { error in
            String(describing: error) == "theme \(folder.path)/folder.theme: a folder, not a file"
        }
        #expect {
            try loader.load("loop")
        } throws: { error in
            String(describing: error) == "theme \(loop): too many levels of symbolic links (a loop?)"
        }
        #expect {
            try loader.load("neon")
        } throws: { error in
            String(describing: error).hasPrefix("theme neon: no such theme; available: colorblind, dark,")
        }
        #expect(try ConfigurationFile.text(at: folder.appendingPathComponent("missing").path) == nil)
    }

    @Test func aKeyDoesOneThing() throws {
        func problem(_ text: String) -> String? {
            do {
                _ = try Keymap.parse(text, file: "config")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(
            problem("key.force-open = q")
                == "config config: line 1, key 'key.force-open': 'q' already does quit; choose another key for"
                + " force-open, or move quit too (key.quit = ...)")
        #expect(problem("key.select = space")?.contains("'space' already does pause") == true)
        let swapped = try Keymap.parse("key.force-open = q\nkey.quit = Q", file: "config")
        #expect(swapped.action(for: .character("q")) == .forceOpen)
        #expect(swapped.action(for: .character("Q")) == .quit)
        #expect(swapped.action(for: .character("o")) == nil)
        #expect(swapped.action(for: .interrupt) == .quit, "Ctrl-C always quits")
        #expect(throws: KeymapError.self, "quit keeps a key") {
            try Keymap.parse("key.quit = none\nkey.force-open = q", file: "config")
        }
        let moved = try Keymap.parse("key.quit = Q\nkey.force-open = q", file: "config")
        #expect(moved.action(for: .character("q")) == .forceOpen)
        #expect(
            try Keymap.parse("key.close = c C", file: "config").keys(for: .close) == [.character("C"), .character("c")])

        #expect(
            problem("key.force-open = O\nkey.close = O")
                == "config config: line 2, key 'key.close': 'O' is already bound to force-open on line 1; a key does"
                + " one thing")
        #expect(
            problem("key.down = j\n# again\nkey.down = J")
                == "config config: line 3, key 'key.down': already set on line 1; list all of its keys there"
                + " (KEY KEY...)")
        #expect(problem("key.down = j j")?.hasSuffix("'j' is listed twice") == true)
        #expect(problem("key.down =")?.hasSuffix("no key given; write KEY [KEY...], or none to unbind") == true)
        #expect(problem("key.down = none j")?.hasSuffix("'none' stands alone: it unbinds every key") == true)
        #expect(
            KeymapError(.config, file: "/x/config", problem: "permission denied").description
                == "config /x/config: permission denied")
    }
}

@Suite struct ConsoleConfigurationTests {
    @Test func requireReasonSitsBesideTheKeys() throws {
        let configuration = try ConsoleConfiguration.parse(
            "key.force-open = O\nrequire-reason = true\n# prod\n", file: "config")
        #expect(configuration.requireReason)
        #expect(configuration.keymap.action(for: .character("O")) == .forceOpen)
        #expect(try ConsoleConfiguration.parse("", file: "config").requireReason == false)
    }

    @Test func aBadRequireReasonNamesItsLine() {
        #expect {
            try ConsoleConfiguration.parse("key.down = j\nrequire-reason = yes\n", file: "config")
        } throws: { error in
            "\(error)" == "config config: line 2, key 'require-reason': expected true or false"
        }
        #expect {
            try ConsoleConfiguration.parse("require-reason = true\nkey.nope = x\n", file: "config")
        } throws: { error in
            "\(error)".hasPrefix("config config: line 2, key 'key.nope': unknown action")
        }
    }
}
