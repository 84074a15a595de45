@preconcurrency import CNcursesw
public import FuseboxConsole
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Set by SIGINT/SIGTERM handlers (an atomic store is async-signal-safe); the run loop polls it.
let stopSignal = Atomic<Int32>(0)

/// Why the console cannot start on this terminal.
public struct TerminalError: Error, Hashable, CustomStringConvertible {
    public let description: String
}

/// The only code that touches ncurses: draws canvases, reads keys and resizes, and restores the
/// terminal on every way out. Not thread-safe: use it from one thread.
public final class Terminal: ConsoleTerminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let output: UnsafeMutablePointer<FILE>
    private let input: UnsafeMutablePointer<FILE>
    private var savedSettings = termios()
    private var closed = false
    /// Whether the locale is UTF-8 (otherwise views use ASCII glyphs).
    public let unicode: Bool
    /// Colours available: 0 with NO_COLOR or a terminal without colour, else 8, 16, 256...
    public let colors: Int
    private var pairs: [PairKey: Int32] = [:]
    private var theme: Theme

    private struct PairKey: Hashable {
        let foreground: Int32
        let background: Int32
    }

    /// Takes over the controlling terminal.
    /// - Throws: ``TerminalError`` with a one-line reason (no terminal, `TERM` unset or `dumb`).
    public init(theme: Theme) throws(TerminalError) {
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        if term.isEmpty || term == "dumb" {
            throw TerminalError(
                description: "no usable terminal (TERM=\(term.isEmpty ? "unset" : term)); "
                    + "use 'fusebox status --source SPEC' for plain output")
        }
        setlocale(LC_ALL, "")
        unicode = fb_codeset_is_utf8() != 0
        guard let output = fopen("/dev/tty", "w"), let input = fopen("/dev/tty", "r") else {
            throw TerminalError(
                description: "no terminal to draw on; use 'fusebox status --source SPEC' for plain output")
        }
        tcgetattr(fileno(input), &savedSettings)
        signal(SIGINT) { stopSignal.store($0, ordering: .relaxed) }
        signal(SIGTERM) { stopSignal.store($0, ordering: .relaxed) }
        guard let screen = newterm(nil, output, input) else {
            fclose(output)
            fclose(input)
            throw TerminalError(
                description: "cannot drive terminal type '\(term)'; use 'fusebox status --source SPEC' for plain output"
            )
        }
        _ = set_term(screen)
        self.screen = screen
        self.output = output
        self.input = input
        self.window = fb_stdscr()
        self.theme = theme
        cbreak()
        noecho()
        keypad(window, true)
        curs_set(0)
        set_escdelay(25)
        let noColor = getenv("NO_COLOR").map { String(cString: $0) }.map { !$0.isEmpty } ?? false
        if has_colors() && !noColor {
            start_color()
            use_default_colors()
            colors = Int(fb_colors())
        } else {
            colors = 0
        }
    }

    deinit { close() }

    /// Restores the terminal. Safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        endwin()
        delscreen(screen)
        tcsetattr(fileno(input), TCSANOW, &savedSettings)
        fclose(output)
        fclose(input)
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// The signal that asked the console to stop, if any.
    public var stopRequested: Int32? {
        let signal = stopSignal.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }

    public var size: (width: Int, height: Int) {
        var height: Int32 = 0
        var width: Int32 = 0
        fb_getmaxyx(window, &height, &width)
        return (Int(width), Int(height))
    }

    public func use(_ theme: Theme) {
        self.theme = theme
        pairs.removeAll()
    }

    /// Draws the canvas (ncurses sends only what changed).
    public func draw(_ canvas: Canvas) {
        let (width, height) = size
        var row = [cchar_t](repeating: cchar_t(), count: canvas.width + 1)
        for y in 0..<min(height, canvas.height) {
            let columns = min(width, canvas.width)
            for x in 0..<columns {
                let cell = canvas[x, y]
                let (attributes, pair) = look(cell.role)
                _ = fb_setcchar(&row[x], wchar_t(bitPattern: cell.scalar.value), attributes, pair)
            }
            row[columns] = cchar_t()
            _ = mvwadd_wchnstr(window, Int32(y), 0, &row, Int32(columns))
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `milliseconds` for a key, a resize or a stop signal; `nil` when none came.
    public func nextInput(timeoutMilliseconds milliseconds: Int) -> TerminalInput? {
        if let signal = stopRequested { return .stop(signal: signal) }
        let (key, resized) = readKey(timeoutMilliseconds: Int32(clamping: milliseconds))
        if let signal = stopRequested { return .stop(signal: signal) }
        if resized {
            let (width, height) = size
            return .resize(width: width, height: height)
        }
        return key.map { .key($0) }
    }

    /// Waits up to `milliseconds` for a key; `nil` on timeout, signal, or a resize (read ``size``).
    func readKey(timeoutMilliseconds milliseconds: Int32) -> (key: Key?, resized: Bool) {
        wtimeout(window, milliseconds)
        var character: wint_t = 0
        switch wget_wch(window, &character) {
        case KEY_CODE_YES:
            switch Int32(character) {
            case KEY_RESIZE: return (nil, true)
            case KEY_UP: return (.up, false)
            case KEY_DOWN: return (.down, false)
            case KEY_LEFT: return (.left, false)
            case KEY_RIGHT: return (.right, false)
            case KEY_PPAGE: return (.pageUp, false)
            case KEY_NPAGE: return (.pageDown, false)
            case KEY_HOME: return (.home, false)
            case KEY_END: return (.end, false)
            case KEY_BACKSPACE: return (.backspace, false)
            case KEY_ENTER: return (.enter, false)
            case KEY_BTAB: return (.backTab, false)
            default: return (nil, false)
            }
        case OK:
            switch character {
            case 3: return (.interrupt, false)
            case 9: return (.tab, false)
            case 10, 13: return (.enter, false)
            case 27: return (.escape, false)
            case 8, 127: return (.backspace, false)
            default:
                guard let scalar = Unicode.Scalar(UInt32(character)), character >= 32 else { return (nil, false) }
                return (.character(Character(scalar)), false)
            }
        default:
            return (nil, false)
        }
    }

    // MARK: - Colours

    private func look(_ role: Role) -> (attr_t, Int32) {
        let style = theme.style(for: role)
        var attributes = fb_a_normal()
        if style.bold { attributes |= fb_a_bold() }
        if style.dim { attributes |= fb_a_dim() }
        if style.reverse { attributes |= fb_a_reverse() }
        if style.underline { attributes |= fb_a_underline() }
        guard colors > 0 else { return (attributes, 0) }
        let key = PairKey(foreground: number(style.foreground), background: number(style.background))
        if key.foreground == -1 && key.background == -1 { return (attributes, 0) }
        if let pair = pairs[key] { return (attributes, pair) }
        let pair = Int32(pairs.count + 1)
        guard pair < fb_color_pairs() else { return (attributes, 0) }
        init_extended_pair(pair, key.foreground, key.background)
        pairs[key] = pair
        return (attributes, pair)
    }

    /// The terminal's colour number for a theme colour, degrading true colour → 256 → 16 → 8.
    private func number(_ color: ThemeColor) -> Int32 {
        ColorDepth.number(for: color, colors: colors)
    }
}
