/* backend/evict: see evict.h.
 *
 * LRU: the entry's 24 bits hold the LRU clock in seconds (wrapping every
 * 194 days, as Redis's). LFU: 16 bits of minutes (the last decrement time)
 * and an 8-bit logarithmic counter, incremented with probability
 * 1/((counter-5)*lfu-log-factor+1) and decremented by one per
 * lfu-decay-time minutes idle, as Redis does it.
 *
 * Eviction keeps a pool of the best candidates seen in earlier samples, so
 * a few samples per round approximate true LRU well (Redis's evictionPool). */
#include "backend/evict.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/db.h"
#include "backend/entry.h"
#include "backend/propagate.h"
#include "backend/server.h"
#include "lib/dict.h"
#include "lib/log.h"
#include "lib/mem.h"

#define LRU_CLOCK_MAX ((1 << 24) - 1)
#define LFU_INIT_VAL 5
#define POOL_SIZE 16

const char *const evict_policy_names[] = {
    "noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
    "allkeys-random", "volatile-random", "volatile-ttl", NULL,
};

int evict_policy_is_lfu(void)
{
    int p = server.cfg.maxmemory_policy;
    return p == MAXMEMORY_ALLKEYS_LFU || p == MAXMEMORY_VOLATILE_LFU;
}

uint32_t evict_lru_clock(void)
{
    return (uint32_t)((server.now_ms / 1000) & LRU_CLOCK_MAX);
}

static uint32_t lfu_minutes(void)
{
    return (uint32_t)((server.now_ms / 60000) & 0xFFFF);
}

static uint32_t lfu_decr_and_get(const struct entry *e)
{
    uint32_t ldt = e->lru >> 8, counter = e->lru & 0xFF;
    uint32_t now = lfu_minutes();
    uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    uint32_t periods = server.cfg.lfu_decay_time ? elapsed / (uint32_t)server.cfg.lfu_decay_time : 0;
    return periods > counter ? 0 : counter - periods;
}

static uint32_t lfu_log_incr(uint32_t counter)
{
    if (counter == 255) return 255;
    double r = (double)rand() / RAND_MAX;
    double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
    double p = 1.0 / (base * (double)server.cfg.lfu_log_factor + 1);
    return r < p ? counter + 1 : counter;
}

void evict_init_entry(struct entry *e)
{
    if (evict_policy_is_lfu()) e->lru = (lfu_minutes() << 8) | LFU_INIT_VAL;
    else e->lru = evict_lru_clock();
}

void evict_touch(struct entry *e)
{
    if (evict_policy_is_lfu()) {
        uint32_t counter = lfu_log_incr(lfu_decr_and_get(e));
        e->lru = (lfu_minutes() << 8) | counter;
    } else {
        e->lru = evict_lru_clock();
    }
}

long long evict_idle_ms(const struct entry *e)
{
    uint32_t now = evict_lru_clock();
    uint32_t t = e->lru;
    uint32_t secs = now >= t ? now - t : LRU_CLOCK_MAX - t + now;
    return (long long)secs * 1000;
}

int evict_freq(const struct entry *e)
{
    return (int)lfu_decr_and_get(e);
}

/* Higher score = better to evict. */
static unsigned long long score(const struct entry *e)
{
    switch (server.cfg.maxmemory_policy) {
    case MAXMEMORY_ALLKEYS_LFU:
    case MAXMEMORY_VOLATILE_LFU:
        return 255 - lfu_decr_and_get(e);
    case MAXMEMORY_VOLATILE_TTL:
        return ULLONG_MAX - (unsigned long long)entry_expire(e);
    default:
        return (unsigned long long)evict_idle_ms(e);
    }
}

struct pool_item {
    unsigned long long score;
    int dbid;
    size_t klen;
    char key[64];           /* short keys are copied; longer ones looked up by prefix miss */
    char *longkey;
};

static struct pool_item pool[POOL_SIZE];
static int pool_len;

