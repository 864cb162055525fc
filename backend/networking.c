/* backend/networking: see networking.h.
 *
 * Each client has one contiguous query buffer (16 KiB, grown only for a
 * large request) and one contiguous output buffer. Requests are parsed in
 * place and executed as soon as they are complete; replies are written
 * right after the batch a read produced. Backpressure: while a client has
 * more than OBUF_PAUSE bytes of replies unsent, the node stops executing and
 * reading its requests, so a client that pipelines without reading stalls on
 * TCP instead of growing the node's memory.
 *
 * Bytes move through c->io: plain read()/write() by default, OpenSSL on
 * the TLS ports. TLS reads and writes report "wait" as EAGAIN; a read that
 * needs the socket writable (handshake) arms the write event, whose
 * callback then retries the read. Decrypted bytes OpenSSL still holds are
 * invisible to the event loop, so after each event the read event is made
 * active again while SSL_pending says more is buffered. */
#include "backend/networking.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend/aof.h"
#include "backend/blocking.h"
#include "backend/db.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "backend/dispatch.h"
#include "backend/mc.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/tls.h"

#define QBUF_INITIAL (16 * 1024)
#define OBUF_INITIAL (16 * 1024)
#define OBUF_PAUSE (1024 * 1024)

static struct client **pending_free;
static size_t npending, pending_cap;

static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);
static void process_input(struct client *c);

static SSL_CTX *tls_ctx;

static long plain_read(struct client *c, void *buf, size_t len) { return read(c->fd, buf, len); }
static long plain_write(struct client *c, const void *buf, size_t len) { return write(c->fd, buf, len); }
static size_t plain_pending(struct client *c) { (void)c; return 0; }

static const struct client_io plain_io = { plain_read, plain_write, plain_pending };

/* Maps an SSL result to read/write's: >0 bytes, 0 on a clean close, -1
 * with errno (EAGAIN to wait). */
static long tls_result(struct client *c, int r, int reading)
{
    if (r > 0) return r;
    int err = SSL_get_error(c->ssl, r);
    switch (err) {
    case SSL_ERROR_WANT_READ:
        errno = EAGAIN;     /* the read event is on whenever reading is */
        return -1;
    case SSL_ERROR_WANT_WRITE:
        if (reading && !(c->flags & CLIENT_READ_WANTS_WRITE)) {
            c->flags |= CLIENT_READ_WANTS_WRITE;
            if (!(c->flags & CLIENT_WRITE_PENDING)) event_add(c->wev, NULL);
        }
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (errno == 0) errno = ECONNRESET;
        ERR_clear_error();
        return -1;
    default: {
        char msg[256] = "TLS error";
        unsigned long e = ERR_peek_last_error();
        if (e) ERR_error_string_n(e, msg, sizeof(msg));
        ERR_clear_error();
        log_verb("TLS error on client id=%llu addr=%s: %s", (unsigned long long)c->id, c->addr, msg);
        errno = EPROTO;
        return -1;
    }
    }
}

/* SSL_read runs the (server side) handshake first, non-blocking. */
static long tls_read(struct client *c, void *buf, size_t len)
{
    ERR_clear_error();
    int n = len > INT_MAX ? INT_MAX : (int)len;
    return tls_result(c, SSL_read(c->ssl, buf, n), 1);
}

static long tls_write(struct client *c, const void *buf, size_t len)
{
    ERR_clear_error();
    int n = len > INT_MAX ? INT_MAX : (int)len;
    return tls_result(c, SSL_write(c->ssl, buf, n), 0);
}

static size_t tls_pending(struct client *c) { return (size_t)SSL_pending(c->ssl); }

static const struct client_io tls_io = { tls_read, tls_write, tls_pending };

static void fmt_peer(int fd, int local, int is_unix, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int r = local ? getsockname(fd, (struct sockaddr *)&ss, &len) : getpeername(fd, (struct sockaddr *)&ss, &len);
    if (is_unix) {
        snprintf(buf, size, "%s:0", local && server.cfg.unixsocket ? server.cfg.unixsocket : "");
        return;
    }
    if (r < 0) { snprintf(buf, size, "?:0"); return; }
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *s = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        port = ntohs(s->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        port = ntohs(s->sin6_port);
    }
    snprintf(buf, size, "%s:%d", ip, port);
}

