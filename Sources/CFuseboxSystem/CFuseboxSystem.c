// Everything lives in include/CFuseboxSystem.h; SwiftPM needs one source file per C target.
#include "CFuseboxSystem.h"
