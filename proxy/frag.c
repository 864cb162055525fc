/* proxy/frag: requests in flight and their split across servers; see frag.h. */
#include "proxy/frag.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/mc_text.h"
#include "compat/resp.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "proxy/client.h"
#include "proxy/coalesce.h"
#include "proxy/merge.h"
#include "proxy/node.h"
#include "proxy/pool.h"
#include "proxy/route.h"

struct req *req_create(struct client *c, int merge)
{
    struct req *r = mem_calloc(sizeof *r);
    r->c = c;
    r->wp = c->wp;
    r->wp->refs++;
    r->merge = (uint8_t)merge;
    r->proto = (uint8_t)c->proto;
    r->sending = true;
    r->start_us = clock_mono_us();
    if (c->tail) c->tail->next = r;
    else c->head = r;
    c->tail = r;
    c->nreqs++;
    STAT_INC(r->wp->st.requests);
    return r;
}

void req_frags_alloc(struct req *r, int nfrags)
{
    r->frags = mem_calloc(sizeof *r->frags * (size_t)(nfrags ? nfrags : 1));
    r->nfrags = nfrags;
    r->pending = nfrags;
    for (int i = 0; i < nfrags; i++) r->frags[i].req = r;
    if (nfrags > 1) STAT_ADD(r->wp->st.fragments, nfrags);
}

void req_free(struct req **rp)
{
    struct req *r = *rp;
    *rp = NULL;
    if (r == NULL) return;
    for (int i = 0; i < r->nfrags; i++)
        if (r->frags[i].reply) evbuffer_free(r->frags[i].reply);
    if (r->reply) evbuffer_free(r->reply);
    mem_free(r->frags);
    mem_free(r->key_frag);
    mem_free(r->keybuf);
    struct wpool *wp = r->wp;
    mem_free(r);
    wpool_unref(wp);
}

static void req_finish(struct req *r)
{
    if (r->c && !r->direct && !r->noreply) merge_run(r);
    r->done = true;
    hist_record(r->wp->lat, (uint64_t)(clock_mono_us() - r->start_us));
    if (r->c) client_flush(r->c);
    else req_free(&r);
}

void req_sent(struct req *r)
{
    r->sending = false;
    if (r->pending == 0) req_finish(r);
}

static void frag_done(struct frag *f)
{
    struct req *r = f->req;
    f->done = true;
    if (--r->pending == 0 && !r->sending) req_finish(r);
}

void frag_replied(struct frag *f, struct evbuffer *src, size_t n)
{
    struct req *r = f->req;
    size_t strip = f->strip_mn && n >= 4 ? 4 : 0;
    if (r->c == NULL || r->noreply) {
        evbuffer_drain(src, n);
    } else if (r->merge == RM_ONE && r->c->head == r && !r->sending) {
        evbuffer_remove_buffer(src, r->c->pc.out, n - strip);
        evbuffer_drain(src, strip);
        pconn_mark(&r->c->pc);
        r->direct = true;
    } else {
        f->reply = evbuffer_new();
        evbuffer_remove_buffer(src, f->reply, n - strip);
        evbuffer_drain(src, strip);
    }
    frag_done(f);
}

void frag_failed(struct frag *f, const char *why)
{
    f->failed = true;
    snprintf(f->err, sizeof f->err, "%s", why);
    STAT_INC(f->req->wp->st.forward_error);
    frag_done(f);
}

void frag_send(struct req *r, int fi, struct wserver *ws, uint32_t h,
               const char *bytes, size_t n, const char *extra)
{
    struct frag *f = &r->frags[fi];
    f->ws = ws;
    if (ws == NULL) {
        frag_failed(f, "no server available");
        return;
    }
    struct nconn *nc = route_conn(ws, r->proto, h);
    const char *why = NULL;
    struct evbuffer *out = nconn_output(nc, &why);
    if (out == NULL) {
        frag_failed(f, why);
        return;
    }
    size_t xl = extra ? strlen(extra) : 0;
    evbuffer_add(out, bytes, n);
    if (xl) evbuffer_add(out, extra, xl);
    nconn_enqueue(nc, f, n + xl);
}

int frag_route_keys(struct wpool *wp, struct keyref *keys, int nkeys)
{
    int common = -3;
    for (int i = 0; i < nkeys; i++) {
        keys[i].server = route_key(wp, keys[i].p, keys[i].len, &keys[i].hash);
        if (common == -3) common = keys[i].server;
        else if (common != keys[i].server) common = -2;
    }
    return common == -3 ? -1 : common;
}

