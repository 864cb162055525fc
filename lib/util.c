/* lib/util: see util.h. The integer rules follow Redis exactly because they
 * decide replies ("value is not an integer") that clients test against. */
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int util_str2ull(const char *s, size_t len, unsigned long long *out)
{
    if (len == 0 || len >= UTIL_LONG_STR_SIZE) return -1;
    if (len == 1 && s[0] == '0') { *out = 0; return 0; }
    if (s[0] < '1' || s[0] > '9') return -1;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int util_str2ll(const char *s, size_t len, long long *out)
{
    if (len == 0 || len >= UTIL_LONG_STR_SIZE) return -1;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        s++;
        len--;
        if (len == 0 || s[0] == '0') return -1;   /* "-" and "-0..." */
    }
    unsigned long long v;
    if (util_str2ull(s, len, &v) < 0) return -1;
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return -1;
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return -1;
        *out = (long long)v;
    }
    return 0;
}

int util_ull2str(char *buf, unsigned long long v)
{
    char tmp[UTIL_LONG_STR_SIZE];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

int util_ll2str(char *buf, long long v)
{
    if (v >= 0) return util_ull2str(buf, (unsigned long long)v);
    buf[0] = '-';
    return 1 + util_ull2str(buf + 1, 0 - (unsigned long long)v);
}

/* Redis's string2ld: at most MAX_LONG_DOUBLE_CHARS (5 KiB) bytes, no
 * leading space, the whole argument parsed (an embedded NUL is an error),
 * no NaN; ERANGE only refuses overflow to infinity and underflow to zero
 * (a denormal result is accepted). */
#define UTIL_LD_MAX_CHARS (5 * 1024)
int util_str2ld(const char *s, size_t len, long double *out)
{
    char buf[UTIL_LD_MAX_CHARS];
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    char *end;
    long double v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || (size_t)(end - buf) != len ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) || isnan(v))
        return -1;
    *out = v;
    return 0;
}

int util_str2d(const char *s, size_t len, double *out)
{
    char buf[UTIL_LD_STR_SIZE];
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (isspace((unsigned char)buf[0])) return -1;
    errno = 0;
    char *end;
    double v = strtod(buf, &end);
    if ((size_t)(end - buf) != len || (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) || isnan(v))
        return -1;
    *out = v;
    return 0;
}

int util_ld2str(char *buf, size_t size, long double v)
{
    if (isinf(v)) {
        const char *s = v > 0 ? "inf" : "-inf";
        size_t n = strlen(s);
        if (n + 1 > size) return 0;
        memcpy(buf, s, n + 1);
        return (int)n;
    }
    int n = snprintf(buf, size, "%.17Lf", v);
    if (n < 0 || (size_t)n >= size) return 0;
    if (strchr(buf, '.') != NULL) {
        while (n > 0 && buf[n - 1] == '0') n--;
        if (n > 0 && buf[n - 1] == '.') n--;
        buf[n] = '\0';
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') {   /* "-0" -> "0" */
        buf[0] = '0';
        buf[1] = '\0';
        n = 1;
    }
    return n;
}

/* One [...] class at *pp (on the '['); leaves *pp on its closing ']' (or
 * the last byte). Redis's rules: "\\x" is a literal, "a-z" a range in
 * either order, and "a-]" is a range too (the '-' takes the ']'). */
static int glob_class(const char **pp, const char *pend, char c, int nocase)
{
    const char *p = *pp + 1;
    int neg = 0, match = 0;
    if (p < pend && *p == '^') { neg = 1; p++; }
    for (;; p++) {
        if (p >= pend) { p--; break; }       /* unterminated: the class ends here */
        if (*p == '\\' && pend - p >= 2) {
            p++;
            if (*p == c) match = 1;
        } else if (*p == ']') {
            break;
        } else if (pend - p >= 3 && p[1] == '-') {
            int lo = p[0], hi = p[2], cc = c;
            if (lo > hi) { int t = lo; lo = hi; hi = t; }
            if (nocase) { lo = tolower(lo); hi = tolower(hi); cc = tolower(cc); }
            if (cc >= lo && cc <= hi) match = 1;
            p += 2;
        } else if (nocase ? tolower((unsigned char)*p) == tolower((unsigned char)c) : *p == c) {
            match = 1;
        }
    }
    *pp = p;
    return neg ? !match : match;
}

