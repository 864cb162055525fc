/* backend/mc_kv: see mc_kv.h.  Everything here goes through db_* so the CAS
 * counter, the dirty counter and the TTL table stay in one place; the only
 * memcached-specific state is the pending flush point and the counters. */
#include "backend/mc_kv.h"

#include <event2/event.h>
#include <string.h>
#include <sys/time.h>

#include "backend/db.h"
#include "backend/entry.h"
#include "backend/evict.h"
#include "backend/propagate.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/mem.h"

struct mc_counters mc_stat;

/* Delayed flush_all: when mc_now() reaches flush_at, db 0 is emptied. */
static int64_t flush_at;
static bool flush_pending, flush_timer_armed;

static struct db *kv_db(void) { return db_get(0); }

int64_t mc_now(void) { return server.now_ms / 1000; }

int64_t mc_kv_expiry(const struct entry *e)
{
    int64_t ms = entry_expire(e);
    /* (ms + 1) / 1000: our own TTLs map back exactly; a RESP TTL in ms
     * rounds down, so "SET k v EX 10" reads back as t10 */
    return ms < 0 ? 0 : (ms + 1) / 1000;
}

int64_t mc_kv_expiry_ms(int64_t expiry)
{
    return expiry == 0 ? -1 : expiry * 1000 - 1;
}

uint32_t mc_kv_flags(const struct entry *e)
{
    return entry_mc_flags(e);
}

static void carry_bits(struct entry *e, uint8_t bits)
{
    e->bits = (uint8_t)((e->bits & ~MC_BITS) | (bits & MC_BITS));
}

/* The entry under key with lazy expiry; NULL if absent or expired. */
static struct entry *peek_live(const char *key, size_t nkey, bool count_expired)
{
    struct db *db = kv_db();
    struct entry *e = db_peek(db, key, nkey);
    if (e != NULL && (e->bits & ENTRY_EXPIRE) && db_entry_expired(e, server.now_ms)) {
        db_expire_entry(db, e);
        if (count_expired) mc_stat.get_expired++;
        e = NULL;
    }
    return e;
}

struct entry *mc_kv_find(const char *key, size_t nkey, unsigned how, struct mc_prior *prior)
{
    struct entry *e = peek_live(key, nkey, (how & MC_FIND_EXPIRED) != 0);
    if (e == NULL || e->type != OBJ_STRING) {
        server.stat.keyspace_misses++;
        return NULL;
    }
    if (prior != NULL) {
        prior->bits = e->bits;
        prior->idle_s = evict_policy_is_lfu() ? 0 : evict_idle_ms(e) / 1000;
    }
    if (how & MC_FIND_BUMP) {
        evict_touch(e);
        e->bits |= MC_BIT_FETCHED;
    }
    server.stat.keyspace_hits++;
    return e;
}

/* Links a new item in place of `old` (any type, may be NULL). */
static struct entry *link_item(struct entry *old, const struct mc_store *s, const char *val,
                               size_t nval, uint32_t flags, int64_t expiry, uint8_t bits)
{
    struct db *db = kv_db();
    struct entry *e = entry_create_str(s->key, s->nkey, val, nval, mc_kv_expiry_ms(expiry),
                                       flags, flags != 0);
    if (old != NULL) db_overwrite(db, old, e);
    else db_add(db, e);
    if (s->new_cas != 0) e->cas = s->new_cas;
    carry_bits(e, (uint8_t)(bits | (s->key_binary ? MC_BIT_KEYBIN : 0)));
    mc_stat.total_items++;
    propagate_mc_item(0, e);            /* SHOAL.MCSET: value, flags, expiry */
    return e;
}

/* append/prepend: a new item holding both values, the old flags and
 * expiry.  Past the item size limit memcached's allocation fails and the
 * answer is NOT_STORED with the old value kept. */