static struct client *client_create(int fd, int is_unix, enum client_proto proto)
{
    struct client *c = mem_calloc(sizeof(*c));
    c->id = ++server.next_client_id;
    c->fd = fd;
    c->resp = 2;
    c->proto = proto;
    c->db = db_get(0);
    c->flags = is_unix ? CLIENT_UNIX_SOCKET : 0;
    c->io = &plain_io;
    if (server.cfg.requirepass == NULL || server.cfg.requirepass[0] == '\0') c->flags |= CLIENT_AUTHENTICATED;
    resp_parser_init(&c->parser);
    c->argv = c->argv_small;
    c->argv_cap = RESP_ARGV_INITIAL;
    c->qcap = QBUF_INITIAL;
    c->qbuf = mem_alloc(c->qcap);
    c->ctime_ms = c->last_ms = server.now_ms;
    fmt_peer(fd, 0, is_unix, c->addr, sizeof(c->addr));
    fmt_peer(fd, 1, is_unix, c->laddr, sizeof(c->laddr));
    c->rev = event_new(server.base, fd, EV_READ | EV_PERSIST, read_cb, c);
    c->wev = event_new(server.base, fd, EV_WRITE | EV_PERSIST, write_cb, c);
    event_add(c->rev, NULL);
    c->next = server.clients;
    if (server.clients) server.clients->prev = c;
    server.clients = c;
    server.nclients++;
    return c;
}

static void pending_forget(struct client *c)
{
    for (size_t i = 0; i < npending; i++) {
        if (pending_free[i] == c) {
            pending_free[i] = pending_free[--npending];
            return;
        }
    }
}

/* A session that finished its handshake ends with a close_notify (what the
 * kernel takes at once; a peer that is gone gets nothing), so clients see
 * a clean end after QUIT rather than a truncated stream. */
static void tls_conn_close(SSL *ssl)
{
    if (SSL_is_init_finished(ssl) && !(SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN))
        SSL_shutdown(ssl);
    ERR_clear_error();
    SSL_free(ssl);
}

void client_free(struct client *c)
{
    if (c->flags & CLIENT_CLOSE_ASAP) pending_forget(c);
    if (c->flags & CLIENT_BLOCKED) blocking_unblock(c);
    if (c->prev) c->prev->next = c->next;
    else server.clients = c->next;
    if (c->next) c->next->prev = c->prev;
    server.nclients--;
    if (c->proto == PROTO_MC) mc_client_free(c);
    event_free(c->rev);
    event_free(c->wev);
    if (c->ssl) tls_conn_close(c->ssl);
    close(c->fd);
    resp_parser_deinit(&c->parser);
    if (c->argv != c->argv_small) mem_free(c->argv);
    mem_free(c->qbuf);
    mem_free(c->obuf);
    mem_free(c->name);
    if (server.current == c) server.current = NULL;
    mem_free(c);
}

void client_close_asap(struct client *c)
{
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    if (npending == pending_cap) {
        pending_cap = pending_cap ? pending_cap * 2 : 16;
        pending_free = mem_realloc(pending_free, pending_cap * sizeof(*pending_free));
    }
    pending_free[npending++] = c;
}

void clients_free_pending(void)
{
    while (npending > 0) {
        struct client *c = pending_free[--npending];
        c->flags &= ~CLIENT_CLOSE_ASAP;   /* already off the list */
        client_free(c);
    }
}

int client_check_obuf_limits(struct client *c, size_t pending)
{
    const struct server_config *cfg = &server.cfg;
    int over = 0;
    if (cfg->obuf_hard > 0 && pending > (size_t)cfg->obuf_hard) over = 1;
    if (!over && cfg->obuf_soft > 0 && pending > (size_t)cfg->obuf_soft) {
        if (c->obuf_soft_since_ms == 0) c->obuf_soft_since_ms = server.now_ms;
        else if (server.now_ms - c->obuf_soft_since_ms > cfg->obuf_soft_secs * 1000) over = 1;
    }
    if (!over) return 0;
    log_warn("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.",
             (unsigned long long)c->id, c->addr);
    server.stat.client_obuf_limit_disconnections++;
    client_close_asap(c);
    return -1;
}