/* Redis's stringmatchlen: a star tries each non-empty rest of the string;
 * once a star has run out of string (*give_up), no shorter start of the
 * rest can succeed either, so every pending star stops: O(pattern*string)
 * instead of exponential (Redis's fix for CVE-2022-36021). */
static int glob_rec(const char *p, const char *pend, const char *s, const char *send, int nocase,
                    int *give_up, int depth)
{
    if (depth > 1000) return 0;     /* pathological patterns stay bounded */
    while (p < pend && s < send) {
        switch (*p) {
        case '*':
            while (p + 1 < pend && p[1] == '*') p++;
            if (p + 1 == pend) return 1;
            for (; s < send; s++) {
                if (glob_rec(p + 1, pend, s, send, nocase, give_up, depth + 1)) return 1;
                if (*give_up) return 0;
            }
            *give_up = 1;
            return 0;
        case '?':
            s++;
            break;
        case '[':
            if (!glob_class(&p, pend, *s, nocase)) return 0;
            s++;
            break;
        case '\\':
            if (pend - p >= 2) p++;
            /* fall through */
        default:
            if (nocase ? tolower((unsigned char)*p) != tolower((unsigned char)*s) : *p != *s) return 0;
            s++;
            break;
        }
        p++;
        if (s == send) {
            while (p < pend && *p == '*') p++;   /* trailing stars match the empty rest */
            break;
        }
    }
    return p == pend && s == send;
}

int util_glob_match(const char *pat, size_t plen, const char *str, size_t slen, int nocase)
{
    int give_up = 0;
    return glob_rec(pat, pat + plen, str, str + slen, nocase, &give_up, 0);
}

int util_memtoull(const char *s, unsigned long long *out)
{
    /* Redis's memtoull: plain digits (no sign, no space), then a unit; no
     * digits at all ("" or "mb") is 0. Unlike Redis we refuse overflow. */
    const char *end = s;
    unsigned long long v = 0;
    for (; *end >= '0' && *end <= '9'; end++) {
        unsigned d = (unsigned)(*end - '0');
        if (v > (ULLONG_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    unsigned long long mul = 1;
    if (*end == '\0' || strcasecmp(end, "b") == 0) mul = 1;
    else if (strcasecmp(end, "k") == 0) mul = 1000;
    else if (strcasecmp(end, "kb") == 0) mul = 1024;
    else if (strcasecmp(end, "m") == 0) mul = 1000ULL * 1000;
    else if (strcasecmp(end, "mb") == 0) mul = 1024ULL * 1024;
    else if (strcasecmp(end, "g") == 0) mul = 1000ULL * 1000 * 1000;
    else if (strcasecmp(end, "gb") == 0) mul = 1024ULL * 1024 * 1024;
    else return -1;
    if (v && mul > ULLONG_MAX / v) return -1;
    *out = v * mul;
    return 0;
}

void util_bytes_human(char *buf, size_t size, unsigned long long n)
{
    static const char units[] = "BKMGTP";
    double d = (double)n;
    int u = 0;
    while (d >= 1024 && u < 5) { d /= 1024; u++; }
    if (u == 0) snprintf(buf, size, "%lluB", n);
    else snprintf(buf, size, "%.2f%c", d, units[u]);
}

void util_tolower(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) s[i] = (char)tolower((unsigned char)s[i]);
}

int util_eq_nocase(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return n == len && strncasecmp(s, lit, len) == 0;
}
