/* proxy/resp_proxy: the RESP front; see resp_proxy.h. */
#include "proxy/resp_proxy.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/cmd.h"
#include "compat/resp.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "lib/util.h"
#include "proxy/client.h"
#include "proxy/frag.h"
#include "proxy/node.h"
#include "proxy/pool.h"
#include "proxy/resp_local.h"
#include "proxy/route.h"
#include "proxy/stats.h"
#include "proxy/worker.h"
#include "shoal_config.h"

/* ---- one server ---- */

static void forward_to(const struct rq *q, int server, uint32_t h)
{
    struct client *c = q->c;
    struct req *r = req_create(c, RM_ONE);
    req_frags_alloc(r, 1);
    frag_send(r, 0, server >= 0 ? &c->wp->servers[server] : NULL, h, q->bytes, q->nbytes, NULL);
    req_sent(r);
}

/* The reply to a command whose keys live on more than one server. */
static void reply_crossslot(const struct rq *q, const char *name)
{
    client_replyf(q->c, "-CROSSSLOT Keys in request don't hash to the same server "
                  "(use a hash tag) for '%s'\r\n", name);
}

/* Keys at first..last by step (last < 0 counts from the end): the server
 * owning all of them, -1 if none is live, -2 if they are spread. */
static int keys_server(const struct rq *q, int first, int last, int step, uint32_t *h)
{
    if (last < 0) last = q->argc + last;
    if (last >= q->argc) last = q->argc - 1;
    int server = -1;
    *h = 0;
    for (int i = first; i <= last; i += step) {
        uint32_t kh;
        int s = route_key(q->c->wp, ARG(q, i), ARGLEN(q, i), &kh);
        if (i == first) {
            server = s;
            *h = kh;
        } else if (s != server) {
            return -2;
        }
    }
    return server;
}

static void forward_keys(const struct rq *q, const struct cmd_desc *d)
{
    uint32_t h = 0;
    int s;
    if (d->first_key <= 0 || d->first_key >= q->argc) s = route_key(q->c->wp, "", 0, &h);
    else s = keys_server(q, d->first_key, d->last_key, d->key_step ? d->key_step : 1, &h);
    if (s == -2) {
        reply_crossslot(q, d->fullname);
        return;
    }
    forward_to(q, s, h);
}

/* MGET MSET DEL UNLINK EXISTS TOUCH: verbatim if one server owns every key. */
static void split_keys(const struct rq *q, const struct cmd_desc *d)
{
    int step = d->key_step ? d->key_step : 1;
    if ((q->argc - d->first_key) % step != 0) {
        client_replyf(q->c, "-ERR wrong number of arguments for '%s' command\r\n", d->fullname);
        return;
    }
    int n = (q->argc - d->first_key) / step;
    struct keyref stack_keys[64];
    struct keyref *k = n <= 64 ? stack_keys : mem_alloc(sizeof *k * (size_t)n);
    for (int i = 0; i < n; i++) {
        int a = d->first_key + i * step;
        k[i] = (struct keyref){ .p = ARG(q, a), .len = (uint32_t)ARGLEN(q, a) };
    }
    int s = frag_route_keys(q->c->wp, k, n);
    if (s != -2) {
        forward_to(q, s, n ? k[0].hash : 0);
    } else {
        int merge = d->merge == MERGE_ARRAY ? RM_ARRAY : d->merge == MERGE_SUM ? RM_SUM : RM_OK;
        struct req *r = req_create(q->c, merge);
        frag_resp_keys(r, q->buf, q->argv, d->first_key, step, k, n);
        req_sent(r);
    }
    if (k != stack_keys) mem_free(k);
}

static void fan_out(const struct rq *q, int merge)
{
    struct req *r = req_create(q->c, merge);
    frag_all(r, q->bytes, q->nbytes, NULL, 0);
    req_sent(r);
}

int resp_scan_cursor(unsigned long long ncur, int idx, int n, unsigned long long *out)
{
    if (ncur == 0) {
        *out = idx + 1 < n ? (unsigned long long)idx + 1 : 0;
        return 0;
    }
    if (ncur > (ULLONG_MAX - (unsigned long long)idx) / (unsigned long long)n) return -1;
    *out = ncur * (unsigned long long)n + (unsigned long long)idx;
    return 0;
}

