/* proxy/client: a client connection and its queue of requests.
 *
 * Input is parsed request by request (proxy/mc_proxy or proxy/resp_proxy);
 * each request joins the queue, and replies leave strictly in queue order,
 * whatever order the servers answer in.  Backpressure: past
 * CLIENT_MAX_PENDING requests in flight or CLIENT_OUT_HIGH bytes of unsent
 * replies the client is not read until it drains, so a slow reader costs
 * bounded memory and slows only itself.  Likewise while it waits for a
 * congested server connection (proxy/node), so a slow server costs bounded
 * memory and slows only the clients that feed it.
 *
 * A `tls: true` pool's clients speak TLS (proxy/pconn does it all); a
 * failed handshake or refused certificate closes the connection and counts
 * in the pool's client_tls_errors. */
#ifndef SHOAL_PROXY_CLIENT_H
#define SHOAL_PROXY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/mc_text.h"
#include "compat/resp.h"
#include "proxy/pconn.h"

#define CLIENT_MAX_PENDING 256
#define CLIENT_OUT_HIGH (4u << 20)

struct worker;
struct wpool;
struct req;
struct evbuffer;
struct nconn;

struct client {
    struct worker *w;
    struct wpool *wp;
    struct pconn pc;            /* the socket (proxy/pconn) */
    int proto;                  /* PROTO_MC, PROTO_RESP, or 0 until sniffed */
    struct req *head, *tail;
    int nreqs;
    struct resp_parser rp;
    size_t need;                /* input bytes needed before parsing again */
    size_t swallow;             /* Memcached: input bytes to discard */
    bool closing;               /* stop reading; close once replies are out */
    bool paused;
    bool authed;                /* redis_auth given */
    bool in_read;               /* inside the read loop (no reentry) */
    uint64_t id;
    struct client *prev, *next; /* the worker's list */
    struct nconn *waiting_on;   /* a congested server connection (node.h) */
    struct client *wait_prev, *wait_next;   /* its list of waiting clients */
};

/* A new connection on a listener of wp speaking proto. */
void client_accept(struct worker *w, struct wpool *wp, int fd, int proto);
/* A request of c got its reply: send whatever is ready, in order. */
void client_flush(struct client *c);
/* Queue a reply the proxy makes itself (in order with the others);
 * close_after closes the connection once it is sent (QUIT). */
void client_reply(struct client *c, const char *bytes, size_t n, bool close_after);
void client_replyf(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void client_close(struct client **c);
/* Resume reading a paused client if it is under its limits again. */
void client_try_resume(struct client *c);

#endif
