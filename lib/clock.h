/* lib/clock: wall-clock and monotonic time, with a per-process offset that
 * tests move through DEBUG instead of sleeping (memcached's debugtime). */
#ifndef SHOAL_CLOCK_H
#define SHOAL_CLOCK_H

#include <stdint.h>

/* Real time plus the debug offset, in ms and us since the epoch. */
int64_t clock_ms(void);
int64_t clock_us(void);
/* Monotonic microseconds (latency measurement; not moved by the offset). */
int64_t clock_mono_us(void);
/* Moves the clock seen by clock_ms/clock_us by delta ms (tests only). */
void clock_offset_add(int64_t delta_ms);
int64_t clock_offset_get(void);
void clock_offset_set(int64_t ms);

#endif