/* SCAN <cursor> [MATCH p] [COUNT n] [TYPE t]: one server per call, its
 * reply's cursor re-encoded by merge (RM_SCAN); see resp_proxy.h. */
static void scan_servers(const struct rq *q)
{
    struct client *c = q->c;
    unsigned long long cur;
    if (util_str2ull(ARG(q, 1), ARGLEN(q, 1), &cur) != 0) {
        rq_err(c, "ERR invalid cursor");
        return;
    }
    struct wpool *wp = c->wp;
    int ns = wp->pool->nservers;
    int idx = (int)(cur % (unsigned long long)ns);
    unsigned long long ncur = cur / (unsigned long long)ns;
    while (idx < ns && wp->servers[idx].ejected_until) {
        idx++;
        ncur = 0;
    }
    if (idx >= ns) {
        client_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", 15, false);
        return;
    }
    char num[24];
    int nl = util_ull2str(num, ncur);
    const char **av = mem_alloc(sizeof *av * (size_t)q->argc);
    size_t *al = mem_alloc(sizeof *al * (size_t)q->argc);
    for (int i = 0; i < q->argc; i++) {
        av[i] = i == 1 ? num : ARG(q, i);
        al[i] = i == 1 ? (size_t)nl : ARGLEN(q, i);
    }
    size_t need = resp_compose_request(NULL, 0, q->argc, av, al);
    char *bytes = mem_alloc(need);
    resp_compose_request(bytes, need, q->argc, av, al);
    struct req *r = req_create(c, RM_SCAN);
    r->scan_server = idx;
    req_frags_alloc(r, 1);
    frag_send(r, 0, &wp->servers[idx], 0, bytes, need, NULL);
    req_sent(r);
    mem_free(bytes);
    mem_free(av);
    mem_free(al);
}

/* Commands whose keys follow a numkeys argument at nk_at (cmd.def cannot
 * say so): ZUNIONSTORE ZINTERSTORE ZDIFFSTORE dest numkeys key... (dest
 * too), ZUNION ZINTER ZDIFF SINTERCARD LMPOP ZMPOP numkeys key....  To the
 * server owning every key, CROSSSLOT when they are spread.  A bad numkeys
 * goes with dest (or where keyless commands go), for the node's error. */
static void route_numkeys(const struct rq *q, const struct cmd_desc *d, bool dest, int nk_at)
{
    long long nk;
    uint32_t h = 0, kh;
    int s = dest ? route_key(q->c->wp, ARG(q, 1), ARGLEN(q, 1), &h)
                 : route_key(q->c->wp, "", 0, &h);
    if (util_str2ll(ARG(q, nk_at), ARGLEN(q, nk_at), &nk) == 0 && nk > 0 &&
        nk <= q->argc - nk_at - 1) {
        int k = keys_server(q, nk_at + 1, nk_at + (int)nk, 1, dest ? &kh : &h);
        if (k == -2 || (dest && k != s)) {
            reply_crossslot(q, d->fullname);
            return;
        }
        s = k;
    }
    forward_to(q, s, h);
}

/* ---- blocking commands ---- */

/* The server owning the numkeys keys that follow nk_at (-2: spread); the
 * empty key's owner for a bad numkeys (the node answers its error). */
static int numkeys_server(const struct rq *q, int nk_at, uint32_t *h)
{
    long long nk;
    if (nk_at < q->argc && util_str2ll(ARG(q, nk_at), ARGLEN(q, nk_at), &nk) == 0 && nk > 0 &&
        nk <= q->argc - nk_at - 1)
        return keys_server(q, nk_at + 1, nk_at + (int)nk, 1, h);
    return route_key(q->c->wp, "", 0, h);
}

/* How long the proxy waits for a blocking command's reply (us, 0: for
 * ever): its own timeout (seconds) plus the pool's, the grace the server
 * has to answer once it times out.  Timeout 0 blocks for ever, and so
 * does the command in a pool without a timeout; a timeout the server
 * will refuse gets only the pool's. */
static int64_t block_wait_us(const struct rq *q, const struct cmd_desc *d)
{
    int64_t pool = (int64_t)q->c->wp->pool->timeout * 1000;
    int i = d->id == CMD_ID_blmove ? 5 : d->id == CMD_ID_brpoplpush ? 3
          : d->id == CMD_ID_blmpop || d->id == CMD_ID_bzmpop ? 1 : q->argc - 1;
    double t;
    if (pool <= 0) return 0;
    if (i >= q->argc || util_str2d(ARG(q, i), ARGLEN(q, i), &t) != 0 || !(t >= 0)) return pool;
    if (t == 0 || t > 1e9) return 0;
    return (int64_t)(t * 1e6) + pool;
}

