/* proxy/pconn: sockets with deferred, coalesced writes, plain or TLS; see
 * pconn.h.  The TLS half is at the end of the file. */
#include "proxy/pconn.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/mem.h"
#include "lib/tls.h"
#include "proxy/worker.h"

#define PCONN_READ (16u << 10)     /* bytes asked for per read */
#define PCONN_READS 4              /* reads per readiness event at most */
#define PCONN_TLS_CHUNK (16u << 10)     /* plaintext per SSL_write: one record */
#define PCONN_TLS_AHEAD (64u << 10)     /* plaintext encrypted ahead of the kernel */

static void pconn_read_cb(evutil_socket_t fd, short what, void *arg);
static void pconn_write_cb(evutil_socket_t fd, short what, void *arg);
static void pconn_tls_read(struct pconn *pc);
static int pconn_tls_write(struct pconn *pc);
static void pconn_tls_free(struct pconn *pc);
static int pconn_tls_handshake(struct pconn *pc);

static void pconn_events(struct pconn *pc)
{
    struct event_base *base = pc->w->base;
    pc->rev = event_new(base, pc->fd, EV_READ | EV_PERSIST, pconn_read_cb, pc);
    pc->wev = event_new(base, pc->fd, EV_WRITE | EV_PERSIST, pconn_write_cb, pc);
}

void pconn_init(struct pconn *pc, struct worker *w, int fd, const struct pconn_ops *ops,
                void *arg, size_t low)
{
    *pc = (struct pconn){ .fd = fd, .w = w, .ops = ops, .arg = arg, .low = low };
    pc->in = evbuffer_new();
    pc->out = evbuffer_new();
    if (fd >= 0) {
        pconn_events(pc);
        pconn_read_enable(pc, true);
    }
}

static void pconn_set_writing(struct pconn *pc, bool on)
{
    if (on == pc->writing) return;
    pc->writing = on;
    if (on) event_add(pc->wev, NULL);
    else event_del(pc->wev);
}

int pconn_connect(struct pconn *pc, const struct sockaddr *sa, socklen_t len)
{
    pc->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (pc->fd < 0) return -1;
    if (connect(pc->fd, sa, len) < 0 && errno != EINPROGRESS) {
        int err = errno;
        close(pc->fd);
        pc->fd = -1;
        errno = err;
        return -1;
    }
    pconn_events(pc);
    pconn_read_enable(pc, true);
    pc->connecting = true;
    pconn_set_writing(pc, true);    /* writable: the connect finished */
    return 0;
}

static void pconn_unlist(struct pconn *pc)
{
    if (!pc->listed) return;
    if (pc->fprev) pc->fprev->fnext = pc->fnext;
    else pc->w->flush_head = pc->fnext;
    if (pc->fnext) pc->fnext->fprev = pc->fprev;
    else pc->w->flush_tail = pc->fprev;
    pc->fprev = pc->fnext = NULL;
    pc->listed = false;
}

void pconn_deinit(struct pconn *pc)
{
    pconn_unlist(pc);
    if (pc->rev) event_free(pc->rev);
    if (pc->wev) event_free(pc->wev);
    pc->rev = pc->wev = NULL;
    if (pc->ssl) pconn_tls_free(pc);
    if (pc->fd >= 0) close(pc->fd);
    pc->fd = -1;
    if (pc->in) evbuffer_free(pc->in);
    if (pc->out) evbuffer_free(pc->out);
    pc->in = pc->out = NULL;
    pc->reading = pc->writing = pc->connecting = false;
}

void pconn_read_enable(struct pconn *pc, bool on)
{
    if (on == pc->reading || pc->rev == NULL) return;
    pc->reading = on;
    if (on) event_add(pc->rev, NULL);
    else event_del(pc->rev);
    /* TLS: input OpenSSL decrypted (or an end seen) while paused */
    if (on && pc->ssl && (pc->tls_end || SSL_has_pending(pc->ssl)))
        event_active(pc->rev, EV_READ, 1);
}

