#ifndef CFUSEBOX_SYSTEM_H
#define CFUSEBOX_SYSTEM_H

// The few system calls Swift's Glibc module does not expose. Header-only: Swift inlines these.

#if defined(__linux__)
// Declared here rather than through <sched.h>, which hides it without _GNU_SOURCE.
extern int sched_getcpu(void);
#endif

/// The CPU the calling thread runs on (glibc answers from the rseq area: no system call), or -1
/// where that is unknown.
static inline int fusebox_current_cpu(void) {
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
}

/// The thread sanitizer's annotations. Weak: a build without `--sanitize=thread` has no such
/// symbols (their addresses are null), and these cost a load and a branch.
extern void __tsan_acquire(void *address) __attribute__((weak));
extern void __tsan_release(void *address) __attribute__((weak));

/// Tells the thread sanitizer that the caller now holds the lock guarding `address`.
static inline void fusebox_tsan_acquire(void *address) {
    if (__tsan_acquire) __tsan_acquire(address);
}

/// Tells the thread sanitizer that the caller is about to release the lock guarding `address`.
static inline void fusebox_tsan_release(void *address) {
    if (__tsan_release) __tsan_release(address);
}

#endif
