/* proxy/stats: counters, snapshots and their three renderings; see stats.h. */
#include "proxy/stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/mem.h"
#include "proxy/conf.h"
#include "proxy/pool.h"
#include "proxy/worker.h"
#include "shoal_config.h"

static int64_t start_ms;

void stats_setup(void)
{
    start_ms = clock_ms();
}

struct hist *stats_hist_create(void)
{
    return hist_create(60ull * 1000 * 1000, 8);
}

void stats_snap_free(struct worker *w)
{
    struct worker_snap *s = w->snap;
    w->snap = NULL;
    if (s == NULL) return;
    for (int i = 0; i < s->conf->npools; i++) {
        for (int k = 0; k < s->conf->pools[i]->nservers; k++) hist_destroy(&s->server_lat[i][k]);
        mem_free(s->server_lat[i]);
        mem_free(s->server_st[i]);
        hist_destroy(&s->pool_lat[i]);
    }
    mem_free(s->server_lat);
    mem_free(s->server_st);
    mem_free(s->pool_lat);
    mem_free(s->pool_st);
    conf_unref(&s->conf);
    mem_free(s);
}

static struct worker_snap *snap_create(struct conf *c)
{
    struct worker_snap *s = mem_calloc(sizeof *s);
    size_t np = (size_t)(c->npools ? c->npools : 1);
    conf_ref(c);
    s->conf = c;
    s->pool_st = mem_calloc(sizeof *s->pool_st * np);
    s->server_st = mem_calloc(sizeof *s->server_st * np);
    s->pool_lat = mem_calloc(sizeof *s->pool_lat * np);
    s->server_lat = mem_calloc(sizeof *s->server_lat * np);
    for (int i = 0; i < c->npools; i++) {
        size_t ns = (size_t)(c->pools[i]->nservers ? c->pools[i]->nservers : 1);
        s->server_st[i] = mem_calloc(sizeof **s->server_st * ns);
        s->server_lat[i] = mem_calloc(sizeof **s->server_lat * ns);
        s->pool_lat[i] = stats_hist_create();
        for (int k = 0; k < c->pools[i]->nservers; k++) s->server_lat[i][k] = stats_hist_create();
    }
    return s;
}

