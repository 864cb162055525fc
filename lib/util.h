/* lib/util: number <-> string conversions with Redis's exact rules, glob
 * matching, and memory-size parsing. Pure functions, no allocation. */
#ifndef SHOAL_UTIL_H
#define SHOAL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Longest decimal of a 64-bit integer plus sign and NUL. */
#define UTIL_LONG_STR_SIZE 21
/* Buffer size for util_ld2str. */
#define UTIL_LD_STR_SIZE 5200

/* Strict decimal int64: no spaces, no '+', no leading zeros, no "-0".
 * Returns 0 on success, -1 if not an integer or out of range. */
int util_str2ll(const char *s, size_t len, long long *out);
/* Unsigned variant with the same strictness (no sign). */
int util_str2ull(const char *s, size_t len, unsigned long long *out);
/* Writes v as decimal into buf (at least UTIL_LONG_STR_SIZE bytes), returns
 * the length, NUL terminated. */
int util_ll2str(char *buf, long long v);
int util_ull2str(char *buf, unsigned long long v);

/* Long double as Redis's string2ld (INCRBYFLOAT, HINCRBYFLOAT): strtold
 * over the whole string of less than 5120 bytes, no leading space, no NaN,
 * no overflow to infinity or underflow to zero. Returns 0 or -1. */
int util_str2ld(const char *s, size_t len, long double *out);
/* Human-friendly long double ("%.17Lf" with trailing zeros trimmed), as
 * INCRBYFLOAT replies. Returns the length, 0 on overflow of the buffer. */
int util_ld2str(char *buf, size_t size, long double v);
/* Double as strtod over the whole string (Redis's getDoubleFromObject). */
int util_str2d(const char *s, size_t len, double *out);

/* Redis-style glob: * ? [abc] [^a-z] and backslash escapes. */
int util_glob_match(const char *pat, size_t plen, const char *str, size_t slen, int nocase);

/* "1gb", "100mb", "64k", "1024": bytes (k=1000, kb=1024 as redis.conf).
 * Returns 0 or -1. */
int util_memtoull(const char *s, unsigned long long *out);
/* Human-readable bytes, "1.50M". */
void util_bytes_human(char *buf, size_t size, unsigned long long n);

void util_tolower(char *s, size_t len);
/* Case-insensitive compare of a counted string with a C string. */
int util_eq_nocase(const char *s, size_t len, const char *lit);

#endif