static void set_sock_opts(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (server.cfg.tcp_keepalive > 0) {
        int idle = (int)server.cfg.tcp_keepalive;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    }
}

/* listener callback args: which protocol a listener speaks, and whether over TLS */
struct listen_kind {
    enum client_proto proto;
    int tls;
};
static const struct listen_kind lk_resp = { PROTO_RESP, 0 }, lk_mc = { PROTO_MC, 0 };
static const struct listen_kind lk_resp_tls = { PROTO_RESP, 1 }, lk_mc_tls = { PROTO_MC, 1 };

/* The handshake happens later, driven by the client's events. */
static int client_start_tls(struct client *c)
{
    c->ssl = SSL_new(tls_ctx);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        ERR_clear_error();
        return -1;
    }
    SSL_set_accept_state(c->ssl);
    c->io = &tls_io;
    c->flags |= CLIENT_TLS;
    return 0;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    int is_unix = sa->sa_family == AF_UNIX;
    const struct listen_kind *kind = arg;
    server.now_ms = clock_ms();
    if (server.nclients >= server.cfg.maxclients && kind->tls) {
        close(fd);
        server.stat.rejected_conn++;
        log_verb("rejected TLS connection: max number of clients reached (%lld)", server.cfg.maxclients);
        return;
    }
    if (server.nclients >= server.cfg.maxclients) {
        static const char msg[] = "-ERR max number of clients reached\r\n";
        ssize_t w = write(fd, msg, sizeof(msg) - 1);
        (void)w;
        close(fd);
        server.stat.rejected_conn++;
        log_verb("rejected connection: max number of clients reached (%lld)", server.cfg.maxclients);
        return;
    }
    evutil_make_socket_nonblocking(fd);
    if (!is_unix) set_sock_opts(fd);
    struct client *c = client_create(fd, is_unix, kind->proto);
    if (kind->tls && client_start_tls(c) < 0) {
        log_warn("Could not create a TLS session for client id=%llu", (unsigned long long)c->id);
        client_free(c);
        return;
    }
    server.stat.numconnections++;
    log_debug("Accepted %s (id=%llu)", c->addr, (unsigned long long)c->id);
}

static void listener_reenable_cb(evutil_socket_t fd, short what, void *arg)
{
    evconnlistener_enable(arg);
}

/* Out of descriptors (maxclients raised past the open-files limit at run
 * time) or memory: the pending connection stays queued and the listener
 * stays readable, so retrying at once would spin. Pause it for 100 ms. */
static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();
    log_warn("Accepting client connection: %s", evutil_socket_error_to_string(err));
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        struct timeval tv = { 0, 100 * 1000 };
        evconnlistener_disable(l);
        if (event_base_once(server.base, -1, EV_TIMEOUT, listener_reenable_cb, l, &tv) < 0)
            evconnlistener_enable(l);
    }
}

static int listen_tcp(const char *addr, int port, const struct listen_kind *proto)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
        s->sin6_family = AF_INET6;
        s->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, addr, &s->sin6_addr) != 1) return -1;
        len = sizeof(*s);
    } else {
        struct sockaddr_in *s = (struct sockaddr_in *)&ss;
        s->sin_family = AF_INET;
        s->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, addr, &s->sin_addr) != 1) return -1;
        len = sizeof(*s);
    }
    struct evconnlistener *l = evconnlistener_new_bind(server.base, accept_cb, (void *)proto,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        (int)server.cfg.tcp_backlog, (struct sockaddr *)&ss, (int)len);
    if (l == NULL) {
        log_crit("Could not create server TCP listening socket %s:%d: %s", addr, port, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(l, accept_error_cb);
    server.listeners[server.nlisteners++] = l;
    return 0;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path)) {
        log_crit("unixsocket path too long: %s", path);
        return -1;
    }
    strcpy(sun.sun_path, path);
    unlink(path);
    struct evconnlistener *l = evconnlistener_new_bind(server.base, accept_cb, (void *)&lk_resp,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, (int)server.cfg.tcp_backlog,
        (struct sockaddr *)&sun, sizeof(sun));
    if (l == NULL) {
        log_crit("Could not create server unix socket %s: %s", path, strerror(errno));
        return -1;
    }
    if (server.cfg.unixsocketperm) chmod(path, (mode_t)server.cfg.unixsocketperm);
    server.listeners[server.nlisteners++] = l;
    return 0;
}

