#ifndef CFUSEBOX_SIGNALS_H
#define CFUSEBOX_SIGNALS_H

// The console's signal handling, in C because a signal handler may only make async-signal-safe
// calls, which Swift cannot promise. Handlers either record a signal in an atomic that the
// console's loop reads, or (for crashes) put the terminal back with write(2) and tcsetattr(3)
// before passing the signal on. One process-wide state: one console terminal at a time.

#include <stddef.h>
#include <termios.h>

/// Installs the handlers that record SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2,
/// SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU and SIGXFSZ (stop: every signal that ends a process by default without a fault), SIGTSTP
/// (suspend) and SIGCONT (resumed), remembering what was installed before; a signal the process was
/// started with ignored (nohup, a background job) stays ignored. Call it before newterm, so that
/// ncurses does not install its own. A second SIGINT, SIGQUIT or SIGTERM while a stop is under way
/// restores the terminal and exits at once with 128 + the signal.
void fusebox_signals_install(void);

/// Arms the crash handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT): they write
/// `restore` to `fd`, set `fd` back to `settings`, then pass the signal to the handler installed
/// before (the Swift runtime's backtracer) with the same arguments, or let the default action
/// happen. `restore` is copied (at most 512 bytes are kept). Exiting with exit(3) while the screen
/// is active restores it the same way. Returns 0, or -1 if it was not installed first.
int fusebox_signals_arm(int fd, const struct termios *settings, const char *restore, size_t length);

/// Whether the console's screen is on the terminal now (1) or the terminal is in its normal
/// state (0: before arming, while suspended, once closed); only an active screen is restored.
void fusebox_signals_set_active(int active);

/// Gives the calling thread an alternate signal stack if it has none, so that a stack overflow on
/// it still reaches the crash handler (which then restores the terminal). Call it on the thread
/// that runs the console. Returns 0, or -1 if no stack could be set.
int fusebox_signals_ensure_alternate_stack(void);

/// Puts back every handler that fusebox_signals_install replaced and forgets the terminal.
void fusebox_signals_uninstall(void);

/// The stop signal received, or 0.
int fusebox_signals_stop_requested(void);

/// Whether SIGTSTP arrived since the last call (clears it).
int fusebox_signals_take_suspend(void);

/// Whether SIGCONT arrived since the last call (clears it).
int fusebox_signals_take_resumed(void);

/// Stops the process as SIGTSTP's default action would, and returns once it is continued (at
/// once if the kernel discards the stop, as it does for an orphaned process group).
void fusebox_signals_stop_self(void);

#endif
