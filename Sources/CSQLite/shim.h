#ifndef FUSEBOX_CSQLITE_SHIM_H
#define FUSEBOX_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro Swift cannot import: binding with it makes SQLite copy the bytes.
static inline void (*_Nonnull fusebox_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }
#endif