/* One listener per bind address for this port. */
static int listen_port(long long port, const struct listen_kind *proto)
{
    char addrs[256];
    snprintf(addrs, sizeof(addrs), "%s", server.cfg.bind ? server.cfg.bind : "127.0.0.1");
    char *save = NULL;
    for (char *a = strtok_r(addrs, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
        if (server.nlisteners >= 15) break;
        if (a[0] == '-') a++;   /* "-::1": optional address, as redis.conf */
        if (listen_tcp(a, (int)port, proto) < 0) return -1;
    }
    return 0;
}

/* Every client is a descriptor: raise the open-files limit to maxclients
 * plus a reserve, or lower maxclients to what the limit allows (as Redis's
 * adjustOpenFilesLimit). Otherwise accept() fails with EMFILE and the
 * listener, still readable, spins the event loop instead of refusing. */
#define FD_RESERVE 32

static void adjust_open_files_limit(void)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)server.cfg.maxclients + FD_RESERVE;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want) return;
    struct rlimit nl = { want, rl.rlim_max > want ? rl.rlim_max : want };
    if (setrlimit(RLIMIT_NOFILE, &nl) == 0) return;
    nl.rlim_max = rl.rlim_max;
    nl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
    if (nl.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &nl) == 0) rl.rlim_cur = nl.rlim_cur;
    long long fit = (long long)rl.rlim_cur - FD_RESERVE;
    if (fit < 1) fit = 1;
    log_warn("You requested maxclients of %lld requiring at least %llu max file descriptors; "
             "the limit is %llu. maxclients has been reduced to %lld to compensate for low ulimit. "
             "If you need higher maxclients increase 'ulimit -n'.",
             server.cfg.maxclients, (unsigned long long)want, (unsigned long long)rl.rlim_cur, fit);
    server.cfg.maxclients = fit;
}

int net_listen(void)
{
    adjust_open_files_limit();
    if (server.cfg.port > 0 && listen_port(server.cfg.port, &lk_resp) < 0) return -1;
    if (server.cfg.mc_port > 0 && listen_port(server.cfg.mc_port, &lk_mc) < 0) return -1;
    if ((server.cfg.tls_port > 0 || server.cfg.tls_mc_port > 0) && tls_ctx == NULL) {
        char err[512];
        tls_ctx = tls_server_ctx_create(server.cfg.tls_cert_file, server.cfg.tls_key_file,
                                        server.cfg.tls_ca_cert_file, (enum tls_auth)server.cfg.tls_auth_clients,
                                        err, sizeof(err));
        if (tls_ctx == NULL) {
            log_crit("Failed to configure TLS: %s", err);
            return -1;
        }
    }
    if (server.cfg.tls_port > 0 && listen_port(server.cfg.tls_port, &lk_resp_tls) < 0) return -1;
    if (server.cfg.tls_mc_port > 0 && listen_port(server.cfg.tls_mc_port, &lk_mc_tls) < 0) return -1;
    if (server.cfg.unixsocket && server.cfg.unixsocket[0] && listen_unix(server.cfg.unixsocket) < 0) return -1;
    if (server.nlisteners == 0) {
        log_crit("Configured to not listen anywhere, exiting.");
        return -1;
    }
    return 0;
}