static void pool_insert(int dbid, const struct entry *e)
{
    unsigned long long s = score(e);
    size_t klen;
    const char *key = entry_key(e, &klen);
    int i;
    for (i = 0; i < pool_len; i++) {
        if (pool[i].dbid == dbid && pool[i].klen == klen &&
            memcmp(pool[i].longkey ? pool[i].longkey : pool[i].key, key, klen) == 0)
            return;   /* already there */
    }
    if (pool_len == POOL_SIZE) {
        /* replace the worst if this one is better */
        int worst = 0;
        for (i = 1; i < pool_len; i++) if (pool[i].score < pool[worst].score) worst = i;
        if (pool[worst].score >= s) return;
        if (pool[worst].longkey) mem_free(pool[worst].longkey);
        i = worst;
    } else {
        i = pool_len++;
    }
    pool[i].score = s;
    pool[i].dbid = dbid;
    pool[i].klen = klen;
    pool[i].longkey = NULL;
    if (klen <= sizeof(pool[i].key)) memcpy(pool[i].key, key, klen);
    else pool[i].longkey = mem_strndup(key, klen);
}

static void pool_remove(int i)
{
    if (pool[i].longkey) mem_free(pool[i].longkey);
    pool[i] = pool[--pool_len];
}

static int volatile_policy(void)
{
    int p = server.cfg.maxmemory_policy;
    return p == MAXMEMORY_VOLATILE_LRU || p == MAXMEMORY_VOLATILE_LFU ||
           p == MAXMEMORY_VOLATILE_RANDOM || p == MAXMEMORY_VOLATILE_TTL;
}

/* Picks and deletes one key; returns 0, or -1 if none can be evicted. */
static int evict_one(void)
{
    int p = server.cfg.maxmemory_policy;
    int vol = volatile_policy();
    if (p == MAXMEMORY_ALLKEYS_RANDOM || p == MAXMEMORY_VOLATILE_RANDOM) {
        /* each round starts at the next database, as Redis: otherwise db 0
         * would be emptied before any other lost a key */
        static int next_db;
        for (int n = 0; n < db_count(); n++) {
            struct db *db = db_get(next_db % db_count());
            next_db = (next_db + 1) % db_count();
            struct entry *e = dict_random(vol ? db->expires : db->keys);
            if (e == NULL) continue;
            size_t klen;
            const char *key = entry_key(e, &klen);
            char buf[256];
            /* copy the key: db_delete frees the entry it points into */
            if (klen <= sizeof(buf)) { memcpy(buf, key, klen); key = buf; }
            else key = mem_strndup(key, klen);
            db_delete(db, key, klen);
            propagate_deleted_key(db->id, key, klen);
            if (key != buf) mem_free((void *)key);
            return 0;
        }
        return -1;
    }
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        void *sample[64];
        size_t n = dict_sample(vol ? db->expires : db->keys, sample, (size_t)server.cfg.maxmemory_samples);
        for (size_t j = 0; j < n; j++) pool_insert(i, sample[j]);
    }
    while (pool_len > 0) {
        int best = 0;
        for (int i = 1; i < pool_len; i++) if (pool[i].score > pool[best].score) best = i;
        struct db *db = db_get(pool[best].dbid);
        const char *key = pool[best].longkey ? pool[best].longkey : pool[best].key;
        struct entry *e = db_peek(db, key, pool[best].klen);
        int ok = e != NULL && (!vol || (e->bits & ENTRY_EXPIRE));
        if (ok) db_delete(db, key, pool[best].klen);
        if (ok) propagate_deleted_key(db->id, key, pool[best].klen);
        pool_remove(best);
        if (ok) return 0;
    }
    return -1;
}

int evict_perform(void)
{
    if (server.cfg.maxmemory <= 0) return 0;
    if (mem_used() <= (size_t)server.cfg.maxmemory) return 0;
    if (server.cfg.maxmemory_policy == MAXMEMORY_NOEVICTION) return -1;
    /* "-OOM only when nothing can be evicted": keep going while keys remain */
    while (mem_used() > (size_t)server.cfg.maxmemory) {
        if (evict_one() < 0) return -1;
        server.stat.evictedkeys++;
    }
    return 0;
}
