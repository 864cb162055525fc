/* backend/db: see db.h. */
#include "backend/db.h"

#include <stdlib.h>

#include "backend/blocking.h"
#include "backend/evict.h"
#include "backend/propagate.h"
#include "backend/server.h"
#include "lib/dict.h"
#include "lib/mem.h"

static const struct dict_type keyspace_type = {.entry_key = entry_key_cb};

static struct db *dbs;
static int ndbs;

void db_setup(int count)
{
    ndbs = count;
    dbs = mem_calloc(sizeof(*dbs) * (size_t)count);
    for (int i = 0; i < count; i++) {
        dbs[i].id = i;
        dbs[i].keys = dict_create(&keyspace_type);
        dbs[i].expires = dict_create(&keyspace_type);
    }
}

static void free_entry_cb(void *e, void *priv)
{
    struct entry *en = e;
    entry_destroy(&en);
}

void db_teardown(void)
{
    for (int i = 0; i < ndbs; i++) {
        dict_empty(dbs[i].expires, NULL, NULL);
        dict_empty(dbs[i].keys, free_entry_cb, NULL);
        dict_destroy(&dbs[i].keys);
        dict_destroy(&dbs[i].expires);
    }
    mem_free(dbs);
    dbs = NULL;
    ndbs = 0;
}

int db_count(void) { return ndbs; }

struct db *db_get(int id)
{
    return (id >= 0 && id < ndbs) ? &dbs[id] : NULL;
}

uint64_t db_next_cas(void)
{
    return ++server.cas_counter;
}

int db_entry_expired(const struct entry *e, int64_t now_ms)
{
    int64_t when = entry_expire(e);
    return when >= 0 && now_ms > when && !server.loading;
}

static void remove_entry(struct db *db, struct entry *e)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    if (e->bits & ENTRY_EXPIRE) dict_delete(db->expires, key, klen);
    dict_delete(db->keys, key, klen);
}

void db_expire_entry(struct db *db, struct entry *e)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    propagate_deleted_key(db->id, key, klen);   /* the AOF replays expiry as DEL */
    remove_entry(db, e);
    entry_destroy(&e);
    server.stat.expiredkeys++;
    server.dirty++;
}

static struct entry *lookup(struct db *db, const char *key, size_t klen)
{
    struct entry *e = dict_find(db->keys, key, klen);
    if (e && (e->bits & ENTRY_EXPIRE) && db_entry_expired(e, server.now_ms)) {
        db_expire_entry(db, e);
        return NULL;
    }
    return e;
}

struct entry *db_lookup_read(struct db *db, const char *key, size_t klen)
{
    struct entry *e = lookup(db, key, klen);
    if (e) {
        server.stat.keyspace_hits++;
        evict_touch(e);
    } else {
        server.stat.keyspace_misses++;
    }
    return e;
}

struct entry *db_lookup_write(struct db *db, const char *key, size_t klen)
{
    struct entry *e = lookup(db, key, klen);
    if (e) evict_touch(e);
    return e;
}

struct entry *db_peek(struct db *db, const char *key, size_t klen)
{
    return dict_find(db->keys, key, klen);
}

void db_modified(struct db *db, struct entry *e)
{
    (void)db;
    if (e) e->cas = db_next_cas();
    server.dirty++;
}

void db_add(struct db *db, struct entry *e)
{
    evict_init_entry(e);
    dict_add(db->keys, e);
    if (e->bits & ENTRY_EXPIRE) dict_add(db->expires, e);
    db_modified(db, e);
    /* as Redis's dbAdd: a list or sorted set appearing (RENAME, COPY, MOVE,
     * a push) may serve blocked clients; O(1) when nobody waits */
    if (e->type == OBJ_LIST || e->type == OBJ_ZSET) {
        size_t klen;
        const char *key = entry_key(e, &klen);
        blocking_signal_key(db, key, klen);
    }
}

void db_overwrite(struct db *db, struct entry *old, struct entry *e)
{
    /* one table update instead of a delete and an add */
    size_t klen;
    const char *key = entry_key(old, &klen);
    if (old->bits & ENTRY_EXPIRE) dict_delete(db->expires, key, klen);
    dict_replace(db->keys, old, e);
    if (e->bits & ENTRY_EXPIRE) dict_add(db->expires, e);
    entry_destroy(&old);
    evict_init_entry(e);
    db_modified(db, e);
}

struct entry *db_set_str(struct db *db, struct entry *old, const char *key, size_t klen,
                         const char *val, size_t vlen, int64_t expire_ms, uint32_t mc_flags, int has_flags)
{
    if (old != NULL) {
        int had = (old->bits & ENTRY_EXPIRE) != 0;
        uint32_t lru = old->lru;
        struct entry *e = entry_overwrite_str(old, val, vlen, expire_ms, mc_flags, has_flags);
        if (e != NULL) {
            if (had && expire_ms < 0) dict_delete(db->expires, key, klen);
            else if (!had && expire_ms >= 0) dict_add(db->expires, e);
            evict_init_entry(e);
            /* as Redis's dbSetValue: an overwrite keeps the LFU counter */
            if (evict_policy_is_lfu()) e->lru = lru;
            db_modified(db, e);
            return e;
        }
    }
    struct entry *e = entry_create_str(key, klen, val, vlen, expire_ms, mc_flags, has_flags);
    if (old == NULL) {
        db_add(db, e);
    } else {
        uint32_t lru = old->lru;
        db_overwrite(db, old, e);
        if (evict_policy_is_lfu()) e->lru = lru;
    }
    return e;
}

void db_moved(struct db *db, struct entry *old, struct entry *e)
{
    if (old == e) return;
    /* old is still allocated (entry.h): the tables can compare against it */
    dict_replace(db->keys, old, e);
    if (e->bits & ENTRY_EXPIRE) dict_replace(db->expires, old, e);
    entry_free_moved(old);
}

int db_delete(struct db *db, const char *key, size_t klen)
{
    struct entry *e = db_unlink(db, key, klen);
    if (e == NULL) return 0;
    entry_destroy(&e);
    return 1;
}

struct entry *db_unlink(struct db *db, const char *key, size_t klen)
{
    struct entry *e = lookup(db, key, klen);
    if (e == NULL) return NULL;
    remove_entry(db, e);
    server.dirty++;
    return e;
}

struct entry *db_set_expire(struct db *db, struct entry *e, int64_t when_ms)
{
    int had = (e->bits & ENTRY_EXPIRE) != 0;
    struct entry *n = entry_set_expire(e, when_ms);
    if (n == e) return n;
    size_t klen;
    const char *key = entry_key(e, &klen);
    dict_replace(db->keys, e, n);
    if (had) dict_delete(db->expires, key, klen);
    if (when_ms >= 0) dict_add(db->expires, n);
    entry_free_moved(e);
    return n;
}

long long db_flush(struct db *db)
{
    long long n = (long long)dict_size(db->keys);
    dict_empty(db->expires, NULL, NULL);
    dict_empty(db->keys, free_entry_cb, NULL);
    db->avg_ttl = 0;
    server.dirty += n;
    return n;
}

long long db_flush_all(void)
{
    long long n = 0;
    for (int i = 0; i < ndbs; i++) n += db_flush(&dbs[i]);
    return n;
}

size_t db_size(struct db *db) { return dict_size(db->keys); }
size_t db_expires_size(struct db *db) { return dict_size(db->expires); }
