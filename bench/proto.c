/* bench/proto: request composition and in-place reply parsing (see proto.h).
 *
 * Parsers make one pass to learn whether a whole reply is there and what it
 * counts; only when it is complete and the caller wants values (verify mode)
 * a second pass hands them out, so a reply split over several reads never
 * reports a value twice. */
#include "bench/proto.h"

#include <string.h>

size_t proto_key(const struct proto_keyfmt *kf, uint64_t idx, char *dst)
{
    memcpy(dst, kf->prefix, kf->plen);
    char *d = dst + kf->plen;
    for (int i = PROTO_KEY_DIGITS - 1; i >= 0; i--) {
        d[i] = (char)('0' + idx % 10);
        idx /= 10;
    }
    return kf->plen + PROTO_KEY_DIGITS;
}

int proto_key_index(const struct proto_keyfmt *kf, const char *k, size_t len, uint64_t *idx)
{
    if (len != kf->plen + PROTO_KEY_DIGITS || memcmp(k, kf->prefix, kf->plen) != 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = kf->plen; i < len; i++) {
        if (k[i] < '0' || k[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(k[i] - '0');
    }
    *idx = v;
    return 0;
}

size_t proto_request_bound(const struct proto_keyfmt *kf, unsigned n, size_t vmax)
{
    return 64 + (size_t)n * (kf->plen + PROTO_KEY_DIGITS + vmax + 64);
}

static size_t put_uint(char *dst, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

static size_t put_str(char *dst, const char *s)
{
    size_t n = strlen(s);
    memcpy(dst, s, n);
    return n;
}

/* "$<len>\r\n" */
static size_t resp_bulk_head(char *dst, size_t len)
{
    dst[0] = '$';
    size_t n = 1 + put_uint(dst + 1, len);
    dst[n++] = '\r';
    dst[n++] = '\n';
    return n;
}

static size_t resp_key(char *dst, const struct proto_keyfmt *kf, uint64_t key)
{
    size_t n = resp_bulk_head(dst, kf->plen + PROTO_KEY_DIGITS);
    n += proto_key(kf, key, dst + n);
    dst[n++] = '\r';
    dst[n++] = '\n';
    return n;
}

size_t proto_set_begin(enum bench_proto p, char *dst, unsigned n)
{
    if (p != PROTO_RESP)
        return 0;
    if (n == 1)
        return put_str(dst, "*3\r\n$3\r\nSET\r\n");
    size_t len = put_str(dst, "*");
    len += put_uint(dst + len, 1 + 2 * (uint64_t)n);
    return len + put_str(dst + len, "\r\n$4\r\nMSET\r\n");
}

size_t proto_set_item(enum bench_proto p, char *dst, const struct proto_keyfmt *kf,
                      uint64_t key, size_t vlen)
{
    size_t n;
    switch (p) {
    case PROTO_RESP:
        n = resp_key(dst, kf, key);
        return n + resp_bulk_head(dst + n, vlen);
    case PROTO_MC_TEXT:
        n = put_str(dst, "set ");
        n += proto_key(kf, key, dst + n);
        n += put_str(dst + n, " 0 0 ");
        break;
    case PROTO_MC_META:
    default:
        n = put_str(dst, "ms ");
        n += proto_key(kf, key, dst + n);
        dst[n++] = ' ';
        break;
    }
    n += put_uint(dst + n, vlen);
    dst[n++] = '\r';
    dst[n++] = '\n';
    return n;
}

size_t proto_compose_get(enum bench_proto p, char *dst, const struct proto_keyfmt *kf,
                         const uint64_t *keys, unsigned n)
{
    size_t len = 0;
    if (p == PROTO_RESP) {
        if (n == 1) {
            len = put_str(dst, "*2\r\n$3\r\nGET\r\n");
        } else {
            len = put_str(dst, "*");
            len += put_uint(dst + len, 1 + (uint64_t)n);
            len += put_str(dst + len, "\r\n$4\r\nMGET\r\n");
        }
        for (unsigned i = 0; i < n; i++)
            len += resp_key(dst + len, kf, keys[i]);
        return len;
    }
    if (p == PROTO_MC_TEXT) {
        len = put_str(dst, "get");
        for (unsigned i = 0; i < n; i++) {
            dst[len++] = ' ';
            len += proto_key(kf, keys[i], dst + len);
        }
        return len + put_str(dst + len, "\r\n");
    }
    for (unsigned i = 0; i < n; i++) {
        len += put_str(dst + len, "mg ");
        len += proto_key(kf, keys[i], dst + len);
        len += put_str(dst + len, n == 1 ? " v\r\n" : " v k q\r\n");
    }
    if (n > 1)
        len += put_str(dst + len, "mn\r\n");
    return len;
}

/* ---- parsing ---- */

/* Length of the line at b (without \r\n), or -1 if incomplete, -2 if a
 * bare \n shows it is not our protocol. */
static long line_len(const char *b, size_t len)
{
    const char *nl = memchr(b, '\n', len);
    if (nl == NULL)
        return len > 64 * 1024 ? -2 : -1;
    if (nl == b || nl[-1] != '\r')
        return -2;
    return (long)(nl - b - 1);
}

static int parse_dec(const char *s, size_t n, long long *out)
{
    int neg = 0;
    long long v = 0;
    size_t i = 0;
    if (n > 0 && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == n || n - i > 18)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

static void note_error(struct proto_reply *r, const char *line, size_t n)
{
    if (r->errors++ == 0) {
        r->err = line;
        r->errlen = n;
    }
}

static long bad(struct proto_reply *r, const char *at, size_t len)
{
    r->err = at;
    r->errlen = len > 80 ? 80 : len;
    return -1;
}

static int starts(const char *b, long n, const char *word)
{
    size_t w = strlen(word);
    return (size_t)n >= w && memcmp(b, word, w) == 0;
}

/* memcached error lines, shared by text and meta */
static int mc_is_error(const char *b, long n)
{
    return (n == 5 && memcmp(b, "ERROR", 5) == 0) || starts(b, n, "CLIENT_ERROR") ||
           starts(b, n, "SERVER_ERROR");
}

/* One RESP value that is not an array. *vlen: >= 0 bulk, -1 null, -2 error
 * reply, -3 status or integer. */
static long resp_value(const char *b, size_t len, struct proto_reply *r,
                       const char **val, long long *vlen)
{
    long n = line_len(b, len);
    if (n == -1)
        return 0;
    if (n < 1)
        return bad(r, b, len);
    size_t used = (size_t)n + 2;
    switch (b[0]) {
    case '$':
        if (parse_dec(b + 1, (size_t)n - 1, vlen) < 0 || *vlen < -1)
            return bad(r, b, (size_t)n);
        if (*vlen == -1)
            return (long)used;
        if (len < used + (size_t)*vlen + 2)
            return 0;
        if (b[used + *vlen] != '\r' || b[used + *vlen + 1] != '\n')
            return bad(r, b, (size_t)n);
        *val = b + used;
        return (long)(used + (size_t)*vlen + 2);
    case '_':
        *vlen = -1;
        return (long)used;
    case '-':
        *vlen = -2;
        note_error(r, b, (size_t)n);
        return (long)used;
    case '+':
    case ':':
        *vlen = -3;
        return (long)used;
    default:
        return bad(r, b, (size_t)n);
    }
}

static long resp_parse(enum proto_op op, unsigned nkeys, const char *b, size_t len,
                       struct proto_reply *r, const struct proto_visit *v)
{
    const char *val = NULL;
    long long vlen;
    if (len == 0)
        return 0;
    if (op == PROTO_OP_SET || nkeys == 1 || b[0] != '*') {
        long used = resp_value(b, len, r, &val, &vlen);
        if (used <= 0)
            return used;
        if (vlen == -2)
            return used;
        if (op == PROTO_OP_SET ? vlen != -3 : (nkeys != 1 || vlen == -3))
            return bad(r, b, (size_t)used);
        if (op == PROTO_OP_GET) {
            if (vlen >= 0)
                r->hits++;
            else
                r->misses++;
            if (v)
                v->cb(v->arg, 0, vlen >= 0 ? val : NULL, vlen >= 0 ? (size_t)vlen : 0);
        }
        return used;
    }
    long n = line_len(b, len);
    long long count;
    if (n == -1)
        return 0;
    if (n < 1 || parse_dec(b + 1, (size_t)n - 1, &count) < 0 || count != (long long)nkeys)
        return bad(r, b, n < 0 ? len : (size_t)n);
    size_t off = (size_t)n + 2;
    for (unsigned i = 0; i < nkeys; i++) {
        long used = resp_value(b + off, len - off, r, &val, &vlen);
        if (used <= 0)
            return used;
        if (vlen == -3)
            return bad(r, b + off, (size_t)used);
        if (vlen >= 0)
            r->hits++;
        else if (vlen == -1)
            r->misses++;
        if (v && vlen != -2)
            v->cb(v->arg, i, vlen >= 0 ? val : NULL, vlen >= 0 ? (size_t)vlen : 0);
        off += (size_t)used;
    }
    return (long)off;
}

/* memcached get replies: match the key a value came with against the
 * request's keys, in order, reporting skipped positions as misses. */
struct mc_match {
    const struct proto_visit *v;
    unsigned pos, nkeys;
};

static void mc_match_value(struct mc_match *m, const char *key, size_t klen,
                           const char *val, size_t vlen)
{
    if (m->v == NULL)
        return;
    char kbuf[PROTO_KEY_MAX + 1];
    for (unsigned j = m->pos; j < m->nkeys; j++) {
        size_t n = proto_key(m->v->kf, m->v->keys[j], kbuf);
        if (n == klen && memcmp(kbuf, key, n) == 0) {
            for (; m->pos < j; m->pos++)
                m->v->cb(m->v->arg, m->pos, NULL, 0);
            m->v->cb(m->v->arg, j, val, vlen);
            m->pos = j + 1;
            return;
        }
    }
    m->v->cb(m->v->arg, PROTO_POS_UNEXPECTED, key, klen);
}

static void mc_match_end(struct mc_match *m)
{
    if (m->v == NULL)
        return;
    for (; m->pos < m->nkeys; m->pos++)
        m->v->cb(m->v->arg, m->pos, NULL, 0);
}

/* splits a line into at most max space-separated tokens */
static int tokens(const char *b, size_t n, const char **tok, size_t *tlen, int max)
{
    int nt = 0;
    size_t i = 0;
    while (i < n && nt < max) {
        while (i < n && b[i] == ' ')
            i++;
        if (i == n)
            break;
        size_t s = i;
        while (i < n && b[i] != ' ')
            i++;
        tok[nt] = b + s;
        tlen[nt++] = i - s;
    }
    return nt;
}

/* "VALUE <key> <flags> <bytes> [<cas>]" (text) or "VA <bytes> [k<key>]..." (meta):
 * the data block that follows; returns bytes used past the line or 0/-1. */
static long mc_value_block(enum bench_proto p, const char *b, long n, size_t len,
                           struct proto_reply *r, struct mc_match *m)
{
    const char *tok[8];
    size_t tl[8];
    int nt = tokens(b, (size_t)n, tok, tl, 8);
    long long bytes;
    const char *key = NULL;
    size_t klen = 0;
    if (p == PROTO_MC_TEXT) {
        if (nt < 4 || parse_dec(tok[3], tl[3], &bytes) < 0)
            return bad(r, b, (size_t)n);
        key = tok[1];
        klen = tl[1];
    } else {
        if (nt < 2 || parse_dec(tok[1], tl[1], &bytes) < 0)
            return bad(r, b, (size_t)n);
        for (int i = 2; i < nt; i++)
            if (tok[i][0] == 'k') {
                key = tok[i] + 1;
                klen = tl[i] - 1;
            }
    }
    if (bytes < 0)
        return bad(r, b, (size_t)n);
    size_t head = (size_t)n + 2;
    if (len < head + (size_t)bytes + 2)
        return 0;
    if (b[head + bytes] != '\r' || b[head + bytes + 1] != '\n')
        return bad(r, b, (size_t)n);
    r->hits++;
    if (m->v) {
        if (key != NULL)
            mc_match_value(m, key, klen, b + head, (size_t)bytes);
        else
            m->v->cb(m->v->arg, m->pos++, b + head, (size_t)bytes);
    }
    return (long)(head + (size_t)bytes + 2);
}

static long mc_set_parse(enum bench_proto p, unsigned nkeys, const char *b, size_t len,
                         struct proto_reply *r)
{
    const char *ok = p == PROTO_MC_TEXT ? "STORED" : "HD";
    size_t off = 0;
    for (unsigned i = 0; i < nkeys; i++) {
        long n = line_len(b + off, len - off);
        if (n == -1)
            return 0;
        if (n < 0)
            return bad(r, b + off, len - off);
        const char *l = b + off;
        if ((size_t)n == strlen(ok) && memcmp(l, ok, (size_t)n) == 0)
            ;
        else if (mc_is_error(l, n) || starts(l, n, "NOT_STORED") || starts(l, n, "EXISTS") ||
                 starts(l, n, "NOT_FOUND") || (n == 2 && (!memcmp(l, "NS", 2) ||
                 !memcmp(l, "EX", 2) || !memcmp(l, "NF", 2))))
            note_error(r, l, (size_t)n);
        else
            return bad(r, l, (size_t)n);
        off += (size_t)n + 2;
    }
    return (long)off;
}

/* One line (and its data block) of a get reply. *done set at the closing
 * line. Returns bytes used, 0 or -1. */
static long mc_get_item(enum bench_proto p, unsigned nkeys, const char *b, size_t len,
                        struct proto_reply *r, struct mc_match *m, int *done)
{
    long n = line_len(b, len);
    if (n == -1)
        return 0;
    if (n < 0)
        return bad(r, b, len);
    if (mc_is_error(b, n)) {
        note_error(r, b, (size_t)n);
        /* text ends a get at an error; meta goes on to its "mn" */
        *done = p == PROTO_MC_TEXT || nkeys == 1;
        return n + 2;
    }
    if (p == PROTO_MC_TEXT) {
        if (n == 3 && memcmp(b, "END", 3) == 0) {
            *done = 1;
            return n + 2;
        }
        if (starts(b, n, "VALUE "))
            return mc_value_block(p, b, n, len, r, m);
        return bad(r, b, (size_t)n);
    }
    if (starts(b, n, "VA ")) {
        *done = nkeys == 1;
        return mc_value_block(p, b, n, len, r, m);
    }
    if (n == 2 && memcmp(b, "EN", 2) == 0) {
        *done = nkeys == 1;
        if (m->v && nkeys == 1)
            m->v->cb(m->v->arg, m->pos++, NULL, 0);
        return n + 2;
    }
    if (n == 2 && memcmp(b, "MN", 2) == 0 && nkeys > 1) {
        *done = 1;
        return n + 2;
    }
    return bad(r, b, (size_t)n);
}

static long mc_get_parse(enum bench_proto p, unsigned nkeys, const char *b, size_t len,
                         struct proto_reply *r, const struct proto_visit *v)
{
    struct mc_match m = { v, 0, nkeys };
    size_t off = 0;
    int done = 0;
    while (!done) {
        long used = mc_get_item(p, nkeys, b + off, len - off, r, &m, &done);
        if (used <= 0)
            return used;
        off += (size_t)used;
    }
    if (r->errors == 0)
        r->misses = r->hits < nkeys ? nkeys - r->hits : 0;
    mc_match_end(&m);
    return (long)off;
}

static long parse_once(enum bench_proto p, enum proto_op op, unsigned nkeys,
                       const char *buf, size_t len, struct proto_reply *r,
                       const struct proto_visit *visit)
{
    memset(r, 0, sizeof(*r));
    if (p == PROTO_RESP)
        return resp_parse(op, nkeys, buf, len, r, visit);
    if (op == PROTO_OP_SET)
        return mc_set_parse(p, nkeys, buf, len, r);
    return mc_get_parse(p, nkeys, buf, len, r, visit);
}

long proto_parse_reply(enum bench_proto p, enum proto_op op, unsigned nkeys,
                       const char *buf, size_t len, struct proto_reply *r,
                       const struct proto_visit *visit)
{
    long used = parse_once(p, op, nkeys, buf, len, r, NULL);
    if (used > 0 && visit != NULL && op == PROTO_OP_GET)
        used = parse_once(p, op, nkeys, buf, len, r, visit);
    return used;
}

const char *proto_name(enum bench_proto p)
{
    switch (p) {
    case PROTO_RESP: return "resp";
    case PROTO_MC_TEXT: return "memcache";
    case PROTO_MC_META: return "meta";
    }
    return "?";
}

int proto_parse_name(const char *s, enum bench_proto *out)
{
    if (!strcmp(s, "resp") || !strcmp(s, "redis"))
        *out = PROTO_RESP;
    else if (!strcmp(s, "memcache") || !strcmp(s, "memcached") || !strcmp(s, "mc") ||
             !strcmp(s, "text") || !strcmp(s, "memcache_text"))
        *out = PROTO_MC_TEXT;
    else if (!strcmp(s, "meta") || !strcmp(s, "memcache_meta") || !strcmp(s, "mc-meta"))
        *out = PROTO_MC_META;
    else
        return -1;
    return 0;
}