static enum mc_store_status store_concat(struct entry *old, const struct mc_store *s, uint64_t *cas_out)
{
    struct strval sv;
    entry_get_str(old, &sv);
    uint32_t flags = entry_mc_flags(old);
    size_t n = sv.len + s->ndata;
    if (!mc_sem_item_size_ok(s->nkey, flags, n, (size_t)server.cfg.item_size_max))
        return MC_NOT_STORED;
    char *buf = mem_alloc(n ? n : 1);
    const char *first = s->mode == MC_APPEND ? sv.p : s->data;
    size_t nfirst = s->mode == MC_APPEND ? sv.len : s->ndata;
    memcpy(buf, first, nfirst);
    memcpy(buf + nfirst, s->mode == MC_APPEND ? s->data : sv.p, n - nfirst);
    struct mc_store keep = *s;
    keep.key_binary = (old->bits & MC_BIT_KEYBIN) != 0 || s->key_binary;
    struct entry *e = link_item(old, &keep, buf, n, flags, mc_kv_expiry(old), 0);
    mem_free(buf);
    *cas_out = e->cas;
    return MC_STORED;
}

static enum mc_store_status store_cas(struct entry *old, const struct mc_store *s, uint64_t *cas_out)
{
    if (old == NULL) {
        mc_stat.cas_misses++;
        return MC_NOT_FOUND;
    }
    uint8_t bits = 0;
    if (old->cas != s->cas) {
        /* ms I: a CAS older than the item's stores the value marked stale */
        if (!s->set_stale || s->cas > old->cas) {
            mc_stat.cas_badval++;
            return MC_EXISTS;
        }
        bits = MC_BIT_STALE;
    }
    mc_stat.cas_hits++;
    *cas_out = link_item(old, s, s->data, s->ndata, s->flags, s->expiry, bits)->cas;
    return MC_STORED;
}

enum mc_store_status mc_kv_store(const struct mc_store *s, uint64_t *cas_out)
{
    *cas_out = 0;
    if (evict_perform() < 0) {
        mc_stat.store_no_memory++;
        return MC_NO_MEMORY;
    }
    struct entry *raw = peek_live(s->key, s->nkey, false);
    struct entry *old = raw != NULL && raw->type == OBJ_STRING ? raw : NULL;
    switch (s->mode) {
    case MC_ADD:
        if (raw != NULL) {
            if (old != NULL) evict_touch(old);   /* memcached bumps it */
            return MC_NOT_STORED;
        }
        break;
    case MC_REPLACE:
        if (old == NULL) return MC_NOT_STORED;
        break;
    case MC_APPEND:
    case MC_PREPEND:
        if (old == NULL) return MC_NOT_STORED;
        if (s->cas != 0 && s->cas != old->cas) return MC_EXISTS;
        return store_concat(old, s, cas_out);
    case MC_CAS:
        return store_cas(old, s, cas_out);
    case MC_SET:
        break;
    }
    *cas_out = link_item(raw, s, s->data, s->ndata, s->flags, s->expiry, 0)->cas;
    return MC_STORED;
}

struct entry *mc_kv_create(const char *key, size_t nkey, const char *val, size_t nval,
                           int64_t expiry, uint64_t new_cas, bool key_binary)
{
    if (evict_perform() < 0) {
        mc_stat.store_no_memory++;
        return NULL;
    }
    struct mc_store s = {.mode = MC_ADD, .key = key, .nkey = nkey, .new_cas = new_cas,
                         .key_binary = key_binary};
    return link_item(NULL, &s, val, nval, 0, expiry, 0);
}

struct entry *mc_kv_set_expiry(struct entry *e, int64_t expiry)
{
    uint8_t bits = e->bits;
    e = db_set_expire(kv_db(), e, mc_kv_expiry_ms(expiry));
    carry_bits(e, bits);
    size_t klen;
    const char *key = entry_key(e, &klen);
    char num[24];
    struct arg when = propagate_ll_arg(num, entry_expire(e));
    const char *argv[3] = {entry_expire(e) < 0 ? "PERSIST" : "PEXPIREAT", key, when.p};
    size_t lens[3] = {strlen(argv[0]), klen, when.len};
    propagate_command(0, entry_expire(e) < 0 ? 2 : 3, argv, lens);
    return e;
}

void mc_kv_bump_cas(struct entry *e, uint64_t new_cas)
{
    db_modified(kv_db(), e);
    if (new_cas != 0) e->cas = new_cas;
}

struct entry *mc_kv_set_value(struct entry *e, const char *val, size_t nval, uint64_t new_cas)
{
    struct db *db = kv_db();
    uint8_t bits = e->bits;
    struct entry *n = entry_set_str(e, val, nval);
    if (n != e) db_moved(db, e, n);
    carry_bits(n, bits);
    db_modified(db, n);
    if (new_cas != 0) n->cas = new_cas;
    propagate_mc_item(0, n);
    return n;
}

