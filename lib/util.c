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

int util_str2ld(const char *s, size_t len, long double *out)
{
    char buf[UTIL_LD_STR_SIZE];
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (isspace((unsigned char)buf[0])) return -1;
    errno = 0;
    char *end;
    long double v = strtold(buf, &end);
    if ((size_t)(end - buf) != len || errno == ERANGE || isnan(v)) return -1;
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

static int glob_class(const char **pp, const char *pend, char c, int nocase)
{
    const char *p = *pp + 1;
    int neg = 0, match = 0;
    if (p < pend && *p == '^') { neg = 1; p++; }
    while (p < pend && *p != ']') {
        if (*p == '\\' && p + 1 < pend) {
            p++;
            if (*p == c) match = 1;
        } else if (p + 2 < pend && p[1] == '-' && p[2] != ']') {
            char lo = p[0], hi = p[2];
            if (lo > hi) { char t = lo; lo = hi; hi = t; }
            char cc = c;
            if (nocase) { lo = (char)tolower(lo); hi = (char)tolower(hi); cc = (char)tolower(cc); }
            if (cc >= lo && cc <= hi) match = 1;
            p += 2;
        } else if (nocase ? tolower((unsigned char)*p) == tolower((unsigned char)c) : *p == c) {
            match = 1;
        }
        p++;
    }
    *pp = p < pend ? p : pend - 1;  /* on the ']' (or the last byte) */
    return neg ? !match : match;
}

static int glob_rec(const char *p, const char *pend, const char *s, const char *send, int nocase, int depth)
{
    if (depth > 1000) return 0;     /* pathological patterns stay bounded */
    while (p < pend) {
        switch (*p) {
        case '*':
            while (p + 1 < pend && p[1] == '*') p++;
            if (p + 1 == pend) return 1;
            for (const char *t = s; t <= send; t++)
                if (glob_rec(p + 1, pend, t, send, nocase, depth + 1)) return 1;
            return 0;
        case '?':
            if (s == send) return 0;
            s++;
            break;
        case '[':
            if (s == send) return 0;
            if (!glob_class(&p, pend, *s, nocase)) return 0;
            s++;
            break;
        case '\\':
            if (p + 1 < pend) p++;
            /* fall through */
        default:
            if (s == send) return 0;
            if (nocase ? tolower((unsigned char)*p) != tolower((unsigned char)*s) : *p != *s) return 0;
            s++;
            break;
        }
        p++;
    }
    return s == send;
}

int util_glob_match(const char *pat, size_t plen, const char *str, size_t slen, int nocase)
{
    return glob_rec(pat, pat + plen, str, str + slen, nocase, 0);
}

int util_memtoull(const char *s, unsigned long long *out)
{
    char *end;
    if (*s == '\0' || *s == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return -1;
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