void net_close_listeners(void)
{
    for (int i = 0; i < server.nlisteners; i++) evconnlistener_free(server.listeners[i]);
    server.nlisteners = 0;
    if (server.cfg.unixsocket && server.cfg.unixsocket[0]) unlink(server.cfg.unixsocket);
    tls_ctx_destroy(&tls_ctx);
}

static size_t obuf_pending(const struct client *c) { return c->olen - c->opos; }

int client_output_paused(const struct client *c)
{
    return obuf_pending(c) > OBUF_PAUSE;
}

static void obuf_shrink(struct client *c)
{
    if (c->ocap > 4 * OBUF_INITIAL) {
        mem_free(c->obuf);
        c->obuf = NULL;
        c->ocap = 0;
    }
}

/* Writes what it can; returns -1 if the client was freed. */
static int write_to_client(struct client *c)
{
    if (c->opos < c->olen && aof_hold_replies()) {
        /* appendfsync always: replies leave after the one fdatasync of
         * this loop turn (aof.c), whose event runs before this one */
        event_active(c->wev, EV_WRITE, 1);
        return 0;
    }
    while (c->opos < c->olen) {
        ssize_t n = c->io->write(c, c->obuf + c->opos, c->olen - c->opos);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            log_verb("Error writing to client id=%llu: %s", (unsigned long long)c->id, strerror(errno));
            client_free(c);
            return -1;
        }
        c->opos += (size_t)n;
        server.stat.net_output_bytes += n;
    }
    if (c->opos < c->olen) {
        if (!(c->flags & CLIENT_WRITE_PENDING)) {
            c->flags |= CLIENT_WRITE_PENDING;
            event_add(c->wev, NULL);
        }
        return 0;
    }
    c->opos = c->olen = 0;
    c->obuf_soft_since_ms = 0;
    obuf_shrink(c);
    if (c->flags & CLIENT_WRITE_PENDING) {
        c->flags &= ~CLIENT_WRITE_PENDING;
        if (!(c->flags & CLIENT_READ_WANTS_WRITE)) event_del(c->wev);
    }
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
        client_free(c);
        return -1;
    }
    return 0;
}

static void pause_reading(struct client *c, int pause)
{
    if (pause) event_del(c->rev);
    else event_add(c->rev, NULL);
}

/* Paused for backpressure: the read event is off (nothing else removes it). */
static int reading_paused(struct client *c) { return !event_pending(c->rev, EV_READ, NULL); }

/* After a write: a paused client whose replies drained to OBUF_PAUSE must
 * run its buffered requests again. If replies are still pending the write
 * event will come; if the write emptied the buffer nothing would ever wake
 * the client, so the write event is made active once (next loop turn, fair
 * to the other clients). */
static void schedule_resume(struct client *c)
{
    if ((c->flags & CLIENT_CLOSE_ASAP) || !reading_paused(c) || obuf_pending(c) > OBUF_PAUSE) return;
    if (!(c->flags & CLIENT_WRITE_PENDING)) event_active(c->wev, EV_WRITE, 1);
}

/* TLS: decrypted bytes still inside OpenSSL never wake the read event. */
static void kick_pending_input(struct client *c)
{
    if (c->ssl && !(c->flags & CLIENT_CLOSE_ASAP) && !reading_paused(c) && c->io->pending(c) > 0)
        event_active(c->rev, EV_READ, 1);
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;
    if (c->flags & CLIENT_READ_WANTS_WRITE) {
        /* the socket became writable for a TLS read (handshake): retry it */
        c->flags &= ~CLIENT_READ_WANTS_WRITE;
        if (!(c->flags & CLIENT_WRITE_PENDING)) event_del(c->wev);
        read_cb(fd, EV_READ, c);
        return;
    }
    server.now_ms = clock_ms();
    server.cmd_clock_us = 0;
    if (write_to_client(c) < 0) return;
    if (!(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_BLOCKED)) && (reading_paused(c) || c->qpos < c->qlen) &&
        obuf_pending(c) <= OBUF_PAUSE) {
        pause_reading(c, 0);
        process_input(c);   /* requests left in the buffer while paused */
        if (!(c->flags & CLIENT_CLOSE_ASAP)) {
            if (write_to_client(c) < 0) {
                clients_free_pending();
                return;
            }
            schedule_resume(c);
        }
    }
    kick_pending_input(c);
    clients_free_pending();
}

