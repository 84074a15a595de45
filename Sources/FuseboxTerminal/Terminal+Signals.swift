import CFuseboxSignals
@preconcurrency import CNcursesw
import FuseboxConsole

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

extension Terminal {
    /// Asks the terminal to mark pasted text with `ESC [ 200 ~` and `ESC [ 201 ~`.
    static let bracketedPasteOn = "\u{1B}[?2004h"
    static let bracketedPasteOff = "\u{1B}[?2004l"

    /// What leaves the console's screen, as the crash handlers write it: attributes off, the cursor
    /// shown, keypad mode and bracketed paste off, the normal screen back. From terminfo (which must
    /// be loaded), without padding, which only `tputs` understands.
    static func restoreSequence() -> [CChar] {
        var bytes: [CChar] = []
        for name in ["sgr0", "cnorm", "rmkx"] { bytes += capability(name) }
        bytes += bracketedPasteOff.utf8.map { CChar(bitPattern: $0) }
        bytes += capability("rmcup")
        return bytes
    }

    /// A terminfo string capability of the current terminal, without `$<...>` padding; empty if absent.
    private static func capability(_ name: String) -> [CChar] {
        guard let value = tigetstr(name), Int(bitPattern: value) != -1 else { return [] }
        var bytes: [CChar] = []
        var padding = false
        for index in 0..<strlen(value) {
            let byte = value[index]
            if padding {
                if byte == CChar(UInt8(ascii: ">")) { padding = false }
            } else if byte == CChar(UInt8(ascii: "$")) && index + 1 < strlen(value)
                && value[index + 1] == CChar(UInt8(ascii: "<"))
            {
                padding = true
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    /// Writes `text` to the terminal directly, past ncurses (which must have nothing unflushed that
    /// has to come first).
    func writeToTerminal(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fileno(output), bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// Whether the terminal has hung up (its SSH connection dropped, its window closed): reads then
    /// return at once with nothing, and no SIGHUP may come.
    var hungUp: Bool {
        var descriptor = pollfd(fd: fileno(input), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// Carries out a SIGTSTP that arrived (restore the terminal, stop, take it back once continued),
    /// or notices a SIGCONT after a stop the console did not make (SIGSTOP); either way the terminal
    /// may show anything now, so the next draw repaints all of it. `nil` when neither happened.
    func suspendOrResume() -> TerminalInput? {
        let resumed = fusebox_signals_take_resumed() != 0
        if fusebox_signals_take_suspend() != 0 {
            suspend()
        } else if resumed && !isForeground {
            // Continued in the background (`bg`) after a stop from outside: a console that drew
            // now would paint over the shell while the shell has the keys. It stops until `fg`.
            suspend()
        } else if resumed || lostItsModes() {
            // Stopped from outside (SIGSTOP): the shell put the terminal back in line mode while we
            // were away, possibly after the SIGCONT. Our modes (no line buffering, no echo, keypad)
            // and bracketed paste come back.
            reset_prog_mode()
            keypad(window, true)
            writeToTerminal(Self.bracketedPasteOn)
        } else {
            return nil
        }
        invalidate()
        // The loop draws after any input; update turns Ctrl-L into a repaint as well.
        return .key(.redraw)
    }

    /// Whether the console's process group owns the terminal (false after `bg`). A terminal
    /// that cannot tell (not a terminal) counts as owned.
    private var isForeground: Bool {
        let owner = tcgetpgrp(fileno(input))
        return owner < 0 || owner == getpgrp()
    }

    /// Whether something else (a shell after a stop) put the terminal back in line mode with echo.
    private func lostItsModes() -> Bool {
        var current = termios()
        guard tcgetattr(fileno(input), &current) == 0 else { return false }
        return current.c_lflag & tcflag_t(ICANON | ECHO) != 0
    }

    /// Leaves the screen as ``close()`` would, stops the process as SIGTSTP would have, and once it
    /// is continued turns bracketed paste back on; the next draw brings the screen back (ncurses
    /// resumes its modes and the alternate screen on its next refresh).
    private func suspend() {
        fusebox_signals_set_active(0)
        endwin()
        writeToTerminal(Self.bracketedPasteOff)
        tcsetattr(fileno(input), TCSANOW, &savedSettings)
        // Stays stopped while continued in the background (`bg`), until it is in the foreground.
        repeat {
            fusebox_signals_stop_self()
            // Continued: the SIGCONT that did it needs no second repaint.
            _ = fusebox_signals_take_resumed()
        } while !isForeground
        writeToTerminal(Self.bracketedPasteOn)
        fusebox_signals_set_active(1)
    }
}