static void copy_stats(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

void stats_snapshot(struct worker *w)
{
    pthread_mutex_lock(&w->snap_lock);
    if (w->snap == NULL || w->snap->conf != w->conf) {
        stats_snap_free(w);
        w->snap = snap_create(w->conf);
    }
    struct worker_snap *s = w->snap;
    for (int i = 0; i < s->conf->npools; i++) {
        struct wpool *wp = worker_wpool(w, i);
        if (wp == NULL) continue;
        copy_stats((uint64_t *)&s->pool_st[i], (const uint64_t *)&wp->st,
                   sizeof wp->st / sizeof(uint64_t));
        hist_reset(s->pool_lat[i]);
        hist_merge(s->pool_lat[i], wp->lat);
        for (int k = 0; k < wp->pool->nservers; k++) {
            copy_stats((uint64_t *)&s->server_st[i][k], (const uint64_t *)&wp->servers[k].st,
                       sizeof(struct server_stats) / sizeof(uint64_t));
            hist_reset(s->server_lat[i][k]);
            hist_merge(s->server_lat[i][k], wp->servers[k].lat);
        }
    }
    pthread_mutex_unlock(&w->snap_lock);
}

/* Sums of every worker's snapshot for conf. */
struct totals {
    struct pool_stats *pool;
    struct server_stats **server;
    struct hist **pool_lat;
    struct hist ***server_lat;
    uint64_t curr, total;
};

static void add_stats(uint64_t *dst, const uint64_t *src, size_t n, int gauge_ejected_at)
{
    for (size_t i = 0; i < n; i++) dst[i] += src[i];
    (void)gauge_ejected_at;
}

static struct totals *totals_collect(struct conf *c)
{
    struct totals *t = mem_calloc(sizeof *t);
    size_t np = (size_t)(c->npools ? c->npools : 1);
    t->pool = mem_calloc(sizeof *t->pool * np);
    t->server = mem_calloc(sizeof *t->server * np);
    t->pool_lat = mem_calloc(sizeof *t->pool_lat * np);
    t->server_lat = mem_calloc(sizeof *t->server_lat * np);
    for (int i = 0; i < c->npools; i++) {
        size_t ns = (size_t)(c->pools[i]->nservers ? c->pools[i]->nservers : 1);
        t->server[i] = mem_calloc(sizeof **t->server * ns);
        t->server_lat[i] = mem_calloc(sizeof **t->server_lat * ns);
        t->pool_lat[i] = stats_hist_create();
        for (int k = 0; k < c->pools[i]->nservers; k++) t->server_lat[i][k] = stats_hist_create();
    }
    for (int wi = 0; wi < nworkers; wi++) {
        struct worker *w = workers[wi];
        t->curr += STAT_GET(w->curr_connections);
        t->total += STAT_GET(w->total_connections);
        pthread_mutex_lock(&w->snap_lock);
        struct worker_snap *s = w->snap;
        for (int i = 0; s && s->conf == c && i < c->npools; i++) {
            add_stats((uint64_t *)&t->pool[i], (const uint64_t *)&s->pool_st[i],
                      sizeof t->pool[i] / sizeof(uint64_t), 0);
            hist_merge(t->pool_lat[i], s->pool_lat[i]);
            for (int k = 0; k < c->pools[i]->nservers; k++) {
                uint64_t ej = t->server[i][k].server_ejected_at;
                add_stats((uint64_t *)&t->server[i][k], (const uint64_t *)&s->server_st[i][k],
                          sizeof t->server[i][k] / sizeof(uint64_t), 1);
                /* a timestamp: the latest, not the sum */
                uint64_t mine = s->server_st[i][k].server_ejected_at;
                t->server[i][k].server_ejected_at = ej > mine ? ej : mine;
                hist_merge(t->server_lat[i][k], s->server_lat[i][k]);
            }
        }
        pthread_mutex_unlock(&w->snap_lock);
    }
    return t;
}

static void totals_free(struct conf *c, struct totals *t)
{
    for (int i = 0; i < c->npools; i++) {
        for (int k = 0; k < c->pools[i]->nservers; k++) hist_destroy(&t->server_lat[i][k]);
        mem_free(t->server_lat[i]);
        mem_free(t->server[i]);
        hist_destroy(&t->pool_lat[i]);
    }
    mem_free(t->server_lat);
    mem_free(t->server);
    mem_free(t->pool_lat);
    mem_free(t->pool);
    mem_free(t);
}

/* A growable string for the renderings. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL) abort();
    }
}

/* JSON string escaping for names from the config. */
static void sb_json_str(struct sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') sb_printf(b, "\\%c", ch);
        else if (ch < 0x20) sb_printf(b, "\\u%04x", ch);
        else sb_printf(b, "%c", ch);
    }
    sb_printf(b, "\"");
}

static void json_latency(struct sbuf *b, const struct hist *h)
{
    sb_printf(b, "\"latency_us\":{\"count\":%llu,\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu}",
              (unsigned long long)hist_count(h), (unsigned long long)hist_percentile(h, 50),
              (unsigned long long)hist_percentile(h, 99), (unsigned long long)hist_percentile(h, 99.9),
              (unsigned long long)hist_max(h));
}

static const char *pool_stat_names[] = {
#define X(name, help) #name,
    POOL_STATS(X)
#undef X
};
static const char *server_stat_names[] = {
#define X(name, help) #name,
    SERVER_STATS(X)
#undef X
};
#define NPOOL_STATS (sizeof pool_stat_names / sizeof pool_stat_names[0])
#define NSERVER_STATS (sizeof server_stat_names / sizeof server_stat_names[0])

