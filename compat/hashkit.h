/* compat/hashkit: twemproxy's twelve key-hash functions, bit for bit.
 *
 * Every function returns what nutcracker 0.5.0 computes for the same bytes,
 * quirks included (see hashkit.c), so a pool configured with `hash: X`
 * places keys exactly where twemproxy would. Pure functions: no state, safe
 * from any thread. */
#ifndef SHOAL_COMPAT_HASHKIT_H
#define SHOAL_COMPAT_HASHKIT_H

#include <stddef.h>
#include <stdint.h>

/* In twemproxy's order (its HASH_CODEC); the names are its config names. */
enum hash_type {
    HASH_ONE_AT_A_TIME,
    HASH_MD5,
    HASH_CRC16,
    HASH_CRC32,
    HASH_CRC32A,
    HASH_FNV1_64,
    HASH_FNV1A_64,
    HASH_FNV1_32,
    HASH_FNV1A_32,
    HASH_HSIEH,
    HASH_MURMUR,
    HASH_JENKINS,
    HASH__COUNT
};

/* "fnv1a_64" -> HASH_FNV1A_64; -1 for an unknown name (exact, case-sensitive
 * match as twemproxy's parser). */
int hash_type_parse(const char *name);
/* The config name of t; "?" for an out-of-range value. */
const char *hash_type_name(enum hash_type t);

/* The raw hash of len bytes of key. */
uint32_t hashkit_hash(enum hash_type t, const char *key, size_t len);

/* What the proxy routes on: hash_tag applied first (tag2 may be NULL or ""
 * for none), then 0 for an empty key (twemproxy's server_pool_hash), else
 * hashkit_hash. */
uint32_t hashkit_key_hash(enum hash_type t, const char *tag2, const char *key,
                          size_t len);

/* MD5 (RFC 1321) of len bytes. */
void hashkit_md5(const void *data, size_t len, uint8_t out[16]);

/* Bob Jenkins' lookup3 hashlittle() with any initval, read byte by byte;
 * HASH_JENKINS is this with initval 13. Exposed for known-answer tests. */
uint32_t hashkit_lookup3(const void *key, size_t len, uint32_t initval);

/* hash_tag: with tag2 = "{}" (any two characters), the part of the key to
 * hash is the text between the first tag2[0] and the next tag2[1] after it,
 * if that text is not empty; otherwise the whole key. tag2 NULL or not two
 * characters long: the whole key. */
void hashkit_tag(const char *tag2, const char *key, size_t len,
                 const char **out, size_t *outlen);

#endif
