/* bench/worker: the request engine of one shoal-bench thread.
 *
 * Closed loop: each connection keeps `pipeline` requests in flight and
 * refills after every batch of replies. Open loop (--rate): request k of
 * this thread is due at t_start + k*interval and is sent to the next
 * connection with room; its latency is counted from that due time, so a
 * slow server shows up in the percentiles instead of silently lowering
 * the load (no coordinated omission). Replies are parsed in the read buffer
 * and matched to an in-order ring of request slots whose key arrays are
 * preallocated: no allocation per request. Time is read once per batch. */
#include "bench/worker.h"
#include "bench/value.h"

#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKER_MAX_PRINTED 10
#define WORKER_OPEN_LOOP_MIN_CAP 256
#define WORKER_STRICT_MAX_KEYS (64ULL << 20)
#define WORKER_LATE_NS 1000000ULL

struct bench_slot {
    uint64_t t0;
    uint64_t *keys;
    uint32_t *vers;             /* verify: version written / expected (0: any) */
    uint16_t nkeys;
    uint8_t op;
};

struct wconn {
    struct bench_conn c;
    struct bench_worker *w;
    unsigned idx;
    int live, wpending, dirty;
    struct event *rev, *wev;
    struct bench_slot *slots;
    unsigned cap, head, count;
    uint64_t *key_pool;
    uint32_t *ver_pool;
};

struct bench_worker {
    struct bench_run *run;
    const struct bench_args *a;
    unsigned id;
    struct event_base *base;
    struct wconn *conns;
    unsigned nconns, nlive, rr;
    struct rng rng;
    struct keygen kg;
    struct bench_stats st;
    uint64_t budget, issued, inflight, done;
    uint64_t t_start, t_end, deadline;
    int finished;
    uint64_t interval_ns, k;    /* open loop */
    struct event *sched, *tick;
    uint64_t stall_done, stall_since;
    uint32_t version;           /* verify */
    uint32_t *last_sent;        /* verify with one connection: exact versions */
    char *valbuf;
    unsigned printed;
    atomic_uint_fast64_t a_done, a_errors;
    atomic_int a_finished;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- stats ---- */

void bench_stats_init(struct bench_stats *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < PROTO_NOPS; i++)
        s->cmd[i].lat = hist_create(BENCH_HIST_HIGHEST, BENCH_HIST_SUB_BITS);
    s->lat_all = hist_create(BENCH_HIST_HIGHEST, BENCH_HIST_SUB_BITS);
}

void bench_stats_deinit(struct bench_stats *s)
{
    for (int i = 0; i < PROTO_NOPS; i++)
        hist_destroy(&s->cmd[i].lat);
    hist_destroy(&s->lat_all);
}

void bench_stats_merge(struct bench_stats *d, const struct bench_stats *s)
{
    for (int i = 0; i < PROTO_NOPS; i++) {
        d->cmd[i].ops += s->cmd[i].ops;
        d->cmd[i].keys += s->cmd[i].keys;
        d->cmd[i].hits += s->cmd[i].hits;
        d->cmd[i].misses += s->cmd[i].misses;
        d->cmd[i].errors += s->cmd[i].errors;
        hist_merge(d->cmd[i].lat, s->cmd[i].lat);
    }
    hist_merge(d->lat_all, s->lat_all);
    d->conn_errors += s->conn_errors;
    d->proto_errors += s->proto_errors;
    d->verify_errors += s->verify_errors;
    d->dropped += s->dropped;
    d->timeouts += s->timeouts;
    d->late += s->late;
}

uint64_t bench_stats_errors(const struct bench_stats *s)
{
    return s->cmd[PROTO_OP_SET].errors + s->cmd[PROTO_OP_GET].errors + s->conn_errors +
           s->proto_errors + s->verify_errors + s->dropped + s->timeouts;
}

/* Errors are always counted; the first few of each thread are printed. */
static void w_report(struct bench_worker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void w_report(struct bench_worker *w, const char *fmt, ...)
{
    if (w->printed > WORKER_MAX_PRINTED)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->printed++ == WORKER_MAX_PRINTED)
        fprintf(stderr, "shoal-bench: thread %u: more errors; counted, not printed\n", w->id);
    else
        fprintf(stderr, "shoal-bench: thread %u: %s\n", w->id, msg);
}

static void w_publish(struct bench_worker *w)
{
    atomic_store_explicit(&w->a_done, w->done, memory_order_relaxed);
    atomic_store_explicit(&w->a_errors, bench_stats_errors(&w->st), memory_order_relaxed);
}

/* ---- issuing ---- */