enum mc_delta_status mc_kv_delta(const char *key, size_t nkey, bool incr, uint64_t delta,
                                 uint64_t cas, uint64_t new_cas, struct mc_delta *d,
                                 struct entry **out)
{
    struct entry *e = mc_kv_find(key, nkey, MC_FIND_PEEK, NULL);
    if (e == NULL) {
        if (incr) mc_stat.incr_misses++;
        else mc_stat.decr_misses++;
        return MC_DELTA_NOT_FOUND;
    }
    if (cas != 0 && cas != e->cas) return MC_DELTA_EXISTS;
    struct strval sv;
    entry_get_str(e, &sv);
    if (!mc_sem_delta(sv.p, sv.len, incr, delta, d)) return MC_DELTA_NON_NUMERIC;
    char small[64];
    char *buf = d->stored_len <= sizeof(small) ? small : mem_alloc(d->stored_len);
    mc_sem_delta_store(d, buf);
    *out = mc_kv_set_value(e, buf, d->stored_len, new_cas);
    if (buf != small) mem_free(buf);
    if (incr) mc_stat.incr_hits++;
    else mc_stat.decr_hits++;
    return MC_DELTA_OK;
}

static void propagate_del(const char *key, size_t nkey)
{
    const char *argv[2] = {"DEL", key};
    size_t lens[2] = {3, nkey};
    propagate_command(0, 2, argv, lens);
}

bool mc_kv_unlink(const char *key, size_t nkey)
{
    if (db_delete(kv_db(), key, nkey) == 0) return false;
    propagate_del(key, nkey);
    return true;
}

void mc_kv_delete(struct entry *e)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    char small[256];
    char *copy = klen <= sizeof(small) ? small : mem_alloc(klen);
    memcpy(copy, key, klen);            /* the key dies with the entry */
    db_delete(kv_db(), copy, klen);
    propagate_del(copy, klen);
    if (copy != small) mem_free(copy);
}

static void flush_now(void)
{
    flush_pending = false;
    db_flush(kv_db());
    const char *argv[1] = {"FLUSHDB"};
    size_t lens[1] = {7};
    propagate_command(0, 1, argv, lens);
}

/* The timer makes a delayed flush happen even when no memcached command
 * arrives; it polls because DEBUG JUMP moves the clock under it. */
static void flush_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    flush_timer_armed = false;
    server.now_ms = clock_ms();
    mc_kv_tick();
    if (flush_pending && server.base != NULL) {
        struct timeval tv = {0, 100 * 1000};
        flush_timer_armed = event_base_once(server.base, -1, EV_TIMEOUT, flush_timer_cb, NULL, &tv) == 0;
    }
}

void mc_kv_tick(void)
{
    if (flush_pending && mc_now() >= flush_at) flush_now();
}

void mc_kv_flush(int32_t delay)
{
    int64_t now = mc_now();
    /* memcached: oldest_live = realtime(delay) - 1, and the flush is in
     * force once oldest_live <= now; delay <= 0 (or 1) means now. */
    int64_t at = delay > 0 ? mc_sem_exptime(delay, now) - 1 : now;
    if (at <= now) {
        flush_now();
        return;
    }
    flush_at = at;
    flush_pending = true;
    if (!flush_timer_armed) flush_timer_cb(-1, 0, NULL);
}

size_t mc_kv_ntotal(size_t nkey, uint32_t flags, size_t nbytes)
{
    /* memcached's item_make_header + CAS: see mc_sem_item_size_ok */
    return 48 + nkey + 1 + (flags ? 4 : 0) + nbytes + 2 + 8;
}

unsigned mc_kv_slab_class(size_t ntotal)
{
    /* memcached's default slab classes: 96 bytes (item header + 48-byte
     * chunk), each 1.25x the last rounded up to 8, until 512 KB / 1.25;
     * the last class is the 512 KB chunk. */
    const double factor = 1.25, largest = 524288 / 1.25;
    unsigned size = 96, cls = 1;
    for (;; cls++) {
        if (size >= largest) return cls;
        if (size % 8) size += 8 - size % 8;
        if (ntotal <= size) return cls;
        size = (unsigned)(size * factor);
    }
}
