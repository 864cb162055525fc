/* proxy/worker: worker threads; see worker.h. */
#include "proxy/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/mem.h"
#include "proxy/client.h"
#include "proxy/coalesce.h"
#include "proxy/conf.h"
#include "proxy/node.h"
#include "proxy/pconn.h"
#include "proxy/pool.h"
#include "proxy/route.h"

struct worker **workers;
int nworkers;

enum { MSG_CONF = 1, MSG_STOP, MSG_DRAIN };

struct worker_msg {
    int type;
    struct conf *conf;
};

struct wpool *worker_wpool(struct worker *w, int pool_idx)
{
    for (struct wpool *wp = w->pools; wp; wp = wp->next)
        if (!wp->retired && wp->pool->idx == pool_idx) return wp;
    return NULL;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    (void)sa;
    (void)socklen;
    struct wpool *wp = arg;
    int k = l == wp->lev[1] ? 1 : 0;
    client_accept(wp->w, wp, fd, wp->pool->listen_proto[k]);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    struct wpool *wp = arg;
    int err = EVUTIL_SOCKET_ERROR();
    log_warn("pool %s: accept: %s", wp->pool->name, evutil_socket_error_to_string(err));
}

static void wpool_listen(struct wpool *wp)
{
    for (int k = 0; k < 2; k++) {
        struct pool_listener *l = wp->pool->listener[k];
        if (l == NULL) continue;
        wp->lev[k] = evconnlistener_new(wp->w->base, accept_cb, wp, 0, 0, l->fd);
        evconnlistener_set_error_cb(wp->lev[k], accept_error_cb);
        pool_listener_ref(l);
        wp->lref[k] = l;
    }
}

static void wpool_preconnect(struct wpool *wp)
{
    struct pool *p = wp->pool;
    for (int i = 0; i < p->nservers; i++) {
        for (int slot = 0; slot < 2; slot++) {
            if (wp->servers[i].conns[slot] == NULL) continue;
            for (int k = 0; k < p->server_connections; k++) {
                struct nconn *nc = route_conn(&wp->servers[i], slot ? PROTO_MC : PROTO_RESP, (uint32_t)k);
                const char *why;
                nconn_output(nc, &why);
            }
        }
    }
}

static struct wpool *find_by_name(struct wpool *list, const char *name)
{
    for (struct wpool *wp = list; wp; wp = wp->next)
        if (strcmp(wp->pool->name, name) == 0) return wp;
    return NULL;
}

/* Serve conf from now on: new wpools and listeners, clients moved to the
 * pool of the same name, the old wpools retired. */
static void worker_apply(struct worker *w, struct conf *conf)
{
    struct wpool *old = w->pools, *fresh = NULL, **tail = &fresh;
    for (int i = 0; i < conf->npools; i++) {
        struct wpool *wp = wpool_create(w, conf->pools[i]);
        wp->refs = 1;
        wpool_listen(wp);
        if (wp->pool->preconnect) wpool_preconnect(wp);
        *tail = wp;
        tail = &wp->next;
    }
    for (struct client *c = w->clients; c; c = c->next) {
        struct wpool *to = find_by_name(fresh, c->wp->pool->name);
        if (to == NULL || c->wp->retired) continue;
        STAT_DEC(c->wp->st.client_connections);
        STAT_INC(to->st.client_connections);
        to->refs++;
        struct wpool *from = c->wp;
        c->wp = to;
        from->refs--;
        if (c->bconns) nconn_drop_stale_dedicated(c);
    }
    *tail = old;
    w->pools = fresh;
    for (struct wpool *wp = old, *next; wp; wp = next) {
        next = wp->next;
        if (wp->retired) continue;
        wp->retired = true;
        wpool_stop_listening(wp);
        wpool_unref(wp);
    }
    struct conf *prev = w->conf;
    conf_ref(conf);
    w->conf = conf;
    stats_snapshot(w);
    if (prev) conf_unref(&prev);
}

static void worker_shutdown(struct worker *w)
{
    while (w->clients) {
        struct client *c = w->clients;
        client_close(&c);
    }
    while (w->pools) {
        struct wpool *wp = w->pools;
        w->pools = wp->next;
        wpool_destroy(&wp);
    }
    event_base_loopexit(w->base, NULL);
}

/* Graceful stop: no more accepts (the listening sockets stay open until
 * exit, so a connection arriving now waits in the backlog and is reset,
 * never half served), no more requests; clients close as their replies go
 * out; the loop ends with the last one (worker_main). */