/* A blocking command to server s (h: its key's hash), over the client's
 * own connection to it (proxy/node: nconn_dedicated), so a command the
 * server holds delays nobody else; wait_us is how long the proxy waits
 * for the reply (0: for ever), not the pool timeout.  Ordering
 * (proxy/client `hold`): it waits until the client's earlier requests
 * are answered (q->wait: parsed again then), and the client's next
 * request waits until it is answered, as in Redis, where a blocked
 * client's later commands run after it unblocks. */
static void send_blocking(struct rq *q, int s, uint32_t h, int64_t wait_us)
{
    struct client *c = q->c;
    if (c->nreqs > 0) {
        q->wait = true;
        client_hold(c);
        return;
    }
    if (s < 0) {
        forward_to(q, s, h);            /* fails: no server available */
        return;
    }
    struct wserver *ws = &c->wp->servers[s];
    struct nconn *nc = nconn_dedicated(c, ws, c->proto);
    struct req *r = req_create(c, RM_ONE);
    req_frags_alloc(r, 1);
    r->frags[0].ws = ws;
    nc->block_timeout_us = wait_us;
    const char *why = NULL;
    struct evbuffer *out = nconn_output(nc, &why);
    if (out == NULL) {
        frag_failed(&r->frags[0], why);
    } else {
        evbuffer_add(out, q->bytes, q->nbytes);
        nconn_enqueue(nc, &r->frags[0], q->nbytes);
    }
    c->hold = true;
    req_sent(r);
}

/* BLPOP BRPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BLMPOP BZMPOP: to the
 * server owning every key (CROSSSLOT otherwise), as send_blocking. */
static void route_blocking(struct rq *q, const struct cmd_desc *d)
{
    uint32_t h = 0;
    int s = d->id == CMD_ID_blmpop || d->id == CMD_ID_bzmpop
                ? numkeys_server(q, 2, &h)
                : keys_server(q, d->first_key, d->last_key, 1, &h);
    if (s == -2) reply_crossslot(q, d->fullname);
    else send_blocking(q, s, h, block_wait_us(q, d));
}

/* SORT key [BY p] [LIMIT off count] [GET p ...] [ASC|DESC] [ALPHA]
 * [STORE dest]: dest must live on key's server (CROSSSLOT otherwise);
 * syntax errors are the node's to answer.  SORT_RO has no STORE. */
static void route_sort(const struct rq *q, const struct cmd_desc *d)
{
    uint32_t h = 0, dh;
    int s = route_key(q->c->wp, ARG(q, 1), ARGLEN(q, 1), &h);
    for (int i = 2; i < q->argc; i++) {
        if ((rq_arg_is(q, i, "by") || rq_arg_is(q, i, "get")) && i + 1 < q->argc) {
            i++;
        } else if (rq_arg_is(q, i, "limit") && i + 2 < q->argc) {
            i += 2;
        } else if (rq_arg_is(q, i, "store") && i + 1 < q->argc) {
            i++;
            if (route_key(q->c->wp, ARG(q, i), ARGLEN(q, i), &dh) != s) {
                reply_crossslot(q, d->fullname);
                return;
            }
        }
    }
    forward_to(q, s, h);
}

static void deny_or_fan_out(struct rq *q, const struct cmd_desc *d)
{
    switch (d->id) {
    case CMD_ID_blpop: case CMD_ID_brpop: case CMD_ID_blmove: case CMD_ID_brpoplpush:
    case CMD_ID_bzpopmin: case CMD_ID_bzpopmax: case CMD_ID_blmpop: case CMD_ID_bzmpop:
        route_blocking(q, d);
        return;
    case CMD_ID_sort: route_sort(q, d); return;
    case CMD_ID_zunionstore: case CMD_ID_zinterstore: case CMD_ID_zdiffstore:
        route_numkeys(q, d, true, 2);
        return;
    case CMD_ID_zunion: case CMD_ID_zinter: case CMD_ID_zdiff: case CMD_ID_sintercard:
    case CMD_ID_lmpop: case CMD_ID_zmpop:
        route_numkeys(q, d, false, 1);
        return;
    case CMD_ID_scan: scan_servers(q); return;
    case CMD_ID_dbsize: fan_out(q, RM_SUM); return;
    case CMD_ID_flushall: case CMD_ID_flushdb: fan_out(q, RM_OK); return;
    case CMD_ID_keys: fan_out(q, RM_CONCAT); return;
    default: break;
    }
    if (d->first_key > 0) {
        forward_keys(q, d);
        return;
    }
    client_replyf(q->c, "-ERR '%s' is not supported through the proxy\r\n", d->fullname);
}

