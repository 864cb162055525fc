/* proxy/node: one worker's connection to one server (a "node connection").
 *
 * Requests are written to it as bytes and their fragments queued in a FIFO;
 * the server answers in order, so each reply found by the boundary parser
 * (compat/resp_reply, compat/mc_reply) belongs to the FIFO's head.  The
 * connection is opened lazily (or at start with preconnect), prefixed with
 * AUTH / SELECT for RESP pools that ask for them and, on a connection for
 * RESP3 clients, HELLO 3 (whose reply is eaten like theirs; a node that
 * refuses HELLO 3 fails the connection's requests without counting toward
 * ejection, since it is up but cannot serve RESP3), and on error, eof or a
 * request older than the pool's timeout it fails every queued fragment with
 * a reason, counts a failure toward ejection and closes; the next request
 * reconnects.
 *
 * TLS (`server_tls: true` pools): the connection is a TLS client of the
 * pool's context (proxy/pconn runs the handshake as soon as the TCP connect
 * completes; the prelude and requests queued meanwhile are encrypted once
 * it is done).  A failed handshake (certificate refused, wrong name, not
 * TLS, timed out) fails the queued requests with its reason, counts in
 * server_tls_errors and toward ejection like any connection failure.  The
 * session of a closed connection is kept per server (wserver) and offered
 * when it reconnects, so a reconnect is one round trip lighter.
 *
 * Backpressure toward clients: a connection whose server is slow to read
 * (NCONN_OUT_HIGH bytes unsent) or slow to answer (NCONN_QUEUE_HIGH
 * requests outstanding) makes each client that queues a request on it
 * wait: the client stops reading its socket (proxy/client) and is resumed,
 * oldest first, once the output has drained to NCONN_OUT_LOW bytes or the
 * queue to NCONN_QUEUE_LOW (or the connection closed).  A client overshoots
 * by at most the one request that found the connection congested, so the
 * proxy holds about NCONN_OUT_HIGH + one request per waiting client for a
 * server that stops reading, whatever the clients send.
 *
 * Dedicated connections (blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH
 * BZPOPMIN BZPOPMAX BLMPOP BZMPOP): a client's blocking command goes over
 * a connection to that server owned by the client (nc->owner), opened on
 * its first blocking command there and closed with the client, so a
 * command the server holds for seconds (or forever: BLPOP 0) delays no
 * other client.  The pool timeout does not apply to it: the command's own
 * timeout plus the pool timeout does (none for timeout 0).  It holds a
 * reference on its wpool (a reload may move the client to a new one; the
 * old connection is dropped once idle).  Counted in the pool's
 * blocking_connections while its socket is open. */
#ifndef SHOAL_PROXY_NODE_H
#define SHOAL_PROXY_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/mc_reply.h"
#include "compat/resp_reply.h"
#include "proxy/coalesce.h"
#include "proxy/pconn.h"

#define NCONN_OUT_HIGH (1u << 20)
#define NCONN_OUT_LOW (256u << 10)
#define NCONN_QUEUE_HIGH 4096
#define NCONN_QUEUE_LOW 1024

struct wserver;
struct frag;
struct client;
struct evbuffer;
struct event;

enum nconn_state { NCONN_DOWN = 0, NCONN_CONNECTING, NCONN_UP };

struct nconn {
    struct wserver *ws;
    int proto;                  /* PROTO_MC, PROTO_RESP or PROTO_RESP3 */
    int slot;
    enum nconn_state state;
    bool open;                  /* pc is in use (connecting or up) */
    struct pconn pc;
    struct frag *head, *tail;   /* outstanding fragments, oldest first */
    uint32_t nout;
    bool parsing;               /* a reply is partly parsed */
    size_t need;                /* bytes needed before parsing again */
    struct resp_reply rr;
    struct mc_reply mr;
    struct event *timer;        /* the pool timeout, armed while requests wait */
    struct client *wait_head, *wait_tail;   /* clients paused until it drains */
    struct coal co;             /* joined get lines (proxy/coalesce) */
    struct client *owner;       /* dedicated to this client (blocking commands) */
    struct nconn *owner_next;   /* the owner's other dedicated connections */
    int64_t block_timeout_us;   /* dedicated: the timeout of its command, 0 none */
};

struct nconn *nconn_create(struct wserver *ws, int proto, int slot);
void nconn_destroy(struct nconn **nc);

/* The output buffer to write a request into, connecting first if needed;
 * NULL (with *why set) when the server cannot be reached now. */
struct evbuffer *nconn_output(struct nconn *nc, const char **why);
/* The same, leaving an open get line open (proxy/coalesce writes to it). */
struct evbuffer *nconn_output_keep(struct nconn *nc, const char **why);
/* The FIFO head got its reply (n bytes, for the stats): pop it. */
struct frag *nconn_pop_reply(struct nconn *nc, size_t n);
/* Queue the fragment whose bytes were just written (req_bytes of them). */
void nconn_enqueue(struct nconn *nc, struct frag *f, size_t req_bytes);

/* Fails every queued fragment with why and closes (also used on reload). */
void nconn_fail(struct nconn *nc, const char *why);

/* A client stops waiting for nc (it is closing). */
void nconn_unwait(struct nconn *nc, struct client *c);

/* Client c's dedicated connection to ws for protocol proto (created on
 * first use; an idle one left from another protocol or an older wpool is
 * dropped then). */
struct nconn *nconn_dedicated(struct client *c, struct wserver *ws, int proto);
/* Close every dedicated connection of c, failing what they carry. */
void nconn_drop_dedicated(struct client *c);
/* After a reload moved c to a new pool: close its idle dedicated
 * connections of the old one, so the retired pool (and its shared server
 * connections) can go. */
void nconn_drop_stale_dedicated(struct client *c);
/* True if a dedicated connection of c has a request outstanding. */
bool nconn_dedicated_busy(const struct client *c);

#endif
