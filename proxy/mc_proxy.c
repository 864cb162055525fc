/* proxy/mc_proxy: the Memcached front; see mc_proxy.h. */
#include "proxy/mc_proxy.h"

#include <stdlib.h>
#include <string.h>

#include "compat/mc_meta.h"
#include "compat/mc_reply.h"
#include "compat/mc_text.h"
#include "lib/mem.h"
#include "proxy/client.h"
#include "proxy/frag.h"
#include "proxy/pool.h"
#include "proxy/route.h"
#include "proxy/stats.h"
#include "proxy/worker.h"
#include "shoal_config.h"

#define MN_TRAILER "mn\r\n"

static void reply_line(struct client *c, const char *line)
{
    client_replyf(c, "%s\r\n", line);
}

/* A retrieval whose keys one server owns (s, its first key's hash h). */
static void mc_forward_to(struct client *c, const char *bytes, size_t n, int s, uint32_t h)
{
    struct req *r = req_create(c, RM_ONE);
    req_frags_alloc(r, 1);
    r->frags[0].kind = MC_REPLY_RETRIEVAL;
    frag_send(r, 0, s >= 0 ? &c->wp->servers[s] : NULL, h, bytes, n, NULL);
    req_sent(r);
}

/* One request, one server: the original bytes. */
static void mc_forward(struct client *c, const char *bytes, size_t n, const char *key,
                       size_t nkey, int kind, bool mn, bool noreply)
{
    struct req *r = req_create(c, RM_ONE);
    req_frags_alloc(r, 1);
    r->noreply = noreply;
    uint32_t h = 0;
    int s = route_key(c->wp, key, nkey, &h);
    r->frags[0].kind = (uint8_t)(mn ? MC_REPLY_UNTIL_MN : kind);
    r->frags[0].strip_mn = mn;
    frag_send(r, 0, s >= 0 ? &c->wp->servers[s] : NULL, h, bytes, n, mn ? MN_TRAILER : NULL);
    req_sent(r);
}

/* get/gets/gat/gats: verbatim when one server owns every key. */
static void mc_get(struct client *c, const struct mc_request *q, const char *buf)
{
    struct keyref stack_keys[64];
    int n = (int)q->nkeys;
    struct keyref *k = n <= 64 ? stack_keys : mem_alloc(sizeof *k * (size_t)n);
    size_t pos = 0;
    const char *key;
    size_t nkey;
    int got = 0;
    while (got < n && mc_text_key_next(q, &pos, &key, &nkey))
        k[got++] = (struct keyref){ .p = key, .len = (uint32_t)nkey };
    int s = frag_route_keys(c->wp, k, got);
    enum coal_cmd cmd = !coal_enabled ? COAL_NONE : q->cmd == MC_CMD_GET ? COAL_GET
                        : q->cmd == MC_CMD_GETS ? COAL_GETS : COAL_NONE;
    if (s >= 0 && cmd && got == n) {
        struct req *r = req_create(c, RM_ONE);
        frag_mc_get_one(r, cmd, s, k, got);
        req_sent(r);
    } else if (s != -2) {
        mc_forward_to(c, buf, q->consumed, s, got ? k[0].hash : 0);
    } else {
        struct req *r = req_create(c, RM_MC_GET);
        const char *pstart = q->tok[0].p;
        int last = (q->cmd == MC_CMD_GAT || q->cmd == MC_CMD_GATS) ? 1 : 0;
        size_t plen = (size_t)(q->tok[last].p + q->tok[last].len - pstart);
        frag_mc_get(r, cmd, pstart, plen, q->keys, q->keys_len, k, got);
        req_sent(r);
    }
    if (k != stack_keys) mem_free(k);
}

static void mc_flush_all(struct client *c, const struct mc_request *q, const char *buf)
{
    struct req *r = req_create(c, RM_MC_ALL_OK);
    r->noreply = q->noreply;
    frag_all(r, buf, q->consumed, q->noreply ? MN_TRAILER : NULL,
             q->noreply ? MC_REPLY_UNTIL_MN : MC_REPLY_LINE);
    req_sent(r);
}

static void mc_stats(struct client *c, const struct mc_request *q)
{
    if (q->ntok > 1) {
        client_replyf(c, "SERVER_ERROR stats %.*s is not served by the proxy\r\n",
                      (int)q->tok[1].len, q->tok[1].p);
        return;
    }
    size_t n;
    char *text = stats_mc_text(c->w->conf, &n);
    client_reply(c, text, n, false);
    free(text);
}