/* No more requests will be issued at (intended) time t. */
static int w_exhausted(struct bench_worker *w, uint64_t t)
{
    if (atomic_load_explicit(&w->run->stop, memory_order_relaxed))
        return 1;
    return w->deadline ? t >= w->deadline : w->issued >= w->budget;
}

static enum proto_op w_pick_op(struct bench_worker *w)
{
    switch (w->run->phase) {
    case PHASE_SET: return PROTO_OP_SET;
    case PHASE_GET: return PROTO_OP_GET;
    case PHASE_MIXED:
    default:
        return w->issued % (w->a->ratio_set + w->a->ratio_get) < w->a->ratio_set
            ? PROTO_OP_SET : PROTO_OP_GET;
    }
}

static size_t w_compose_set(struct bench_worker *w, struct bench_slot *s, char *d)
{
    const struct bench_args *a = w->a;
    size_t len = proto_set_begin(a->proto, d, s->nkeys);
    for (unsigned i = 0; i < s->nkeys; i++) {
        size_t vlen = a->dmin == a->dmax ? a->dmin : a->dmin + rng_below(&w->rng, a->dmax - a->dmin + 1);
        len += proto_set_item(a->proto, d + len, &w->run->kf, s->keys[i], vlen);
        if (a->verify) {
            uint32_t ver = ++w->version;
            value_fill(d + len, vlen, s->keys[i], ver);
            s->vers[i] = ver;
            if (w->last_sent)
                w->last_sent[s->keys[i]] = ver;
        } else {
            memcpy(d + len, w->valbuf, vlen);
        }
        len += vlen;
        len += proto_set_item_end(d + len);
    }
    return len;
}

static void w_issue(struct bench_worker *w, struct wconn *wc, uint64_t t0)
{
    const struct bench_args *a = w->a;
    struct bench_slot *s = &wc->slots[(wc->head + wc->count) % wc->cap];
    s->op = (uint8_t)w_pick_op(w);
    s->nkeys = (uint16_t)(s->op == PROTO_OP_SET ? a->multiset : a->multiget);
    s->t0 = t0;
    for (unsigned i = 0; i < s->nkeys; i++)
        s->keys[i] = keygen_next(&w->kg, &w->rng);
    conn_reserve_out(&wc->c, proto_request_bound(&w->run->kf, s->nkeys, a->dmax));
    char *d = wc->c.out + wc->c.out_len;
    size_t len;
    if (s->op == PROTO_OP_SET) {
        len = w_compose_set(w, s, d);
    } else {
        len = proto_compose_get(a->proto, d, &w->run->kf, s->keys, s->nkeys);
        if (w->last_sent)
            for (unsigned i = 0; i < s->nkeys; i++)
                s->vers[i] = w->last_sent[s->keys[i]];
    }
    wc->c.out_len += len;
    wc->count++;
    wc->dirty = 1;
    w->issued++;
    w->inflight++;
}

/* ---- completion ---- */

static void w_finish(struct bench_worker *w)
{
    if (w->finished)
        return;
    w->finished = 1;
    w->t_end = now_ns();
    event_base_loopbreak(w->base);
}

static void w_check_done(struct bench_worker *w, uint64_t now)
{
    if (w->nlive == 0 || (w->inflight == 0 && w_exhausted(w, w->sched ? w->t_start + w->k * w->interval_ns : now)))
        w_finish(w);
}

static void w_conn_fail(struct wconn *wc, const char *why)
{
    struct bench_worker *w = wc->w;
    if (!wc->live)
        return;
    w_report(w, "connection %u to %s: %s (%u requests in flight dropped)", wc->idx,
             w->run->target->desc, why, wc->count);
    w->st.conn_errors++;
    w->st.dropped += wc->count;
    w->inflight -= wc->count;
    w->done += wc->count;
    wc->count = 0;
    wc->live = 0;
    w->nlive--;
    event_del(wc->rev);
    event_del(wc->wev);
    conn_close(&wc->c);
}

static void w_flush(struct wconn *wc)
{
    wc->dirty = 0;
    if (!wc->live || wc->c.out_len == wc->c.out_off)
        return;
    int r = conn_flush(&wc->c);
    if (r < 0)
        w_conn_fail(wc, wc->c.errmsg);
    else if (r == 1 && !wc->wpending) {
        wc->wpending = 1;
        event_add(wc->wev, NULL);
    }
}

/* verify mode: called for each key position of a get reply */
struct w_visit {
    struct bench_worker *w;
    const struct bench_slot *s;
};

