/* compat/resp: see resp.h. Error texts are Redis 7.0's, because clients and
 * tests match on them. */
#include "compat/resp.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static char resp_errbuf[64];   /* per-thread use only: the node is single threaded */

void resp_parser_init(struct resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->argv = p->argv_small;
    p->argcap = RESP_ARGV_INITIAL;
    p->mb_left = -1;
    p->bulk_len = -1;
}

void resp_parser_deinit(struct resp_parser *p)
{
    if (p->argv != p->argv_small) free(p->argv);
    p->argv = p->argv_small;
    p->argcap = RESP_ARGV_INITIAL;
}

void resp_parser_reset(struct resp_parser *p)
{
    p->mb_left = -1;
    p->bulk_len = -1;
    p->pos = 0;
    p->argc = 0;
    /* give back a large argv once the big request is done */
    if (p->argcap > 1024) resp_parser_deinit(p);
}

static void argv_reserve(struct resp_parser *p, long long n)
{
    if (n <= p->argcap) return;
    long long cap = p->argcap;
    while (cap < n) cap *= 2;
    struct resp_span *nv = malloc((size_t)cap * sizeof(*nv));
    if (nv == NULL) abort();
    memcpy(nv, p->argv, (size_t)p->argc * sizeof(*nv));
    if (p->argv != p->argv_small) free(p->argv);
    p->argv = nv;
    p->argcap = (int)cap;
}

static enum parse_result fail(struct resp_parser *p, const char *msg, enum parse_result r)
{
    p->err = msg;
    resp_parser_reset(p);
    return r;
}

/* Finds "\r" of a header line starting at from; -1 if not there yet. */
static long find_cr(const char *buf, size_t from, size_t len)
{
    const char *cr = memchr(buf + from, '\r', len - from);
    return cr ? (long)(cr - buf) : -1;
}

static enum parse_result parse_inline(struct resp_parser *p, char *buf, size_t len)
{
    char *nl = memchr(buf, '\n', len);
    if (nl == NULL) {
        if (len > RESP_INLINE_MAX)
            return fail(p, "Protocol error: too big inline request", PARSE_ETOOBIG);
        return PARSE_AGAIN;
    }
    size_t linelen = (size_t)(nl - buf);
    /* the same answer as when the line arrives in pieces (see above) */
    if (linelen > RESP_INLINE_MAX)
        return fail(p, "Protocol error: too big inline request", PARSE_ETOOBIG);
    if (linelen > 0 && buf[linelen - 1] == '\r') linelen--;
    /* a token takes at least one byte and a separator: this bounds argc */
    argv_reserve(p, (long long)(linelen + 1) / 2 + 1);
    int needed = 0;
    int n = resp_split_inline(buf, linelen, p->argv, p->argcap, &needed);
    if (n < 0)
        return fail(p, "Protocol error: unbalanced quotes in request", PARSE_EINVALID);
    p->argc = n;
    p->consumed = (size_t)(nl - buf) + 1;
    p->is_inline = 1;
    p->mb_left = -1;
    p->bulk_len = -1;
    p->pos = 0;
    return PARSE_OK;
}

static enum parse_result parse_mb_header(struct resp_parser *p, const char *buf, size_t len,
                                         const struct resp_limits *lim)
{
    long cr = find_cr(buf, 1, len);
    /* too long whether or not its CR has arrived, as in pieces */
    if ((cr < 0 && len > RESP_INLINE_MAX) || cr > RESP_INLINE_MAX)
        return fail(p, "Protocol error: too big mbulk count string", PARSE_ETOOBIG);
    if (cr < 0) return PARSE_AGAIN;
    if ((size_t)cr + 1 >= len) return PARSE_AGAIN;   /* wait for the \n */
    long long n;
    if (util_str2ll(buf + 1, (size_t)cr - 1, &n) < 0 || n > lim->max_multibulk_len)
        return fail(p, "Protocol error: invalid multibulk length", PARSE_EINVALID);
    if (lim->unauthenticated && n > 10)
        return fail(p, "Protocol error: unauthenticated multibulk length", PARSE_EINVALID);
    p->pos = (size_t)cr + 2;
    p->argc = 0;
    p->is_inline = 0;
    p->mb_left = n > 0 ? n : 0;
    p->bulk_len = -1;
    argv_reserve(p, n < 1024 ? n : 1024);
    return PARSE_OK;
}

static enum parse_result parse_bulk_header(struct resp_parser *p, const char *buf, size_t len,
                                           const struct resp_limits *lim)
{
    long cr = find_cr(buf, p->pos, len);
    if ((cr < 0 && len - p->pos > RESP_INLINE_MAX) || (cr >= 0 && (size_t)cr - p->pos > RESP_INLINE_MAX))
        return fail(p, "Protocol error: too big bulk count string", PARSE_ETOOBIG);
    if (cr < 0) return PARSE_AGAIN;
    if ((size_t)cr + 1 >= len) return PARSE_AGAIN;
    if (buf[p->pos] != '$') {
        snprintf(resp_errbuf, sizeof(resp_errbuf), "Protocol error: expected '$', got '%c'", buf[p->pos]);
        return fail(p, resp_errbuf, PARSE_EINVALID);
    }
    long long n;
    if (util_str2ll(buf + p->pos + 1, (size_t)cr - p->pos - 1, &n) < 0 || n < 0 || n > lim->max_bulk_len ||
        n > (long long)UINT32_MAX - 64)
        return fail(p, "Protocol error: invalid bulk length", PARSE_ETOOBIG);
    if (lim->unauthenticated && n > 16384)
        return fail(p, "Protocol error: unauthenticated bulk length", PARSE_EINVALID);
    p->pos = (size_t)cr + 2;
    p->bulk_len = n;
    return PARSE_OK;
}

