/* proxy/resp_local: the RESP commands shoal-proxy answers itself (PING
 * ECHO QUIT SELECT 0 AUTH HELLO RESET CLIENT INFO COMMAND TIME, PROXY
 * ROUTE), and what the RESP front's files share: the request being handled
 * (struct rq) and the reply helpers, which follow the client's protocol
 * (RESP2, or RESP3 after HELLO 3). */
#ifndef SHOAL_PROXY_RESP_LOCAL_H
#define SHOAL_PROXY_RESP_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct cmd_desc;
struct resp_span;

/* The request being handled. */
struct rq {
    struct client *c;
    const char *buf;
    const struct resp_span *argv;
    int argc;
    const char *bytes;      /* the request as multibulk bytes */
    size_t nbytes;
    bool wait;              /* not handled: parse it again later */
};

#define ARG(q, i) ((q)->buf + (q)->argv[i].off)
#define ARGLEN(q, i) ((q)->argv[i].len)

/* Is argument i lit (ASCII case-insensitive)? */
int rq_arg_is(const struct rq *q, int i, const char *lit);
bool rq_resp3(const struct client *c);

/* Replies in the client's protocol. */
void rq_null(struct client *c);
void rq_err(struct client *c, const char *msg);
/* A blob of type t ('$', or '=' verbatim with its "fmt:" prefix). */
void rq_blob(struct client *c, char t, const char *fmt, const char *p, size_t n);
void rq_bulk(struct client *c, const char *p, size_t n);
/* Redis's "unknown command" error for q. */
void rq_unknown(const struct rq *q);

/* A command the proxy answers (cmd.def flags it local). */
void resp_local_cmd(const struct rq *q, const struct cmd_desc *d);
/* PROXY ROUTE <key>: [host:port, server name, index]. */
void resp_proxy_admin(const struct rq *q);

#endif