static void w_verify_value(void *arg, unsigned pos, const char *val, size_t vlen)
{
    struct w_visit *v = arg;
    struct bench_worker *w = v->w;
    const struct proto_keyfmt *kf = &w->run->kf;
    if (pos == PROTO_POS_UNEXPECTED) {
        w->st.verify_errors++;
        w_report(w, "verify: reply for a key that was not asked: '%.*s'", (int)vlen, val);
        return;
    }
    uint64_t key = v->s->keys[pos];
    uint32_t want = w->last_sent ? v->s->vers[pos] : 0, ver = 0;
    if (val == NULL) {
        if (want) {
            w->st.verify_errors++;
            w_report(w, "verify: %s%012llu missing, version %u was written", kf->prefix,
                     (unsigned long long)key, want);
        }
        return;
    }
    int rc = value_check(val, vlen, key, &ver);
    if (rc < 0) {
        w->st.verify_errors++;
        w_report(w, "verify: %s%012llu: %s: '%.*s'", kf->prefix, (unsigned long long)key,
                 rc == -1 ? "value of another key" : "corrupted value", (int)(vlen > 40 ? 40 : vlen), val);
    } else if (want && ver != want) {
        w->st.verify_errors++;
        w_report(w, "verify: %s%012llu: read version %u, last written %u", kf->prefix,
                 (unsigned long long)key, ver, want);
    }
}

static void w_account(struct bench_worker *w, const struct bench_slot *s,
                      const struct proto_reply *rep, uint64_t now)
{
    struct bench_cmd_stats *cs = &w->st.cmd[s->op];
    cs->ops++;
    cs->keys += s->nkeys;
    w->done++;
    if (rep->errors) {
        cs->errors++;
        w_report(w, "%s: error reply: %.*s", s->op == PROTO_OP_SET ? "set" : "get",
                 (int)(rep->errlen > 200 ? 200 : rep->errlen), rep->err);
        return;
    }
    uint64_t lat = now > s->t0 ? now - s->t0 : 0;
    hist_record(cs->lat, lat);
    hist_record(w->st.lat_all, lat);
    cs->hits += rep->hits;
    cs->misses += rep->misses;
}

/* Parses every complete reply in the read buffer. -1 if the connection failed. */
static int w_consume(struct wconn *wc, uint64_t now)
{
    struct bench_worker *w = wc->w;
    size_t pos = 0;
    while (wc->count) {
        struct bench_slot *s = &wc->slots[wc->head];
        struct proto_reply rep;
        struct w_visit vctx = { w, s };
        struct proto_visit visit = { w_verify_value, &vctx, s->keys, &w->run->kf };
        long r = proto_parse_reply(w->a->proto, (enum proto_op)s->op, s->nkeys, wc->c.in + pos,
                                   wc->c.in_len - pos, &rep, w->a->verify ? &visit : NULL);
        if (r == 0)
            break;
        if (r < 0) {
            char why[200];
            w->st.proto_errors++;
            snprintf(why, sizeof(why), "protocol error: unexpected reply '%.*s'",
                     (int)(rep.errlen > 80 ? 80 : rep.errlen), rep.err);
            w_conn_fail(wc, why);
            return -1;
        }
        w_account(w, s, &rep, now);
        pos += (size_t)r;
        wc->head = (wc->head + 1) % wc->cap;
        wc->count--;
        w->inflight--;
    }
    if (wc->count == 0 && pos < wc->c.in_len) {
        char why[200];
        w->st.proto_errors++;
        snprintf(why, sizeof(why), "protocol error: data nobody asked for: '%.*s'",
                 (int)(wc->c.in_len - pos > 80 ? 80 : wc->c.in_len - pos), wc->c.in + pos);
        w_conn_fail(wc, why);
        return -1;
    }
    if (pos) {
        memmove(wc->c.in, wc->c.in + pos, wc->c.in_len - pos);
        wc->c.in_len -= pos;
    }
    return 0;
}

static void w_fill(struct wconn *wc, uint64_t now)
{
    struct bench_worker *w = wc->w;
    while (wc->live && wc->count < wc->cap && !w_exhausted(w, now))
        w_issue(w, wc, now);
    w_flush(wc);
}

/* Open loop: sends every request whose time has come, then sleeps until
 * the next one. When every connection is full, replies call it again. */
