// Signal handlers for the console; see include/CFuseboxSignals.h.
//
// The handlers make only async-signal-safe calls: atomic loads and stores, write(2), tcsetattr(3),
// sigaction(2), raise(3) and _exit(2). errno is saved and restored around them.

#include "CFuseboxSignals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FB_COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define FB_RESTORE_CAPACITY 512

// Every signal whose default action ends the process without a fault: left at the default, each
// would end the console with the terminal still in its modes (SIGUSR1 from a stray `kill`, a
// library's SIGALRM).
static const int fb_stop_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ,
};
static const int fb_job_signals[] = { SIGTSTP, SIGCONT };
static const int fb_crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT };

// What each signal did before the console installed its handler.
static struct sigaction fb_previous[NSIG];
static int fb_installed;        // the stop and job handlers are installed (changed outside handlers only)
static int fb_crash_installed;  // the crash handlers are installed (likewise)
static int fb_atexit_registered;

// Read and written with __atomic builtins: handlers and the console's thread share them.
static int fb_stop;     // the stop signal received, or 0
static int fb_suspend;  // SIGTSTP arrived
static int fb_resumed;  // SIGCONT arrived
static int fb_active;   // the screen is on the terminal: a crash or exit restores it

// Set once by fusebox_signals_arm, before fb_active is, and only read afterwards.
static int fb_fd = -1;
static struct termios fb_settings;
static char fb_restore[FB_RESTORE_CAPACITY];
static size_t fb_restore_length;

/// Leaves the console's screen: the restore bytes, then the saved settings. Once per activation.
static void fb_restore_terminal(void) {
    if (!__atomic_exchange_n(&fb_active, 0, __ATOMIC_SEQ_CST)) return;
    size_t written = 0;
    while (written < fb_restore_length) {
        ssize_t n = write(fb_fd, fb_restore + written, fb_restore_length - written);
        if (n > 0) {
            written += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    tcsetattr(fb_fd, TCSANOW, &fb_settings);
}

static void fb_on_stop(int signal) {
    int saved = errno;
    int expected = 0;
    if (!__atomic_compare_exchange_n(&fb_stop, &expected, signal, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
        && signal != SIGHUP && signal != SIGPIPE) {
        // Asked twice (Ctrl-C again, a second kill): the console is not stopping fast enough, or is
        // stuck; stop now. SIGHUP and SIGPIPE often come twice on their own (from the kernel and
        // from the shell): they wait for the orderly stop.
        fb_restore_terminal();
        _exit(128 + signal);
    }
    errno = saved;
}

static void fb_on_job(int signal) {
    __atomic_store_n(signal == SIGTSTP ? &fb_suspend : &fb_resumed, 1, __ATOMIC_SEQ_CST);
}

static void fb_set_default(int signal) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, NULL);
}

/// A crash: restore the terminal first, so that whatever reports the crash (the Swift runtime's
/// backtracer paints the screen and may wait for a key) does so on the normal screen, then hand
/// the signal on as if this handler had never been there.
static void fb_on_crash(int signal, siginfo_t *info, void *context) {
    fb_restore_terminal();
    const struct sigaction *previous = &fb_previous[signal];
    // From here on the signal goes where it went before the console started.
    sigaction(signal, previous, NULL);
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction != NULL) previous->sa_sigaction(signal, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(signal);
    } else {
        fb_set_default(signal);
    }
    // A fault happens again when this returns, now with the previous disposition (the Swift
    // runtime resets its handlers to the default before it returns). A signal sent with kill(2),
    // raise(3) or abort(3) does not: send it again, with the default action, to end the process.
    // It is blocked until this handler returns.
    if (info == NULL || info->si_code <= 0) {
        fb_set_default(signal);
        raise(signal);
    }
}

static void fb_at_exit(void) { fb_restore_terminal(); }

/// Installs `action` for each signal; with `keep_ignored`, a signal ignored by whoever started the
/// process (nohup, a shell's background job) stays ignored.
static void fb_install(const int *signals, size_t count, struct sigaction *action, int keep_ignored) {
    for (size_t i = 0; i < count; i++) {
        struct sigaction *previous = &fb_previous[signals[i]];
        if (sigaction(signals[i], NULL, previous) != 0) continue;
        if (keep_ignored && !(previous->sa_flags & SA_SIGINFO) && previous->sa_handler == SIG_IGN) continue;
        sigaction(signals[i], action, NULL);
    }
}

