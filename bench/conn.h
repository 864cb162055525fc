/* bench/conn: one client connection of shoal-bench: socket (TCP or unix),
 * optional TLS, and its two linear buffers.
 *
 * Connecting (and the TLS handshake) is done blocking before the clock
 * starts, so the event loop only ever sees established connections; after
 * that the socket is non-blocking and reads/writes go through a two-entry
 * I/O table (plain or TLS). Buffers grow by doubling and are never freed
 * while the connection lives, so steady state allocates nothing. */
#ifndef SHOAL_BENCH_CONN_H
#define SHOAL_BENCH_CONN_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <openssl/ssl.h>

struct bench_args;

struct bench_target {
    struct sockaddr_storage addr;
    socklen_t addrlen;
    SSL_CTX *ssl_ctx;          /* NULL: plain */
    char sni[256];
    char desc[320];            /* "127.0.0.1:6379", "unix:/path", "tls://..." */
};

int bench_target_init(struct bench_target *t, const struct bench_args *a, char *err, size_t errlen);
void bench_target_deinit(struct bench_target *t);

#define CONN_IO_AGAIN (-1)
#define CONN_IO_ERROR (-2)

struct bench_conn;
struct conn_io {
    /* > 0 bytes, 0 peer closed, CONN_IO_AGAIN, CONN_IO_ERROR */
    long (*read)(struct bench_conn *c, char *buf, size_t len);
    long (*write)(struct bench_conn *c, const char *buf, size_t len);
};

struct bench_conn {
    int fd;
    SSL *ssl;
    const struct conn_io *io;
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_off, out_len, out_cap;
    char errmsg[256];          /* why the last I/O call failed */
};

/* Blocking connect (+ handshake), then non-blocking. 0 or -1 with err. */
int conn_open(struct bench_conn *c, const struct bench_target *t, char *err, size_t errlen);
void conn_close(struct bench_conn *c);

/* Room for `more` bytes at c->out + c->out_len. */
void conn_reserve_out(struct bench_conn *c, size_t more);
/* Room for at least one read at c->in + c->in_len. */
void conn_reserve_in(struct bench_conn *c);
/* Writes what it can: 0 all written, 1 some left (wait for EV_WRITE), -1 error. */
int conn_flush(struct bench_conn *c);

#endif