/* Per-fragment state while a multi-key request is written out. */
struct split {
    struct nconn *nc;
    struct evbuffer *out;
    size_t bytes;           /* the fragment's request size */
    char *at;               /* where the next bytes go in its reservation */
    struct evbuffer_iovec v;
    int server;
    int nkeys;
    uint32_t hash;
    size_t seg;             /* Memcached get: the key bytes (" k1 k2") */
    char *seg_at;           /* where they start in the reservation */
    bool join;              /* joined an open get line (proxy/coalesce) */
};

#define SPLIT_STACK 64

/* Give each server of the routed keys a fragment (in order of first key);
 * fills r->key_frag (and room for key_off/key_len when mc). */
static int split_assign(struct req *r, const struct keyref *k, int nkeys, struct split *sp, bool mc)
{
    int ns = r->wp->pool->nservers;
    int stack_map[SPLIT_STACK];
    int *srv_frag = ns < SPLIT_STACK ? stack_map : mem_alloc(sizeof(int) * (size_t)(ns + 1));
    for (int i = 0; i <= ns; i++) srv_frag[i] = -1;
    size_t per = mc ? sizeof(int) + 2 * sizeof(uint32_t) : sizeof(int);
    r->nkeys = nkeys;
    r->key_frag = mem_alloc(per * (size_t)(nkeys ? nkeys : 1));
    if (mc) {
        r->key_off = (uint32_t *)(r->key_frag + nkeys);
        r->key_len = r->key_off + nkeys;
    }
    int nf = 0;
    for (int i = 0; i < nkeys; i++) {
        int *slot = &srv_frag[k[i].server >= 0 ? k[i].server : ns];
        if (*slot < 0) {
            *slot = nf;
            sp[nf] = (struct split){ .server = k[i].server, .hash = k[i].hash };
            nf++;
        }
        sp[*slot].nkeys++;
        r->key_frag[i] = *slot;
    }
    if (srv_frag != stack_map) mem_free(srv_frag);
    return nf;
}

static char *put(char *at, const void *p, size_t n)
{
    memcpy(at, p, n);
    return at + n;
}

/* Open each fragment's connection and reserve its bytes there; a fragment
 * that cannot be sent fails.  A get/gets (cmd) reserves its command word
 * and keys only, written as a new line or joined to the open one (proxy/
 * coalesce): the command word is written here, the keys by the caller. */
static void split_open(struct req *r, struct split *sp, int nf, enum coal_cmd cmd)
{
    for (int i = 0; i < nf; i++) {
        r->frags[i].ws = sp[i].server >= 0 ? &r->wp->servers[sp[i].server] : NULL;
        if (sp[i].server < 0) {
            frag_failed(&r->frags[i], "no server available");
            continue;
        }
        sp[i].nc = route_conn(r->frags[i].ws, r->proto, sp[i].hash);
        const char *why = NULL;
        sp[i].out = cmd ? nconn_output_keep(sp[i].nc, &why) : nconn_output(sp[i].nc, &why);
        if (sp[i].out == NULL) {
            frag_failed(&r->frags[i], why);
            continue;
        }
        const char *pre = "";
        if (cmd) {
            pre = coal_begin(sp[i].nc, cmd, sp[i].seg, (uint32_t)sp[i].nkeys, &sp[i].join);
            sp[i].bytes = strlen(pre) + sp[i].seg;
        }
        if (evbuffer_reserve_space(sp[i].out, (ssize_t)sp[i].bytes, &sp[i].v, 1) != 1) abort();
        sp[i].at = put(sp[i].v.iov_base, pre, strlen(pre));
        sp[i].seg_at = sp[i].at;
    }
}

static void split_close(struct req *r, struct split *sp, int nf, enum coal_cmd cmd)
{
    for (int i = 0; i < nf; i++) {
        if (sp[i].out == NULL) continue;
        if (cmd)
            coal_end(sp[i].nc, &r->frags[i], cmd, sp[i].join, sp[i].seg_at, sp[i].seg,
                     (uint32_t)sp[i].nkeys);
        sp[i].v.iov_len = sp[i].bytes;
        evbuffer_commit_space(sp[i].out, &sp[i].v, 1);
        nconn_enqueue(sp[i].nc, &r->frags[i], sp[i].bytes);
    }
}

void frag_mc_get_one(struct req *r, enum coal_cmd cmd, int s, const struct keyref *k, int nkeys)
{
    struct split sp = { .server = s, .nkeys = nkeys, .hash = nkeys ? k[0].hash : 0 };
    req_frags_alloc(r, 1);
    r->frags[0].kind = MC_REPLY_RETRIEVAL;
    for (int i = 0; i < nkeys; i++) sp.seg += 1 + k[i].len;
    split_open(r, &sp, 1, cmd);
    if (sp.out == NULL) return;
    for (int i = 0; i < nkeys; i++) {
        *sp.at++ = ' ';
        sp.at = put(sp.at, k[i].p, k[i].len);
    }
    split_close(r, &sp, 1, cmd);
}

