/* compat/mc_sem: memcached 1.6.18 semantics (numbers, time, incr/decr, item
 * size).  Every rule here was checked against the Debian memcached 1.6.18
 * binary; where it differs from doc/protocol.txt or the conformance
 * reference, the comment says so.  Pure functions, no allocation. */
#include "compat/mc_sem.h"

#include <stdio.h>
#include <string.h>

/* The C locale's isspace(), without the locale lookup. */
static bool mc_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* What strtoull(s, &end, 10) sees on a bounded token. */
struct mc_num {
    uint64_t mag;       /* magnitude, valid unless overflow */
    bool neg;           /* a '-' sign was read */
    bool overflow;      /* errno would be ERANGE */
    bool any;           /* at least one digit: end != s */
    size_t end;         /* index of the first unparsed byte */
};

static void mc_num_scan(const char *s, size_t len, struct mc_num *n)
{
    size_t i = 0;

    memset(n, 0, sizeof(*n));
    while (i < len && mc_is_space(s[i]))
        i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        n->neg = s[i] == '-';
        i++;
    }
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (n->mag > (UINT64_MAX - d) / 10)
            n->overflow = true;
        else
            n->mag = n->mag * 10 + d;
        n->any = true;
    }
    n->end = n->any ? i : 0;
}

/* safe_strto*: the number must end the token or be followed by whitespace
 * (the tokenizer NUL-terminates tokens, so the token end is '\0'). */
static bool mc_num_tail_ok(const char *s, size_t len, const struct mc_num *n)
{
    return n->any && (n->end == len || mc_is_space(s[n->end]));
}

bool mc_sem_strtoull(const char *s, size_t len, uint64_t *out)
{
    struct mc_num n;
    uint64_t v;

    mc_num_scan(s, len, &n);
    if (n.overflow || !mc_num_tail_ok(s, len, &n))
        return false;
    /* strtoull negates "-N"; safe_strtoull refuses it only when the result
     * looks negative as a signed value, so "-0" is 0 and
     * "-18446744073709551615" is 1 in 1.6.18. */
    v = n.neg ? (uint64_t)0 - n.mag : n.mag;
    if (n.neg && (int64_t)v < 0)
        return false;
    *out = v;
    return true;
}

bool mc_sem_strtoul32(const char *s, size_t len, uint32_t *out)
{
    uint64_t v;

    /* unsigned long is 64-bit on the reference build; safe_strtoul stores it
     * into a uint32_t, so 4294967296 becomes 0 (reference E5 [obs]). */
    if (!mc_sem_strtoull(s, len, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool mc_sem_strtol32(const char *s, size_t len, int32_t *out)
{
    struct mc_num n;
    uint64_t v;

    mc_num_scan(s, len, &n);
    if (n.overflow || !mc_num_tail_ok(s, len, &n))
        return false;
    if (n.mag > (uint64_t)INT64_MAX + (n.neg ? 1 : 0))
        return false;                        /* strtol's ERANGE */
    v = n.neg ? (uint64_t)0 - n.mag : n.mag;
    /* 1.6.18's safe_strtol has no INT_MAX check: the long is truncated to
     * int32 (live: exptime 4294967297 acts as 1, 2147483648 as negative,
     * <bytes> 4294967297 reads one byte). */
    *out = (int32_t)(uint32_t)v;
    return true;
}

bool mc_sem_key_valid(const char *key, size_t len)
{
    return len > 0 && len <= MC_KEY_MAX_LENGTH && memchr(key, ' ', len) == NULL;
}

int64_t mc_sem_exptime(int64_t exptime, int64_t now)
{
    /* EXPTIME_TO_POSITIVE_TIME: negative means "absolute 1970", i.e. the
     * item is born expired (set, touch, gat alike). */
    if (exptime < 0)
        exptime = MC_REALTIME_MAXDELTA + 1;
    if (exptime == 0)
        return 0;
    if (exptime > MC_REALTIME_MAXDELTA)
        return exptime;
    return now + exptime;
}

bool mc_sem_expired(int64_t expiry, int64_t now)
{
    return expiry != 0 && expiry <= now;
}

int64_t mc_sem_ttl(int64_t expiry, int64_t now)
{
    if (expiry == 0)
        return -1;
    return expiry > now ? expiry - now : 0;
}

bool mc_sem_delta(const char *val, size_t len, bool incr, uint64_t delta,
                  struct mc_delta *out)
{
    uint64_t v;
    int n;

    /* An empty value, "abc", "-", "12a" and anything >= 2^64 are
     * non-numeric; " 12 ", "\t5" and "12 abc" read as 12/5/12 because the
     * stored value is followed by "\r\n" and strtoull stops at the space. */
    if (len == 0 || !mc_sem_strtoull(val, len, &v))
        return false;
    if (incr)
        v += delta;                         /* wraps at 2^64 (E7a) */
    else
        v = delta > v ? 0 : v - delta;      /* floors at 0 (E7b) */
    out->value = v;
    n = snprintf(out->digits, sizeof(out->digits), "%llu", (unsigned long long)v);
    out->ndigits = (size_t)n;
    /* do_add_delta rewrites the item in place when the new number fits and
     * pads with spaces: 100 decr 1 replies "99" but a later get returns
     * "99 " (length 3), verified live on 1.6.18.  A longer number gets a new
     * item of exactly its length.  We keep that so get/gets match byte for
     * byte. */
    out->stored_len = out->ndigits <= len ? len : out->ndigits;
    return true;
}

void mc_sem_delta_store(const struct mc_delta *d, char *dst)
{
    memcpy(dst, d->digits, d->ndigits);
    memset(dst + d->ndigits, ' ', d->stored_len - d->ndigits);
}

bool mc_sem_item_size_ok(size_t nkey, uint32_t flags, size_t nbytes,
                         size_t item_size_max)
{
    /* item_make_header(): sizeof(item) 48 + key + NUL + suffix (4 bytes of
     * flags, only when non-zero) + value + "\r\n" + 8 bytes CAS.  Live on
     * 1.6.18 -I 1m: key "k", flags 0 stores 1048516 bytes, not 1048517;
     * flags 5 lowers it by 4. */
    size_t ntotal = 48 + nkey + 1 + (flags ? 4 : 0) + nbytes + 2 + 8;

    return nbytes <= item_size_max && ntotal <= item_size_max;
}
