/* lib/clock: see clock.h. The offset is a plain global: it is set from the
 * node's single thread and only read elsewhere. */
#include "lib/clock.h"

#include <time.h>

static int64_t offset_ms;

int64_t clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + offset_ms * 1000;
}

int64_t clock_ms(void)
{
    return clock_us() / 1000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_offset_add(int64_t delta_ms) { offset_ms += delta_ms; }
int64_t clock_offset_get(void) { return offset_ms; }
void clock_offset_set(int64_t ms) { offset_ms = ms; }
