#ifndef FUSEBOX_CZLIB_SHIM_H
#define FUSEBOX_CZLIB_SHIM_H
#include <zlib.h>
#endif
