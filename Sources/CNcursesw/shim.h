#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H

// The wide-character and extended-colour APIs are declared only when these are set before
// curses.h; SwiftPM drops pkg-config's -D flags, so they are set here.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <ncursesw/curses.h>

// Swift cannot import function-like macros, NCURSES_BITS attributes or the mutable globals
// (Swift 6 rejects them as shared mutable state); these accessors stand in for them.
static inline WINDOW *fb_stdscr(void) { return stdscr; }
static inline int fb_colors(void) { return COLORS; }
static inline int fb_color_pairs(void) { return COLOR_PAIRS; }
static inline void fb_getmaxyx(WINDOW *w, int *y, int *x) { getmaxyx(w, *y, *x); }
static inline attr_t fb_a_normal(void) { return A_NORMAL; }
static inline attr_t fb_a_bold(void) { return A_BOLD; }
static inline attr_t fb_a_dim(void) { return A_DIM; }
static inline attr_t fb_a_reverse(void) { return A_REVERSE; }
static inline attr_t fb_a_underline(void) { return A_UNDERLINE; }

// One cell: a Unicode scalar with attributes and an extended colour pair (passed through opts,
// which lifts the 255-pair limit).
static inline int fb_setcchar(cchar_t *cc, wchar_t ch, attr_t attrs, int pair) {
    wchar_t s[2] = { ch, 0 };
    return setcchar(cc, s, attrs, 0, &pair);
}

// One cell holding a grapheme: a spacing character and up to CCHARW_MAX - 1 combining characters
// (a 0 ends the list early).
static inline int fb_setcchar_grapheme(cchar_t *cc, wchar_t c0, wchar_t c1, wchar_t c2, wchar_t c3, wchar_t c4,
                                       attr_t attrs, int pair) {
    wchar_t s[6] = { c0, c1, c2, c3, c4, 0 };
    if (CCHARW_MAX < 5) s[CCHARW_MAX] = 0;
    return setcchar(cc, s, attrs, 0, &pair);
}

// The columns the C library (and so ncurses) gives a character in the current locale; -1 if it
// cannot be printed. Declared here because <wchar.h> declares it only under _XOPEN_SOURCE.
int wcwidth(wchar_t c);
static inline int fb_wcwidth(wchar_t c) { return wcwidth(c); }

static inline int fb_codeset_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != 0 && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

#include <string.h>

#endif
