/* bench/conn: sockets, TLS and buffers of shoal-bench connections (see conn.h). */
#include "bench/conn.h"
#include "bench/args.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define CONN_BUF_INIT (64 * 1024)

static void tls_errstr(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[200] = "unknown error";
    if (e)
        ERR_error_string_n(e, buf, sizeof(buf));
    snprintf(err, errlen, "%s: %s", what, buf);
    ERR_clear_error();
}

static int tls_ctx_init(struct bench_target *t, const struct bench_args *a, char *err, size_t errlen)
{
    t->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (t->ssl_ctx == NULL) {
        tls_errstr(err, errlen, "SSL_CTX_new");
        return -1;
    }
    SSL_CTX_set_mode(t->ssl_ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (a->tls_cert[0] && SSL_CTX_use_certificate_chain_file(t->ssl_ctx, a->tls_cert) != 1) {
        tls_errstr(err, errlen, a->tls_cert);
        return -1;
    }
    if (a->tls_key[0] && SSL_CTX_use_PrivateKey_file(t->ssl_ctx, a->tls_key, SSL_FILETYPE_PEM) != 1) {
        tls_errstr(err, errlen, a->tls_key);
        return -1;
    }
    if (a->tls_insecure) {
        SSL_CTX_set_verify(t->ssl_ctx, SSL_VERIFY_NONE, NULL);
        return 0;
    }
    int ok = a->tls_cacert[0] ? SSL_CTX_load_verify_locations(t->ssl_ctx, a->tls_cacert, NULL)
                              : SSL_CTX_set_default_verify_paths(t->ssl_ctx);
    if (ok != 1) {
        tls_errstr(err, errlen, a->tls_cacert[0] ? a->tls_cacert : "default CA paths");
        return -1;
    }
    SSL_CTX_set_verify(t->ssl_ctx, SSL_VERIFY_PEER, NULL);
    return 0;
}

int bench_target_init(struct bench_target *t, const struct bench_args *a, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    if (a->socket[0]) {
        struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;
        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof(un->sun_path), "%s", a->socket);
        t->addrlen = sizeof(*un);
        snprintf(t->desc, sizeof(t->desc), "unix:%s", a->socket);
        return 0;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    char port[16];
    snprintf(port, sizeof(port), "%u", a->port);
    int rc = getaddrinfo(a->host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", a->host, gai_strerror(rc));
        return -1;
    }
    memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
    t->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    snprintf(t->desc, sizeof(t->desc), "%s%s:%u", a->tls ? "tls://" : "", a->host, a->port);
    snprintf(t->sni, sizeof(t->sni), "%s", a->tls_sni[0] ? a->tls_sni : a->host);
    return a->tls ? tls_ctx_init(t, a, err, errlen) : 0;
}

void bench_target_deinit(struct bench_target *t)
{
    if (t->ssl_ctx)
        SSL_CTX_free(t->ssl_ctx);
    t->ssl_ctx = NULL;
}

static long plain_read(struct bench_conn *c, char *buf, size_t len)
{
    ssize_t n = read(c->fd, buf, len);
    if (n >= 0)
        return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return CONN_IO_AGAIN;
    snprintf(c->errmsg, sizeof(c->errmsg), "read: %s", strerror(errno));
    return CONN_IO_ERROR;
}

static long plain_write(struct bench_conn *c, const char *buf, size_t len)
{
    ssize_t n = write(c->fd, buf, len);
    if (n >= 0)
        return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return CONN_IO_AGAIN;
    snprintf(c->errmsg, sizeof(c->errmsg), "write: %s", strerror(errno));
    return CONN_IO_ERROR;
}

static long tls_result(struct bench_conn *c, int n, const char *what)
{
    if (n > 0)
        return n;
    int e = SSL_get_error(c->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return CONN_IO_AGAIN;
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        if (errno == 0)
            return 0;
        snprintf(c->errmsg, sizeof(c->errmsg), "%s: %s", what, strerror(errno));
        return CONN_IO_ERROR;
    }
    tls_errstr(c->errmsg, sizeof(c->errmsg), what);
    return CONN_IO_ERROR;
}

static long tls_read(struct bench_conn *c, char *buf, size_t len)
{
    ERR_clear_error();
    errno = 0;
    return tls_result(c, SSL_read(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len), "SSL_read");
}

static long tls_write(struct bench_conn *c, const char *buf, size_t len)
{
    ERR_clear_error();
    errno = 0;
    return tls_result(c, SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len), "SSL_write");
}

static const struct conn_io plain_io = { plain_read, plain_write };
static const struct conn_io tls_io = { tls_read, tls_write };

static int tls_handshake(struct bench_conn *c, const struct bench_target *t, char *err, size_t errlen)
{
    c->ssl = SSL_new(t->ssl_ctx);
    if (c->ssl == NULL) {
        tls_errstr(err, errlen, "SSL_new");
        return -1;
    }
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, t->sni);
    if (SSL_CTX_get_verify_mode(t->ssl_ctx) & SSL_VERIFY_PEER)
        SSL_set1_host(c->ssl, t->sni);
    if (SSL_connect(c->ssl) != 1) {
        long vr = SSL_get_verify_result(c->ssl);
        if (vr != X509_V_OK)
            snprintf(err, errlen, "TLS handshake: certificate: %s",
                     X509_verify_cert_error_string(vr));
        else
            tls_errstr(err, errlen, "TLS handshake");
        return -1;
    }
    c->io = &tls_io;
    return 0;
}

int conn_open(struct bench_conn *c, const struct bench_target *t, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->io = &plain_io;
    c->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(c->fd, (const struct sockaddr *)&t->addr, t->addrlen) < 0) {
        snprintf(err, errlen, "connect %s: %s", t->desc, strerror(errno));
        return -1;
    }
    if (t->addr.ss_family != AF_UNIX) {
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (t->ssl_ctx && tls_handshake(c, t, err, errlen) < 0)
        return -1;
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->in_cap = c->out_cap = CONN_BUF_INIT;
    c->in = malloc(c->in_cap);
    c->out = malloc(c->out_cap);
    if (c->in == NULL || c->out == NULL)
        abort();
    return 0;
}

void conn_close(struct bench_conn *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->in);
    free(c->out);
    c->in = c->out = NULL;
    c->in_len = c->in_cap = c->out_off = c->out_len = c->out_cap = 0;
}

void conn_reserve_out(struct bench_conn *c, size_t more)
{
    if (c->out_off > 0 && c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_len + more <= c->out_cap)
        return;
    if (c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    while (c->out_len + more > c->out_cap)
        c->out_cap *= 2;
    c->out = realloc(c->out, c->out_cap);
    if (c->out == NULL)
        abort();
}

void conn_reserve_in(struct bench_conn *c)
{
    if (c->in_len < c->in_cap)
        return;
    c->in_cap *= 2;
    c->in = realloc(c->in, c->in_cap);
    if (c->in == NULL)
        abort();
}

int conn_flush(struct bench_conn *c)
{
    while (c->out_off < c->out_len) {
        long n = c->io->write(c, c->out + c->out_off, c->out_len - c->out_off);
        if (n == CONN_IO_AGAIN)
            return 1;
        if (n <= 0) {
            if (n == 0)
                snprintf(c->errmsg, sizeof(c->errmsg), "write: connection closed");
            return -1;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    return 0;
}