void pconn_mark(struct pconn *pc)
{
    if (pc->listed) return;
    pc->listed = true;
    pc->fnext = NULL;
    pc->fprev = pc->w->flush_tail;
    if (pc->fprev) pc->fprev->fnext = pc;
    else pc->w->flush_head = pc;
    pc->w->flush_tail = pc;
}

/* Write what the kernel takes; 0, or -1 when on_event/on_drain ran (pc
 * may be gone then). */
static int pconn_write(struct pconn *pc)
{
    if (pc->ssl) return pconn_tls_write(pc);
    size_t len = evbuffer_get_length(pc->out);
    if (len && evbuffer_write(pc->out, pc->fd) < 0 && errno != EAGAIN && errno != EINTR) {
        int err = errno;
        pconn_set_writing(pc, false);
        pc->ops->on_event(pc->arg, PCONN_ERROR, err);
        return -1;
    }
    size_t left = evbuffer_get_length(pc->out);
    pconn_set_writing(pc, left > 0);
    if (len && left <= pc->low && pc->ops->on_drain) {
        pc->ops->on_drain(pc->arg);
        return -1;
    }
    return 0;
}

void pconn_flush_all(struct worker *w)
{
    while (w->flush_head) {
        struct pconn *pc = w->flush_head;
        pconn_unlist(pc);
        if (!pc->connecting && pc->fd >= 0) pconn_write(pc);
    }
}

static void pconn_write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct pconn *pc = arg;
    if (pc->connecting) {
        int err = 0;
        socklen_t l = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0) err = errno;
        if (err == EINPROGRESS) return;
        pc->connecting = false;
        if (err) {
            pconn_set_writing(pc, false);
            pc->ops->on_event(pc->arg, PCONN_ERROR, err);
            return;
        }
        pc->ops->on_event(pc->arg, PCONN_CONNECTED, 0);
        /* a TLS client speaks first: the ClientHello goes out now */
        if (pc->ssl && pconn_tls_handshake(pc) < 0) return;
    }
    pconn_write(pc);
}

static void pconn_read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct pconn *pc = arg;
    if (pc->ssl) {
        pconn_tls_read(pc);
        return;
    }
    bool got = false, eof = false;
    int err = 0;
    for (int i = 0; i < PCONN_READS; i++) {
        struct evbuffer_iovec v[2];
        int nv = evbuffer_reserve_space(pc->in, PCONN_READ, v, 2);
        if (nv <= 0) break;
        struct iovec io[2];
        size_t room = 0;
        for (int j = 0; j < nv; j++) {
            io[j].iov_base = v[j].iov_base;
            io[j].iov_len = v[j].iov_len;
            room += v[j].iov_len;
        }
        ssize_t n = readv(fd, io, nv);
        if (n <= 0) {
            if (n == 0) eof = true;
            else if (errno != EAGAIN && errno != EINTR) err = errno;
            break;
        }
        size_t left = (size_t)n;
        int used = 0;
        for (; used < nv && left; used++) {
            if (v[used].iov_len > left) v[used].iov_len = left;
            left -= v[used].iov_len;
        }
        evbuffer_commit_space(pc->in, v, used);
        got = true;
        if ((size_t)n < room) break;
    }
    /* Data first: a closed connection is seen on the next turn, when a
     * read finds nothing more. */
    if (got) pc->ops->on_read(pc->arg);
    else if (eof) pc->ops->on_event(pc->arg, PCONN_EOF, 0);
    else if (err) pc->ops->on_event(pc->arg, PCONN_ERROR, err);
}

/* ---- TLS ------------------------------------------------------------------ */

/* The write BIO: OpenSSL's records are appended to pc->tls_out, always
 * whole, so SSL_accept/SSL_write never wait on the socket. */
static BIO_METHOD *pconn_bio_method;
static pthread_once_t pconn_bio_once = PTHREAD_ONCE_INIT;

static int pconn_bio_write(BIO *b, const char *data, int len)
{
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    return evbuffer_add(BIO_get_data(b), data, (size_t)len) == 0 ? len : -1;
}