/* ---- forwarded-only commands (cmd.def FWD: the node has none) ---- */

/* GEORADIUS / GEORADIUSBYMEMBER ... [STORE k] [STOREDIST k]: s, the key's
 * server, if every STORE key lives there too, else -2.  The options start
 * at 5 at the earliest (the unit of GEORADIUSBYMEMBER), as Redis looks
 * for them. */
static int store_server(const struct rq *q, int s)
{
    for (int i = 5; i + 1 < q->argc; i++) {
        if (rq_arg_is(q, i, "store") || rq_arg_is(q, i, "storedist")) {
            uint32_t h;
            i++;
            if (route_key(q->c->wp, ARG(q, i), ARGLEN(q, i), &h) != s) return -2;
        }
    }
    return s;
}

/* XREAD [COUNT n] [BLOCK ms] STREAMS key... id..., XREADGROUP GROUP g c
 * [COUNT n] [BLOCK ms] [NOACK] STREAMS ...: the keys are the first half of
 * what follows STREAMS, found as Redis's own option loop finds it.  With
 * BLOCK it is sent as the blocking list commands are (send_blocking),
 * waiting ms plus the pool timeout (BLOCK 0: for ever).  What Redis would
 * refuse (no STREAMS, an odd count, a bad BLOCK) goes where keyless
 * commands go, for the node's error. */
static void route_streams(struct rq *q, const char *name)
{
    long long ms = -1;
    int at = -1;
    for (int i = 1; i < q->argc; i++) {
        int more = q->argc - i - 1;
        if (rq_arg_is(q, i, "block") && more) {
            if (util_str2ll(ARG(q, i + 1), ARGLEN(q, i + 1), &ms) != 0 || ms < 0) ms = -1;
            i++;
        } else if (rq_arg_is(q, i, "count") && more) {
            i++;
        } else if (rq_arg_is(q, i, "group") && more >= 2) {
            i += 2;
        } else if (rq_arg_is(q, i, "streams") && more) {
            if (more % 2 == 0) at = i + 1;
            break;
        }
    }
    uint32_t h = 0;
    int s = at < 0 ? route_key(q->c->wp, "", 0, &h)
                   : keys_server(q, at, at + (q->argc - at) / 2 - 1, 1, &h);
    if (s == -2) {
        reply_crossslot(q, name);
        return;
    }
    if (at < 0 || ms < 0) {
        forward_to(q, s, h);
        return;
    }
    int64_t pool = (int64_t)q->c->wp->pool->timeout * 1000;
    send_blocking(q, s, h, pool <= 0 || ms == 0 || ms > 1000000000000ll ? 0 : ms * 1000 + pool);
}

/* A command cmd.def lists as FWD: to the server owning its keys (CROSSSLOT
 * when they are spread), arity checked as Redis does it. */
static void route_fwd(struct rq *q, const struct cmd_fwd *f)
{
    if (f->arity > 0 ? q->argc != f->arity : q->argc < -f->arity) {
        client_replyf(q->c, "-ERR wrong number of arguments for '%s' command\r\n", f->name);
        return;
    }
    if (f->route == FWD_STREAMS) {
        route_streams(q, f->name);
        return;
    }
    uint32_t h = 0;
    int s = f->route == FWD_NUMKEYS       ? numkeys_server(q, 1, &h)
          : f->first_key >= q->argc       ? route_key(q->c->wp, "", 0, &h)   /* XGROUP HELP */
                                          : keys_server(q, f->first_key, f->last_key, f->key_step, &h);
    if (s >= 0 && f->route == FWD_STORE) s = store_server(q, s);
    if (s == -2) reply_crossslot(q, f->name);
    else forward_to(q, s, h);
}

/* ---- scripts and functions (not in cmd.def: the node has no Lua) ---- */

