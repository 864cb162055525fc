/* backend/entry: one key and its value in a single allocation.
 *
 * Layout, designed for bytes per key (a 16-byte key with a 32-byte value is
 * one 64-byte jemalloc block):
 *
 *   u64 cas | u32 lru:24 type:4 enc:4 | u8 bits |
 *   [i64 expire_ms if ENTRY_EXPIRE] [u32 mc_flags if ENTRY_FLAGS]
 *   varint klen | key bytes | value
 *
 * The value by encoding:
 *   ENC_EMBSTR  varint vlen | bytes        (short strings, set whole)
 *   ENC_INT     i64, 8 bytes               (integer strings, INCR works in place)
 *   ENC_RAW     pointer to struct sstr      (long or appended-to strings)
 *   other types pointer to their structure (later issues)
 *
 * An entry is reallocated when its expire or flags appear or its embedded
 * value changes; the db replaces the table slot (dict_replace). */
#ifndef SHOAL_ENTRY_H
#define SHOAL_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum obj_type { OBJ_STRING = 0, OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH };
/* Encodings. Strings: EMBSTR INT RAW. Collections: a packed array while
 * small (LISTPACK, or INTSET for integer-only sets), the full structure
 * past the thresholds (HASHTABLE for hashes and sets, SKIPLIST for sorted
 * sets, QUICKLIST for lists). OBJECT ENCODING reports Redis's names. */
enum obj_enc {
    ENC_EMBSTR = 0, ENC_INT, ENC_RAW,
    ENC_LISTPACK, ENC_INTSET, ENC_HASHTABLE, ENC_SKIPLIST, ENC_QUICKLIST,
};

#define ENTRY_EXPIRE 0x01
#define ENTRY_FLAGS  0x02

/* Strings up to this length are embedded (Redis's embstr limit, so OBJECT
 * ENCODING answers the same). */
#define EMBSTR_MAX 44

struct entry {
    uint64_t cas;
    uint32_t lru : 24;
    uint32_t type : 4;
    uint32_t enc : 4;
    uint8_t bits;
    uint8_t data[];
};
#define ENTRY_HDR offsetof(struct entry, data)

/* A heap string for long values, with room to grow for APPEND/SETRANGE. */
struct sstr {
    size_t len, cap;
    char buf[];
};

/* A string value as bytes: for ENC_INT, formatted into the caller's buffer. */
struct strval {
    const char *p;
    size_t len;
    char num[24];
};

/* Creates a string entry. The value is stored as an integer when it is one
 * (and short), embedded when short, else in an sstr. */
struct entry *entry_create_str(const char *key, size_t klen, const char *val, size_t vlen,
                               int64_t expire_ms, uint32_t mc_flags, int has_flags);
/* The same without the integer encoding (Redis keeps INCRBYFLOAT results
 * as strings): embedded when short unless raw is set, else an sstr of
 * exactly vlen bytes. val NULL means vlen zero bytes (SETRANGE, SETBIT). */
struct entry *entry_create_str_enc(const char *key, size_t klen, const char *val, size_t vlen,
                                   int64_t expire_ms, uint32_t mc_flags, int has_flags, int raw);
struct entry *entry_create_int(const char *key, size_t klen, long long v,
                               int64_t expire_ms, uint32_t mc_flags, int has_flags);
/* Rewrites a string entry in place if the new value fits its block;
 * returns e, or NULL (then create a new entry). Key unchanged, CAS not
 * bumped (db_set_str does both halves). */
struct entry *entry_overwrite_str(struct entry *e, const char *val, size_t vlen,
                                  int64_t expire_ms, uint32_t mc_flags, int has_flags);
/* Creates an entry holding a pointer value of another type. */
struct entry *entry_create_ptr(const char *key, size_t klen, enum obj_type type, int enc, void *ptr);
void entry_destroy(struct entry **e);
/* A copy of e under a new key (for COPY/RENAME-to-other-db); deep-copies values. */
struct entry *entry_dup(const struct entry *e, const char *key, size_t klen);

void entry_free_moved(struct entry *old);

const char *entry_key(const struct entry *e, size_t *klen);
/* dict_type callback */
const char *entry_key_cb(const void *e, size_t *klen);

static inline int64_t entry_expire(const struct entry *e)
{
    int64_t t;
    if (!(e->bits & ENTRY_EXPIRE)) return -1;
    memcpy(&t, e->data, sizeof(t));
    return t;
}
uint32_t entry_mc_flags(const struct entry *e);

/* These may move the entry: they return the new address, and when it
 * differs the old block stays allocated (its key still readable, its value
 * already handed over) until the caller has fixed the tables and called
 * entry_free_moved(old) — db_moved does both. */
struct entry *entry_set_expire(struct entry *e, int64_t when_ms);   /* -1 removes */
struct entry *entry_set_mc_flags(struct entry *e, uint32_t flags, int present);

/* Value access for strings. */
void entry_get_str(const struct entry *e, struct strval *out);
size_t entry_str_len(const struct entry *e);
/* Integer value if the string is an integer (0), else -1. */
int entry_get_ll(const struct entry *e, long long *out);
/* Replaces the string value; may move the entry. */
struct entry *entry_set_str(struct entry *e, const char *val, size_t vlen);
struct entry *entry_set_int(struct entry *e, long long v);
/* Makes the string value an sstr of at least min_len bytes (zero padded
 * when it grows) and returns it for in-place edits (APPEND, SETRANGE,
 * SETBIT). May move the entry. */
struct entry *entry_str_make_raw(struct entry *e, size_t min_len, struct sstr **out);

/* The pointer value of a non-string entry. */
void *entry_ptr(const struct entry *e);
void entry_set_ptr(struct entry *e, void *ptr);

const char *entry_type_name(const struct entry *e);
const char *entry_enc_name(const struct entry *e);
/* Bytes this entry holds (allocation sizes), for MEMORY USAGE. */
size_t entry_mem_usage(const struct entry *e);

/* Per-type value hooks, registered by each type module (t_hash.c ...)
 * from a constructor: free, deep copy (COPY), bytes held (MEMORY USAGE,
 * not counting the entry block) and element count (for tests/INFO). */
struct entry_type_ops {
    void (*free_value)(void *ptr, int enc);
    void *(*dup_value)(const void *ptr, int enc);
    size_t (*mem_value)(const void *ptr, int enc);
    size_t (*count)(const void *ptr, int enc);
};
void entry_register_type(enum obj_type type, const struct entry_type_ops *ops);
/* Redis's name for an encoding ("listpack", "hashtable", ...). */
const char *entry_enc_str(int enc);

#endif