static long pconn_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int pconn_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void pconn_bio_setup(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pconn evbuffer");
    if (m && BIO_meth_set_write(m, pconn_bio_write) && BIO_meth_set_ctrl(m, pconn_bio_ctrl) &&
        BIO_meth_set_create(m, pconn_bio_create))
        pconn_bio_method = m;
    else if (m)
        BIO_meth_free(m);
}

static void pconn_tls_timer_cb(evutil_socket_t fd, short what, void *arg);

/* The session of either side: the socket read BIO, the evbuffer write
 * BIO, and the handshake's deadline armed. */
static SSL *pconn_tls_new(struct pconn *pc, SSL_CTX *ctx)
{
    pthread_once(&pconn_bio_once, pconn_bio_setup);
    SSL *ssl = pconn_bio_method ? SSL_new(ctx) : NULL;
    BIO *rb = ssl ? BIO_new_socket(pc->fd, BIO_NOCLOSE) : NULL;
    BIO *wb = rb ? BIO_new(pconn_bio_method) : NULL;
    if (wb == NULL) {
        BIO_free(rb);
        SSL_free(ssl);
        ERR_clear_error();
        return NULL;
    }
    pc->tls_out = evbuffer_new();
    BIO_set_data(wb, pc->tls_out);
    SSL_set_bio(ssl, rb, wb);
    SSL_set_read_ahead(ssl, 1);
    /* Requests and replies delimit themselves: a peer that closes without
     * close_notify (most clients, a node that exits) is an end of file,
     * not an attack. */
    SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
    pc->ssl = ssl;
    int ms = tls_ctx_handshake_ms(ctx);
    if (ms > 0) {
        pc->tls_timer = evtimer_new(pc->w->base, pconn_tls_timer_cb, pc);
        struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
        evtimer_add(pc->tls_timer, &tv);
    }
    return ssl;
}

int pconn_tls_accept(struct pconn *pc, struct ssl_ctx_st *ctx)
{
    SSL *ssl = pconn_tls_new(pc, ctx);
    if (ssl == NULL) return -1;
    SSL_set_accept_state(ssl);
    return 0;
}

int pconn_tls_connect(struct pconn *pc, struct ssl_ctx_st *ctx, const char *server_name,
                      bool verify_ip)
{
    SSL *ssl = pconn_tls_new(pc, ctx);
    if (ssl == NULL) return -1;
    SSL_set_connect_state(ssl);
    int ok = 1;
    if (server_name && verify_ip)
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name);
    else if (server_name)
        ok = SSL_set_tlsext_host_name(ssl, server_name) && SSL_set1_host(ssl, server_name);
    if (!ok) {
        ERR_clear_error();
        pconn_tls_free(pc);
        return -1;
    }
    return 0;
}

void pconn_tls_resume(struct pconn *pc, struct ssl_session_st *session)
{
    if (pc->ssl && session && SSL_set_session(pc->ssl, session) != 1) ERR_clear_error();
}

void pconn_tls_keep_session(struct pconn *pc, struct ssl_session_st **slot)
{
    if (pc->ssl == NULL || !pc->tls_ready || pc->tls_failed) return;
    SSL_SESSION *s = SSL_get1_session(pc->ssl);
    if (s == NULL) return;
    if (!SSL_SESSION_is_resumable(s)) {
        SSL_SESSION_free(s);
        return;
    }
    SSL_SESSION_free(*slot);
    *slot = s;
}

void pconn_tls_session_free(struct ssl_session_st **slot)
{
    SSL_SESSION_free(*slot);
    *slot = NULL;
}

const char *pconn_tls_error(const struct pconn *pc)
{
    return pc->tls_why ? pc->tls_why : "TLS error";
}