static void w_dispatch(struct bench_worker *w)
{
    uint64_t now = now_ns();
    for (;;) {
        uint64_t t = w->t_start + w->k * w->interval_ns;
        if (t > now || w_exhausted(w, t))
            break;
        struct wconn *wc = NULL;
        for (unsigned tries = 0; tries < w->nconns; tries++) {
            struct wconn *c = &w->conns[w->rr++ % w->nconns];
            if (c->live && c->count < c->cap) {
                wc = c;
                break;
            }
        }
        if (wc == NULL)
            break;
        if (now - t > WORKER_LATE_NS)
            w->st.late++;
        w_issue(w, wc, t);
        w->k++;
    }
    for (unsigned i = 0; i < w->nconns; i++)
        if (w->conns[i].dirty)
            w_flush(&w->conns[i]);
    uint64_t next = w->t_start + w->k * w->interval_ns;
    if (!w_exhausted(w, next) && next > now) {
        struct timeval tv = { (time_t)((next - now) / 1000000000ULL),
                              (suseconds_t)((next - now) % 1000000000ULL / 1000) };
        evtimer_add(w->sched, &tv);
    }
}

static void w_on_sched(evutil_socket_t fd, short what, void *arg)
{
    struct bench_worker *w = arg;
    w_dispatch(w);
    w_check_done(w, now_ns());
}

static void w_on_read(evutil_socket_t fd, short what, void *arg)
{
    struct wconn *wc = arg;
    struct bench_worker *w = wc->w;
    uint64_t now = 0;
    for (int rounds = 0; rounds < 64 && wc->live; rounds++) {
        conn_reserve_in(&wc->c);
        size_t room = wc->c.in_cap - wc->c.in_len;
        long n = wc->c.io->read(&wc->c, wc->c.in + wc->c.in_len, room);
        if (n == CONN_IO_AGAIN)
            break;
        if (n <= 0) {
            w_conn_fail(wc, n == 0 ? "connection closed by the server" : wc->c.errmsg);
            break;
        }
        wc->c.in_len += (size_t)n;
        now = now_ns();
        if (w_consume(wc, now) < 0)
            break;
        if (wc->c.ssl == NULL && (size_t)n < room)
            break;
    }
    if (now == 0)
        now = now_ns();
    if (w->sched)
        w_dispatch(w);
    else if (wc->live)
        w_fill(wc, now);
    w_publish(w);
    w_check_done(w, now);
}

static void w_on_write(evutil_socket_t fd, short what, void *arg)
{
    struct wconn *wc = arg;
    wc->wpending = 0;
    w_flush(wc);
    w_check_done(wc->w, now_ns());
}

/* every 100 ms: progress counters, Ctrl-C, the stall timeout */
static void w_on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct bench_worker *w = arg;
    uint64_t now = now_ns();
    w_publish(w);
    if (w->inflight == 0 || w->done != w->stall_done) {
        w->stall_done = w->done;
        w->stall_since = now;
    } else if ((double)(now - w->stall_since) / 1e9 > w->a->timeout) {
        w->st.timeouts++;
        w_report(w, "timeout: no reply for %.1f s with %llu requests in flight", w->a->timeout,
                 (unsigned long long)w->inflight);
        for (unsigned i = 0; i < w->nconns; i++)
            w_conn_fail(&w->conns[i], "timed out");
    }
    w_check_done(w, now);
}

/* ---- lifecycle ---- */

struct bench_worker *bench_worker_create(struct bench_run *run, unsigned id)
{
    const struct bench_args *a = run->args;
    struct bench_worker *w = calloc(1, sizeof(*w));
    if (w == NULL)
        abort();
    w->run = run;
    w->a = a;
    w->id = id;
    w->rng.s = a->seed + id * 0x632be59bd9b4e019ULL;
    keygen_init(&w->kg, a->pattern, a->keyspace, a->zipf_skew, id, a->threads);
    bench_stats_init(&w->st);
    w->budget = a->requests / a->threads + (id < a->requests % a->threads);
    w->nconns = a->clients;
    w->conns = calloc(w->nconns, sizeof(*w->conns));
    w->valbuf = malloc(a->dmax);
    if (w->conns == NULL || w->valbuf == NULL)
        abort();
    for (unsigned i = 0; i < a->dmax; i++)
        w->valbuf[i] = (char)('a' + i % 26);
    if (a->verify && a->threads * a->clients == 1 && a->keyspace <= WORKER_STRICT_MAX_KEYS) {
        w->last_sent = calloc(a->keyspace, sizeof(*w->last_sent));
        if (w->last_sent == NULL)
            abort();
    }
    unsigned nmax = a->multiget > a->multiset ? a->multiget : a->multiset;
    unsigned cap = a->pipeline;
    if (a->rate > 0 && cap < WORKER_OPEN_LOOP_MIN_CAP)
        cap = WORKER_OPEN_LOOP_MIN_CAP;
    for (unsigned i = 0; i < w->nconns; i++) {
        struct wconn *wc = &w->conns[i];
        wc->w = w;
        wc->idx = id * a->clients + i;
        wc->c.fd = -1;
        wc->cap = cap;
        wc->slots = calloc(cap, sizeof(*wc->slots));
        wc->key_pool = calloc((size_t)cap * nmax, sizeof(uint64_t));
        wc->ver_pool = a->verify ? calloc((size_t)cap * nmax, sizeof(uint32_t)) : NULL;
        if (wc->slots == NULL || wc->key_pool == NULL || (a->verify && wc->ver_pool == NULL))
            abort();
        for (unsigned j = 0; j < cap; j++) {
            wc->slots[j].keys = wc->key_pool + (size_t)j * nmax;
            wc->slots[j].vers = wc->ver_pool ? wc->ver_pool + (size_t)j * nmax : NULL;
        }
    }
    return w;
}