enum parse_result resp_parse_request(struct resp_parser *p, char *buf, size_t len,
                                     const struct resp_limits *lim)
{
    enum parse_result r;
    p->err = NULL;
    if (p->mb_left < 0) {
        if (len == 0) return PARSE_AGAIN;
        if (buf[0] != '*') return parse_inline(p, buf, len);
        if ((r = parse_mb_header(p, buf, len, lim)) != PARSE_OK) return r;
    }
    while (p->mb_left > 0) {
        if (p->bulk_len < 0) {
            if (p->pos >= len) return PARSE_AGAIN;
            if ((r = parse_bulk_header(p, buf, len, lim)) != PARSE_OK) return r;
        }
        if (len - p->pos < (size_t)p->bulk_len + 2) return PARSE_AGAIN;
        argv_reserve(p, (long long)p->argc + 1);
        p->argv[p->argc].off = (uint32_t)p->pos;
        p->argv[p->argc].len = (uint32_t)p->bulk_len;
        p->argc++;
        p->pos += (size_t)p->bulk_len + 2;   /* Redis skips the CRLF unchecked */
        p->bulk_len = -1;
        p->mb_left--;
    }
    p->consumed = p->pos;
    p->mb_left = -1;
    p->pos = 0;
    return PARSE_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* One token starting at line[*rp]; writes it unescaped at line[*wp]. */
static int split_token(char *line, size_t len, size_t *rp, size_t *wp)
{
    size_t r = *rp, w = *wp;
    int dq = 0, sq = 0;
    for (;;) {
        if (r >= len) {
            if (dq || sq) return -1;
            break;
        }
        char c = line[r];
        if (dq) {
            if (c == '\\' && r + 3 < len + 0 && line[r + 1] == 'x' && hexval(line[r + 2]) >= 0 && hexval(line[r + 3]) >= 0) {
                line[w++] = (char)(hexval(line[r + 2]) * 16 + hexval(line[r + 3]));
                r += 4;
            } else if (c == '\\' && r + 1 < len) {
                char e = line[r + 1];
                line[w++] = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
                r += 2;
            } else if (c == '"') {
                if (r + 1 < len && !isspace((unsigned char)line[r + 1])) return -1;
                r++;
                break;
            } else {
                line[w++] = c;
                r++;
            }
        } else if (sq) {
            if (c == '\\' && r + 1 < len && line[r + 1] == '\'') {
                line[w++] = '\'';
                r += 2;
            } else if (c == '\'') {
                if (r + 1 < len && !isspace((unsigned char)line[r + 1])) return -1;
                r++;
                break;
            } else {
                line[w++] = c;
                r++;
            }
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
            break;
        } else if (c == '"') {
            dq = 1;
            r++;
        } else if (c == '\'') {
            sq = 1;
            r++;
        } else {
            line[w++] = c;
            r++;
        }
    }
    *rp = r;
    *wp = w;
    return 0;
}

int resp_split_inline(char *line, size_t len, struct resp_span *args, int max, int *needed)
{
    size_t r = 0, w = 0;
    int n = 0;
    /* sdssplitargs reads a C string: a NUL ends the line (an empty token at
     * a NUL would otherwise never advance) */
    const char *nul = memchr(line, '\0', len);
    if (nul) len = (size_t)(nul - line);
    for (;;) {
        while (r < len && isspace((unsigned char)line[r])) r++;
        if (r >= len) break;
        size_t start = w;
        if (split_token(line, len, &r, &w) < 0) return -1;
        if (n < max) {
            args[n].off = (uint32_t)start;
            args[n].len = (uint32_t)(w - start);
        }
        n++;
    }
    *needed = n;
    return n < max ? n : max;
}

size_t resp_fmt_header(char *dst, char prefix, long long n)
{
    dst[0] = prefix;
    size_t l = 1 + (size_t)util_ll2str(dst + 1, n);
    dst[l++] = '\r';
    dst[l++] = '\n';
    return l;
}

size_t resp_compose_request(char *dst, size_t cap, int argc, const char *const *argv, const size_t *argvlen)
{
    char hdr[32];
    size_t need = resp_fmt_header(hdr, '*', argc);
    for (int i = 0; i < argc; i++)
        need += resp_fmt_header(hdr, '$', (long long)argvlen[i]) + argvlen[i] + 2;
    if (need > cap) return need;
    size_t o = resp_fmt_header(dst, '*', argc);
    for (int i = 0; i < argc; i++) {
        o += resp_fmt_header(dst + o, '$', (long long)argvlen[i]);
        memcpy(dst + o, argv[i], argvlen[i]);
        o += argvlen[i];
        dst[o++] = '\r';
        dst[o++] = '\n';
    }
    return o;
}
