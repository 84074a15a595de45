/// Something the console can run in: ncurses in a real terminal (`FuseboxTerminal`) or an
/// in-memory screen in tests. Used from one thread, the program's.
public protocol ConsoleTerminal: AnyObject {
    /// Columns and rows.
    var size: (width: Int, height: Int) { get }
    /// Shows `canvas`; a terminal may draw only what changed since the last call.
    func draw(_ canvas: Canvas)
    /// Waits up to `milliseconds` for input; `nil` when none came.
    func nextInput(timeoutMilliseconds: Int) -> TerminalInput?
    /// Draws with `theme` from now on.
    func use(_ theme: Theme)
    /// Makes the next ``draw(_:)`` repaint every cell (Ctrl-L, or after something else wrote to the terminal).
    func invalidate()
    /// Gives the terminal back to the shell at once, as the console stops (work still winding down
    /// must not keep the screen); drawing afterwards does nothing.
    func release()
}

/// What a terminal reports.
public enum TerminalInput: Sendable, Hashable {
    case key(Key)
    /// The terminal changed size.
    case resize(width: Int, height: Int)
    /// A signal asks the console to stop (SIGINT, SIGTERM, SIGHUP...).
    case stop(signal: Int32)
}
