/* proxy/resp_proxy: the RESP front.  Parses one request (compat/resp),
 * finds its keys and merge policy in the command table (compat/cmd.def),
 * and either answers it (PING ECHO QUIT SELECT 0 AUTH HELLO CLIENT INFO
 * COMMAND TIME RESET, PROXY ROUTE), forwards its original bytes to the one
 * server owning all its keys, splits it per server (MGET, MSET, DEL,
 * UNLINK, EXISTS, TOUCH), fans it out (DBSIZE, FLUSHALL, FLUSHDB, KEYS), or
 * refuses it with an error that says why (keys on different servers,
 * commands a proxy cannot serve)  SORT ... STORE dest needs dest on key's server.
 *
 * Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX
 * BLMPOP BZMPOP) go over the client's own connection to the server
 * (proxy/node nconn_dedicated), after the client's earlier requests are
 * answered and before its later ones are parsed (proxy/client hold).
 *
 * Scripts are not in cmd.def (the node has no Lua): EVAL EVALSHA EVAL_RO
 * EVALSHA_RO FCALL FCALL_RO are routed here by their numkeys keys (numkeys
 * 0 or invalid: the owner of the empty key, whose own error the client
 * gets for a bad numkeys); SCRIPT LOAD/FLUSH/EXISTS and FUNCTION
 * LOAD/DELETE/FLUSH/RESTORE go to every server (RM_SAME, RM_AND).
 *
 * RESP3: HELLO 3 makes the client PROTO_RESP3; its requests then use the
 * servers' RESP3 connections (proxy/route, proxy/node) and replies pass
 * through unchanged; the proxy's own replies follow c->proto.  The request
 * after a protocol switch waits for those sent before it (they went over
 * the other connections and could be overtaken).
 *
 * SCAN walks the servers one after the other, in the pool's order.  The
 * cursor a client sees carries both the server index and that server's own
 * cursor: client cursor = node cursor * nservers + server index.  Cursor 0
 * starts at server 0; when a server answers cursor 0 the next one is
 * server index + 1 (cursor index + 1, node cursor 0); after the last
 * server the client gets 0.  MATCH, COUNT and TYPE go to each server as
 * given.  Ejected servers are skipped (their keys live elsewhere then); a
 * failed server answers the error and the same cursor can be retried.
 * Cursors are only meaningful for the pool's server list they came from
 * (a reload that changes it restarts nothing: old cursors are garbage). */
#ifndef SHOAL_PROXY_RESP_PROXY_H
#define SHOAL_PROXY_RESP_PROXY_H

#include <stddef.h>

struct client;

/* As mc_proxy_request: bytes used, 0 to wait, -1 to close. */
long resp_proxy_request(struct client *c, char *buf, size_t len);

/* The client cursor for node cursor ncur of server idx out of n (the next
 * server's start when ncur is 0, 0 after the last); -1 if it would not fit
 * in 64 bits. */
int resp_scan_cursor(unsigned long long ncur, int idx, int n, unsigned long long *out);

#endif