void client_reset_request(struct client *c)
{
    if (c->parser.argc > c->argv_cap) {
        if (c->argv != c->argv_small) mem_free(c->argv);
        c->argv_cap = c->parser.argc;
        c->argv = mem_alloc(sizeof(*c->argv) * (size_t)c->argv_cap);
    }
    const char *base = c->qbuf + c->qpos;
    for (int i = 0; i < c->parser.argc; i++) {
        c->argv[i].p = base + c->parser.argv[i].off;
        c->argv[i].len = c->parser.argv[i].len;
    }
    c->argc = c->parser.argc;
}

static void give_back_argv(struct client *c)
{
    if (c->argv != c->argv_small && c->argv_cap > 1024) {
        mem_free(c->argv);
        c->argv = c->argv_small;
        c->argv_cap = RESP_ARGV_INITIAL;
    }
}

static void process_input(struct client *c)
{
    if (c->proto == PROTO_MC) {
        if (obuf_pending(c) > OBUF_PAUSE) {
            pause_reading(c, 1);
            return;
        }
        mc_process_input(c);
        if (obuf_pending(c) > OBUF_PAUSE) pause_reading(c, 1);
        if (c->qpos == c->qlen) c->qpos = c->qlen = 0;
        return;
    }
    struct resp_limits lim = {
        .max_bulk_len = server.cfg.proto_max_bulk_len,
        .max_multibulk_len = 2147483647LL,
        .unauthenticated = !(c->flags & CLIENT_AUTHENTICATED),
    };
    while (c->qpos < c->qlen) {
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_BLOCKED)) break;
        if (obuf_pending(c) > OBUF_PAUSE) {
            pause_reading(c, 1);
            break;
        }
        enum parse_result r = resp_parse_request(&c->parser, c->qbuf + c->qpos, c->qlen - c->qpos, &lim);
        if (r == PARSE_AGAIN) break;
        if (r != PARSE_OK) {
            log_notice("Protocol error (%s) from client: id=%llu addr=%s", c->parser.err,
                       (unsigned long long)c->id, c->addr);
            reply_error(c, c->parser.err);
            c->flags |= CLIENT_CLOSE_AFTER_REPLY;
            c->qpos = c->qlen;
            break;
        }
        if (c->parser.argc > 0) {
            client_reset_request(c);
            dispatch_command(c);
            if (blocking_have_ready()) blocking_handle_ready();
            lim.unauthenticated = !(c->flags & CLIENT_AUTHENTICATED);
        }
        c->qpos += c->parser.consumed;
        resp_parser_reset(&c->parser);
    }
    give_back_argv(c);
    if (c->qpos == c->qlen) c->qpos = c->qlen = 0;
}

/* Makes room to read: compacts, then grows (up to the query buffer limit).
 * Returns -1 if the client passed the limit (and is scheduled to close). */
static int qbuf_make_room(struct client *c)
{
    if (c->qcap - c->qlen >= 1024) return 0;
    if (c->qpos > 0) {
        memmove(c->qbuf, c->qbuf + c->qpos, c->qlen - c->qpos);
        c->qlen -= c->qpos;
        c->qpos = 0;
        if (c->qcap - c->qlen >= 1024) return 0;
    }
    if ((long long)c->qlen >= server.cfg.client_query_buffer_limit) {
        log_warn("Closing client that reached max query buffer length: id=%llu addr=%s qbuf=%zu",
                 (unsigned long long)c->id, c->addr, c->qlen);
        server.stat.client_qbuf_limit_disconnections++;
        client_close_asap(c);
        return -1;
    }
    size_t cap = c->qcap * 2;
    /* a large bulk whose length is known: make room for all of it at once */
    if (c->parser.bulk_len > 0) {
        size_t need = c->parser.pos + (size_t)c->parser.bulk_len + 2 + 1024;
        if (need > cap) cap = need;
    }
    if ((long long)cap > server.cfg.client_query_buffer_limit + 1024)
        cap = (size_t)server.cfg.client_query_buffer_limit + 1024;
    c->qbuf = mem_realloc(c->qbuf, cap);
    c->qcap = cap;
    return 0;
}

