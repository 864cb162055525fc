/* proxy/resp_proxy: the RESP front.  Parses one request (compat/resp),
 * finds its keys and merge policy in the command table (compat/cmd.def),
 * and either answers it (PING ECHO QUIT SELECT 0 AUTH HELLO CLIENT INFO
 * COMMAND TIME RESET, PROXY ROUTE), forwards its original bytes to the one
 * server owning all its keys, splits it per server (MGET, MSET, DEL,
 * UNLINK, EXISTS, TOUCH), fans it out (DBSIZE, FLUSHALL, FLUSHDB, KEYS), or
 * refuses it with an error that says why (keys on different servers,
 * commands a proxy cannot serve). */
#ifndef SHOAL_PROXY_RESP_PROXY_H
#define SHOAL_PROXY_RESP_PROXY_H

#include <stddef.h>

struct client;

/* As mc_proxy_request: bytes used, 0 to wait, -1 to close. */
long resp_proxy_request(struct client *c, char *buf, size_t len);

#endif
