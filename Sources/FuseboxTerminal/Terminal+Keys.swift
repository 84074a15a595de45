@preconcurrency import CNcursesw
import FuseboxConsole

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// One thing ncurses read: a character, or a key code (`KEY_UP`, `KEY_RESIZE`...).
enum RawInput: Equatable {
    case character(UInt32)
    case code(Int32)
}

/// A bracketed paste being read: the terminal sends `ESC [ 200 ~`, the text, then `ESC [ 201 ~`, and
/// all of it becomes one ``Key/paste(_:)``, so that pasted text never acts as keys.
struct PasteReader {
    /// Characters kept; the rest of a longer paste is read and dropped.
    static let limit = 65_536
    /// A paste whose end marker has not come after this long without input ends without it.
    static let silence = Duration.milliseconds(1_000)

    private(set) var text = ""
    private var kept = 0
    private var afterCarriageReturn = false
    /// When the last input came.
    var lastInput = ContinuousClock.now
    /// Whether the terminal was resized during the paste (reported after it).
    var resized = false

    /// Adds a character: line ends (CR, LF, CR LF) become `\n`, tabs stay, other control characters
    /// are dropped.
    mutating func append(_ value: UInt32) {
        defer { afterCarriageReturn = value == 13 }
        switch value {
        case 13: add("\n")
        case 10: if !afterCarriageReturn { add("\n") }
        case 9: add("\t")
        case 0..<32, 127..<160: break
        default: if let scalar = Unicode.Scalar(value) { add(scalar) }
        }
    }

    private mutating func add(_ scalar: Unicode.Scalar) {
        guard kept < Self.limit else { return }
        text.unicodeScalars.append(scalar)
        kept += 1
    }
}

extension Terminal {
    /// Waits up to `milliseconds` for a key; `nil` on timeout, signal, or a resize (read ``size``).
    /// A bracketed paste comes as one ``Key/paste(_:)`` once its end arrives (calls in between
    /// return `nil`).
    func readKey(timeoutMilliseconds milliseconds: Int32) -> (key: Key?, resized: Bool) {
        if paste != nil { return (continuePaste(timeoutMilliseconds: milliseconds), false) }
        guard let input = readRaw(timeoutMilliseconds: milliseconds) else { return (nil, false) }
        switch input {
        case .code(KEY_RESIZE):
            redrawAll = true
            return (nil, true)
        case .code(let code):
            return (Self.key(code: code), false)
        case .character(27):
            guard readSequence("[200~") else { return (.escape, false) }
            paste = PasteReader()
            return (continuePaste(timeoutMilliseconds: milliseconds), false)
        case .character(let character):
            return (Self.key(character: character), false)
        }
    }

    private static func key(code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default: return nil
        }
    }

    private static func key(character: UInt32) -> Key? {
        switch character {
        case 3: return .interrupt
        case 9: return .tab
        case 10, 13: return .enter
        case 12: return .redraw
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard character >= 32, let scalar = Unicode.Scalar(character) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// Reads the rest of a bracketed paste for up to `milliseconds`: the paste when its end marker
    /// came (or input stopped for ``PasteReader/silence``), `nil` while it goes on.
    private func continuePaste(timeoutMilliseconds milliseconds: Int32) -> Key? {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(milliseconds)
        while var reader = paste {
            let left = max(0, (deadline - clock.now) / .milliseconds(1))
            guard let input = readRaw(timeoutMilliseconds: Int32(min(left, 50))) else {
                if clock.now - reader.lastInput >= PasteReader.silence { return finishPaste(reader) }
                if clock.now >= deadline { return nil }
                continue
            }
            reader.lastInput = clock.now
            switch input {
            case .character(27):
                // The end marker; any other escape inside the text loses its ESC (the rest stays text).
                if readSequence("[201~") {
                    // Input already waiting right after the marker is more of the same paste (a pasted
                    // text that held an end marker itself): no one types that fast.
                    guard let next = readRaw(timeoutMilliseconds: 0) else { return finishPaste(reader) }
                    for scalar in "\u{1b}[201~".unicodeScalars.dropFirst() { reader.append(scalar.value) }
                    switch next {
                    case .character(let character): unget_wch(wchar_t(bitPattern: character))
                    case .code(let code): ungetch(code)
                    }
                }
            case .character(let character):
                reader.append(character)
            case .code(KEY_RESIZE):
                reader.resized = true
            case .code:
                break
            }
            paste = reader
            // A paste that goes on and on still lets the loop draw and notice signals in time.
            if clock.now >= deadline { return nil }
        }
        return nil
    }

    private func finishPaste(_ reader: PasteReader) -> Key? {
        paste = nil
        // Reported by the next read.
        if reader.resized { ungetch(KEY_RESIZE) }
        return reader.text.isEmpty ? nil : .paste(reader.text)
    }

    /// Reads one character or key code, waiting up to `milliseconds`; `nil` if none came.
    private func readRaw(timeoutMilliseconds milliseconds: Int32) -> RawInput? {
        wtimeout(window, milliseconds)
        var character: wint_t = 0
        switch wget_wch(window, &character) {
        case KEY_CODE_YES: return .code(Int32(bitPattern: character))
        case OK: return .character(character)
        default: return nil
        }
    }

    /// Reads `sequence` if it is what comes next (it is already there when a terminal sent it with
    /// what came before); otherwise leaves the input as it was.
    private func readSequence(_ sequence: String) -> Bool {
        var read: [RawInput] = []
        var matched = true
        for scalar in sequence.unicodeScalars {
            // A sequence split across network packets (ssh) arrives within tens of milliseconds.
            guard let input = readRaw(timeoutMilliseconds: 50) else {
                matched = false
                break
            }
            read.append(input)
            if input != .character(scalar.value) {
                matched = false
                break
            }
        }
        if matched { return true }
        // Put back, last first: ncurses returns what was put back most recently first.
        for input in read.reversed() {
            switch input {
            case .character(let character): unget_wch(wchar_t(bitPattern: character))
            case .code(let code): ungetch(code)
            }
        }
        return false
    }
}
