/* backend/info: STUB */
#include "backend/info.h"
