import CFuseboxSignals
@preconcurrency import CNcursesw
public import FuseboxConsole

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Why the console cannot start on this terminal.
public struct TerminalError: Error, Hashable, CustomStringConvertible {
    public let description: String
}

/// The only code that touches ncurses: draws canvases, reads keys (bracketed paste as one
/// ``Key/paste(_:)``), resizes and signals, and restores the terminal on every way out: `q`, a stop
/// signal (SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, and the others that end a process by default:
/// SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ), a suspend (SIGTSTP, until SIGCONT), a crash
/// (before the Swift runtime's backtracer reports it) and `exit`. Not thread-safe: use it from one thread.
public final class Terminal: ConsoleTerminal {
    private let screen: OpaquePointer
    let window: UnsafeMutablePointer<WINDOW>
    let output: UnsafeMutablePointer<FILE>
    let input: UnsafeMutablePointer<FILE>
    /// The terminal's settings before the console started, restored on every way out.
    var savedSettings = termios()
    private var closed = false
    /// Whether the locale is UTF-8 (otherwise views use ASCII glyphs).
    public let unicode: Bool
    /// Colours available: 0 with NO_COLOR or a terminal without colour, else 8, 16, 256...
    public let colors: Int
    private var pairs: [PairKey: Int32] = [:]
    private var theme: Theme
    /// Attributes and colour pair of each role, indexed by ``Role/index``; empty until the next draw
    /// after a theme change.
    private var styles: [(attributes: attr_t, pair: Int32)] = []
    /// The canvas the window shows, and the terminal size it was drawn at.
    private var shown: Canvas?
    private var shownSize = (width: 0, height: 0)
    /// Whether the next draw must send every cell (after a resize or a theme change).
    var redrawAll = true
    /// Whether the next draw must also make ncurses clear and repaint the whole terminal, whatever it
    /// believes is on it (Ctrl-L, after a suspend).
    var repaintTerminal = false
    /// A bracketed paste being read, if one started.
    var paste: PasteReader?
    /// The cells of one span being drawn (kept to reuse its storage).
    private var buffer: [cchar_t] = []

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
                description: "no usable terminal (\(term.isEmpty ? "TERM is not set" : "TERM=\(term)")); "
                    + "use 'fusebox status --source SPEC' for plain output")
        }
        setlocale(LC_ALL, "")
        unicode = fb_codeset_is_utf8() != 0
        guard let output = fopen("/dev/tty", "w"), let input = fopen("/dev/tty", "r") else {
            throw TerminalError(
                description: "no terminal to draw on; use 'fusebox status --source SPEC' for plain output")
        }
        tcgetattr(fileno(input), &savedSettings)
        // Before newterm, so that ncurses installs no handlers of its own (it would for SIGINT,
        // SIGTERM and SIGTSTP).
        fusebox_signals_install()
        // The console's own thread gets an alternate stack, so even a stack overflow restores the terminal.
        _ = fusebox_signals_ensure_alternate_stack()
        guard let screen = newterm(nil, output, input) else {
            fusebox_signals_uninstall()
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
        writeToTerminal(Self.bracketedPasteOn)
        // From now on a crash or exit(3) leaves the screen as close() would, in async-signal-safe
        // calls with bytes captured now.
        let restore = Self.restoreSequence()
        _ = restore.withUnsafeBufferPointer { bytes in
            fusebox_signals_arm(fileno(output), &savedSettings, bytes.baseAddress, bytes.count)
        }
    }

    deinit { close() }

    /// Restores the terminal and the signal handlers that were there before. Safe to call more than once.
    /// Gives the terminal back at once (see ``ConsoleTerminal/release()``); the same as ``close()``.
    public func release() { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        endwin()
        writeToTerminal(Self.bracketedPasteOff)
        delscreen(screen)
        tcsetattr(fileno(input), TCSANOW, &savedSettings)
        // Before the descriptors close: a crash from here on has nothing to restore.
        fusebox_signals_set_active(0)
        fclose(output)
        fclose(input)
        fusebox_signals_uninstall()
    }

    /// The signal that asked the console to stop (SIGHUP, SIGINT, SIGTERM...), if any.
    public var stopRequested: Int32? {
        let signal = fusebox_signals_stop_requested()
        return signal == 0 ? nil : signal
    }

    public var size: (width: Int, height: Int) {
        var height: Int32 = 0
        var width: Int32 = 0
        fb_getmaxyx(window, &height, &width)
        return (Int(width), Int(height))
    }

    /// Draws with `theme` from now on (the next draw repaints everything).
    public func use(_ theme: Theme) {
        self.theme = theme
        pairs.removeAll()
        styles = []
        redrawAll = true
    }

    /// Makes the next ``draw(_:)`` repaint the whole terminal, e.g. after something else wrote to it:
    /// every cell is sent, and ncurses clears the terminal first instead of trusting what it drew last.
    public func invalidate() {
        redrawAll = true
        repaintTerminal = true
    }

    /// Draws the canvas. Only spans of cells that differ from the last canvas drawn are sent to ncurses,
    /// and when none differ the terminal is not touched; after a resize, a theme change or a change of
    /// canvas size every cell is sent.
    public func draw(_ canvas: Canvas) {
        guard !closed else { return }
        let (width, height) = size
        if styles.isEmpty { buildStyles() }
        let columns = min(width, canvas.width)
        let rows = min(height, canvas.height)
        guard !redrawAll, let old = shown, old.width == canvas.width, old.height == canvas.height,
            shownSize == (width, height)
        else {
            if repaintTerminal {
                clearok(window, true)
                repaintTerminal = false
            }
            werase(window)
            for y in 0..<rows { drawSpan(canvas, row: y, from: 0, to: columns, columns: columns) }
            finish(canvas, width: width, height: height, changed: true)
            return
        }
        var changed = false
        for y in 0..<rows {
            for span in canvas.changedSpans(from: old, row: y, columns: columns) {
                drawSpan(canvas, row: y, from: span.lowerBound, to: span.upperBound, columns: columns)
                changed = true
            }
        }
        finish(canvas, width: width, height: height, changed: changed)
    }

    private func finish(_ canvas: Canvas, width: Int, height: Int, changed: Bool) {
        shown = canvas
        shownSize = (width, height)
        redrawAll = false
        guard changed else { return }
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `milliseconds` for a key, a resize or a signal; `nil` when none came.
    ///
    /// A stop signal, or the terminal hanging up (reported as SIGHUP), gives ``TerminalInput/stop(signal:)``.
    /// SIGTSTP (Ctrl-Z) restores the terminal and stops the process; once it is continued, and after a
    /// SIGCONT the console did not see coming, the result is ``Key/redraw``, and the next draw repaints
    /// the whole terminal.
    public func nextInput(timeoutMilliseconds milliseconds: Int) -> TerminalInput? {
        if let signal = stopRequested { return .stop(signal: signal) }
        guard !closed else { return nil }
        if let input = suspendOrResume() { return input }
        let (key, resized) = readKey(timeoutMilliseconds: Int32(clamping: milliseconds))
        if let signal = stopRequested { return .stop(signal: signal) }
        if resized {
            let (width, height) = size
            return .resize(width: width, height: height)
        }
        if let key { return .key(key) }
        if hungUp { return .stop(signal: SIGHUP) }
        return suspendOrResume()
    }

    /// Sends columns `start..<end` of row `y` to the window in one call; `columns` are on screen.
    private func drawSpan(_ canvas: Canvas, row y: Int, from start: Int, to end: Int, columns: Int) {
        buffer.removeAll(keepingCapacity: true)
        for x in start..<end {
            let cell = canvas[x, y]
            if cell.isContinuation { continue }
            let style = styles[cell.role.index]
            if cell.width == 2 && x + 1 >= columns {
                // The right half is off screen: ncurses would not draw the left half either.
                append(" ", style)
                continue
            }
            append(cell, style)
        }
        guard !buffer.isEmpty else { return }
        _ = mvwadd_wchnstr(window, Int32(y), Int32(start), buffer, Int32(buffer.count))
    }

    /// Appends the cells that draw `cell`, taking as many columns in ncurses' reckoning (the C library's
    /// `wcwidth`) as the canvas gave it, so that the rest of the row stays in place.
    private func append(_ cell: Cell, _ style: (attributes: attr_t, pair: Int32)) {
        let character = cell.character
        if let ascii = character.asciiValue {
            append(wchar_t(ascii), style)
            return
        }
        guard unicode else {
            // The locale cannot show it.
            for _ in 0..<cell.width { append("?", style) }
            return
        }
        var scalars = character.unicodeScalars.makeIterator()
        let base = scalars.next()!
        let baseWidth = Int(fb_wcwidth(wchar_t(bitPattern: base.value)))
        guard baseWidth == cell.width || (baseWidth == 1 && cell.width == 2) else {
            append(0xFFFD, style)
            if cell.width == 2 { append(" ", style) }
            return
        }
        // The base and the combining marks that follow it (ncurses keeps CCHARW_MAX characters per cell).
        var marks = (wchar_t(0), wchar_t(0), wchar_t(0), wchar_t(0))
        withUnsafeMutableBytes(of: &marks) { raw in
            let slots = raw.bindMemory(to: wchar_t.self)
            var count = 0
            while count < slots.count, let scalar = scalars.next(), scalar.value != 0x200D,
                fb_wcwidth(wchar_t(bitPattern: scalar.value)) == 0
            {
                slots[count] = wchar_t(bitPattern: scalar.value)
                count += 1
            }
        }
        var cchar = cchar_t()
        _ = fb_setcchar_grapheme(
            &cchar, wchar_t(bitPattern: base.value), marks.0, marks.1, marks.2, marks.3, style.attributes, style.pair)
        buffer.append(cchar)
        // The terminal's C library counts this one column: a space keeps the row aligned.
        if baseWidth == 1 && cell.width == 2 { append(" ", style) }
    }

    private func append(_ character: Unicode.Scalar, _ style: (attributes: attr_t, pair: Int32)) {
        append(wchar_t(bitPattern: character.value), style)
    }

    private func append(_ character: wchar_t, _ style: (attributes: attr_t, pair: Int32)) {
        var cchar = cchar_t()
        _ = fb_setcchar(&cchar, character, style.attributes, style.pair)
        buffer.append(cchar)
    }

    // MARK: - Colours

    /// Resolves every role's style once, for ``draw(_:)`` to look up by ``Role/index``.
    private func buildStyles() {
        styles = Array(repeating: (fb_a_normal(), 0), count: Role.count)
        for role in Role.allCases { styles[role.index] = look(role) }
    }

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
