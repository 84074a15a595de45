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

#endif