void frag_mc_get(struct req *r, enum coal_cmd cmd, const char *prefix, size_t nprefix,
                 const char *keys, size_t keys_len, const struct keyref *k, int nkeys)
{
    struct split stack_sp[SPLIT_STACK];
    struct split *sp = nkeys < SPLIT_STACK ? stack_sp : mem_alloc(sizeof *sp * (size_t)(nkeys + 1));
    int nf = split_assign(r, k, nkeys, sp, true);
    r->keybuf = mem_alloc(keys_len + 1);
    memcpy(r->keybuf, keys, keys_len);
    req_frags_alloc(r, nf);
    for (int i = 0; i < nf; i++) r->frags[i].kind = MC_REPLY_RETRIEVAL;
    for (int i = 0; i < nkeys; i++) {
        sp[r->key_frag[i]].seg += 1 + k[i].len;
        r->key_off[i] = (uint32_t)(k[i].p - keys);
        r->key_len[i] = k[i].len;
    }
    for (int i = 0; i < nf; i++) sp[i].bytes = nprefix + sp[i].seg + 2;
    split_open(r, sp, nf, cmd);
    if (!cmd)
        for (int i = 0; i < nf; i++)
            if (sp[i].out) sp[i].at = put(sp[i].at, prefix, nprefix);
    for (int i = 0; i < nkeys; i++) {
        struct split *s = &sp[r->key_frag[i]];
        if (s->out == NULL) continue;
        *s->at++ = ' ';
        s->at = put(s->at, k[i].p, k[i].len);
    }
    if (!cmd)
        for (int i = 0; i < nf; i++)
            if (sp[i].out) put(sp[i].at, "\r\n", 2);
    split_close(r, sp, nf, cmd);
    if (sp != stack_sp) mem_free(sp);
}

static size_t bulk_size(size_t n)
{
    char hdr[32];
    return resp_fmt_header(hdr, '$', (long long)n) + n + 2;
}

static char *put_bulk(char *at, const char *p, size_t n)
{
    at += resp_fmt_header(at, '$', (long long)n);
    at = put(at, p, n);
    return put(at, "\r\n", 2);
}

void frag_resp_keys(struct req *r, const char *buf, const struct resp_span *argv,
                    int first, int step, const struct keyref *k, int nkeys)
{
    struct split stack_sp[SPLIT_STACK];
    struct split *sp = nkeys < SPLIT_STACK ? stack_sp : mem_alloc(sizeof *sp * (size_t)(nkeys + 1));
    int nf = split_assign(r, k, nkeys, sp, false);
    req_frags_alloc(r, nf);
    size_t head = 0;
    for (int a = 0; a < first; a++) head += bulk_size(argv[a].len);
    char hdr[32];
    for (int i = 0; i < nf; i++)
        sp[i].bytes = head + resp_fmt_header(hdr, '*', (long long)(first + sp[i].nkeys * step));
    for (int i = 0; i < nkeys; i++)
        for (int a = 0; a < step; a++)
            sp[r->key_frag[i]].bytes += bulk_size(argv[first + i * step + a].len);
    split_open(r, sp, nf, COAL_NONE);
    for (int i = 0; i < nf; i++) {
        if (sp[i].out == NULL) continue;
        sp[i].at += resp_fmt_header(sp[i].at, '*', (long long)(first + sp[i].nkeys * step));
        for (int a = 0; a < first; a++)
            sp[i].at = put_bulk(sp[i].at, buf + argv[a].off, argv[a].len);
    }
    for (int i = 0; i < nkeys; i++) {
        struct split *s = &sp[r->key_frag[i]];
        if (s->out == NULL) continue;
        for (int a = 0; a < step; a++) {
            const struct resp_span *sa = &argv[first + i * step + a];
            s->at = put_bulk(s->at, buf + sa->off, sa->len);
        }
    }
    split_close(r, sp, nf, COAL_NONE);
    if (sp != stack_sp) mem_free(sp);
}

void frag_all(struct req *r, const char *bytes, size_t n, const char *extra, int kind)
{
    struct wpool *wp = r->wp;
    int live = 0;
    for (int i = 0; i < wp->pool->nservers; i++)
        if (wp->servers[i].ejected_until == 0) live++;
    req_frags_alloc(r, live);
    int fi = 0;
    for (int i = 0; i < wp->pool->nservers; i++) {
        if (wp->servers[i].ejected_until) continue;
        r->frags[fi].kind = (uint8_t)kind;
        r->frags[fi].strip_mn = extra != NULL;
        frag_send(r, fi++, &wp->servers[i], (uint32_t)i, bytes, n, extra);
    }
}
