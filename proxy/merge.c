/* proxy/merge: fragment replies into one reply; see merge.h. */
#include "proxy/merge.h"

#include <event2/buffer.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compat/mc_reply.h"
#include "compat/mc_text.h"
#include "compat/resp_reply.h"
#include "lib/mem.h"
#include "lib/util.h"
#include "proxy/client.h"
#include "proxy/frag.h"
#include "proxy/pool.h"
#include "proxy/resp_proxy.h"

static const char *frag_bytes(struct frag *f, size_t *len)
{
    *len = f->reply ? evbuffer_get_length(f->reply) : 0;
    return *len ? (const char *)evbuffer_pullup(f->reply, -1) : "";
}

static void add_error(struct req *r, struct evbuffer *out, const char *why)
{
    if (r->proto == PROTO_MC) evbuffer_add_printf(out, "SERVER_ERROR %s\r\n", why);
    else evbuffer_add_printf(out, "-ERR %s\r\n", why);
}

static void merge_one(struct req *r)
{
    struct frag *f = &r->frags[0];
    if (f->failed) add_error(r, r->reply, f->err);
    else if (f->reply) evbuffer_add_buffer(r->reply, f->reply);
}

/* The key of a "VALUE <key> ..." line. */
static int value_key_is(const char *line, size_t n, const char *key, size_t nkey)
{
    if (n < 6 + nkey + 1 || memcmp(line, "VALUE ", 6) != 0) return 0;
    return memcmp(line + 6, key, nkey) == 0 && line[6 + nkey] == ' ';
}

/* Is this Memcached fragment usable (replied, not an error line)? */
static int mc_frag_ok(struct frag *f)
{
    size_t len;
    const char *p = frag_bytes(f, &len);
    if (f->failed || len == 0) return 0;
    return !mc_reply_is_error(p, len >= 2 ? len - 2 : len);
}

/* The VALUE block of key i in its fragment's reply, if the fragment's
 * next block is that key's (a miss has none): its span, the cursor moved. */
static size_t mc_value_span(struct req *r, int i, const char **at)
{
    struct frag *f = &r->frags[r->key_frag[i]];
    size_t len, need;
    const char *p = frag_bytes(f, &len);
    struct mc_reply_unit u;
    if (mc_reply_unit(p, len, f->cursor, &u, &need) != PARSE_OK || !u.has_data) return 0;
    if (!value_key_is(p + u.line_off, u.line_len, r->keybuf + r->key_off[i], r->key_len[i]))
        return 0;
    *at = p + u.line_off;
    f->cursor = u.end;
    return u.end - u.line_off;
}

static void merge_mc_get(struct req *r)
{
    int bad = 0;
    for (int i = 0; i < r->nfrags; i++) {
        r->frags[i].ok = mc_frag_ok(&r->frags[i]);
        bad += !r->frags[i].ok;
    }
    if (bad == r->nfrags) {
        struct frag *f = &r->frags[0];
        if (f->failed) add_error(r, r->reply, f->err);
        else if (f->reply) evbuffer_add_buffer(r->reply, f->reply);
        return;
    }
    if (bad) STAT_INC(r->wp->st.fragment_errors);
    /* spans first, then one contiguous copy */
    struct { const char *p; size_t n; } stack_sp[128], *sp = stack_sp;
    if (r->nkeys > 128) sp = mem_alloc(sizeof *sp * (size_t)r->nkeys);
    size_t total = 5;
    for (int i = 0; i < r->nkeys; i++) {
        sp[i].n = r->frags[r->key_frag[i]].ok ? mc_value_span(r, i, &sp[i].p) : 0;
        total += sp[i].n;
    }
    struct evbuffer_iovec v;
    if (evbuffer_reserve_space(r->reply, (ssize_t)total, &v, 1) != 1) abort();
    char *at = v.iov_base;
    for (int i = 0; i < r->nkeys; i++) {
        if (sp[i].n == 0) continue;
        memcpy(at, sp[i].p, sp[i].n);
        at += sp[i].n;
    }
    memcpy(at, "END\r\n", 5);
    v.iov_len = total;
    evbuffer_commit_space(r->reply, &v, 1);
    if (sp != stack_sp) mem_free(sp);
}

static void merge_mc_all_ok(struct req *r)
{
    for (int i = 0; i < r->nfrags; i++) {
        struct frag *f = &r->frags[i];
        size_t len;
        const char *p = frag_bytes(f, &len);
        if (f->failed) {
            add_error(r, r->reply, f->err);
            return;
        }
        if (len != 4 || memcmp(p, "OK\r\n", 4) != 0) {
            evbuffer_add(r->reply, p, len);
            return;
        }
    }
    evbuffer_add(r->reply, "OK\r\n", 4);
}

