/* compat/resp_reply: reply boundaries for the proxy; see resp_reply.h. */
#include "compat/resp_reply.h"

#include <stdint.h>
#include <string.h>

void resp_reply_init(struct resp_reply *r)
{
    memset(r, 0, sizeof *r);
    r->owed = 1;
    r->bulk = -1;
    r->integer = 0;
}

/* Finds "\r\n" at or after from. Returns its offset, -1 for "need more",
 * -2 for a line too long or a bare CR inside it. */
static long long line_end(const char *buf, size_t len, size_t from)
{
    size_t avail = len - from;
    const char *cr = memchr(buf + from, '\r', avail);
    if (cr == NULL)
        return avail > RESP_REPLY_LINE_MAX ? -2 : -1;
    size_t at = (size_t)(cr - buf);
    if (at - from > RESP_REPLY_LINE_MAX) return -2;
    if (at + 1 >= len) return -1;
    if (buf[at + 1] != '\n') return -2;
    return (long long)at;
}

/* Strict signed decimal of a header ("-1", "42"). */
static int parse_ll(const char *p, size_t n, long long *out)
{
    int neg = 0;
    unsigned long long v = 0;
    if (n > 0 && *p == '-') { neg = 1; p++; n--; }
    if (n == 0 || n > 19) return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (unsigned long long)(p[i] - '0');
    }
    if (v > (unsigned long long)INT64_MAX + (unsigned long long)neg) return -1;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* The RESP3 one-line types' bodies: null is empty, a boolean t or f, a
 * double or big number not empty (their text is passed on unchecked). */
static int resp3_line_ok(char t, const char *body, size_t n)
{
    switch (t) {
    case '_': return n == 0;
    case '#': return n == 1 && (body[0] == 't' || body[0] == 'f');
    case ',': case '(': return n > 0;
    default: return 1;
    }
}

static int is_line_type(char c)
{
    return c == '+' || c == '-' || c == ':' || c == '_' || c == ',' || c == '#' || c == '(';
}

static int is_blob_type(char c)
{
    return c == '$' || c == '!' || c == '=';
}

static int is_aggregate_type(char c)
{
    return c == '*' || c == '~' || c == '>' || c == '%' || c == '|';
}

/* Reads one header line at r->pos and accounts for it. */
static enum parse_result read_header(struct resp_reply *r, const char *buf, size_t len)
{
    long long end = line_end(buf, len, r->pos);
    if (end == -1) return PARSE_AGAIN;
    if (end == -2) return PARSE_EINVALID;
    char t = buf[r->pos];
    const char *body = buf + r->pos + 1;
    size_t blen = (size_t)end - r->pos - 1;
    long long n = 0;
    if (is_blob_type(t) || is_aggregate_type(t) || t == ':') {
        if (parse_ll(body, blen, &n) != 0) return PARSE_EINVALID;
        if (t != ':' && (n < -1 || (n == -1 && t != '$' && t != '*'))) return PARSE_EINVALID;
        /* a count the element tally cannot hold (2n for a map) is no reply */
        if (is_aggregate_type(t) && n > (INT64_MAX - r->owed) / 2) return PARSE_EINVALID;
    } else if (!is_line_type(t) || !resp3_line_ok(t, body, blen)) {
        return PARSE_EINVALID;
    }
    if (!r->top_done && r->owed == 1 && t != '|') {
        r->top_done = 1;
        r->type = t;
        r->integer = n;
    }
    r->pos = (size_t)end + 2;
    if (t != '|') r->owed--;
    if (is_blob_type(t) && n >= 0) {
        r->bulk = n;
    } else if (is_aggregate_type(t) && n > 0) {
        r->owed += (t == '%' || t == '|') ? 2 * n : n;
    }
    return PARSE_OK;
}

enum parse_result resp_reply_parse(struct resp_reply *r, const char *buf, size_t len)
{
    r->need = 0;
    while (r->owed > 0 || r->bulk >= 0) {
        if (r->bulk >= 0) {
            size_t want = r->pos + (size_t)r->bulk + 2;
            if (len < want) {
                r->need = want;
                return PARSE_AGAIN;
            }
            if (buf[want - 2] != '\r' || buf[want - 1] != '\n') return PARSE_EINVALID;
            r->pos = want;
            r->bulk = -1;
            continue;
        }
        if (r->pos >= len) return PARSE_AGAIN;
        enum parse_result res = read_header(r, buf, len);
        if (res != PARSE_OK) return res;
    }
    r->consumed = r->pos;
    return PARSE_OK;
}

size_t resp_reply_span(const char *buf, size_t len)
{
    struct resp_reply r;
    resp_reply_init(&r);
    return resp_reply_parse(&r, buf, len) == PARSE_OK ? r.consumed : 0;
}