/* EVAL script numkeys key... arg..., and EVALSHA, EVAL_RO, EVALSHA_RO,
 * FCALL, FCALL_RO (function name in place of the script): to the server
 * owning all numkeys keys, CROSSSLOT when they are spread.  numkeys 0 has
 * no key to route by: the script goes where every other keyless forwarded
 * command goes, the owner of the empty key (one fixed server per
 * continuum, PROXY ROUTE "" names it).  An invalid numkeys (not an
 * integer, negative, more than the arguments) goes there too, so the
 * client gets the node's own error, in the node's order of checks
 * (EVALSHA of an unknown script answers NOSCRIPT before looking at
 * numkeys, FCALL "Function not found"). */
static void route_script(const struct rq *q, const char *name)
{
    if (q->argc < 3) {
        client_replyf(q->c, "-ERR wrong number of arguments for '%s' command\r\n", name);
        return;
    }
    long long nk;
    uint32_t h = 0;
    int s;
    if (util_str2ll(ARG(q, 2), ARGLEN(q, 2), &nk) != 0 || nk <= 0 || nk > q->argc - 3) {
        s = route_key(q->c->wp, "", 0, &h);
    } else {
        s = keys_server(q, 3, 3 + (int)nk - 1, 1, &h);
        if (s == -2) {
            reply_crossslot(q, name);
            return;
        }
    }
    forward_to(q, s, h);
}

/* SCRIPT and FUNCTION: what changes the script cache or the function
 * libraries goes to every live server, so EVALSHA and FCALL work wherever
 * their keys live: SCRIPT LOAD / FLUSH, FUNCTION LOAD / DELETE / FLUSH /
 * RESTORE answer the servers' common reply (the first error, or an error
 * if they disagree); SCRIPT EXISTS is true for a script only where every
 * server has it.  The rest (KILL, LIST, DUMP, STATS, HELP) would need one
 * server picked or replies combined and is refused. */
static void script_admin(const struct rq *q, const char *name)
{
    if (q->argc < 2) {
        client_replyf(q->c, "-ERR wrong number of arguments for '%s' command\r\n", name);
        return;
    }
    bool script = name[0] == 's';
    if (script && rq_arg_is(q, 1, "exists")) fan_out(q, RM_AND);
    else if (rq_arg_is(q, 1, "load") || rq_arg_is(q, 1, "flush")) fan_out(q, RM_SAME);
    else if (!script && (rq_arg_is(q, 1, "delete") || rq_arg_is(q, 1, "restore"))) fan_out(q, RM_SAME);
    else
        client_replyf(q->c, "-ERR '%s|%.*s' is not supported through the proxy\r\n", name,
                      (int)(ARGLEN(q, 1) > 64 ? 64 : ARGLEN(q, 1)), ARG(q, 1));
}

/* 1 if q is a script or function command (and was handled). */
static int script_cmd(const struct rq *q)
{
    static const char *const routed[] = { "eval", "evalsha", "eval_ro", "evalsha_ro",
                                          "fcall", "fcall_ro" };
    size_t n = ARGLEN(q, 0);
    if (n < 4 || n > 10) return 0;
    for (size_t i = 0; i < sizeof routed / sizeof routed[0]; i++) {
        if (rq_arg_is(q, 0, routed[i])) {
            route_script(q, routed[i]);
            return 1;
        }
    }
    if (rq_arg_is(q, 0, "script")) script_admin(q, "script");
    else if (rq_arg_is(q, 0, "function")) script_admin(q, "function");
    else return 0;
    return 1;
}

