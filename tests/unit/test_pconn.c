/* tests/unit/test_pconn: proxy/pconn's flush list, the order in which a
 * worker writes the connections that got output in a loop turn (oldest
 * first), over socketpairs on a real event_base. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy/pconn.h"
#include "proxy/worker.h"
#include "tests/unit/unit.h"

static void nop_cb(void *arg) { (void)arg; }
static void nop_event(void *arg, enum pconn_event what, int err)
{
    (void)arg;
    (void)what;
    (void)err;
}
static const struct pconn_ops nop_ops = { nop_cb, nop_cb, nop_event };

#define NCONN 4

struct fixture {
    struct worker w;
    struct pconn pc[NCONN];
    int peer[NCONN];
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->w.base = event_base_new();
    for (int i = 0; i < NCONN; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) abort();
        evutil_make_socket_nonblocking(sv[0]);
        pconn_init(&f->pc[i], &f->w, sv[0], &nop_ops, NULL, 0);
        f->peer[i] = sv[1];
    }
}

static void fixture_deinit(struct fixture *f)
{
    for (int i = 0; i < NCONN; i++) {
        if (f->pc[i].fd >= 0) pconn_deinit(&f->pc[i]);
        close(f->peer[i]);
    }
    event_base_free(f->w.base);
}

/* The flush list as connection indexes, head to tail, into out; checks the
 * back links and the tail on the way. */
static int list_order(struct fixture *f, int *out)
{
    int n = 0;
    struct pconn *prev = NULL;
    for (struct pconn *pc = f->w.flush_head; pc && n < NCONN + 1; pc = pc->fnext) {
        if (pc->fprev != prev) return -1;
        out[n++] = (int)(pc - f->pc);
        prev = pc;
    }
    if (f->w.flush_tail != prev) return -1;
    return n;
}

static void mark(struct fixture *f, int i, const char *bytes)
{
    evbuffer_add(f->pc[i].out, bytes, strlen(bytes));
    pconn_mark(&f->pc[i]);
}

TEST(flush_list_keeps_marking_order)
{
    struct fixture f;
    fixture_init(&f);
    int order[NCONN + 1];
    mark(&f, 2, "c");
    mark(&f, 0, "a");
    mark(&f, 3, "d");
    mark(&f, 0, "a");           /* marked again: keeps its place */
    CHECK_EQ_INT(list_order(&f, order), 3);
    CHECK_EQ_INT(order[0], 2);
    CHECK_EQ_INT(order[1], 0);
    CHECK_EQ_INT(order[2], 3);
    fixture_deinit(&f);
}

TEST(flush_list_unlinks_anywhere)
{
    struct fixture f;
    fixture_init(&f);
    int order[NCONN + 1];
    mark(&f, 0, "a");
    mark(&f, 1, "b");
    mark(&f, 2, "c");
    pconn_deinit(&f.pc[2]);     /* the tail leaves */
    mark(&f, 3, "d");
    CHECK_EQ_INT(list_order(&f, order), 3);
    CHECK_EQ_INT(order[0], 0);
    CHECK_EQ_INT(order[1], 1);
    CHECK_EQ_INT(order[2], 3);
    pconn_deinit(&f.pc[0]);     /* the head leaves */
    pconn_deinit(&f.pc[3]);     /* the tail again */
    CHECK_EQ_INT(list_order(&f, order), 1);
    CHECK_EQ_INT(order[0], 1);
    pconn_deinit(&f.pc[1]);
    CHECK_EQ_INT(list_order(&f, order), 0);
    CHECK(f.w.flush_head == NULL && f.w.flush_tail == NULL);
    fixture_deinit(&f);
}

TEST(flush_all_writes_every_marked_connection)
{
    struct fixture f;
    fixture_init(&f);
    mark(&f, 1, "one");
    mark(&f, 3, "three");
    pconn_flush_all(&f.w);
    CHECK(f.w.flush_head == NULL && f.w.flush_tail == NULL);
    char buf[16];
    CHECK_EQ_INT(read(f.peer[1], buf, sizeof buf), 3);
    CHECK(memcmp(buf, "one", 3) == 0);
    CHECK_EQ_INT(read(f.peer[3], buf, sizeof buf), 5);
    CHECK(memcmp(buf, "three", 5) == 0);
    mark(&f, 0, "x");           /* the list is usable again */
    int order[NCONN + 1];
    CHECK_EQ_INT(list_order(&f, order), 1);
    fixture_deinit(&f);
}

int main(void)
{
    RUN(flush_list_keeps_marking_order);
    RUN(flush_list_unlinks_anywhere);
    RUN(flush_all_writes_every_marked_connection);
    return unit_done();
}