/* The error line to use for a RESP fragment that cannot give a value:
 * written to out once per key. */
static void resp_frag_error(struct req *r, struct frag *f, struct evbuffer *out)
{
    size_t len;
    const char *p = frag_bytes(f, &len);
    if (f->failed) add_error(r, out, f->err);
    else if (len && p[0] == '-') evbuffer_add(out, p, len);
    else add_error(r, out, "unexpected reply from server");
}

static void merge_resp_array(struct req *r)
{
    int bad = 0;
    for (int i = 0; i < r->nfrags; i++) {
        struct frag *f = &r->frags[i];
        size_t len;
        const char *p = frag_bytes(f, &len);
        struct resp_reply rr;
        resp_reply_init(&rr);
        if (f->failed || resp_reply_parse(&rr, p, len) != PARSE_OK || rr.type != '*') {
            f->failed = true;
            bad++;
            continue;
        }
        f->cursor = (size_t)((const char *)memchr(p, '\n', len) - p) + 1;
    }
    if (bad) STAT_INC(r->wp->st.fragment_errors);
    evbuffer_add_printf(r->reply, "*%d\r\n", r->nkeys);
    for (int i = 0; i < r->nkeys; i++) {
        struct frag *f = &r->frags[r->key_frag[i]];
        size_t len;
        const char *p = frag_bytes(f, &len);
        size_t span = f->failed || f->cursor >= len ? 0 : resp_reply_span(p + f->cursor, len - f->cursor);
        if (span == 0) {
            if (f->failed && f->err[0]) add_error(r, r->reply, f->err);
            else if (len && p[0] == '-') evbuffer_add(r->reply, p, len);
            else add_error(r, r->reply, "unexpected reply from server");
            continue;
        }
        evbuffer_add(r->reply, p + f->cursor, span);
        f->cursor += span;
    }
}

/* Every fragment must answer type t; else the first failure is the reply.
 * Returns 1 when all did. */
static int resp_all_typed(struct req *r, char t)
{
    for (int i = 0; i < r->nfrags; i++) {
        struct frag *f = &r->frags[i];
        size_t len;
        const char *p = frag_bytes(f, &len);
        if (f->failed || len == 0 || p[0] != t) {
            if (r->nfrags > 1) STAT_INC(r->wp->st.fragment_errors);
            resp_frag_error(r, f, r->reply);
            return 0;
        }
    }
    return 1;
}

static void merge_resp_sum(struct req *r)
{
    if (!resp_all_typed(r, ':')) return;
    long long sum = 0;
    for (int i = 0; i < r->nfrags; i++) {
        size_t len;
        const char *p = frag_bytes(&r->frags[i], &len);
        sum += strtoll(p + 1, NULL, 10);
    }
    evbuffer_add_printf(r->reply, ":%lld\r\n", sum);
}

static void merge_resp_ok(struct req *r)
{
    if (resp_all_typed(r, '+')) evbuffer_add(r->reply, "+OK\r\n", 5);
}

static void merge_resp_concat(struct req *r)
{
    if (!resp_all_typed(r, '*')) return;
    long long total = 0;
    for (int i = 0; i < r->nfrags; i++) {
        size_t len;
        const char *p = frag_bytes(&r->frags[i], &len);
        total += strtoll(p + 1, NULL, 10) > 0 ? strtoll(p + 1, NULL, 10) : 0;
    }
    evbuffer_add_printf(r->reply, "*%lld\r\n", total);
    for (int i = 0; i < r->nfrags; i++) {
        size_t len;
        const char *p = frag_bytes(&r->frags[i], &len);
        size_t hdr = (size_t)((const char *)memchr(p, '\n', len) - p) + 1;
        evbuffer_add(r->reply, p + hdr, len - hdr);
    }
}

/* "*2\r\n$<n>\r\n<cursor>\r\n" at the head of a SCAN reply: the cursor
 * and where the key array starts; 0 if the reply is not shaped so. */
static int scan_reply_head(const char *p, size_t len, unsigned long long *cur, size_t *rest)
{
    if (len < 5 || memcmp(p, "*2\r\n$", 5) != 0) return 0;
    const char *nl = memchr(p + 4, '\n', len - 4);
    if (nl == NULL) return 0;
    size_t at = (size_t)(nl - p) + 1;
    long long n;
    if (util_str2ll(p + 5, (size_t)(nl - 1 - (p + 5)), &n) != 0 || n <= 0 || n > 20) return 0;
    if (at + (size_t)n + 2 > len || util_str2ull(p + at, (size_t)n, cur) != 0) return 0;
    *rest = at + (size_t)n + 2;
    return 1;
}

