/* proxy/node: connections to servers; see node.h. */
#include "proxy/node.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "proxy/client.h"
#include "proxy/frag.h"
#include "proxy/pool.h"
#include "proxy/worker.h"

static void nconn_timer_cb(evutil_socket_t fd, short what, void *arg);
static void nconn_wake(struct nconn *nc);
static void nconn_fail_as(struct nconn *nc, const char *why, bool count);

struct nconn *nconn_create(struct wserver *ws, int proto, int slot)
{
    struct nconn *nc = mem_calloc(sizeof *nc);
    nc->ws = ws;
    nc->proto = proto;
    nc->slot = slot;
    nc->timer = evtimer_new(ws->wp->w->base, nconn_timer_cb, nc);
    return nc;
}

static void nconn_close(struct nconn *nc)
{
    if (nc->open) {
        if (nc->pc.ssl) pconn_tls_keep_session(&nc->pc, &nc->ws->tls_session);
        pconn_deinit(&nc->pc);
        nc->open = false;
        STAT_DEC(nc->ws->st.server_connections);
        if (nc->owner) STAT_DEC(nc->ws->wp->st.blocking_connections);
    }
    nc->state = NCONN_DOWN;
    coal_reset(nc);
    nc->parsing = false;
    nc->need = 0;
    evtimer_del(nc->timer);
}

void nconn_destroy(struct nconn **ncp)
{
    struct nconn *nc = *ncp;
    *ncp = NULL;
    if (nc == NULL) return;
    nconn_fail_as(nc, "server connection closed by the proxy", nc->owner == NULL);
    event_free(nc->timer);
    mem_free(nc->co.log);
    mem_free(nc);
}

/* Fails every queued fragment with why and closes; a failure counts
 * toward ejection when count is set and the connection was in use. */
static void nconn_fail_as(struct nconn *nc, const char *why, bool count)
{
    struct frag *list = nc->head;
    bool busy = list != NULL || nc->state == NCONN_CONNECTING;
    nc->head = nc->tail = NULL;
    STAT_ADD(nc->ws->st.out_queue, -(int64_t)nc->nout);
    nc->nout = 0;
    bool was_open = nc->open;
    nconn_close(nc);
    if (was_open && busy && count) wpool_server_failed(nc->ws);
    if (was_open)
        log_write(busy && count ? LOG_LEVEL_WARN : LOG_LEVEL_VERB, "pool %s: server %s: %s",
                  nc->ws->wp->pool->name, nc->ws->ps->pname, why);
    while (list) {
        struct frag *f = list;
        list = f->next;
        STAT_ADD(nc->ws->st.out_queue_bytes, -(int64_t)f->req_bytes);
        f->next = NULL;
        f->nc = NULL;
        if (f->req == NULL) mem_free(f);
        else frag_failed(f, why);
    }
    nconn_wake(nc);
}

void nconn_fail(struct nconn *nc, const char *why)
{
    nconn_fail_as(nc, why, true);
}

/* ---- clients waiting for a congested connection ---- */

static bool nconn_congested(struct nconn *nc)
{
    if (nc->nout >= NCONN_QUEUE_HIGH) return true;
    return nc->open && evbuffer_get_length(nc->pc.out) >= NCONN_OUT_HIGH;
}

static void nconn_wait(struct nconn *nc, struct client *c)
{
    if (c->waiting_on) return;
    c->waiting_on = nc;
    c->wait_next = NULL;
    c->wait_prev = nc->wait_tail;
    if (nc->wait_tail) nc->wait_tail->wait_next = c;
    else nc->wait_head = c;
    nc->wait_tail = c;
}

void nconn_unwait(struct nconn *nc, struct client *c)
{
    if (c->wait_prev) c->wait_prev->wait_next = c->wait_next;
    else nc->wait_head = c->wait_next;
    if (c->wait_next) c->wait_next->wait_prev = c->wait_prev;
    else nc->wait_tail = c->wait_prev;
    c->waiting_on = NULL;
    c->wait_prev = c->wait_next = NULL;
}

