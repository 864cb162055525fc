/* proxy/pool: pools as configured and each worker's view; see pool.h. */
#include "proxy/pool.h"

#include <event2/event.h>
#include <event2/listener.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/tls.h"
#include "proxy/node.h"
#include "proxy/pconn.h"
#include "proxy/worker.h"

void pool_ref(struct pool *p)
{
    __atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
}

void pool_listener_ref(struct pool_listener *l)
{
    __atomic_add_fetch(&l->refs, 1, __ATOMIC_ACQ_REL);
}

void pool_listener_unref(struct pool_listener **lp)
{
    struct pool_listener *l = *lp;
    *lp = NULL;
    if (l == NULL || __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) > 0) return;
    if (l->fd >= 0) close(l->fd);
    mem_free(l->addr);
    mem_free(l);
}

void pool_unref(struct pool **pp)
{
    struct pool *p = *pp;
    *pp = NULL;
    if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0) return;
    for (int i = 0; i < p->nservers; i++) {
        mem_free(p->servers[i].name);
        mem_free(p->servers[i].pname);
        mem_free(p->servers[i].host);
        mem_free(p->servers[i].tls_name);
    }
    mem_free(p->servers);
    for (int i = 0; i < 2; i++) mem_free(p->listen[i]);
    mem_free(p->name);
    mem_free(p->redis_auth);
    tls_ctx_destroy(&p->tls_ctx);
    tls_ctx_destroy(&p->server_tls_ctx);
    mem_free(p);
}

/* Rebuild the distribution over the servers not ejected. */
static void wpool_rebuild(struct wpool *wp)
{
    struct pool *p = wp->pool;
    struct dist_server *ds = mem_calloc(sizeof *ds * (size_t)(p->nservers ? p->nservers : 1));
    wp->next_retry = 0;
    for (int i = 0; i < p->nservers; i++) {
        struct wserver *ws = &wp->servers[i];
        ds[i].name = p->servers[i].name;
        ds[i].host = p->servers[i].host;
        ds[i].port = p->servers[i].port;
        ds[i].weight = p->servers[i].weight;
        ds[i].alive = ws->ejected_until == 0;
        if (ws->ejected_until && (!wp->next_retry || ws->ejected_until < wp->next_retry))
            wp->next_retry = ws->ejected_until;
    }
    dist_destroy(&wp->dist);
    wp->dist = dist_build((enum dist_type)p->dist, ds, p->nservers);
    mem_free(ds);
}

struct wpool *wpool_create(struct worker *w, struct pool *p)
{
    struct wpool *wp = mem_calloc(sizeof *wp);
    pool_ref(p);
    wp->pool = p;
    wp->w = w;
    wp->lat = stats_hist_create();
    wp->servers = mem_calloc(sizeof *wp->servers * (size_t)(p->nservers ? p->nservers : 1));
    for (int i = 0; i < p->nservers; i++) {
        struct wserver *ws = &wp->servers[i];
        ws->wp = wp;
        ws->ps = &p->servers[i];
        ws->idx = i;
        ws->lat = stats_hist_create();
        for (int s = 0; s < WS_NSLOTS; s++) {
            int want = s == WS_MC ? (p->proto & PROTO_MC) : (p->proto & PROTO_RESP);
            if (want)
                ws->conns[s] = mem_calloc(sizeof *ws->conns[s] * (size_t)p->server_connections);
        }
    }
    wpool_rebuild(wp);
    return wp;
}

void wpool_destroy(struct wpool **wpp)
{
    struct wpool *wp = *wpp;
    *wpp = NULL;
    if (wp == NULL) return;
    wpool_stop_listening(wp);
    for (int i = 0; i < wp->pool->nservers; i++) {
        struct wserver *ws = &wp->servers[i];
        for (int s = 0; s < WS_NSLOTS; s++) {
            if (ws->conns[s] == NULL) continue;
            for (int k = 0; k < wp->pool->server_connections; k++)
                nconn_destroy(&ws->conns[s][k]);
            mem_free(ws->conns[s]);
        }
        hist_destroy(&ws->lat);
        pconn_tls_session_free(&ws->tls_session);
    }
    mem_free(wp->servers);
    dist_destroy(&wp->dist);
    hist_destroy(&wp->lat);
    pool_unref(&wp->pool);
    mem_free(wp);
}

void wpool_stop_listening(struct wpool *wp)
{
    for (int i = 0; i < 2; i++) {
        if (wp->lev[i]) evconnlistener_free(wp->lev[i]);
        wp->lev[i] = NULL;
        pool_listener_unref(&wp->lref[i]);
    }
}

static void wpool_destroy_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct wpool *wp = arg;
    wpool_destroy(&wp);
}

void wpool_unref(struct wpool *wp)
{
    if (--wp->refs > 0 || !wp->retired) return;
    struct worker *w = wp->w;
    for (struct wpool **pp = &w->pools; *pp; pp = &(*pp)->next) {
        if (*pp == wp) {
            *pp = wp->next;
            break;
        }
    }
    log_verb("worker %d: retired pool %s released", w->id, wp->pool->name);
    struct timeval now = { 0, 0 };
    event_base_once(w->base, -1, EV_TIMEOUT, wpool_destroy_cb, wp, &now);
}

void wpool_server_failed(struct wserver *ws)
{
    struct wpool *wp = ws->wp;
    struct pool *p = wp->pool;
    ws->failures++;
    if (!p->auto_eject || ws->ejected_until || ws->failures < p->failure_limit) return;
    int64_t now = clock_mono_us();
    ws->ejected_until = now + (int64_t)p->retry_timeout * 1000;
    if (ws->ejected_until == 0) ws->ejected_until = 1;
    ws->failures = 0;
    STAT_SET(ws->st.server_ejected_at, clock_us());
    STAT_INC(wp->st.server_ejects);
    log_warn("pool %s: server %s ejected for %d ms after %d failures",
             p->name, ws->ps->pname, p->retry_timeout, p->failure_limit);
    wpool_rebuild(wp);
}

void wpool_server_ok(struct wserver *ws)
{
    ws->failures = 0;
}

void wpool_check_retry(struct wpool *wp, int64_t now_us)
{
    int changed = 0;
    for (int i = 0; i < wp->pool->nservers; i++) {
        struct wserver *ws = &wp->servers[i];
        if (ws->ejected_until && ws->ejected_until <= now_us) {
            ws->ejected_until = 0;
            changed = 1;
            log_notice("pool %s: server %s back in the pool (retry)",
                       wp->pool->name, ws->ps->pname);
        }
    }
    if (changed) {
        wpool_rebuild(wp);
        return;
    }
    wp->next_retry = 0;
    for (int i = 0; i < wp->pool->nservers; i++) {
        int64_t t = wp->servers[i].ejected_until;
        if (t && (!wp->next_retry || t < wp->next_retry)) wp->next_retry = t;
    }
}
