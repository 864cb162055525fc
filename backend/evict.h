/* backend/evict: maxmemory and the eight Redis eviction policies, sampled
 * (maxmemory-samples keys per round, the best candidate from a small pool
 * kept across rounds), plus the per-entry LRU clock / LFU counter that
 * every read updates. */
#ifndef SHOAL_EVICT_H
#define SHOAL_EVICT_H

#include <stdint.h>

struct entry;

/* Frees memory until used memory is under maxmemory. Returns 0 if it is
 * (or no limit is set), -1 if nothing more can be evicted. */
int evict_perform(void);
/* Called on every access: updates the entry's LRU time or LFU counter. */
void evict_touch(struct entry *e);
/* Sets the LRU/LFU data of a new entry. */
void evict_init_entry(struct entry *e);
/* OBJECT IDLETIME (ms) and OBJECT FREQ. */
long long evict_idle_ms(const struct entry *e);
int evict_freq(const struct entry *e);
int evict_policy_is_lfu(void);
/* The 24-bit LRU clock for the current time. */
uint32_t evict_lru_clock(void);
/* Names for config: index = enum maxmemory_policy. */
extern const char *const evict_policy_names[];

#endif
