/* proxy/pconn: the socket under a client or server connection: an input
 * and an output evbuffer over a non-blocking fd, on the worker's loop.
 *
 * Shaped for the proxy's two costs, syscalls and wake-ups: reads go
 * straight into reserved evbuffer space (no FIONREAD ioctl before each
 * read, as bufferevent does), and writes are not made as bytes are queued
 * but once per event-loop turn for every connection that got output in it
 * (the worker's flush list, pconn_flush_all), so the requests that many
 * clients sent in one turn reach a server in one writev and the replies a
 * server sent in one read reach each client in one writev.  The list is
 * written in the order connections got output: the client whose reply was
 * queued first (whose request is the oldest) is written first, and a
 * server's requests leave as early in the flush as the first of them was
 * queued.  (Written newest first, as a stack, the first-served client
 * waited for every other writev of the turn: p99 at -P 1 was 1.12 ms
 * against 0.90 in order, 8 alternating runs.)  EV_WRITE is
 * registered only while the kernel refuses bytes (or a connect is in
 * progress), so a connection that keeps up costs no epoll_ctl per reply.
 *
 * TLS (client connections of a `tls: true` pool, pconn_tls_accept, and
 * node connections of a `server_tls: true` pool, pconn_tls_connect): the
 * read and write paths branch once on pc->ssl, so plain text runs exactly
 * the code it ran before.  OpenSSL reads the socket itself (read-ahead:
 * one read() per up to ~16 KB of records) and decrypts into the reserved
 * input space; it writes its records into an evbuffer (tls_out, through a
 * BIO that never blocks), which the per-turn flush sends with one writev,
 * as it does plain text.  So OpenSSL never waits on the socket for a write
 * (no WANT_WRITE to replay, a handshake needs only the read event), and
 * replies are encrypted only while tls_out is empty (at most 64 KB ahead of
 * the kernel), so unsent replies stay in `out` where backpressure counts
 * them.  Decrypted bytes OpenSSL still holds wake no epoll: the read
 * callback re-activates itself when it stops with some left.
 * As a client, the proxy speaks first: the ClientHello is written as soon
 * as the TCP connect completes (in the write callback that sees it), the
 * rest of the handshake runs on read events, and requests queued meanwhile
 * wait in `out` until it is done.  A handshake has a deadline (the
 * context's, lib/tls tls_ctx_handshake_ms): a peer that never finishes is
 * a PCONN_TLS_ERROR ("handshake timed out"), so a silent client holds no
 * connection and OpenSSL state forever. */
#ifndef SHOAL_PROXY_PCONN_H
#define SHOAL_PROXY_PCONN_H

#include <event2/buffer.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct event;
struct worker;
struct ssl_st;
struct ssl_ctx_st;
struct ssl_session_st;

/* PCONN_TLS_ERROR: the handshake failed (a certificate refused, not TLS at
 * all, closed half-way, timed out) or a TLS error later; logged at verbose
 * level by pconn, err is 0, pconn_tls_error says why. */
enum pconn_event { PCONN_CONNECTED = 1, PCONN_EOF, PCONN_ERROR, PCONN_TLS_ERROR };

struct pconn_ops {
    void (*on_read)(void *arg);             /* new input */
    void (*on_drain)(void *arg);            /* output written down to low */
    void (*on_event)(void *arg, enum pconn_event what, int err);
};

struct pconn {
    int fd;
    struct worker *w;
    struct event *rev, *wev;
    struct evbuffer *in, *out;
    const struct pconn_ops *ops;
    void *arg;
    size_t low;             /* on_drain when the output is at most this */
    bool reading;           /* rev is added */
    bool writing;           /* wev is added */
    bool connecting;
    bool listed;            /* on the worker's flush list */
    struct pconn *fprev, *fnext;
    /* TLS (NULL/false for plain text) */
    struct ssl_st *ssl;
    struct evbuffer *tls_out;   /* records written by OpenSSL, not yet sent */
    bool tls_ready;             /* handshake done */
    bool tls_failed;            /* fatal TLS error: no close_notify */
    uint8_t tls_end;            /* an end seen after data, reported next turn */
    int tls_err;
    struct event *tls_timer;    /* the handshake's deadline, until it is done */
    char *tls_why;              /* why the session failed (PCONN_TLS_ERROR) */
};

/* An accepted socket (fd) or a connect to sa (fd < 0 then, see
 * pconn_connect).  Reading starts enabled. */
void pconn_init(struct pconn *pc, struct worker *w, int fd, const struct pconn_ops *ops,
                void *arg, size_t low);
/* Non-blocking connect; 0 when started (on_event CONNECTED follows), else
 * -1 with errno.  Output queued meanwhile is written once connected. */
int pconn_connect(struct pconn *pc, const struct sockaddr *sa, socklen_t len);
/* Closes the fd and frees the buffers (pc itself belongs to the caller). */
void pconn_deinit(struct pconn *pc);

/* Make an accepted connection (after pconn_init) a TLS server: the
 * handshake runs on its read events.  0, or -1 when OpenSSL fails. */
int pconn_tls_accept(struct pconn *pc, struct ssl_ctx_st *ctx);
/* Make a connection started by pconn_connect a TLS client of ctx: the
 * handshake starts when the connect completes.  server_name (NULL: none)
 * is verified against the certificate (as an IP address if verify_ip, else
 * as a host name, also sent as SNI) when ctx verifies.  0, or -1 when
 * OpenSSL fails. */
int pconn_tls_connect(struct pconn *pc, struct ssl_ctx_st *ctx, const char *server_name,
                      bool verify_ip);
/* Offer session (NULL: none) for resumption; before the connect completes. */
void pconn_tls_resume(struct pconn *pc, struct ssl_session_st *session);
/* After a TLS client session that went well: replace *slot with its session
 * (a reference) if the server made it resumable; else leave *slot. */
void pconn_tls_keep_session(struct pconn *pc, struct ssl_session_st **slot);
void pconn_tls_session_free(struct ssl_session_st **slot);
/* Why the TLS session failed, for replies ("TLS handshake: certificate
 * verify failed (...)"); valid until pconn_deinit. */
const char *pconn_tls_error(const struct pconn *pc);

/* Bytes queued and not yet taken by the kernel (TLS records included). */
static inline size_t pconn_unsent(const struct pconn *pc)
{
    return evbuffer_get_length(pc->out) + (pc->tls_out ? evbuffer_get_length(pc->tls_out) : 0);
}

void pconn_read_enable(struct pconn *pc, bool on);
/* Output was queued: write it at the end of this loop turn, after the
 * connections marked before it in the turn. */
void pconn_mark(struct pconn *pc);
/* Write every marked connection's output (called by the worker after each
 * loop turn). */
void pconn_flush_all(struct worker *w);

#endif
