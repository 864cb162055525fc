/* backend/mc: the Memcached input loop and the classic text commands.
 *
 * The loop parses requests in place from the client's query buffer with
 * compat/mc_text (and compat/mc_meta for meta lines), executes each one as
 * soon as it is complete and composes replies into one shared buffer that
 * is handed to the client's output buffer once per batch (the node is
 * single-threaded, so one buffer serves every client).  Incomplete requests
 * consume nothing: networking.c grows the query buffer and calls again.
 * Per-connection state is only the count of bytes still to swallow after a
 * refused data block (memcached's conn_swallow). */
#include <stdio.h>

#include "backend/propagate.h"
#include "backend/mc.h"

#include <event2/event.h>
#include <string.h>

#include "backend/entry.h"
#include "backend/mc_kv.h"
#include "backend/mc_meta.h"
#include "backend/mc_stats.h"
#include "backend/networking.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "compat/mc_meta.h"
#include "compat/mc_sem.h"
#include "compat/mc_text.h"
#include "lib/mem.h"

#define MC_OUT_FLUSH (64 * 1024)     /* hand replies over past this much */

struct mc_config mc_cfg = {.flush_enabled = 1};

struct mc_conn {
    size_t swallow;         /* bytes of a refused data block still to drop */
};

static struct mc_out out;

static void out_flush(struct client *c)
{
    if (out.len > 0) reply_raw(c, out.buf, out.len);
    if (out.cap > 4 * MC_OUT_FLUSH) mc_out_deinit(&out);
    else mc_out_reset(&out);
}

