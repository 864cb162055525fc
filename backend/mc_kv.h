/* backend/mc_kv: Memcached semantics on the node's keyspace (database 0),
 * shared by the classic commands (mc.c), the meta commands (mc_meta.c) and
 * `stats` (mc_stats.c).
 *
 * Items are ordinary string entries: the value is the entry's string, the
 * client flags live in the entry (ENTRY_FLAGS, absent when 0), the expiry
 * is the entry's TTL.  A memcached exptime is whole seconds; an item that
 * expires at unix second X is stored with TTL X*1000-1 ms, so that the db's
 * "expired when now_ms > ttl" equals memcached's "expired when now >= X".
 * "now" is server.now_ms, so DEBUG JUMP moves memcached time too.
 *
 * Meta state memcached keeps per item (fetched, stale, win token sent, key
 * was base64) is kept in spare bits of entry->bits (MC_BIT_*).  entry.c
 * rebuilds the bits when it reallocates an entry; the functions here carry
 * them across moves they cause.  A move made through RESP (EXPIRE, APPEND)
 * drops them, which only forgets a meta hint.
 *
 * A key holding another type (hash, list...) is a miss for every memcached
 * command except set, which replaces it, and add, which does not store. */
#ifndef SHOAL_MC_KV_H
#define SHOAL_MC_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/mc_sem.h"

struct entry;

#define MC_BIT_KEYBIN  0x08   /* the key was sent base64 (meta b): echo it so */
#define MC_BIT_FETCHED 0x10   /* read since stored (mg h, me fetch=) */
#define MC_BIT_STALE   0x20   /* marked stale (md I, ms I) */
#define MC_BIT_TOKEN   0x40   /* a win token was handed out (mg W/Z) */
#define MC_BITS (MC_BIT_KEYBIN | MC_BIT_FETCHED | MC_BIT_STALE | MC_BIT_TOKEN)

/* Counters `stats` reports under memcached's names. */
struct mc_counters {
    uint64_t cmd_get, cmd_set, cmd_flush, cmd_touch, cmd_meta;
    uint64_t get_hits, get_misses, get_expired, get_flushed;
    uint64_t delete_hits, delete_misses, incr_hits, incr_misses;
    uint64_t decr_hits, decr_misses, cas_hits, cas_misses, cas_badval;
    uint64_t touch_hits, touch_misses, store_too_large, store_no_memory;
    uint64_t total_items;
};
extern struct mc_counters mc_stat;

/* Memcached's clock: unix seconds of server.now_ms. */
int64_t mc_now(void);

/* An item's absolute expiry in unix seconds (0 = never), and the TTL in ms
 * to store for one (-1 = none). */
int64_t mc_kv_expiry(const struct entry *e);
int64_t mc_kv_expiry_ms(int64_t expiry);
uint32_t mc_kv_flags(const struct entry *e);

/* What an item looked like before a lookup bumped it (mg h/l, me). */
struct mc_prior {
    uint8_t bits;
    int64_t idle_s;
};

/* mc_kv_find's `how`, or-ed */
#define MC_FIND_PEEK 0u         /* no LRU bump, not marked fetched */
#define MC_FIND_BUMP 1u         /* a read: LRU bump, marked fetched */
#define MC_FIND_EXPIRED 2u      /* count an expired hit in get_expired */
#define MC_FIND_GET (MC_FIND_BUMP | MC_FIND_EXPIRED)

/* The live string item under key, or NULL (missing, expired: then deleted,
 * or another type).  `prior` may be NULL. */
struct entry *mc_kv_find(const char *key, size_t nkey, unsigned how, struct mc_prior *prior);
/* A new CAS for an item changed in place (md I); `new_cas` if non-zero. */
void mc_kv_bump_cas(struct entry *e, uint64_t new_cas);

enum mc_store_mode { MC_SET, MC_ADD, MC_REPLACE, MC_APPEND, MC_PREPEND, MC_CAS };
enum mc_store_status { MC_STORED, MC_NOT_STORED, MC_EXISTS, MC_NOT_FOUND, MC_NO_MEMORY };

struct mc_store {
    enum mc_store_mode mode;
    const char *key;
    size_t nkey;
    const char *data;
    size_t ndata;
    uint32_t flags;
    int64_t expiry;         /* absolute seconds, 0 = never */
    uint64_t cas;           /* MC_CAS, append/prepend: compare (0 = none) */
    uint64_t new_cas;       /* meta E: the CAS to assign (0 = next) */
    bool set_stale;         /* meta I: a CAS older than the item's stores stale */
    bool key_binary;        /* meta b */
};

/* memcached's do_store_item.  *cas_out gets the stored item's CAS (0 when
 * nothing was stored).  MC_NO_MEMORY: eviction could not make room; the
 * caller unlinks the old value where memcached does (E10). */
enum mc_store_status mc_kv_store(const struct mc_store *s, uint64_t *cas_out);

enum mc_delta_status { MC_DELTA_OK, MC_DELTA_NON_NUMERIC, MC_DELTA_NOT_FOUND, MC_DELTA_EXISTS };
/* incr/decr (memcached's do_add_delta); `cas` compares when non-zero,
 * `new_cas` assigns when non-zero.  On OK, *out is the item and d its new
 * number. */
enum mc_delta_status mc_kv_delta(const char *key, size_t nkey, bool incr, uint64_t delta,
                                 uint64_t cas, uint64_t new_cas, struct mc_delta *d,
                                 struct entry **out);

/* Creates an item that must not exist (mg N, ma N): returns it or NULL when
 * memory cannot be made. */
struct entry *mc_kv_create(const char *key, size_t nkey, const char *val, size_t nval,
                           int64_t expiry, uint64_t new_cas, bool key_binary);

/* Sets an item's expiry (absolute seconds, 0 = never); returns the possibly
 * moved entry.  The CAS is kept (memcached's touch). */
struct entry *mc_kv_set_expiry(struct entry *e, int64_t expiry);
/* Replaces an item's value keeping its flags and expiry; new CAS. */
struct entry *mc_kv_set_value(struct entry *e, const char *val, size_t nval, uint64_t new_cas);
/* Removes a key (any type); returns true if it existed. */
bool mc_kv_unlink(const char *key, size_t nkey);
/* Removes a live item found by mc_kv_find. */
void mc_kv_delete(struct entry *e);

/* flush_all: `delay` is the raw token (0 = now).  Items stored before the
 * flush point disappear once it passes (memcached's oldest_live). */
void mc_kv_flush(int32_t delay);
/* Applies a due delayed flush; called before every command and by a timer. */
void mc_kv_tick(void);

/* memcached's item size and slab class for an item (me, stats). */
size_t mc_kv_ntotal(size_t nkey, uint32_t flags, size_t nbytes);
unsigned mc_kv_slab_class(size_t ntotal);

#endif
