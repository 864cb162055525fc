/* proxy/route: key -> server -> connection; see route.h. */
#include "proxy/route.h"

#include "compat/hashkit.h"
#include "compat/ketama.h"
#include "lib/clock.h"
#include "proxy/node.h"
#include "proxy/pool.h"

int route_key(struct wpool *wp, const char *key, size_t len, uint32_t *hash)
{
    const struct pool *p = wp->pool;
    if (wp->next_retry && clock_mono_us() >= wp->next_retry)
        wpool_check_retry(wp, clock_mono_us());
    uint32_t h = hashkit_key_hash((enum hash_type)p->hash,
                                  p->hash_tag[0] ? p->hash_tag : NULL, key, len);
    if (hash) *hash = h;
    if (wp->dist == NULL) return -1;
    return dist_route(wp->dist, h);
}

struct nconn *route_conn(struct wserver *ws, int proto, uint32_t h)
{
    int n = ws->wp->pool->server_connections;
    int slot = proto == PROTO_MC ? WS_MC : proto == PROTO_RESP3 ? WS_RESP3 : WS_RESP;
    int i = n > 1 ? (int)(h % (uint32_t)n) : 0;
    struct nconn **conns = ws->conns[slot];
    if (conns[i] == NULL) conns[i] = nconn_create(ws, proto, i);
    return conns[i];
}