/* Resume waiting clients, oldest first, while the connection has room; a
 * resumed client that congests it again waits at the tail, which ends the
 * loop. */
static void nconn_wake(struct nconn *nc)
{
    while (nc->wait_head && !nconn_congested(nc)) {
        struct client *c = nc->wait_head;
        nconn_unwait(nc, c);
        client_try_resume(c);
    }
}

static void nconn_write_cb(void *arg)
{
    struct nconn *nc = arg;
    if (nc->wait_head && nc->nout < NCONN_QUEUE_HIGH) nconn_wake(nc);
}

/* The pool's timeout, or a dedicated connection's own (us, 0: none). */
static int64_t nconn_timeout_us(const struct nconn *nc)
{
    if (nc->owner) return nc->block_timeout_us;
    return (int64_t)nc->ws->wp->pool->timeout * 1000;
}

static void nconn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct nconn *nc = arg;
    if (nc->head == NULL) return;
    int64_t timeout = nconn_timeout_us(nc);
    int64_t age = clock_mono_us() - nc->head->sent_us;
    if (age >= timeout) {
        STAT_INC(nc->ws->st.server_timedout);
        nconn_fail(nc, "Connection timed out");
        return;
    }
    struct timeval tv = { (time_t)((timeout - age) / 1000000), (suseconds_t)((timeout - age) % 1000000) };
    evtimer_add(nc->timer, &tv);
}

static void nconn_arm_timer(struct nconn *nc)
{
    int64_t timeout = nconn_timeout_us(nc);
    if (timeout <= 0 || evtimer_pending(nc->timer, NULL)) return;
    struct timeval tv = { (time_t)(timeout / 1000000), (suseconds_t)(timeout % 1000000) };
    evtimer_add(nc->timer, &tv);
}

static struct frag *fifo_pop(struct nconn *nc)
{
    struct frag *f = nc->head;
    nc->head = f->next;
    if (nc->head == NULL) nc->tail = NULL;
    f->next = NULL;
    nc->nout--;
    STAT_DEC(nc->ws->st.out_queue);
    STAT_ADD(nc->ws->st.out_queue_bytes, -(int64_t)f->req_bytes);
    return f;
}

/* The prelude of a RESP connection: AUTH and SELECT when the pool asks for
 * them, then HELLO 3 on a RESP3 connection.  Their replies are eaten (a
 * prelude fragment has no req); kind says which one it was. */
enum { PRELUDE_AUTH = 1, PRELUDE_SELECT, PRELUDE_HELLO };

static void nconn_internal(struct nconn *nc, const char *bytes, size_t n, int kind)
{
    struct frag *f = mem_calloc(sizeof *f);
    f->ws = nc->ws;
    f->kind = (uint8_t)kind;
    evbuffer_add(nc->pc.out, bytes, n);
    nconn_enqueue(nc, f, n);
}

static void nconn_prelude(struct nconn *nc)
{
    struct pool *p = nc->ws->wp->pool;
    char buf[600];
    if (nc->proto == PROTO_MC) return;
    if (p->redis_auth && p->redis_auth[0]) {
        size_t al = strlen(p->redis_auth);
        if (al > 400) al = 400;
        int n = snprintf(buf, sizeof buf, "*2\r\n$4\r\nAUTH\r\n$%zu\r\n%.*s\r\n",
                         al, (int)al, p->redis_auth);
        nconn_internal(nc, buf, (size_t)n, PRELUDE_AUTH);
    }
    if (p->redis_db > 0) {
        char db[24];
        int dl = snprintf(db, sizeof db, "%d", p->redis_db);
        int n = snprintf(buf, sizeof buf, "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", dl, db);
        nconn_internal(nc, buf, (size_t)n, PRELUDE_SELECT);
    }
    if (nc->proto == PROTO_RESP3) {
        static const char hello[] = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";
        nconn_internal(nc, hello, sizeof hello - 1, PRELUDE_HELLO);
    }
}