static void worker_drain(struct worker *w)
{
    if (w->draining) return;
    w->draining = true;
    for (struct wpool *wp = w->pools; wp; wp = wp->next) wpool_stop_listening(wp);
    for (struct client *c = w->clients, *next; c; c = next) {
        next = c->next;
        client_drain(c);
    }
}

static void notify_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct worker *w = arg;
    struct worker_msg m;
    ssize_t n = read(fd, &m, sizeof m);
    if (n != (ssize_t)sizeof m) return;
    if (m.type == MSG_CONF) {
        worker_apply(w, m.conf);
        conf_unref(&m.conf);
        log_verb("worker %d: serving the new configuration", w->id);
    } else if (m.type == MSG_STOP) {
        worker_shutdown(w);
    } else if (m.type == MSG_DRAIN) {
        worker_drain(w);
    }
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stats_snapshot(arg);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    /* One turn at a time: the output queued in a turn is written after it
     * (proxy/pconn), once per connection, its joined get lines closed first
     * (proxy/coalesce; writing can resume clients that queue more). */
    for (;;) {
        int rc = event_base_loop(w->base, EVLOOP_ONCE);
        do {
            coal_close_all(w);
            pconn_flush_all(w);
        } while (w->coal_head);
        if (w->draining && w->clients == NULL) worker_shutdown(w);
        if (rc != 0 || event_base_got_exit(w->base) || event_base_got_break(w->base)) break;
    }
    __atomic_store_n(&w->finished, true, __ATOMIC_RELEASE);
    return NULL;
}

static struct worker *worker_create(int id, struct conf *conf)
{
    struct worker *w = mem_calloc(sizeof *w);
    w->id = id;
    struct event_config *cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    w->base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (w->base == NULL || pipe(w->notify) != 0) {
        log_crit("worker %d: cannot create its event loop", id);
        abort();
    }
    mc_limits_init(&w->mc_lim);
    w->mc_lim.item_size_max = 512u << 20;
    w->resp_lim.max_bulk_len = 512ll << 20;
    w->resp_lim.max_multibulk_len = 1024 * 1024;
    pthread_mutex_init(&w->snap_lock, NULL);
    w->coal_scratch = evbuffer_new();
    w->notify_ev = event_new(w->base, w->notify[0], EV_READ | EV_PERSIST, notify_cb, w);
    event_add(w->notify_ev, NULL);
    w->tick_ev = event_new(w->base, -1, EV_PERSIST, tick_cb, w);
    struct timeval tv = { 0, 200 * 1000 };
    event_add(w->tick_ev, &tv);
    worker_apply(w, conf);
    return w;
}

int workers_start(int n, struct conf *conf)
{
    workers = mem_calloc(sizeof *workers * (size_t)n);
    nworkers = n;
    for (int i = 0; i < n; i++) workers[i] = worker_create(i, conf);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&workers[i]->thread, NULL, worker_main, workers[i]) != 0) {
            log_crit("cannot start worker thread %d: %s", i, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void send_msg(struct worker *w, const struct worker_msg *m)
{
    ssize_t n = write(w->notify[1], m, sizeof *m);
    if (n != (ssize_t)sizeof *m) log_crit("worker %d: notify pipe write failed", w->id);
}

void workers_reload(struct conf *conf)
{
    for (int i = 0; i < nworkers; i++) {
        struct worker_msg m = { MSG_CONF, conf };
        conf_ref(conf);
        send_msg(workers[i], &m);
    }
}

void workers_drain(void)
{
    for (int i = 0; i < nworkers; i++) {
        struct worker_msg m = { MSG_DRAIN, NULL };
        send_msg(workers[i], &m);
    }
}

bool workers_finished(void)
{
    for (int i = 0; i < nworkers; i++)
        if (!__atomic_load_n(&workers[i]->finished, __ATOMIC_ACQUIRE)) return false;
    return true;
}

void workers_stop(void)
{
    for (int i = 0; i < nworkers; i++) {
        if (__atomic_load_n(&workers[i]->finished, __ATOMIC_ACQUIRE)) continue;
        struct worker_msg m = { MSG_STOP, NULL };
        send_msg(workers[i], &m);
    }
    for (int i = 0; i < nworkers; i++) {
        struct worker *w = workers[i];
        pthread_join(w->thread, NULL);
        event_free(w->notify_ev);
        event_free(w->tick_ev);
        close(w->notify[0]);
        close(w->notify[1]);
        stats_snap_free(w);
        if (w->conf) conf_unref(&w->conf);
        event_base_free(w->base);
        evbuffer_free(w->coal_scratch);
        pthread_mutex_destroy(&w->snap_lock);
        mem_free(w);
    }
    mem_free(workers);
    workers = NULL;
    nworkers = 0;
}