/* A one-line reply, hidden by noreply. */
static void line(const struct mc_request *req, const char *s)
{
    if (!req->noreply) mc_compose_line(&out, s);
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

/* VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n, formatted by hand:
 * this is the hot path of every get. */
static void append_value(const char *key, size_t nkey, const struct entry *e, bool with_cas)
{
    struct strval sv;
    entry_get_str(e, &sv);
    mc_out_reserve(&out, nkey + sv.len + 80);
    char *p = out.buf + out.len;
    memcpy(p, "VALUE ", 6);
    p += 6;
    memcpy(p, key, nkey);
    p += nkey;
    *p++ = ' ';
    p = put_u64(p, mc_kv_flags(e));
    *p++ = ' ';
    p = put_u64(p, sv.len);
    if (with_cas) {
        *p++ = ' ';
        p = put_u64(p, e->cas);
    }
    *p++ = '\r';
    *p++ = '\n';
    memcpy(p, sv.p, sv.len);
    p += sv.len;
    *p++ = '\r';
    *p++ = '\n';
    out.len = (size_t)(p - out.buf);
}

/* get gets gat gats.  gat counts as touch, as in memcached. */
static void exec_get(struct client *c, const struct mc_request *req)
{
    bool with_cas = req->cmd == MC_CMD_GETS || req->cmd == MC_CMD_GATS;
    bool touch = req->cmd == MC_CMD_GAT || req->cmd == MC_CMD_GATS;
    int64_t expiry = touch ? mc_sem_exptime(req->exptime, mc_now()) : 0;
    size_t pos = 0, nkey;
    const char *key;

    while (mc_text_key_next(req, &pos, &key, &nkey)) {
        struct entry *e = mc_kv_find(key, nkey, MC_FIND_GET, NULL);
        if (touch) {
            mc_stat.cmd_touch++;
            if (e != NULL) e = mc_kv_set_expiry(e, expiry);
            if (e != NULL) mc_stat.touch_hits++;
            else mc_stat.touch_misses++;
        } else {
            mc_stat.cmd_get++;
            if (e != NULL) mc_stat.get_hits++;
            else mc_stat.get_misses++;
        }
        if (e != NULL) append_value(key, nkey, e, with_cas);
        if (out.len > MC_OUT_FLUSH) out_flush(c);
    }
    mc_compose_line(&out, MC_R_END);
}

static void exec_update(const struct mc_request *req)
{
    static const enum mc_store_mode modes[] = {
        [MC_CMD_SET] = MC_SET, [MC_CMD_ADD] = MC_ADD, [MC_CMD_REPLACE] = MC_REPLACE,
        [MC_CMD_APPEND] = MC_APPEND, [MC_CMD_PREPEND] = MC_PREPEND, [MC_CMD_CAS] = MC_CAS,
    };
    static const char *const texts[] = {
        [MC_STORED] = MC_R_STORED, [MC_NOT_STORED] = MC_R_NOT_STORED,
        [MC_EXISTS] = MC_R_EXISTS, [MC_NOT_FOUND] = MC_R_NOT_FOUND,
        [MC_NO_MEMORY] = MC_ERR_NO_MEMORY,
    };
    struct mc_store s = {
        .mode = modes[req->cmd], .key = req->key, .nkey = req->nkey,
        .data = req->data, .ndata = req->ndata, .flags = req->flags,
        .expiry = mc_sem_exptime(req->exptime, mc_now()), .cas = req->cas,
    };
    uint64_t cas;

    mc_stat.cmd_set++;
    enum mc_store_status st = mc_kv_store(&s, &cas);
    /* E10: a set that cannot be stored leaves no stale value behind */
    if (st == MC_NO_MEMORY && req->cmd == MC_CMD_SET) mc_kv_unlink(req->key, req->nkey);
    line(req, texts[st]);
}

static void exec_delete(const struct mc_request *req)
{
    struct entry *e = mc_kv_find(req->key, req->nkey, MC_FIND_PEEK, NULL);
    if (e == NULL) {
        mc_stat.delete_misses++;
        line(req, MC_R_NOT_FOUND);
        return;
    }
    mc_stat.delete_hits++;
    mc_kv_delete(e);
    line(req, MC_R_DELETED);
}

static void exec_delta(const struct mc_request *req)
{
    struct mc_delta d;
    struct entry *e;

    switch (mc_kv_delta(req->key, req->nkey, req->cmd == MC_CMD_INCR, req->delta, 0, 0, &d, &e)) {
    case MC_DELTA_OK:
        if (!req->noreply) {
            mc_out_append(&out, d.digits, d.ndigits);
            mc_out_append(&out, "\r\n", 2);
        }
        break;
    case MC_DELTA_NON_NUMERIC:
        line(req, MC_ERR_NON_NUMERIC);
        break;
    default:
        line(req, MC_R_NOT_FOUND);
        break;
    }
}

static void exec_touch(const struct mc_request *req)
{
    struct entry *e = mc_kv_find(req->key, req->nkey, MC_FIND_BUMP, NULL);
    mc_stat.cmd_touch++;
    if (e == NULL) {
        mc_stat.touch_misses++;
        line(req, MC_R_NOT_FOUND);
        return;
    }
    mc_stat.touch_hits++;
    mc_kv_set_expiry(e, mc_sem_exptime(req->exptime, mc_now()));
    line(req, MC_R_TOUCHED);
}

static void exec_flush(const struct mc_request *req)
{
    mc_stat.cmd_flush++;
    if (!mc_cfg.flush_enabled) {
        line(req, "CLIENT_ERROR flush_all not allowed");
        return;
    }
    mc_kv_flush(req->has_exptime ? req->exptime : 0);
    line(req, MC_R_OK);
}

/* shutdown [graceful]: only with mc-shutdown yes (memcached -A). */
static void exec_shutdown(struct client *c, const struct mc_request *req)
{
    if (!mc_cfg.shutdown_enabled) {
        mc_compose_line(&out, MC_R_SHUTDOWN_DISABLED);
        return;
    }
    if (req->ntok > 2 || (req->ntok == 2 && !(req->tok[1].len == 8 &&
                                              memcmp(req->tok[1].p, "graceful", 8) == 0))) {
        mc_compose_line(&out, "CLIENT_ERROR invalid shutdown mode");
        return;
    }
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    server.shutdown_asap = 1;
    event_base_loopbreak(server.base);
}

/* cache_memlimit <MB>: memcached's runtime -m, i.e. maxmemory here. */
static void exec_memlimit(const struct mc_request *req)
{
    if (req->num < 8) {
        line(req, "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m");
        return;
    }
    server.cfg.maxmemory = (long long)req->num * 1024 * 1024;
    line(req, MC_R_OK);
}

/* While persistence fails (Redis's MISCONF), writes are refused on this
 * port too: "SERVER_ERROR MISCONF ..." (noreply still silences it, as
 * memcached's out_string does). Returns 1 if refused. */
static int refuse_write(const struct mc_request *req)
{
    const char *err = persist_write_error();
    if (err == NULL) return 0;
    if (!req || !req->noreply) {
        char buf[512];
        snprintf(buf, sizeof(buf), "SERVER_ERROR %s", err[0] == '-' ? err + 1 : err);
        mc_compose_line(&out, buf);
    }
    return 1;
}

static int is_write(enum mc_cmd cmd)
{
    switch (cmd) {
    case MC_CMD_SET: case MC_CMD_ADD: case MC_CMD_REPLACE: case MC_CMD_APPEND:
    case MC_CMD_PREPEND: case MC_CMD_CAS: case MC_CMD_DELETE: case MC_CMD_INCR:
    case MC_CMD_DECR: case MC_CMD_TOUCH: case MC_CMD_FLUSH_ALL:
        return 1;
    default:
        return 0;
    }
}

static void exec_text(struct client *c, const struct mc_request *req)
{
    if (is_write(req->cmd) && refuse_write(req)) return;
    switch (req->cmd) {
    case MC_CMD_GET: case MC_CMD_GETS: case MC_CMD_GAT: case MC_CMD_GATS:
        exec_get(c, req);
        break;
    case MC_CMD_SET: case MC_CMD_ADD: case MC_CMD_REPLACE:
    case MC_CMD_APPEND: case MC_CMD_PREPEND: case MC_CMD_CAS:
        exec_update(req);
        break;
    case MC_CMD_DELETE: exec_delete(req); break;
    case MC_CMD_INCR: case MC_CMD_DECR: exec_delta(req); break;
    case MC_CMD_TOUCH: exec_touch(req); break;
    case MC_CMD_FLUSH_ALL: exec_flush(req); break;
    case MC_CMD_VERSION: mc_compose_version(&out, MC_VERSION); break;
    case MC_CMD_VERBOSITY:
        mc_cfg.verbosity = (int)req->num;
        line(req, MC_R_OK);
        break;
    case MC_CMD_QUIT: c->flags |= CLIENT_CLOSE_AFTER_REPLY; break;
    case MC_CMD_SHUTDOWN: exec_shutdown(c, req); break;
    case MC_CMD_STATS: mc_stats_execute(c, &out, req); break;
    case MC_CMD_CACHE_MEMLIMIT: exec_memlimit(req); break;
    default: mc_compose_line(&out, MC_R_ERROR); break;
    }
}

static void close_now(struct client *c)
{
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    c->qpos = c->qlen;
}

/* A meta line; returns bytes consumed (0: incomplete). */
static size_t run_meta(struct mc_conn *st, const char *buf, size_t len, const struct mc_limits *lim)
{
    struct mc_meta_request m;
    enum parse_result r = mc_meta_parse(buf, len, lim, &m);

    if (r == PARSE_AGAIN) return 0;
    mc_stat.cmd_meta++;
    if (r == PARSE_OK) {
        int write = m.cmd == MC_META_MS || m.cmd == MC_META_MD || m.cmd == MC_META_MA;
        if (!write || !refuse_write(NULL)) mc_meta_execute(&out, &m);
        return m.consumed;
    }
    if (r == PARSE_ETOOBIG) {
        /* 1.6.18 unlinks the old value whatever the ms mode */
        mc_stat.store_too_large++;
        mc_kv_unlink(m.key, m.nkey);
    }
    mc_compose_line(&out, m.err);       /* meta errors ignore q */
    st->swallow = m.swallow;
    return m.consumed;
}

/* A refused classic request (EINVALID / ETOOBIG); returns bytes consumed. */
static size_t run_refused(struct client *c, struct mc_conn *st, const struct mc_request *req,
                          enum parse_result r)
{
    if (req->close) {
        close_now(c);
        return 0;
    }
    if (r == PARSE_ETOOBIG) {
        mc_stat.store_too_large++;
        if (req->cmd == MC_CMD_SET) mc_kv_unlink(req->key, req->nkey);   /* E10 */
        st->swallow = req->swallow;
    }
    if (req->cmd == MC_CMD_FLUSH_ALL && !mc_cfg.flush_enabled) {
        /* -F answers before looking at the delay */
        mc_stat.cmd_flush++;
        line(req, "CLIENT_ERROR flush_all not allowed");
    } else if (!req->noreply) {
        mc_compose_line(&out, req->err);
    }
    return req->consumed;
}

/* One request at buf; returns bytes consumed, 0 if it is incomplete. */
static size_t run_one(struct client *c, struct mc_conn *st, const char *buf, size_t len,
                      const struct mc_limits *lim)
{
    struct mc_request req;
    enum parse_result r = mc_text_parse(buf, len, lim, &req);

    switch (r) {
    case PARSE_AGAIN:
        return 0;
    case PARSE_OK:
        mc_kv_tick();
        if (req.cmd == MC_CMD_META) return run_meta(st, buf, len, lim);
        exec_text(c, &req);
        return req.consumed;
    default:
        return run_refused(c, st, &req, r);
    }
}

static struct mc_conn *conn_state(struct client *c)
{
    if (c->proto_state == NULL) c->proto_state = mem_calloc(sizeof(struct mc_conn));
    return c->proto_state;
}

void mc_process_input(struct client *c)
{
    struct mc_conn *st = conn_state(c);
    struct mc_limits lim;

    mc_limits_init(&lim);
    lim.item_size_max = (size_t)server.cfg.item_size_max;
    lim.meta_new_flags = mc_cfg.meta_new_flags != 0;
    while (c->qpos < c->qlen) {
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) {
            c->qpos = c->qlen;      /* quit: what follows is never read */
            break;
        }
        size_t len = c->qlen - c->qpos;
        if (st->swallow > 0) {
            size_t n = st->swallow < len ? st->swallow : len;
            st->swallow -= n;
            c->qpos += n;
            continue;
        }
        size_t used = run_one(c, st, c->qbuf + c->qpos, len, &lim);
        if (used == 0) break;
        c->qpos += used;
        if (out.len > MC_OUT_FLUSH) out_flush(c);
        /* backpressure as for RESP: stop while replies pile up unsent;
         * networking.c stops reading and resumes us once they drain */
        out_flush(c);
        if (client_output_paused(c)) break;
    }
    out_flush(c);
}

void mc_client_free(struct client *c)
{
    mem_free(c->proto_state);
    c->proto_state = NULL;
}
