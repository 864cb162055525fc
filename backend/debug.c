/* backend/debug: STUB */
#include "backend/dispatch.h"
#include "backend/reply.h"
#include "backend/server.h"
