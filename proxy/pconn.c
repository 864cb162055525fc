/* proxy/pconn: sockets with deferred, coalesced writes; see pconn.h. */
#include "proxy/pconn.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proxy/worker.h"

#define PCONN_READ (16u << 10)     /* bytes asked for per read */
#define PCONN_READS 4              /* reads per readiness event at most */

static void pconn_read_cb(evutil_socket_t fd, short what, void *arg);
static void pconn_write_cb(evutil_socket_t fd, short what, void *arg);

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
    pc->fprev = pc->fnext = NULL;
    pc->listed = false;
}

void pconn_deinit(struct pconn *pc)
{
    pconn_unlist(pc);
    if (pc->rev) event_free(pc->rev);
    if (pc->wev) event_free(pc->wev);
    pc->rev = pc->wev = NULL;
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
}

void pconn_mark(struct pconn *pc)
{
    if (pc->listed) return;
    pc->listed = true;
    pc->fprev = NULL;
    pc->fnext = pc->w->flush_head;
    if (pc->fnext) pc->fnext->fprev = pc;
    pc->w->flush_head = pc;
}

/* Write what the kernel takes; 0, or -1 when on_event/on_drain ran (pc
 * may be gone then). */
static int pconn_write(struct pconn *pc)
{
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
    }
    pconn_write(pc);
}

static void pconn_read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct pconn *pc = arg;
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