static void resp_dispatch(struct rq *q)
{
    struct client *c = q->c;
    const struct cmd_desc *d = cmd_lookup(ARG(q, 0), ARGLEN(q, 0));
    if (!c->authed && !(d && (d->id == CMD_ID_auth || d->id == CMD_ID_quit || d->id == CMD_ID_hello))) {
        rq_err(c, "NOAUTH Authentication required.");
        return;
    }
    if (d == NULL) {
        const struct cmd_fwd *f = cmd_lookup_fwd(ARG(q, 0), ARGLEN(q, 0));
        if (f) route_fwd(q, f);
        else if (rq_arg_is(q, 0, "proxy")) resp_proxy_admin(q);
        else if (!script_cmd(q)) rq_unknown(q);
        return;
    }
    if (!cmd_arity_ok(d, q->argc)) {
        client_replyf(c, "-ERR wrong number of arguments for '%s' command\r\n", d->fullname);
        return;
    }
    const struct cmd_desc *key_desc = d;
    if ((d->flags & CMD_CONTAINER) && d->merge != MERGE_LOCAL && d->merge != MERGE_DENY) {
        const struct cmd_desc *sub = cmd_lookup_sub(d, ARG(q, 1), ARGLEN(q, 1));
        if (sub) key_desc = sub;
    }
    switch (d->merge) {
    case MERGE_LOCAL: resp_local_cmd(q, d); break;
    case MERGE_DENY: deny_or_fan_out(q, d); break;
    case MERGE_ARRAY: case MERGE_SUM: case MERGE_OK: split_keys(q, d); break;
    case MERGE_NONE: default: forward_keys(q, key_desc); break;
    }
}

/* After HELLO or RESET changed the client's protocol, its next request
 * waits until every request sent before the switch is answered: they went
 * over the other protocol's server connections, and a later request on
 * this protocol's connection could otherwise overtake them at the server
 * (SET k over RESP2, HELLO 3, GET k over RESP3).  The client is paused
 * before its next request is parsed (client_flush resumes it when its
 * queue drains).  True when it must wait.  Costs RESP2 clients that
 * never switch one comparison (the caller checks the tail's protocol). */
static bool proto_switch_wait(struct client *c)
{
    for (struct req *r = c->head; r; r = r->next) {
        if (!r->done && r->proto != c->proto) {
            c->paused = true;
            pconn_read_enable(&c->pc, false);
            return true;
        }
    }
    return false;
}

/* One request parsed and dispatched: the bytes consumed (0: not yet). */
static long resp_request_parsed(struct client *c, char *buf, size_t len)
{
    struct resp_parser *p = &c->rp;
    enum parse_result r = resp_parse_request(p, buf, len, &c->w->resp_lim);
    if (r == PARSE_AGAIN) {
        c->need = p->bulk_len >= 0 ? p->pos + (size_t)p->bulk_len + 2 : len + 1;
        return 0;
    }
    if (r != PARSE_OK) {
        char msg[256];
        int n = snprintf(msg, sizeof msg, "-ERR %s\r\n", p->err ? p->err : "Protocol error");
        client_reply(c, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0, true);
        resp_parser_reset(p);
        return (long)len;
    }
    size_t consumed = p->consumed;
    if (p->argc > 0) {
        struct rq q = { c, buf, p->argv, p->argc, buf, consumed, false };
        char *composed = NULL;
        if (p->is_inline) {
            const char **av = mem_alloc(sizeof *av * (size_t)p->argc);
            size_t *al = mem_alloc(sizeof *al * (size_t)p->argc);
            for (int i = 0; i < p->argc; i++) {
                av[i] = buf + p->argv[i].off;
                al[i] = p->argv[i].len;
            }
            size_t need = resp_compose_request(NULL, 0, p->argc, av, al);
            composed = mem_alloc(need);
            resp_compose_request(composed, need, p->argc, av, al);
            q.bytes = composed;
            q.nbytes = need;
            mem_free(av);
            mem_free(al);
        }
        resp_dispatch(&q);
        mem_free(composed);
        if (q.wait) {                   /* parsed again when it may go */
            resp_parser_reset(p);
            return 0;
        }
    }
    resp_parser_reset(p);
    return (long)consumed;
}

long resp_proxy_request(struct client *c, char *buf, size_t len)
{
    if (c->tail && c->tail->proto != c->proto && proto_switch_wait(c)) return 0;
    /* The inline splitter unquotes the line in place, and a request that
     * must wait (q.wait: a blocking command behind requests in flight) is
     * parsed again later from the same bytes: keep the line to put back.
     * Only with requests in flight, the one case where it can wait. */
    char *line = NULL;
    size_t nline = 0;
    if (len && buf[0] != '*' && c->nreqs > 0) {
        const char *nl = memchr(buf, '\n', len);
        if (nl) {
            nline = (size_t)(nl - buf) + 1;
            line = mem_alloc(nline);
            memcpy(line, buf, nline);
        }
    }
    long n = resp_request_parsed(c, buf, len);
    if (n == 0 && line) memcpy(buf, line, nline);
    mem_free(line);
    return n;
}
