/* compat/mc_sem: Memcached semantics that must match memcached 1.6.18 bit for
 * bit, kept apart from the codecs so the node (backend/mc.c) and the tests
 * share one definition.
 *
 * Numbers.  memcached parses tokens with util.c safe_strto*: leading
 * whitespace skipped, optional sign, base 10, the token may end in a
 * whitespace byte, a '-' makes large unsigned values invalid.  The functions
 * below reproduce that on a bounded (not NUL-terminated) token:
 *   mc_sem_strtoul32  flags, verbosity, cache_memlimit (value truncated to 32
 *                     bits on 64-bit builds: 4294967296 -> 0)
 *   mc_sem_strtol32   exptime and <bytes> (parsed as long, truncated to
 *                     int32: exptime 4294967297 -> 1, bytes 2147483648 -> <0)
 *   mc_sem_strtoull   cas unique, incr/decr delta, stored counter values
 *
 * Time.  mc_sem_exptime() turns a protocol exptime into an absolute unix
 * expiry (0 = never); mc_sem_expired() and mc_sem_ttl() read it back.
 *
 * incr/decr.  mc_sem_delta() applies a delta to a stored value; the stored
 * bytes keep memcached's in-place rewrite (see the comment there).
 *
 * Sizes.  mc_sem_item_size_ok() is memcached's item_size_ok() for the
 * default build (64-bit, CAS on), so the "object too large" edge falls on
 * the same byte as 1.6.18. */
#ifndef SHOAL_MC_SEM_H
#define SHOAL_MC_SEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_KEY_MAX_LENGTH 250
#define MC_REALTIME_MAXDELTA 2592000          /* 30 days */
#define MC_ITEM_SIZE_MAX_DEFAULT (1024 * 1024)
#define MC_LINE_MAX_DEFAULT 2048

#define MC_ERR_NON_NUMERIC "CLIENT_ERROR cannot increment or decrement non-numeric value"
#define MC_ERR_BAD_DELTA "CLIENT_ERROR invalid numeric delta argument"
#define MC_ERR_BAD_FORMAT "CLIENT_ERROR bad command line format"
#define MC_ERR_BAD_EXPTIME "CLIENT_ERROR invalid exptime argument"
#define MC_ERR_BAD_CHUNK "CLIENT_ERROR bad data chunk"
#define MC_ERR_TOO_LARGE "SERVER_ERROR object too large for cache"
#define MC_ERR_NO_MEMORY "SERVER_ERROR out of memory storing object"

bool mc_sem_strtoul32(const char *s, size_t len, uint32_t *out);
bool mc_sem_strtol32(const char *s, size_t len, int32_t *out);
bool mc_sem_strtoull(const char *s, size_t len, uint64_t *out);

/* A key memcached accepts: 1..250 bytes, no space (the only delimiter it
 * enforces; TAB and control bytes are stored as is, reference F5). */
bool mc_sem_key_valid(const char *key, size_t len);

/* Absolute unix expiry for a protocol exptime at time `now`: 0 = never;
 * 1..2592000 relative; larger = absolute unix time; negative = already
 * expired (memcached maps it to 2592001, absolute 1970). */
int64_t mc_sem_exptime(int64_t exptime, int64_t now);
bool mc_sem_expired(int64_t expiry, int64_t now);
/* Remaining TTL as meta `t` reports it: -1 when the item never expires. */
int64_t mc_sem_ttl(int64_t expiry, int64_t now);

/* Result of incr/decr on a stored value. */
struct mc_delta {
    uint64_t value;        /* the new number */
    char digits[21];       /* its decimal form, NUL-terminated: the reply */
    size_t ndigits;
    size_t stored_len;     /* length of the value to store (>= ndigits) */
};

/* Apply incr (wraps at 2^64) or decr (floors at 0) to the stored value
 * `val`.  Returns false if `val` is not a number (reply MC_ERR_NON_NUMERIC).
 * The new stored value is mc_sem_delta_store(). */
bool mc_sem_delta(const char *val, size_t len, bool incr, uint64_t delta,
                  struct mc_delta *out);
/* Write the stored bytes (stored_len of them) into dst. */
void mc_sem_delta_store(const struct mc_delta *d, char *dst);

/* memcached's item_size_ok(): does an item with this key length, flags and
 * value length (without the trailing \r\n) fit under item_size_max? */
bool mc_sem_item_size_ok(size_t nkey, uint32_t flags, size_t nbytes,
                         size_t item_size_max);

#endif
