/* proxy/client: client connections and in-order replies; see client.h. */
#include "proxy/client.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/mem.h"
#include "proxy/frag.h"
#include "proxy/mc_proxy.h"
#include "proxy/node.h"
#include "proxy/pool.h"
#include "proxy/resp_proxy.h"
#include "proxy/worker.h"

static void client_read_cb(void *arg);
static void client_write_cb(void *arg);
static void client_event_cb(void *arg, enum pconn_event what, int err);

static const struct pconn_ops client_ops = { client_read_cb, client_write_cb, client_event_cb };

static uint64_t pool_clients(const struct pool *p)
{
    uint64_t n = 0;
    for (int i = 0; i < nworkers; i++) {
        struct wpool *wp = worker_wpool(workers[i], p->idx);
        if (wp && wp->pool == p) n += STAT_GET(wp->st.client_connections);
    }
    return n;
}

void client_accept(struct worker *w, struct wpool *wp, int fd, int proto)
{
    struct pool *p = wp->pool;
    if (p->client_connections > 0 && pool_clients(p) >= (uint64_t)p->client_connections) {
        log_notice("pool %s: client_connections limit %d reached, connection refused",
                   p->name, p->client_connections);
        close(fd);
        return;
    }
    struct client *c = mem_calloc(sizeof *c);
    c->w = w;
    c->wp = wp;
    wp->refs++;
    c->id = ++w->next_client_id;
    c->proto = proto;
    c->authed = p->redis_auth == NULL || p->redis_auth[0] == '\0';
    c->reply_est = CLIENT_REPLY_EST0;
    resp_parser_init(&c->rp);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (p->tcpkeepalive) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    evutil_make_socket_nonblocking(fd);
    pconn_init(&c->pc, w, fd, &client_ops, c, 0);
    if (p->tls_ctx && pconn_tls_accept(&c->pc, p->tls_ctx) != 0) {
        log_warn("pool %s: cannot start a TLS session, connection closed", p->name);
        pconn_deinit(&c->pc);
        wpool_unref(wp);
        mem_free(c);
        return;
    }
    c->next = w->clients;
    if (w->clients) w->clients->prev = c;
    w->clients = c;
    STAT_INC(w->curr_connections);
    STAT_INC(w->total_connections);
    STAT_INC(wp->st.client_connections);
}

void client_close(struct client **cp)
{
    struct client *c = *cp;
    *cp = NULL;
    if (c == NULL) return;
    struct worker *w = c->w;
    if (c->prev) c->prev->next = c->next;
    else w->clients = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->waiting_on) nconn_unwait(c->waiting_on, c);
    for (struct req *r = c->head, *next; r; r = next) {
        next = r->next;
        r->next = NULL;
        r->c = NULL;
        if (r->pending == 0 && !r->sending) req_free(&r);
    }
    nconn_drop_dedicated(c);
    mem_free(c->name);
    if (c->resume_ev) event_free(c->resume_ev);
    pconn_deinit(&c->pc);
    resp_parser_deinit(&c->rp);
    STAT_DEC(w->curr_connections);
    STAT_DEC(c->wp->st.client_connections);
    wpool_unref(c->wp);
    mem_free(c);
}

/* Close a closing client once its replies are all out; 1 if closed. */
static int client_maybe_close(struct client *c)
{
    if (!c->closing || c->head || c->in_read) return 0;
    if (pconn_unsent(&c->pc) > 0) return 0;
    client_close(&c);
    return 1;
}

/* Over its limits (half: the lower mark to resume at): see client.h. */
static int client_over_limits(struct client *c, int half)
{
    size_t out = evbuffer_get_length(c->pc.out);
    int maxreq = half ? CLIENT_MAX_PENDING / 2 : CLIENT_MAX_PENDING;
    size_t maxout = half ? CLIENT_OUT_HIGH / 2 : CLIENT_OUT_HIGH;
    if (c->hold) {
        if (c->nreqs) return 1;
        c->hold = false;
    }
    return c->nreqs >= maxreq || out + (size_t)c->nreqs * c->reply_est >= maxout ||
           c->waiting_on != NULL;
}

/* Stop parsing; a held client keeps being read (a little) so that its
 * disconnect is seen while it is blocked. */
static void client_pause(struct client *c)
{
    c->paused = true;
    if (!c->hold || evbuffer_get_length(c->pc.in) >= CLIENT_HOLD_IN)
        pconn_read_enable(&c->pc, false);
}