static void merge_resp_scan(struct req *r)
{
    struct frag *f = &r->frags[0];
    size_t len, rest;
    const char *p = frag_bytes(f, &len);
    unsigned long long ncur, cur;
    if (f->failed || !scan_reply_head(p, len, &ncur, &rest)) {
        resp_frag_error(r, f, r->reply);
        return;
    }
    if (resp_scan_cursor(ncur, r->scan_server, r->wp->pool->nservers, &cur) != 0) {
        add_error(r, r->reply, "the server's SCAN cursor is too large for the proxy");
        return;
    }
    char num[24];
    int nl = util_ull2str(num, cur);
    evbuffer_add_printf(r->reply, "*2\r\n$%d\r\n%.*s\r\n", nl, nl, num);
    evbuffer_add(r->reply, p + rest, len - rest);
}

/* Every server must give the same reply (SCRIPT LOAD's sha, FUNCTION
 * LOAD's library name, +OK): that reply; else the first failure or error
 * reply, or an error saying they disagree. */
static void merge_resp_same(struct req *r)
{
    if (r->nfrags == 0) {
        add_error(r, r->reply, "no server available");
        return;
    }
    size_t len0;
    const char *p0 = frag_bytes(&r->frags[0], &len0);
    bool differ = false;
    for (int i = 0; i < r->nfrags; i++) {
        struct frag *f = &r->frags[i];
        size_t len;
        const char *p = frag_bytes(f, &len);
        if (f->failed || len == 0 || p[0] == '-' || p[0] == '!') {
            if (r->nfrags > 1) STAT_INC(r->wp->st.fragment_errors);
            resp_frag_error(r, f, r->reply);
            return;
        }
        if (len != len0 || memcmp(p, p0, len) != 0) differ = true;
    }
    if (differ) add_error(r, r->reply, "the servers answered differently");
    else evbuffer_add(r->reply, p0, len0);
}

/* SCRIPT EXISTS: arrays of :0/:1 of one length; element i is :1 only when
 * every server's is (a script is usable through the proxy only then). */
static void merge_resp_and(struct req *r)
{
    if (r->nfrags == 0) {
        add_error(r, r->reply, "no server available");
        return;
    }
    if (!resp_all_typed(r, '*')) return;
    size_t len0;
    const char *p0 = frag_bytes(&r->frags[0], &len0);
    long long n = strtoll(p0 + 1, NULL, 10);
    for (int i = 0; i < r->nfrags; i++) {
        struct frag *f = &r->frags[i];
        size_t len;
        const char *p = frag_bytes(f, &len);
        if (strtoll(p + 1, NULL, 10) != n) {
            add_error(r, r->reply, "the servers answered differently");
            return;
        }
        f->cursor = (size_t)((const char *)memchr(p, '\n', len) - p) + 1;
    }
    evbuffer_add_printf(r->reply, "*%lld\r\n", n);
    for (long long k = 0; k < n; k++) {
        bool all = true;
        for (int i = 0; i < r->nfrags; i++) {
            struct frag *f = &r->frags[i];
            size_t len;
            const char *p = frag_bytes(f, &len);
            size_t span = f->cursor < len ? resp_reply_span(p + f->cursor, len - f->cursor) : 0;
            if (span != 4 || memcmp(p + f->cursor, ":1\r\n", 4) != 0) all = false;
            f->cursor += span;
        }
        evbuffer_add(r->reply, all ? ":1\r\n" : ":0\r\n", 4);
    }
}

void merge_run(struct req *r)
{
    if (r->reply == NULL) r->reply = evbuffer_new();
    switch (r->merge) {
    case RM_ONE: merge_one(r); break;
    case RM_LOCAL: break;
    case RM_MC_GET: merge_mc_get(r); break;
    case RM_MC_ALL_OK: merge_mc_all_ok(r); break;
    case RM_ARRAY: merge_resp_array(r); break;
    case RM_SUM: merge_resp_sum(r); break;
    case RM_OK: merge_resp_ok(r); break;
    case RM_CONCAT: merge_resp_concat(r); break;
    case RM_SCAN: merge_resp_scan(r); break;
    case RM_SAME: merge_resp_same(r); break;
    case RM_AND: merge_resp_and(r); break;
    }
}
