/* proxy/pconn: the socket under a client or server connection: an input
 * and an output evbuffer over a non-blocking fd, on the worker's loop.
 *
 * Shaped for the proxy's two costs, syscalls and wake-ups: reads go
 * straight into reserved evbuffer space (no FIONREAD ioctl before each
 * read, as bufferevent does), and writes are not made as bytes are queued
 * but once per event-loop turn for every connection that got output in it
 * (the worker's flush list, pconn_flush_all), so the requests that many
 * clients sent in one turn reach a server in one writev and the replies a
 * server sent in one read reach each client in one writev.  EV_WRITE is
 * registered only while the kernel refuses bytes (or a connect is in
 * progress), so a connection that keeps up costs no epoll_ctl per reply. */
#ifndef SHOAL_PROXY_PCONN_H
#define SHOAL_PROXY_PCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct event;
struct evbuffer;
struct worker;

enum pconn_event { PCONN_CONNECTED = 1, PCONN_EOF, PCONN_ERROR };

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

void pconn_read_enable(struct pconn *pc, bool on);
/* Output was queued: write it at the end of this loop turn. */
void pconn_mark(struct pconn *pc);
/* Write every marked connection's output (called by the worker after each
 * loop turn). */
void pconn_flush_all(struct worker *w);

#endif
