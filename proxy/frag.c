/* proxy/frag: requests in flight and their split across servers; see frag.h. */
#include "proxy/frag.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdio.h>
#include <string.h>

#include "compat/mc_text.h"
#include "compat/resp.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "proxy/client.h"
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
        evbuffer_remove_buffer(src, bufferevent_get_output(r->c->bev), n - strip);
        evbuffer_drain(src, strip);
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

/* Per-fragment state while a multi-key request is written out. */
struct split {
    struct nconn *nc;
    struct evbuffer *out;
    size_t bytes;
    int server;
    int nkeys;
    uint32_t hash;
};

/* Route every key; fills key_frag, returns the fragments (caller frees). */
static struct split *split_route(struct req *r, int nkeys, const char *const *keys,
                                 const size_t *lens, int *nfrags)
{
    struct wpool *wp = r->wp;
    int ns = wp->pool->nservers;
    int *srv_frag = mem_alloc(sizeof(int) * (size_t)(ns ? ns : 1));
    for (int i = 0; i < ns; i++) srv_frag[i] = -1;
    struct split *sp = mem_calloc(sizeof *sp * (size_t)(nkeys + 1));
    int nf = 0, nofail = -1;
    r->nkeys = nkeys;
    r->key_frag = mem_alloc(sizeof(int) * (size_t)(nkeys ? nkeys : 1));
    for (int i = 0; i < nkeys; i++) {
        uint32_t h;
        int s = route_key(wp, keys[i], lens[i], &h);
        int *slot = s >= 0 ? &srv_frag[s] : &nofail;
        if (*slot < 0) {
            *slot = nf;
            sp[nf].server = s;
            sp[nf].hash = h;
            nf++;
        }
        sp[*slot].nkeys++;
        r->key_frag[i] = *slot;
    }
    mem_free(srv_frag);
    *nfrags = nf;
    return sp;
}

/* Open each fragment's connection; a fragment that cannot be sent fails. */
static void split_open(struct req *r, struct split *sp, int nf)
{
    for (int i = 0; i < nf; i++) {
        r->frags[i].ws = sp[i].server >= 0 ? &r->wp->servers[sp[i].server] : NULL;
        if (sp[i].server < 0) {
            frag_failed(&r->frags[i], "no server available");
            continue;
        }
        sp[i].nc = route_conn(r->frags[i].ws, r->proto, sp[i].hash);
        const char *why = NULL;
        sp[i].out = nconn_output(sp[i].nc, &why);
        if (sp[i].out == NULL) frag_failed(&r->frags[i], why);
    }
}

static void split_close(struct req *r, struct split *sp, int nf)
{
    for (int i = 0; i < nf; i++)
        if (sp[i].out) nconn_enqueue(sp[i].nc, &r->frags[i], sp[i].bytes);
}

void frag_mc_get(struct req *r, const char *prefix, size_t nprefix,
                 const char *keys, size_t keys_len, int nkeys)
{
    r->keybuf = mem_alloc(keys_len + 1);
    memcpy(r->keybuf, keys, keys_len);
    r->keybuf_len = keys_len;
    const char **kp = mem_alloc(sizeof *kp * (size_t)(nkeys + 1));
    size_t *kl = mem_alloc(sizeof *kl * (size_t)(nkeys + 1));
    struct mc_request fake = { .keys = r->keybuf, .keys_len = keys_len };
    size_t pos = 0;
    int n = 0;
    while (n < nkeys && mc_text_key_next(&fake, &pos, &kp[n], &kl[n])) n++;
    int nf;
    struct split *sp = split_route(r, n, kp, kl, &nf);
    req_frags_alloc(r, nf);
    for (int i = 0; i < nf; i++) r->frags[i].kind = MC_REPLY_RETRIEVAL;
    split_open(r, sp, nf);
    for (int i = 0; i < n; i++) {
        struct split *s = &sp[r->key_frag[i]];
        if (s->out == NULL) continue;
        if (s->bytes == 0) {
            evbuffer_add(s->out, prefix, nprefix);
            s->bytes += nprefix;
        }
        evbuffer_add(s->out, " ", 1);
        evbuffer_add(s->out, kp[i], kl[i]);
        s->bytes += 1 + kl[i];
    }
    for (int i = 0; i < nf; i++) {
        if (sp[i].out == NULL) continue;
        evbuffer_add(sp[i].out, "\r\n", 2);
        sp[i].bytes += 2;
    }
    split_close(r, sp, nf);
    mem_free(sp);
    mem_free(kp);
    mem_free(kl);
}

static void add_bulk(struct evbuffer *out, const char *p, size_t n, size_t *bytes)
{
    char hdr[32];
    size_t hl = resp_fmt_header(hdr, '$', (long long)n);
    evbuffer_add(out, hdr, hl);
    evbuffer_add(out, p, n);
    evbuffer_add(out, "\r\n", 2);
    *bytes += hl + n + 2;
}

void frag_resp_keys(struct req *r, const char *buf, const struct resp_span *argv,
                    int argc, int first, int step)
{
    int nkeys = (argc - first) / step;
    const char **kp = mem_alloc(sizeof *kp * (size_t)(nkeys + 1));
    size_t *kl = mem_alloc(sizeof *kl * (size_t)(nkeys + 1));
    for (int i = 0; i < nkeys; i++) {
        kp[i] = buf + argv[first + i * step].off;
        kl[i] = argv[first + i * step].len;
    }
    int nf;
    struct split *sp = split_route(r, nkeys, kp, kl, &nf);
    req_frags_alloc(r, nf);
    split_open(r, sp, nf);
    for (int i = 0; i < nkeys; i++) {
        struct split *s = &sp[r->key_frag[i]];
        if (s->out == NULL) continue;
        if (s->bytes == 0) {
            char hdr[32];
            size_t hl = resp_fmt_header(hdr, '*', (long long)(first + s->nkeys * step));
            evbuffer_add(s->out, hdr, hl);
            s->bytes += hl;
            for (int a = 0; a < first; a++)
                add_bulk(s->out, buf + argv[a].off, argv[a].len, &s->bytes);
        }
        for (int a = 0; a < step; a++) {
            const struct resp_span *sa = &argv[first + i * step + a];
            add_bulk(s->out, buf + sa->off, sa->len, &s->bytes);
        }
    }
    split_close(r, sp, nf);
    mem_free(sp);
    mem_free(kp);
    mem_free(kl);
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