void bench_worker_destroy(struct bench_worker **wp)
{
    struct bench_worker *w = *wp;
    if (w == NULL)
        return;
    for (unsigned i = 0; i < w->nconns; i++) {
        struct wconn *wc = &w->conns[i];
        if (wc->rev)
            event_free(wc->rev);
        if (wc->wev)
            event_free(wc->wev);
        conn_close(&wc->c);
        free(wc->slots);
        free(wc->key_pool);
        free(wc->ver_pool);
    }
    if (w->sched)
        event_free(w->sched);
    if (w->tick)
        event_free(w->tick);
    if (w->base)
        event_base_free(w->base);
    bench_stats_deinit(&w->st);
    free(w->conns);
    free(w->valbuf);
    free(w->last_sent);
    free(w);
    *wp = NULL;
}

static void w_connect_all(struct bench_worker *w)
{
    for (unsigned i = 0; i < w->nconns; i++) {
        struct wconn *wc = &w->conns[i];
        char err[300];
        if (conn_open(&wc->c, w->run->target, err, sizeof(err)) < 0) {
            w->st.conn_errors++;
            w_report(w, "connection %u: %s", wc->idx, err);
            conn_close(&wc->c);
            continue;
        }
        wc->live = 1;
        w->nlive++;
        wc->rev = event_new(w->base, wc->c.fd, EV_READ | EV_PERSIST, w_on_read, wc);
        wc->wev = event_new(w->base, wc->c.fd, EV_WRITE, w_on_write, wc);
        event_add(wc->rev, NULL);
    }
}

void *bench_worker_main(void *arg)
{
    struct bench_worker *w = arg;
    const struct bench_args *a = w->a;
    struct event_config *cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK | (a->rate > 0 ? EVENT_BASE_FLAG_PRECISE_TIMER : 0));
    w->base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (w->base == NULL)
        abort();
    w_connect_all(w);
    w->tick = event_new(w->base, -1, EV_PERSIST, w_on_tick, w);
    struct timeval tick = { 0, 100000 };
    event_add(w->tick, &tick);
    if (a->rate > 0) {
        w->sched = evtimer_new(w->base, w_on_sched, w);
        w->interval_ns = (uint64_t)(1e9 * a->threads / a->rate);
        if (w->interval_ns == 0)
            w->interval_ns = 1;
    }
    pthread_barrier_wait(w->run->ready);
    w->t_start = now_ns();
    w->stall_since = w->t_start;
    if (a->duration > 0)
        w->deadline = w->t_start + (uint64_t)(a->duration * 1e9);
    if (w->sched)
        w_dispatch(w);
    else
        for (unsigned i = 0; i < w->nconns; i++)
            w_fill(&w->conns[i], w->t_start);
    w_check_done(w, w->t_start);
    if (!w->finished)
        event_base_dispatch(w->base);
    if (!w->finished)
        w->t_end = now_ns();
    for (unsigned i = 0; i < w->nconns; i++)
        if (w->conns[i].live) {
            w->conns[i].live = 0;
            conn_close(&w->conns[i].c);
        }
    w_publish(w);
    atomic_store(&w->a_finished, 1);
    return NULL;
}

uint64_t bench_worker_done(const struct bench_worker *w)
{
    return atomic_load_explicit(&w->a_done, memory_order_relaxed);
}

uint64_t bench_worker_errors(const struct bench_worker *w)
{
    return atomic_load_explicit(&w->a_errors, memory_order_relaxed);
}

int bench_worker_finished(const struct bench_worker *w)
{
    return atomic_load(&w->a_finished);
}

const struct bench_stats *bench_worker_stats(const struct bench_worker *w)
{
    return &w->st;
}

double bench_worker_seconds(const struct bench_worker *w)
{
    return (double)(w->t_end - w->t_start) / 1e9;
}
