/* proxy/mc_proxy: the Memcached front.  Parses one request of a client
 * (compat/mc_text, compat/mc_meta), answers what the proxy owns (version,
 * verbosity, quit, stats, `route <key>`, mn) and forwards the rest: the
 * original bytes to the key's server, multi-key gets split per server,
 * flush_all to every server.  noreply and meta q requests are followed by
 * "mn\r\n" on the server connection so their (possibly absent) reply has
 * an end the proxy can find; the MN is not passed on. */
#ifndef SHOAL_PROXY_MC_PROXY_H
#define SHOAL_PROXY_MC_PROXY_H

#include <stddef.h>

struct client;

/* Handles the request at buf (len bytes buffered): returns the bytes it
 * used, 0 to wait for more (c->need set), -1 to close the connection. */
long mc_proxy_request(struct client *c, char *buf, size_t len);

#endif