/* The peer, "host:port", for log lines. */
static void pconn_peer(int fd, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
        snprintf(buf, len, "(disconnected)");
    else if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port, sizeof port,
                         NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(buf, len, "(local socket)");
    else
        snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* Keep why the session failed for pconn_tls_error: "TLS <when>: <reason>
 * (<certificate's reason>)". */
static void pconn_tls_why(struct pconn *pc, const char *when, const char *reason, long vr)
{
    char buf[256];
    snprintf(buf, sizeof buf, "TLS %s: %s%s%s%s", when, reason, vr != X509_V_OK ? " (" : "",
             vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "", vr != X509_V_OK ? ")" : "");
    mem_free(pc->tls_why);
    pc->tls_why = mem_strdup(buf);
}

/* Log a fatal TLS error at verbose level (OpenSSL's reason, and the
 * certificate's when one was refused), keep it for pconn_tls_error and
 * clear OpenSSL's queue.  ssl_err is SSL_get_error's; errno is read for
 * SSL_ERROR_SYSCALL. */
static void pconn_tls_log(struct pconn *pc, const char *when, int ssl_err)
{
    char why[256] = "", peer[128];
    const char *reason = NULL;
    const char *side = SSL_is_server(pc->ssl) ? "client" : "server";
    unsigned long e = ERR_peek_last_error();
    if (ssl_err == SSL_ERROR_SYSCALL && errno) {
        snprintf(why, sizeof why, "%s", strerror(errno));
    } else if (ssl_err == SSL_ERROR_SYSCALL || ssl_err == SSL_ERROR_ZERO_RETURN) {
        snprintf(why, sizeof why, "connection closed by the %s", side);
    } else if (e) {
        ERR_error_string_n(e, why, sizeof why);
        reason = ERR_reason_error_string(e);
    } else {
        snprintf(why, sizeof why, "TLS error %d", ssl_err);
    }
    ERR_clear_error();
    /* (without SSL_VERIFY_PEER the result is computed but ignored) */
    long vr = SSL_get_verify_mode(pc->ssl) & SSL_VERIFY_PEER ? SSL_get_verify_result(pc->ssl)
                                                             : X509_V_OK;
    pconn_peer(pc->fd, peer, sizeof peer);
    log_verb("TLS %s with %s %s failed: %s%s%s", when, side, peer, why,
             vr != X509_V_OK ? "; certificate: " : "",
             vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "");
    pconn_tls_why(pc, when, reason ? reason : why, vr);
    pc->tls_failed = true;
}

/* The handshake's deadline passed. */
static void pconn_tls_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pconn *pc = arg;
    if (pc->tls_ready) return;
    char peer[128];
    const char *side = SSL_is_server(pc->ssl) ? "client" : "server";
    pconn_peer(pc->fd, peer, sizeof peer);
    log_verb("TLS handshake with %s %s failed: handshake timed out", side, peer);
    pconn_tls_why(pc, "handshake", "handshake timed out", X509_V_OK);
    pc->tls_failed = true;
    pconn_set_writing(pc, false);
    pc->ops->on_event(pc->arg, PCONN_TLS_ERROR, 0);
}

/* The handshake is done: the deadline goes, requests queued meanwhile are
 * written at the end of the turn. */
static void pconn_tls_done(struct pconn *pc)
{
    pc->tls_ready = true;
    if (pc->tls_timer) {
        event_free(pc->tls_timer);
        pc->tls_timer = NULL;
    }
    if (evbuffer_get_length(pc->out)) pconn_mark(pc);
    if (!SSL_is_server(pc->ssl) && log_get_level() >= LOG_LEVEL_VERB) {
        char peer[128];
        pconn_peer(pc->fd, peer, sizeof peer);
        log_verb("TLS session with server %s: %s, %s%s", peer, SSL_get_version(pc->ssl),
                 SSL_get_cipher_name(pc->ssl), SSL_session_reused(pc->ssl) ? ", resumed" : "");
    }
}

/* Advance the handshake: 1 done, 0 waiting for the peer, -1 reported
 * (on_event ran; pc may be gone). */
static int pconn_tls_handshake(struct pconn *pc)
{
    ERR_clear_error();
    int r = SSL_do_handshake(pc->ssl);
    if (evbuffer_get_length(pc->tls_out)) pconn_mark(pc);
    if (r == 1) {
        pconn_tls_done(pc);
        return 1;
    }
    int e = SSL_get_error(pc->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    if ((e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) && SSL_is_server(pc->ssl) &&
        BIO_number_read(SSL_get_rbio(pc->ssl)) == 0) {
        /* connected and closed without a byte (a port check): an EOF */
        ERR_clear_error();
        pc->tls_failed = true;
        pc->ops->on_event(pc->arg, e == SSL_ERROR_SYSCALL && errno ? PCONN_ERROR : PCONN_EOF,
                          errno);
        return -1;
    }
    pconn_tls_log(pc, "handshake", e);
    pc->ops->on_event(pc->arg, PCONN_TLS_ERROR, 0);
    return -1;
}

/* After SSL_read returned r <= 0: 0 to wait for more, else the end to
 * report (PCONN_EOF, PCONN_ERROR with *err, or PCONN_TLS_ERROR). */
static int pconn_tls_end(struct pconn *pc, int r, int *err)
{
    int e = SSL_get_error(pc->ssl, r);
    switch (e) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        return PCONN_EOF;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        pc->tls_failed = true;
        *err = errno ? errno : ECONNRESET;
        return PCONN_ERROR;
    default:
        pconn_tls_log(pc, "read", e);
        return PCONN_TLS_ERROR;
    }
}

/* The read event of a TLS connection: the handshake, then records
 * decrypted straight into the reserved input space, PCONN_READS * PCONN_READ
 * bytes at most per turn, as plain text reads. */
static void pconn_tls_read(struct pconn *pc)
{
    if (!pc->reading || pc->connecting) return;   /* re-activated, then paused; or the
                                                   * write event reports the connect */
    if (pc->tls_end) {
        int end = pc->tls_end;
        pc->tls_end = 0;
        pc->ops->on_event(pc->arg, (enum pconn_event)end, pc->tls_err);
        return;
    }
    if (!pc->tls_ready && pconn_tls_handshake(pc) != 1) return;
    size_t budget = (size_t)PCONN_READ * PCONN_READS;
    int end = 0, err = 0;
    bool got = false;
    while (budget > 0) {
        struct evbuffer_iovec v;
        if (evbuffer_reserve_space(pc->in, PCONN_READ, &v, 1) != 1) break;
        ERR_clear_error();
        int n = SSL_read(pc->ssl, v.iov_base, v.iov_len > INT_MAX ? INT_MAX : (int)v.iov_len);
        if (n <= 0) {
            end = pconn_tls_end(pc, n, &err);
            break;
        }
        v.iov_len = (size_t)n;
        evbuffer_commit_space(pc->in, &v, 1);
        got = true;
        budget = (size_t)n < budget ? budget - (size_t)n : 0;
        /* OpenSSL holds nothing more: the rest, if any, is in the kernel
         * and wakes epoll; not asking saves a read() that finds nothing */
        if (!SSL_has_pending(pc->ssl)) break;
    }
    if (evbuffer_get_length(pc->tls_out)) pconn_mark(pc);
    if (!got) {
        if (end) pc->ops->on_event(pc->arg, (enum pconn_event)end, err);
        return;
    }
    /* Data first; an end, or records OpenSSL holds past the budget (no
     * epoll wakes for them), are taken up on the next turn. */
    if (end) {
        pc->tls_end = (uint8_t)end;
        pc->tls_err = err;
        event_active(pc->rev, EV_READ, 1);
    } else if (budget == 0 && SSL_has_pending(pc->ssl)) {
        event_active(pc->rev, EV_READ, 1);
    }
    pc->ops->on_read(pc->arg);
}

/* Encrypt up to PCONN_TLS_AHEAD bytes of out into tls_out, one record per
 * SSL_write (small replies are gathered into it); 0, or -1 on an error. */
static int pconn_tls_encrypt(struct pconn *pc)
{
    size_t done = 0, len;
    while (done < PCONN_TLS_AHEAD && (len = evbuffer_get_length(pc->out)) > 0) {
        size_t n = len < PCONN_TLS_CHUNK ? len : PCONN_TLS_CHUNK;
        unsigned char *p = evbuffer_pullup(pc->out, (ssize_t)n);
        ERR_clear_error();
        int r = p ? SSL_write(pc->ssl, p, (int)n) : -1;
        if (r <= 0) return -1;
        evbuffer_drain(pc->out, (size_t)r);
        done += (size_t)r;
    }
    return 0;
}

/* A write to a server failed (it reset the connection): an alert it sent
 * first may still be unread and says why, e.g. a client certificate it
 * refused, which TLS 1.3 reports after our side of the handshake is done,
 * so our first requests meet the reset.  True when one was found (logged,
 * kept for pconn_tls_error).  The connection is lost either way: replies
 * read here are dropped with it. */
static bool pconn_tls_alert(struct pconn *pc)
{
    char buf[1024];
    if (SSL_is_server(pc->ssl)) return false;
    ERR_clear_error();
    for (int i = 0; i < 16; i++) {
        int n = SSL_read(pc->ssl, buf, sizeof buf);
        if (n > 0) continue;
        if (SSL_get_error(pc->ssl, n) != SSL_ERROR_SSL) break;
        pconn_tls_log(pc, "read", SSL_ERROR_SSL);
        return true;
    }
    ERR_clear_error();
    return false;
}

/* pconn_write for TLS: send tls_out, refilled from out while the kernel
 * takes everything; EV_WRITE while it refuses. */
static int pconn_tls_write(struct pconn *pc)
{
    size_t before = pconn_unsent(pc);
    int err = 0;
    for (;;) {
        if (evbuffer_get_length(pc->tls_out) == 0 && pc->tls_ready && !pc->tls_failed &&
            evbuffer_get_length(pc->out) > 0 && pconn_tls_encrypt(pc) != 0) {
            pconn_set_writing(pc, false);
            pconn_tls_log(pc, "write", SSL_ERROR_SSL);
            pc->ops->on_event(pc->arg, PCONN_TLS_ERROR, 0);
            return -1;
        }
        if (evbuffer_get_length(pc->tls_out) == 0) break;
        if (evbuffer_write(pc->tls_out, pc->fd) < 0 && errno != EAGAIN && errno != EINTR) {
            err = errno;
            break;
        }
        if (evbuffer_get_length(pc->tls_out) > 0) break;
    }
    if (err) {
        pconn_set_writing(pc, false);
        if (pconn_tls_alert(pc)) {
            pc->ops->on_event(pc->arg, PCONN_TLS_ERROR, 0);
            return -1;
        }
        pc->tls_failed = true;
        pc->ops->on_event(pc->arg, PCONN_ERROR, err);
        return -1;
    }
    pconn_set_writing(pc, evbuffer_get_length(pc->tls_out) > 0);
    if (before && pconn_unsent(pc) <= pc->low && pc->ops->on_drain) {
        pc->ops->on_drain(pc->arg);
        return -1;
    }
    return 0;
}

/* At close: a close_notify after a good session, and whatever records
 * (an alert after a refused handshake) the kernel takes at once. */
static void pconn_tls_free(struct pconn *pc)
{
    if (pc->tls_timer) event_free(pc->tls_timer);
    pc->tls_timer = NULL;
    mem_free(pc->tls_why);
    pc->tls_why = NULL;
    if (pc->tls_ready && !pc->tls_failed) SSL_shutdown(pc->ssl);
    if (pc->fd >= 0 && evbuffer_get_length(pc->tls_out)) evbuffer_write(pc->tls_out, pc->fd);
    ERR_clear_error();
    SSL_free(pc->ssl);
    pc->ssl = NULL;
    evbuffer_free(pc->tls_out);
    pc->tls_out = NULL;
    pc->tls_ready = pc->tls_failed = false;
    pc->tls_end = 0;
}