void client_drain(struct client *c)
{
    c->closing = true;
    pconn_read_enable(&c->pc, false);
    client_maybe_close(c);
}

void client_hold(struct client *c)
{
    c->hold = true;
    client_pause(c);
}

void client_set_name(struct client *c, const char *name, size_t n)
{
    mem_free(c->name);
    c->name = NULL;
    if (n == 0) return;
    c->name = mem_alloc(n + 1);
    memcpy(c->name, name, n);
    c->name[n] = '\0';
}

/* Parse and dispatch what the client sent, request by request. */
static void client_process(struct client *c)
{
    struct evbuffer *in = c->pc.in;
    c->in_read = true;
    while (!c->closing) {
        if (client_over_limits(c, 0)) {
            client_pause(c);
            break;
        }
        size_t len = evbuffer_get_length(in);
        if (c->swallow && len) {
            size_t d = len < c->swallow ? len : c->swallow;
            evbuffer_drain(in, d);
            c->swallow -= d;
            continue;
        }
        if (len == 0 || len < c->need) break;
        c->need = 0;
        char *p = (char *)evbuffer_pullup(in, -1);
        if (c->proto == 0) c->proto = p[0] == '*' ? PROTO_RESP : PROTO_MC;
        long n = c->proto == PROTO_MC ? mc_proxy_request(c, p, len)
                                      : resp_proxy_request(c, p, len);
        if (n < 0) {
            STAT_INC(c->wp->st.client_err);
            c->in_read = false;
            client_close(&c);
            return;
        }
        if (n == 0) break;
        evbuffer_drain(in, (size_t)n);
    }
    c->in_read = false;
    client_maybe_close(c);
}

void client_flush(struct client *c)
{
    struct evbuffer *out = c->pc.out;
    while (c->head && c->head->done) {
        struct req *r = c->head;
        c->head = r->next;
        if (c->head == NULL) c->tail = NULL;
        c->nreqs--;
        if (r->reply) evbuffer_add_buffer(out, r->reply);
        pconn_mark(&c->pc);
        if (r->close_after) {
            c->closing = true;
            pconn_read_enable(&c->pc, false);
        }
        req_free(&r);
    }
    if (c->in_read) return;
    if (client_maybe_close(c)) return;
    client_try_resume(c);
}

void client_try_resume(struct client *c)
{
    if (c->paused && !c->closing && !c->in_read && !client_over_limits(c, 1)) {
        c->paused = false;
        pconn_read_enable(&c->pc, true);
        client_process(c);
    }
}

void client_reply(struct client *c, const char *bytes, size_t n, bool close_after)
{
    struct req *r = req_create(c, RM_LOCAL);
    STAT_INC(c->wp->st.local_replies);
    r->reply = evbuffer_new();
    if (n) evbuffer_add(r->reply, bytes, n);
    r->close_after = close_after;
    req_frags_alloc(r, 0);
    req_sent(r);
}

void client_replyf(struct client *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    client_reply(c, buf, (size_t)n, false);
}

static void client_read_cb(void *arg)
{
    struct client *c = arg;
    if (!c->in_read) client_process(c);
}

static void client_resume_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client_try_resume(arg);
}

/* Output drained.  This runs inside the worker's end-of-turn flush
 * (proxy/pconn), after that turn's joined get lines were closed (proxy/
 * coalesce): requests parsed here would open a line the flush has already
 * passed, so a paused client resumes in a turn of its own. */
static void client_write_cb(void *arg)
{
    struct client *c = arg;
    if (client_maybe_close(c)) return;
    if (!c->paused || c->closing) return;
    if (c->resume_ev == NULL) c->resume_ev = event_new(c->w->base, -1, 0, client_resume_cb, c);
    event_active(c->resume_ev, EV_TIMEOUT, 0);
}

static void client_event_cb(void *arg, enum pconn_event what, int err)
{
    (void)err;
    struct client *c = arg;
    if (what == PCONN_TLS_ERROR) {      /* logged by pconn */
        STAT_INC(c->wp->st.client_tls_errors);
        client_close(&c);
        return;
    }
    if (what == PCONN_EOF) {
        STAT_INC(c->wp->st.client_eof);
        if (c->bconns && nconn_dedicated_busy(c)) {
            client_close(&c);           /* blocked: its reply cannot matter */
            return;
        }
        c->closing = true;
        pconn_read_enable(&c->pc, false);
        client_maybe_close(c);
        return;
    }
    STAT_INC(c->wp->st.client_err);
    client_close(&c);
}
