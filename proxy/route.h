/* proxy/route: which server of a pool owns a key, and which of the worker's
 * connections to it carries the request.  The one place that knows about
 * hash_tag, the hash function and the distribution, so swapping the
 * placement scheme touches nothing else. */
#ifndef SHOAL_PROXY_ROUTE_H
#define SHOAL_PROXY_ROUTE_H

#include <stddef.h>
#include <stdint.h>

struct wpool;
struct wserver;
struct nconn;

/* Server index for a key (hash tag applied first), or -1 when no server is
 * live.  *hash receives the key hash (to pick a connection). */
int route_key(struct wpool *wp, const char *key, size_t len, uint32_t *hash);

/* The connection of server ws that carries requests for key hash h, for the
 * given protocol (PROTO_MC, PROTO_RESP or PROTO_RESP3).  Keys with the same hash always
 * use the same connection, so server_connections > 1 keeps each key's
 * requests in order. */
struct nconn *route_conn(struct wserver *ws, int proto, uint32_t h);

#endif
