/* backend/rdb: snapshots in Redis's RDB format.
 *
 * Written as REDIS0009 with the plain value types every Redis from 5.0 on
 * loads (string 0, list 1, set 2, hash 4, zset 5), expiry in milliseconds,
 * AUX fields, LZF for strings over 20 bytes (rdbcompression) and the
 * CRC-64 trailer (rdbchecksum). A file is written to temp-<pid>.rdb,
 * fsynced and renamed over dbfilename, so a crash mid-save leaves the old
 * snapshot in place. SAVE writes in the node; BGSAVE forks and the child
 * writes (server_fork: dict resizes pause in the parent meanwhile).
 *
 * Memcached client flags, which Redis has no place for, are kept in AUX
 * fields named "shoal-mcflags" that follow the keys they describe (in the
 * same database section). Redis ignores AUX fields it does not know, so a
 * real redis-server loads the file as plain strings; Shoal restores the
 * flags. The value of one such field is:
 *
 *   u32 LE dbid, then repeated { <RDB length> klen, key bytes, u32 LE flags }
 *
 * with at most 1024 keys per field.
 *
 * Loading (rdb_load.c) takes what Redis 7.0 and older write too: integer
 * and LZF strings, zset v1, ziplist (10, 12, 13), intset (11), quicklist
 * (14), listpack (16, 17, 20) and quicklist v2 (18), RDB versions 1..11.
 * Collections are built by replaying RPUSH/SADD/ZADD/HSET in batches, so
 * they take the encoding the type module would give them. */
#ifndef SHOAL_RDB_H
#define SHOAL_RDB_H

#include <stddef.h>
#include <stdint.h>

struct entry;

#define RDB_WRITE_VERSION 9
#define RDB_MAX_LOAD_VERSION 11

/* Value type ids (the plain ones are what we write). */
enum {
    RDB_TYPE_STRING = 0, RDB_TYPE_LIST = 1, RDB_TYPE_SET = 2, RDB_TYPE_ZSET = 3, RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5, RDB_TYPE_HASH_ZIPMAP = 9, RDB_TYPE_LIST_ZIPLIST = 10, RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12, RDB_TYPE_HASH_ZIPLIST = 13, RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_HASH_LISTPACK = 16, RDB_TYPE_ZSET_LISTPACK = 17, RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_SET_LISTPACK = 20,
};
enum {
    RDB_OPCODE_FUNCTION2 = 245, RDB_OPCODE_MODULE_AUX = 247, RDB_OPCODE_IDLE = 248, RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250, RDB_OPCODE_RESIZEDB = 251, RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253, RDB_OPCODE_SELECTDB = 254, RDB_OPCODE_EOF = 255,
};

#define RDB_MCFLAGS_AUX "shoal-mcflags"

/* Writes the whole keyspace to filename (via a temp file). 0 or -1 (logged). */
int rdb_save(const char *filename);
/* Starts a background save. 0, or -1 when it could not fork (logged). */
int rdb_bgsave(void);
/* Called when the BGSAVE child exits (ok: exit status 0). */
void rdb_child_done(int ok, int bysignal);
/* Save points, scheduled background saves. Called by the cron. */
void rdb_cron(void);
/* Loads filename into the (empty) keyspace. 0 when loaded or when the
 * file does not exist (*missing = 1), -1 on a damaged file (logged). */
int rdb_load(const char *filename, int *missing);

/* Parses a "save" option value ("3600 1 300 100", "" = none) into the save
 * points; -1 with a message on a malformed value. */
int rdb_set_save_points(const char *spec, char *err, size_t errlen);
int rdb_save_points_count(void);
int rdb_last_bgsave_ok(void);
/* For INFO persistence. */
struct rdb_status {
    long long lastsave;            /* unix seconds of the last successful save */
    int last_bgsave_ok;
    long long last_bgsave_time_sec;
    int64_t bgsave_start_ms;       /* 0 when none runs */
    long long saves;
    long long dirty_at_bgsave;     /* server.dirty when the running BGSAVE forked */
    int bgsave_scheduled;
    long long last_load_keys_loaded, last_load_keys_expired;
};
const struct rdb_status *rdb_status(void);

/* The elements of a collection, for the writers (RDB, AOF rewrite): b is
 * NULL for list and set elements; hashes give field and value; sorted sets
 * give the member and its score. A non-zero return stops the walk. */
typedef int rdb_elem_fn(void *priv, const char *a, size_t alen, const char *b, size_t blen, double score);
size_t rdb_value_count(const struct entry *e);
void rdb_value_foreach(const struct entry *e, rdb_elem_fn *fn, void *priv);

/* rdb_load.c: the loader; exported for the unit test. `src` is the whole
 * file in memory. 0, or -1 with a message in err. */
int rdb_load_buffer(const unsigned char *src, size_t len, char *err, size_t errlen);

#endif
