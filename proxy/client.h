/* proxy/client: a client connection and its queue of requests.
 *
 * Input is parsed request by request (proxy/mc_proxy or proxy/resp_proxy);
 * each request joins the queue, and replies leave strictly in queue order,
 * whatever order the servers answer in.  Backpressure, in bytes: the
 * client's next request is not forwarded (nor its socket read) while its
 * unsent replies plus those its requests in flight will bring reach
 * CLIENT_OUT_HIGH: output buffer + requests in flight x reply_est, the
 * largest reply it got lately (decaying by 1/8 per reply, CLIENT_REPLY_EST0
 * before its first, so a new client has 16 requests in flight until its
 * replies show their size; replies held back for ordering are among those
 * in flight).  It resumes below half of that.  So a client that never
 * reads holds about 1 MB plus one round of requests in flight (16 x the
 * reply size at first), whatever the value size, and slows only itself;
 * CLIENT_MAX_PENDING caps the count for tiny replies.  No hard cap closes
 * a client (Redis's client-output-buffer-limit is off for normal clients
 * too): the bound holds without one.  Likewise while it waits for a
 * congested server connection (proxy/node), so a slow server costs bounded
 * memory and slows only the clients that feed it.
 *
 * A `tls: true` pool's clients speak TLS (proxy/pconn does it all); a
 * failed handshake or refused certificate closes the connection and counts
 * in the pool's client_tls_errors.
 *
 * Blocking commands (proxy/resp_proxy, proxy/node dedicated connections):
 * `hold` keeps the client's next request unparsed until every earlier one
 * is answered, both before a blocking command (it must not overtake them
 * at the server) and after it (nothing overtakes it), as Redis runs a
 * blocked client's later commands after it unblocks.  A held client is
 * still read (up to CLIENT_HOLD_IN bytes) so a disconnect is seen: the
 * client is closed at once, which closes its dedicated connections and
 * ends the blocked command at the server. */
#ifndef SHOAL_PROXY_CLIENT_H
#define SHOAL_PROXY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/mc_text.h"
#include "compat/resp.h"
#include "proxy/pconn.h"

#define CLIENT_MAX_PENDING 256
#define CLIENT_OUT_HIGH (1u << 20)
#define CLIENT_REPLY_EST0 (64u << 10)
#define CLIENT_HOLD_IN (1u << 20)

struct worker;
struct wpool;
struct req;
struct evbuffer;
struct event;
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
    size_t reply_est;           /* recent largest reply (backpressure) */
    bool hold;                  /* parse nothing until every request is answered */
    struct nconn *bconns;       /* dedicated connections (node.h) */
    char *name;                 /* CLIENT SETNAME, HELLO SETNAME; NULL none */
    struct event *resume_ev;    /* resume after a drain, next turn (client.c) */
};

/* Shutting down: read no more requests, close once the replies to those
 * already read are out (at once when there are none). */
void client_drain(struct client *c);

/* A reply of n bytes arrived for c (proxy/node): the size estimate. */
static inline void client_note_reply(struct client *c, size_t n)
{
    size_t decayed = c->reply_est - (c->reply_est >> 3);
    c->reply_est = n > decayed ? n : decayed;
}

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
/* Parse nothing more until every request of c is answered (pauses c). */
void client_hold(struct client *c);
/* The client's name (n bytes; n 0 clears it). */
void client_set_name(struct client *c, const char *name, size_t n);

#endif