static void fb_put_back(const int *signals, size_t count) {
    for (size_t i = 0; i < count; i++) {
        sigaction(signals[i], &fb_previous[signals[i]], NULL);
    }
}

void fusebox_signals_install(void) {
    if (fb_installed) return;
    __atomic_store_n(&fb_stop, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fb_suspend, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fb_resumed, 0, __ATOMIC_SEQ_CST);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    action.sa_handler = fb_on_stop;
    // A second stop signal must not interrupt the first one's handler half-way.
    for (size_t i = 0; i < FB_COUNT(fb_stop_signals); i++) sigaddset(&action.sa_mask, fb_stop_signals[i]);
    fb_install(fb_stop_signals, FB_COUNT(fb_stop_signals), &action, 1);
    action.sa_handler = fb_on_job;
    sigemptyset(&action.sa_mask);
    fb_install(fb_job_signals, FB_COUNT(fb_job_signals), &action, 1);
    fb_installed = 1;
}

int fusebox_signals_arm(int fd, const struct termios *settings, const char *restore, size_t length) {
    if (!fb_installed) return -1;
    __atomic_store_n(&fb_active, 0, __ATOMIC_SEQ_CST);
    fb_fd = fd;
    fb_settings = *settings;
    fb_restore_length = length < FB_RESTORE_CAPACITY ? length : FB_RESTORE_CAPACITY;
    memcpy(fb_restore, restore, fb_restore_length);
    if (!fb_crash_installed) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        sigemptyset(&action.sa_mask);
        // On the alternate stack where a thread has one (the Swift runtime gives the main thread one).
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        action.sa_sigaction = fb_on_crash;
        fb_install(fb_crash_signals, FB_COUNT(fb_crash_signals), &action, 0);
        fb_crash_installed = 1;
    }
    if (!fb_atexit_registered) {
        atexit(fb_at_exit);
        fb_atexit_registered = 1;
    }
    __atomic_store_n(&fb_active, 1, __ATOMIC_SEQ_CST);
    return 0;
}

int fusebox_signals_ensure_alternate_stack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return 0;
    // Kept for the thread's life: a thread that runs the console runs until the process ends.
    size_t size = 64 * 1024;
    void *memory = malloc(size);
    if (memory == NULL) return -1;
    stack_t stack = { .ss_sp = memory, .ss_flags = 0, .ss_size = size };
    if (sigaltstack(&stack, NULL) != 0) {
        free(memory);
        return -1;
    }
    return 0;
}

void fusebox_signals_set_active(int active) {
    __atomic_store_n(&fb_active, active ? 1 : 0, __ATOMIC_SEQ_CST);
}

void fusebox_signals_uninstall(void) {
    __atomic_store_n(&fb_active, 0, __ATOMIC_SEQ_CST);
    if (fb_crash_installed) {
        fb_put_back(fb_crash_signals, FB_COUNT(fb_crash_signals));
        fb_crash_installed = 0;
    }
    if (fb_installed) {
        fb_put_back(fb_job_signals, FB_COUNT(fb_job_signals));
        fb_put_back(fb_stop_signals, FB_COUNT(fb_stop_signals));
        fb_installed = 0;
    }
}

int fusebox_signals_stop_requested(void) { return __atomic_load_n(&fb_stop, __ATOMIC_SEQ_CST); }

int fusebox_signals_take_suspend(void) { return __atomic_exchange_n(&fb_suspend, 0, __ATOMIC_SEQ_CST); }

int fusebox_signals_take_resumed(void) { return __atomic_exchange_n(&fb_resumed, 0, __ATOMIC_SEQ_CST); }

void fusebox_signals_stop_self(void) {
    struct sigaction ours;
    struct sigaction standard;
    memset(&standard, 0, sizeof standard);
    standard.sa_handler = SIG_DFL;
    sigemptyset(&standard.sa_mask);
    sigaction(SIGTSTP, &standard, &ours);
    sigset_t tstp;
    sigset_t mask;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &tstp, &mask);
    raise(SIGTSTP);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (fb_installed) sigaction(SIGTSTP, &ours, NULL);
}
