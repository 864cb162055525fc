/* backend/expire: see expire.h. Effort scales with active-expire-effort
 * (1..10) as in Redis: keys per loop 20 + 20/4*effort-1, time budget 25% of
 * each cron period plus 2% per effort step. */
#include "backend/expire.h"

#include "backend/db.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/dict.h"

#define KEYS_PER_LOOP 20
#define ACCEPTABLE_STALE 10   /* percent */

static int expire_db_round(struct db *db, int keys_per_loop)
{
    void *sample[64];
    if (keys_per_loop > 64) keys_per_loop = 64;
    size_t n = dict_sample(db->expires, sample, (size_t)keys_per_loop);
    int expired = 0;
    for (size_t i = 0; i < n; i++) {
        struct entry *e = sample[i];
        if (db_entry_expired(e, server.now_ms)) {
            db_expire_entry(db, e);
            expired++;
        }
    }
    return n ? (int)(expired * 100 / (long)n) : 0;
}

void expire_active_cycle(void)
{
    if (!server.cfg.active_expire_enabled || server.loading) return;
    int effort = (int)server.cfg.active_expire_effort - 1;
    int keys_per_loop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
    long long budget_us = 1000000LL / server.cfg.hz * (25 + 2 * effort) / 100;
    int64_t start = clock_mono_us();
    server.now_ms = clock_ms();
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        int iterations = 0;
        while (db_expires_size(db) > 0) {
            int stale = expire_db_round(db, keys_per_loop);
            if (stale <= ACCEPTABLE_STALE) break;
            if ((++iterations & 15) == 0 && clock_mono_us() - start > budget_us) return;
        }
    }
}