static void qbuf_shrink(struct client *c)
{
    if (c->qlen == 0 && c->qcap > QBUF_INITIAL) {
        mem_free(c->qbuf);
        c->qcap = QBUF_INITIAL;
        c->qbuf = mem_alloc(c->qcap);
    }
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;
    server.now_ms = clock_ms();
    server.cmd_clock_us = 0;
    if (qbuf_make_room(c) < 0) {
        clients_free_pending();
        return;
    }
    ssize_t n = c->io->read(c, c->qbuf + c->qlen, c->qcap - c->qlen);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n < 0) log_verb("Reading from client id=%llu: %s", (unsigned long long)c->id, strerror(errno));
        else log_debug("Client id=%llu closed connection", (unsigned long long)c->id);
        client_free(c);
        clients_free_pending();
        return;
    }
    c->qlen += (size_t)n;
    if ((size_t)c->qlen > c->qbuf_peak) c->qbuf_peak = c->qlen;
    c->last_ms = server.now_ms;
    server.stat.net_input_bytes += n;
    process_input(c);
    if (!(c->flags & CLIENT_CLOSE_ASAP) && write_to_client(c) == 0) {
        if (c->qlen == 0) qbuf_shrink(c);
        schedule_resume(c);
        kick_pending_input(c);
    }
    clients_free_pending();
}

void client_unblocked(struct client *c)
{
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    if (!(c->flags & CLIENT_WRITE_PENDING)) event_active(c->wev, EV_WRITE, 1);
}

void clients_cron(void)
{
    int64_t now = server.now_ms;
    for (struct client *c = server.clients, *next; c; c = next) {
        next = c->next;
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        if (server.cfg.timeout > 0 && !(c->flags & CLIENT_BLOCKED) && now - c->last_ms > server.cfg.timeout * 1000) {
            log_verb("Closing idle client id=%llu", (unsigned long long)c->id);
            client_close_asap(c);
            continue;
        }
        if (obuf_pending(c) > 0) client_check_obuf_limits(c, obuf_pending(c));
    }
    clients_free_pending();
}

int client_select_db(struct client *c, long long id)
{
    struct db *db = (id >= 0 && id < db_count()) ? db_get((int)id) : NULL;
    if (db == NULL) return -1;
    c->db = db;
    return 0;
}

size_t client_info_line(struct client *c, char *buf, size_t size)
{
    char flags[8];
    int f = 0;
    if (c->flags & CLIENT_BLOCKED) flags[f++] = 'b';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) flags[f++] = 'c';
    if (c->flags & CLIENT_UNIX_SOCKET) flags[f++] = 'U';
    if (f == 0) flags[f++] = 'N';
    flags[f] = '\0';
    const char *cmd = c->lastcmd ? c->lastcmd->fullname : "NULL";
    int n = snprintf(buf, size,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=0 psub=0 "
        "ssub=0 multi=-1 qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=0 rbs=%zu rbp=%zu obl=%zu "
        "oll=0 omem=%zu tot-mem=%zu events=r%s cmd=%s user=default redir=-1 resp=%d",
        (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
        (long long)((server.now_ms - c->ctime_ms) / 1000), (long long)((server.now_ms - c->last_ms) / 1000),
        flags, c->db ? c->db->id : 0, c->qlen - c->qpos, c->qcap - c->qlen, (size_t)0, c->qcap,
        c->qbuf_peak, c->olen - c->opos, (size_t)0, sizeof(*c) + c->qcap + c->ocap,
        (c->flags & CLIENT_WRITE_PENDING) ? "w" : "", cmd, c->resp);
    return n < 0 ? 0 : ((size_t)n < size ? (size_t)n : size - 1);
}