/* `route <key>`: which server owns the key (for operators). */
static long mc_route(struct client *c, const char *buf, size_t len)
{
    const char *nl = memchr(buf, '\n', len);
    if (nl == NULL) {
        c->need = len + 1;
        return len > 4096 ? -1 : 0;
    }
    size_t consumed = (size_t)(nl - buf) + 1;
    size_t end = consumed - 1;
    if (end > 0 && buf[end - 1] == '\r') end--;
    const char *key = buf + 6;
    size_t nkey = end - 6;
    while (nkey && key[nkey - 1] == ' ') nkey--;
    while (nkey && *key == ' ') { key++; nkey--; }
    if (nkey == 0 || memchr(key, ' ', nkey)) {
        reply_line(c, "CLIENT_ERROR usage: route <key>");
        return (long)consumed;
    }
    int s = route_key(c->wp, key, nkey, NULL);
    if (s < 0) {
        reply_line(c, "SERVER_ERROR no server available");
        return (long)consumed;
    }
    const struct pool_server *ps = &c->wp->pool->servers[s];
    client_replyf(c, "ROUTE %.*s %s %s\r\n", (int)nkey, key, ps->addr, ps->name);
    return (long)consumed;
}

static long mc_meta(struct client *c, char *buf, size_t len)
{
    struct mc_meta_request m;
    enum parse_result r = mc_meta_parse(buf, len, &c->w->mc_lim, &m);
    if (r == PARSE_AGAIN) {
        c->need = m.need ? m.need : len + 1;
        return 0;
    }
    if (r != PARSE_OK) {
        reply_line(c, m.err);
        c->swallow = m.swallow;
        return (long)m.consumed;
    }
    if (m.cmd == MC_META_MN) {
        client_reply(c, "MN\r\n", 4, false);
        return (long)m.consumed;
    }
    mc_forward(c, buf, m.consumed, m.key, m.nkey, MC_REPLY_META, m.quiet, false);
    return (long)m.consumed;
}

static void mc_dispatch(struct client *c, const struct mc_request *q, const char *buf)
{
    switch (q->cmd) {
    case MC_CMD_GET: case MC_CMD_GETS: case MC_CMD_GAT: case MC_CMD_GATS:
        mc_get(c, q, buf);
        break;
    case MC_CMD_SET: case MC_CMD_ADD: case MC_CMD_REPLACE: case MC_CMD_APPEND:
    case MC_CMD_PREPEND: case MC_CMD_CAS: case MC_CMD_TOUCH: case MC_CMD_DELETE:
    case MC_CMD_INCR: case MC_CMD_DECR:
        mc_forward(c, buf, q->consumed, q->key, q->nkey, MC_REPLY_LINE, q->noreply, q->noreply);
        break;
    case MC_CMD_FLUSH_ALL:
        mc_flush_all(c, q, buf);
        break;
    case MC_CMD_VERSION:
        reply_line(c, "VERSION " PACKAGE_VERSION);
        break;
    case MC_CMD_VERBOSITY:
        if (!q->noreply) reply_line(c, "OK");
        break;
    case MC_CMD_QUIT:
        client_reply(c, "", 0, true);
        break;
    case MC_CMD_STATS:
        mc_stats(c, q);
        break;
    case MC_CMD_SHUTDOWN:
        reply_line(c, MC_R_SHUTDOWN_DISABLED);
        break;
    default:
        reply_line(c, "SERVER_ERROR not served by the proxy");
        break;
    }
}

long mc_proxy_request(struct client *c, char *buf, size_t len)
{
    if (len >= 6 && memcmp(buf, "route ", 6) == 0) return mc_route(c, buf, len);
    struct mc_request q;
    enum parse_result r = mc_text_parse(buf, len, &c->w->mc_lim, &q);
    switch (r) {
    case PARSE_AGAIN:
        c->need = q.need ? q.need : len + 1;
        return 0;
    case PARSE_EINVALID:
    case PARSE_ETOOBIG:
        if (q.close) return -1;
        if (!q.noreply) reply_line(c, q.err);
        c->swallow = q.swallow;
        return (long)q.consumed;
    case PARSE_OK:
        break;
    }
    if (q.cmd == MC_CMD_META) return mc_meta(c, buf, len);
    mc_dispatch(c, &q, buf);
    return (long)q.consumed;
}