static void nconn_read_cb(void *arg);
static void nconn_event_cb(void *arg, enum pconn_event what, int err);

static const struct pconn_ops nconn_ops = { nconn_read_cb, nconn_write_cb, nconn_event_cb };

static int nconn_connect(struct nconn *nc, const char **why)
{
    struct wserver *ws = nc->ws;
    int which = (nc->proto == PROTO_MC && ws->wp->pool->proto == PROTO_BOTH) ? 1 : 0;
    pconn_init(&nc->pc, ws->wp->w, -1, &nconn_ops, nc, NCONN_OUT_LOW);
    nc->open = true;
    STAT_INC(ws->st.server_connections);
    if (nc->owner) STAT_INC(ws->wp->st.blocking_connections);
    if (pconn_connect(&nc->pc, (struct sockaddr *)&ws->ps->ss[which], ws->ps->sslen[which]) < 0) {
        *why = errno ? strerror(errno) : "cannot connect";
        STAT_INC(ws->st.server_err);
        nconn_close(nc);
        wpool_server_failed(ws);
        return -1;
    }
    int one = 1;
    if (ws->ps->port) setsockopt(nc->pc.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (ws->wp->pool->tcpkeepalive) setsockopt(nc->pc.fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    struct ssl_ctx_st *tls = ws->wp->pool->server_tls_ctx;
    if (tls) {
        if (pconn_tls_connect(&nc->pc, tls, ws->ps->tls_name, ws->ps->tls_name_ip) != 0) {
            *why = "cannot start a TLS session";
            STAT_INC(ws->st.server_tls_errors);
            nconn_close(nc);
            wpool_server_failed(ws);
            return -1;
        }
        pconn_tls_resume(&nc->pc, ws->tls_session);
    }
    nc->state = NCONN_CONNECTING;
    nconn_prelude(nc);
    return 0;
}

struct evbuffer *nconn_output_keep(struct nconn *nc, const char **why)
{
    if (nc->state == NCONN_DOWN && nconn_connect(nc, why) < 0) return NULL;
    return nc->pc.out;
}

struct evbuffer *nconn_output(struct nconn *nc, const char **why)
{
    struct evbuffer *out = nconn_output_keep(nc, why);
    if (out) coal_close(nc);
    return out;
}

void nconn_enqueue(struct nconn *nc, struct frag *f, size_t req_bytes)
{
    struct server_stats *st = &nc->ws->st;
    f->nc = nc;
    f->next = NULL;
    f->sent_us = clock_mono_us();
    f->req_bytes = (uint32_t)req_bytes;
    if (nc->tail) nc->tail->next = f;
    else nc->head = f;
    nc->tail = f;
    nc->nout++;
    STAT_INC(st->requests);
    STAT_ADD(st->request_bytes, req_bytes);
    STAT_INC(st->out_queue);
    STAT_ADD(st->out_queue_bytes, req_bytes);
    pconn_mark(&nc->pc);
    nconn_arm_timer(nc);
    if (f->req && f->req->c && nconn_congested(nc)) nconn_wait(nc, f->req->c);
}

/* Parse the reply at the head of in for the FIFO head; returns its length,
 * 0 for "need more", -1 for a broken server. */
static long nconn_parse(struct nconn *nc, struct evbuffer *in, size_t len)
{
    if (!nc->parsing) {
        if (nc->proto != PROTO_MC) resp_reply_init(&nc->rr);
        else mc_reply_init(&nc->mr, (enum mc_reply_kind)nc->head->kind);
        nc->parsing = true;
    }
    const char *p = (const char *)evbuffer_pullup(in, -1);
    enum parse_result r;
    size_t need;
    if (nc->proto != PROTO_MC) {
        r = resp_reply_parse(&nc->rr, p, len);
        need = nc->rr.need;
    } else {
        r = mc_reply_parse(&nc->mr, p, len);
        need = nc->mr.need;
    }
    if (r == PARSE_AGAIN) {
        nc->need = need ? need : len + 1;
        return 0;
    }
    if (r != PARSE_OK) return -1;
    nc->need = 0;
    nc->parsing = false;
    return (long)(nc->proto != PROTO_MC ? nc->rr.consumed : nc->mr.consumed);
}

struct frag *nconn_pop_reply(struct nconn *nc, size_t n)
{
    struct frag *f = fifo_pop(nc);
    struct wserver *ws = nc->ws;
    coal_release(nc, f);
    STAT_INC(ws->st.responses);
    STAT_ADD(ws->st.response_bytes, n);
    hist_record(ws->lat, (uint64_t)(clock_mono_us() - f->sent_us));
    wpool_server_ok(ws);
    return f;
}

/* A prelude reply, eaten.  A refused AUTH or SELECT is logged (the
 * requests that follow get the server's own errors); a refused HELLO 3
 * fails the connection, since RESP2 replies must not reach RESP3 clients:
 * returns -1 then (nc was closed). */
static int nconn_internal_reply(struct nconn *nc, struct frag *f, struct evbuffer *in, size_t n)
{
    const char *p = (const char *)evbuffer_pullup(in, (ssize_t)n);
    int kind = f->kind;
    mem_free(f);
    if (p[0] != '-') {
        evbuffer_drain(in, n);
        return 0;
    }
    int show = (int)(n > 2 ? n - 3 : 0);
    if (show > 80) show = 80;
    log_warn("pool %s: server %s refused the connection prelude: %.*s",
             nc->ws->wp->pool->name, nc->ws->ps->pname, show, p + 1);
    if (kind != PRELUDE_HELLO) {
        evbuffer_drain(in, n);
        return 0;
    }
    char why[128];
    snprintf(why, sizeof why, "server refused HELLO 3 (RESP3): %.*s", show, p + 1);
    evbuffer_drain(in, n);
    STAT_INC(nc->ws->st.server_err);
    nconn_fail_as(nc, why, false);   /* the server is up: no ejection */
    return -1;
}

/* A RESP3 push (out-of-band: pub/sub message, tracking invalidation) is
 * no request's reply.  Clients cannot ask the proxy for either, so none is
 * expected; one that comes anyway is dropped rather than taken for the
 * FIFO head's reply.  RESP2 connections never see one. */
static bool nconn_is_push(struct nconn *nc)
{
    return nc->proto == PROTO_RESP3 && nc->rr.type == '>';
}

/* A reply shared by the gets joined on one line (proxy/coalesce): each
 * client's reply-size estimate (proxy/client) gets its share. */
static void note_joined(struct nconn *nc, size_t n)
{
    size_t m = 0;
    for (struct frag *f = nc->head; f && (f == nc->head || f->joined); f = f->next) m++;
    for (struct frag *f = nc->head; f && (f == nc->head || f->joined); f = f->next)
        if (f->req && f->req->c) client_note_reply(f->req->c, n / m);
}

static void nconn_read_cb(void *arg)
{
    struct nconn *nc = arg;
    struct evbuffer *in = nc->pc.in;
    for (;;) {
        size_t len = evbuffer_get_length(in);
        if (len == 0 || len < nc->need) break;
        if (nc->head == NULL && nc->proto != PROTO_RESP3) {
            STAT_INC(nc->ws->st.server_err);
            nconn_fail(nc, "unexpected data from server");
            return;
        }
        long n = nconn_parse(nc, in, len);
        if (n == 0) break;
        if (n < 0) {
            STAT_INC(nc->ws->st.server_err);
            nconn_fail(nc, "protocol error from server");
            return;
        }
        if (nconn_is_push(nc)) {
            log_verb("pool %s: server %s: push message dropped",
                     nc->ws->wp->pool->name, nc->ws->ps->pname);
            evbuffer_drain(in, (size_t)n);
            continue;
        }
        if (nc->head == NULL) {
            STAT_INC(nc->ws->st.server_err);
            nconn_fail(nc, "unexpected data from server");
            return;
        }
        if (coal_head_joined(nc)) {
            note_joined(nc, (size_t)n);
            if (coal_reply(nc, in, (size_t)n, nc->mr.error) < 0) {
                STAT_INC(nc->ws->st.server_err);
                nconn_fail(nc, "protocol error from server");
                return;
            }
            continue;
        }
        struct frag *f = nconn_pop_reply(nc, (size_t)n);
        if (f->req == NULL) {
            if (nconn_internal_reply(nc, f, in, (size_t)n) < 0) return;
        } else {
            if (f->req->c) client_note_reply(f->req->c, (size_t)n);
            frag_replied(f, in, (size_t)n);
        }
    }
    if (nc->head == NULL) evtimer_del(nc->timer);
    if (nc->wait_head && nc->nout <= NCONN_QUEUE_LOW) nconn_wake(nc);
}

static void nconn_event_cb(void *arg, enum pconn_event what, int err)
{
    struct nconn *nc = arg;
    if (what == PCONN_CONNECTED) {
        nc->state = NCONN_UP;
        log_verb("pool %s: connected to %s", nc->ws->wp->pool->name, nc->ws->ps->pname);
        return;
    }
    char why[160];
    if (what == PCONN_EOF) {
        STAT_INC(nc->ws->st.server_eof);
        snprintf(why, sizeof why, "Connection closed by server");
    } else if (what == PCONN_TLS_ERROR) {     /* logged at verbose level by pconn */
        STAT_INC(nc->ws->st.server_tls_errors);
        snprintf(why, sizeof why, "%s", pconn_tls_error(&nc->pc));
    } else {
        STAT_INC(nc->ws->st.server_err);
        snprintf(why, sizeof why, "%s", err ? strerror(err) : "connection error");
    }
    nconn_fail(nc, why);
}

/* ---- dedicated connections (blocking commands) ---- */

static void nconn_dedicated_free(struct nconn *nc)
{
    struct wpool *wp = nc->ws->wp;
    nconn_destroy(&nc);
    wpool_unref(wp);
}

/* Close c's idle dedicated connections of an older pool (a reload moved
 * c) and, when ws is given, its idle one to ws (another protocol's). */
static void drop_idle(struct client *c, const struct wserver *ws)
{
    for (struct nconn **pp = &c->bconns, *nc; (nc = *pp) != NULL;) {
        if (nc->nout == 0 && (nc->ws->wp != c->wp || nc->ws == ws)) {
            *pp = nc->owner_next;
            nconn_dedicated_free(nc);
        } else {
            pp = &nc->owner_next;
        }
    }
}

struct nconn *nconn_dedicated(struct client *c, struct wserver *ws, int proto)
{
    for (struct nconn *nc = c->bconns; nc; nc = nc->owner_next)
        if (nc->ws == ws && nc->proto == proto) return nc;
    drop_idle(c, ws);
    struct nconn *nc = nconn_create(ws, proto, 0);
    nc->owner = c;
    nc->owner_next = c->bconns;
    c->bconns = nc;
    ws->wp->refs++;
    return nc;
}

void nconn_drop_stale_dedicated(struct client *c)
{
    drop_idle(c, NULL);
}

void nconn_drop_dedicated(struct client *c)
{
    while (c->bconns) {
        struct nconn *nc = c->bconns;
        c->bconns = nc->owner_next;
        nconn_dedicated_free(nc);
    }
}

bool nconn_dedicated_busy(const struct client *c)
{
    for (const struct nconn *nc = c->bconns; nc; nc = nc->owner_next)
        if (nc->nout > 0) return true;
    return false;
}
