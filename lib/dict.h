/* lib/dict: the keyspace hash table.
 *
 * Open addressing with linear probing over a power-of-two array of pointers
 * to caller-owned entries; the table stores no key copies and no per-slot
 * metadata beyond the pointer, so a key costs 8 bytes of table / load factor.
 * The caller tells the table how to get an entry's key bytes.
 *
 * Growth and shrink are incremental (two tables while rehashing, a few slots
 * moved on every operation and more from dict_rehash_ms in the cron), so no
 * single command pays for a full rehash. Deletion leaves a tombstone; tombstones
 * are dropped when a table is rehashed (growth, shrink, or same-size cleanup
 * when they pile up).
 *
 * dict_scan gives Redis's SCAN guarantee: an entry present for the whole
 * iteration is returned at least once, even across resizes. The cursor walks
 * home buckets in reverse-binary order; a home bucket's entries are found by
 * walking its probe run.
 *
 * Not thread safe: one table belongs to one thread.
 */
#ifndef SHOAL_DICT_H
#define SHOAL_DICT_H

#include <stddef.h>
#include <stdint.h>

struct dict_type {
    /* Returns the key bytes of an entry stored in the table. */
    const char *(*entry_key)(const void *entry, size_t *klen);
    /* Non-zero: keys hash with dict_hash_nocase and compare ASCII
     * case-insensitively (command tables). Zero-initialised = exact keys. */
    int nocase;
};

struct dict;

/* Seeds the keyed hash (SipHash-1-3) for every table; call once at start,
 * before any table holds entries (a table hashed with another seed breaks). */
void dict_hash_seed(const uint8_t seed[16]);
uint64_t dict_hash(const void *key, size_t len);
/* Case-insensitive variant (for command-name tables). */
uint64_t dict_hash_nocase(const void *key, size_t len);
/* Plain SipHash-c-d with an explicit key (test vectors; not for tables). */
uint64_t dict_siphash(const void *in, size_t len, const uint8_t key[16],
                      int crounds, int drounds);

struct dict *dict_create(const struct dict_type *type);
/* Frees the table, not the entries. Sets *d to NULL. */
void dict_destroy(struct dict **d);

size_t dict_size(const struct dict *d);
/* Slots allocated over both tables (for INFO / memory accounting). */
size_t dict_slots(const struct dict *d);
size_t dict_mem_bytes(const struct dict *d);
int dict_is_rehashing(const struct dict *d);

/* Lookup by key; NULL if absent. */
void *dict_find(struct dict *d, const char *key, size_t klen);
/* Adds an entry whose key is not present (the caller has checked; debug
 * builds abort on a duplicate). On x86-64/aarch64 the entry pointer must fit
 * in 48 bits (the top 16 bits of a slot hold hash bits); aborts otherwise. */
void dict_add(struct dict *d, void *entry);
/* Replaces the stored pointer `old` (same key) by `new_entry`, e.g. after the
 * entry was reallocated. Returns 0, or -1 if `old` was not found. */
int dict_replace(struct dict *d, const void *old, void *new_entry);
/* Removes the entry with this key and returns it (NULL if absent). */
void *dict_delete(struct dict *d, const char *key, size_t klen);
/* Removes every entry, calling free_fn(entry, priv) on each when given.
 * Shrinks the table back to its initial size. */
void dict_empty(struct dict *d, void (*free_fn)(void *entry, void *priv), void *priv);

/* A random entry (NULL if empty); fair enough for eviction sampling. */
void *dict_random(struct dict *d);
/* Up to `count` entries from a random place, for eviction and expiry
 * sampling; returns how many were written to out[]. May return fewer. */
size_t dict_sample(struct dict *d, void **out, size_t count);

/* Calls fn on the entries of one or a few home buckets and returns the next
 * cursor (0 when the iteration is complete). fn must not modify the table. */
typedef void dict_scan_fn(void *priv, void *entry);
uint64_t dict_scan(struct dict *d, uint64_t cursor, dict_scan_fn *fn, void *priv);

/* Full iteration; fn must not modify the table. Stops early if fn returns
 * non-zero. */
typedef int dict_iter_fn(void *priv, void *entry);
void dict_foreach(struct dict *d, dict_iter_fn *fn, void *priv);

/* Does incremental rehash work for about `ms` milliseconds; returns 1 if the
 * table is still rehashing. */
int dict_rehash_ms(struct dict *d, int ms);
/* Starts a shrink if the table is much larger than its contents. */
void dict_maybe_shrink(struct dict *d);
/* Pauses/resumes incremental rehash steps and the start of new resizes (while
 * a fork child snapshots). Process-wide. A table that gets nearly full (7/8)
 * still grows, since correctness beats copy-on-write savings. */
void dict_set_resize_allowed(int allowed);

#endif
