/* backend/db: the keyspace of one node: 16 (configurable) databases, each a
 * dict of entries plus a second dict of the entries that carry a TTL (for
 * active expiry and the volatile-* eviction policies).
 *
 * Every lookup expires lazily. Every write goes through db_* so the CAS
 * counter, the dirty counter and the modification hooks stay in one place. */
#ifndef SHOAL_DB_H
#define SHOAL_DB_H

#include <stddef.h>
#include <stdint.h>

#include "backend/entry.h"

struct dict;

struct db {
    int id;
    struct dict *keys;
    struct dict *expires;
    long long avg_ttl;          /* estimate, for INFO keyspace */
    uint64_t expire_cursor;     /* active expiry resumes here */
};

void db_setup(int count);
void db_teardown(void);
int db_count(void);
struct db *db_get(int id);

/* Lookups: NULL if absent or expired (an expired key is deleted). The read
 * variant counts keyspace hits/misses and updates the LRU/LFU data. */
struct entry *db_lookup_read(struct db *db, const char *key, size_t klen);
struct entry *db_lookup_write(struct db *db, const char *key, size_t klen);
/* No side effects at all (no expiry, no stats), e.g. for OBJECT IDLETIME. */
struct entry *db_peek(struct db *db, const char *key, size_t klen);

/* Adds a new entry (the key must not exist). Bumps its CAS. */
void db_add(struct db *db, struct entry *e);
/* Replaces an existing key's entry by a new one (SET over a key); frees old. */
void db_overwrite(struct db *db, struct entry *old, struct entry *e);
/* Stores a string value at key: in place in old's block when it fits,
 * else as a new entry (old may be NULL). Keeps the LFU counter of an
 * overwritten key as Redis does. Returns the entry. */
struct entry *db_set_str(struct db *db, struct entry *old, const char *key, size_t klen,
                         const char *val, size_t vlen, int64_t expire_ms, uint32_t mc_flags, int has_flags);
/* After an entry moved (realloc by an entry_* call): fix the table slots. */
void db_moved(struct db *db, struct entry *old, struct entry *e);
/* Deletes a key; returns 1 if it existed. */
int db_delete(struct db *db, const char *key, size_t klen);
/* Removes an entry from the tables without freeing it (RENAME, MOVE). */
struct entry *db_unlink(struct db *db, const char *key, size_t klen);
/* Sets or removes (-1) the TTL; returns the possibly moved entry. */
struct entry *db_set_expire(struct db *db, struct entry *e, int64_t when_ms);
/* Call after modifying an entry's value in place: bumps CAS, dirty, hooks. */
void db_modified(struct db *db, struct entry *e);
/* Empties one database / all. Returns the number of keys removed. */
long long db_flush(struct db *db);
long long db_flush_all(void);

size_t db_size(struct db *db);
size_t db_expires_size(struct db *db);
/* 1 if the entry's TTL has passed (now > when). */
int db_entry_expired(const struct entry *e, int64_t now_ms);
/* Deletes an expired entry found by sampling (counts expired_keys). */
void db_expire_entry(struct db *db, struct entry *e);

/* The next CAS value (memcached's cas unique, shared by both protocols). */
uint64_t db_next_cas(void);

#endif