char *stats_json(struct conf *c, size_t *len)
{
    struct totals *t = totals_collect(c);
    struct sbuf b = { 0 };
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    sb_printf(&b, "{\"service\":\"shoal-proxy\",\"source\":");
    sb_json_str(&b, host);
    sb_printf(&b, ",\"version\":\"%s\",\"uptime\":%lld,\"timestamp\":%lld,"
              "\"total_connections\":%llu,\"curr_connections\":%llu",
              PACKAGE_VERSION, (long long)((clock_ms() - start_ms) / 1000), (long long)time(NULL),
              (unsigned long long)t->total, (unsigned long long)t->curr);
    for (int i = 0; i < c->npools; i++) {
        struct pool *p = c->pools[i];
        sb_printf(&b, ",");
        sb_json_str(&b, p->name);
        sb_printf(&b, ":{");
        const uint64_t *ps = (const uint64_t *)&t->pool[i];
        for (size_t f = 0; f < NPOOL_STATS; f++)
            sb_printf(&b, "\"%s\":%llu,", pool_stat_names[f], (unsigned long long)ps[f]);
        json_latency(&b, t->pool_lat[i]);
        for (int k = 0; k < p->nservers; k++) {
            sb_printf(&b, ",");
            sb_json_str(&b, p->servers[k].name);
            sb_printf(&b, ":{");
            const uint64_t *ss = (const uint64_t *)&t->server[i][k];
            for (size_t f = 0; f < NSERVER_STATS; f++)
                sb_printf(&b, "\"%s\":%llu,", server_stat_names[f], (unsigned long long)ss[f]);
            json_latency(&b, t->server_lat[i][k]);
            sb_printf(&b, "}");
        }
        sb_printf(&b, "}");
    }
    sb_printf(&b, "}\n");
    totals_free(c, t);
    *len = b.len;
    return b.p;
}

/* Lines of "<prefix><name><sep><value><end>", shared by `stats` and INFO. */
static char *stats_lines(struct conf *c, size_t *len, const char *pre, char sep, int info)
{
    struct totals *t = totals_collect(c);
    struct sbuf b = { 0 };
    if (info) sb_printf(&b, "# Proxy\r\n");
    sb_printf(&b, "%spid%c%d\r\n", pre, sep, (int)getpid());
    sb_printf(&b, "%s%s%c%lld\r\n", pre, info ? "uptime_in_seconds" : "uptime", sep,
              (long long)((clock_ms() - start_ms) / 1000));
    sb_printf(&b, "%s%s%c%s\r\n", pre, info ? "proxy_version" : "version", sep, PACKAGE_VERSION);
    sb_printf(&b, "%s%s%c%d\r\n", pre, "threads", sep, nworkers);
    sb_printf(&b, "%s%s%c%llu\r\n", pre, info ? "connected_clients" : "curr_connections", sep,
              (unsigned long long)t->curr);
    sb_printf(&b, "%s%s%c%llu\r\n", pre, info ? "total_connections_received" : "total_connections",
              sep, (unsigned long long)t->total);
    if (info) sb_printf(&b, "\r\n# Pools\r\n");
    for (int i = 0; i < c->npools; i++) {
        struct pool *p = c->pools[i];
        const uint64_t *ps = (const uint64_t *)&t->pool[i];
        for (size_t f = 0; f < NPOOL_STATS; f++)
            sb_printf(&b, "%s%s:%s%c%llu\r\n", pre, p->name, pool_stat_names[f], sep,
                      (unsigned long long)ps[f]);
        sb_printf(&b, "%s%s:latency_p99_us%c%llu\r\n", pre, p->name, sep,
                  (unsigned long long)hist_percentile(t->pool_lat[i], 99));
        for (int k = 0; k < p->nservers; k++) {
            const uint64_t *ss = (const uint64_t *)&t->server[i][k];
            for (size_t f = 0; f < NSERVER_STATS; f++)
                sb_printf(&b, "%s%s:%s:%s%c%llu\r\n", pre, p->name, p->servers[k].name,
                          server_stat_names[f], sep, (unsigned long long)ss[f]);
        }
    }
    if (!info) sb_printf(&b, "END\r\n");
    totals_free(c, t);
    *len = b.len;
    return b.p;
}

char *stats_mc_text(struct conf *c, size_t *len)
{
    return stats_lines(c, len, "STAT ", ' ', 0);
}

char *stats_info_text(struct conf *c, size_t *len)
{
    return stats_lines(c, len, "", ':', 1);
}
