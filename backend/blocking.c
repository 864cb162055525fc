/* backend/blocking: see blocking.h.
 *
 * Shape: per database, a table from key to a "wait queue" (struct bkey)
 * holding the clients waiting on that key as a doubly linked FIFO. A
 * blocked client owns a struct block_state listing its queue nodes (one
 * per distinct key), so unblocking is O(keys) and a disconnect leaves
 * nothing behind. Signalled keys go on a FIFO ready list (a flag on the
 * queue keeps each key there once); a queue stays allocated while it is on
 * the ready list even if its last waiter left, and is freed when taken off.
 * Each blocked client with a timeout has its own libevent timer, so
 * timeouts have the event loop's precision (milliseconds). */
#include "backend/blocking.h"

#include <event2/event.h>
#include <string.h>

#include "backend/db.h"
#include "backend/entry.h"
#include "backend/networking.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/dict.h"
#include "lib/mem.h"
#include "lib/util.h"

struct bwait;

struct bkey {
    struct db *db;
    struct bwait *head, *tail;
    struct bkey *ready_next;
    int ready;
    size_t klen;
    char key[];
};

struct bwait {
    struct client *c;
    struct bkey *bk;
    struct bwait *prev, *next;
};

struct block_state {
    struct db *db;
    int type;
    blocking_serve_fn *serve;
    struct block_args args;
    struct event *timer;
    int nwaits;
    struct bwait waits[];
};

int blocking_nready;
static struct bkey *ready_head, *ready_tail;
static struct dict **tables;        /* per database id, created on first use */
static int ntables;
static long long nblocked;

static const char *bkey_key_cb(const void *e, size_t *klen)
{
    const struct bkey *bk = e;
    *klen = bk->klen;
    return bk->key;
}

static const struct dict_type bkey_dict_type = { bkey_key_cb, 0 };

static struct dict *table_of(struct db *db, int create)
{
    if (db->id >= ntables) {
        if (!create) return NULL;
        int n = db_count() > db->id ? db_count() : db->id + 1;
        tables = mem_realloc(tables, sizeof(*tables) * (size_t)n);
        for (int i = ntables; i < n; i++) tables[i] = NULL;
        ntables = n;
    }
    if (tables[db->id] == NULL && create) tables[db->id] = dict_create(&bkey_dict_type);
    return tables[db->id];
}

long long blocking_clients(void) { return nblocked; }

int blocking_parse_timeout_or_reply(struct client *c, const struct arg *arg, int64_t *deadline_ms)
{
    long double secs;
    if (util_str2ld(arg->p, arg->len, &secs) < 0) {
        reply_error(c, "timeout is not a float or out of range");
        return -1;
    }
    /* Redis converts with a C cast: a value past the range of long long
     * becomes LLONG_MIN on x86, i.e. "negative"; fractions truncate. */
    long double ms = secs * 1000.0L;
    if (ms <= -1.0L || ms >= 9223372036854775808.0L) {
        reply_error(c, "timeout is negative");
        return -1;
    }
    long long tval = (long long)ms;
    if (tval == 0 && ms > 0) tval = 1;      /* a positive fraction of a ms still times out */
    if (tval > 0) {
        int64_t now = clock_ms();
        /* Redis 7.0 adds without a check; the wrapped deadline never
         * passes, so such a client waits forever */
        tval = tval > INT64_MAX - now ? 0 : tval + now;
    }
    *deadline_ms = tval;
    return 0;
}

static void bkey_release(struct bkey *bk)
{
    if (bk->head || bk->ready) return;
    struct dict *t = table_of(bk->db, 0);
    dict_delete(t, bk->key, bk->klen);
    mem_free(bk);
}

static struct bkey *bkey_get(struct db *db, const char *key, size_t klen)
{
    struct dict *t = table_of(db, 1);
    struct bkey *bk = dict_find(t, key, klen);
    if (bk) return bk;
    bk = mem_calloc(sizeof(*bk) + klen);
    bk->db = db;
    bk->klen = klen;
    memcpy(bk->key, key, klen);
    dict_add(t, bk);
    return bk;
}

int blocking_unblock_reply(struct client *c, const char *error)
{
    if (c->bstate == NULL) return 0;
    if (error) reply_error(c, error);
    else reply_null_array(c);
    blocking_unblock(c);
    client_unblocked(c);
    return 1;
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    server.now_ms = clock_ms();
    blocking_unblock_reply(arg, NULL);
    clients_free_pending();
}

static void arm_timer(struct client *c, struct block_state *bs, int64_t deadline_ms)
{
    if (deadline_ms == 0) return;
    int64_t left = deadline_ms - clock_ms();
    if (left < 0) left = 0;
    struct timeval tv = { (time_t)(left / 1000), (suseconds_t)((left % 1000) * 1000) };
    bs->timer = evtimer_new(server.base, timeout_cb, c);
    evtimer_add(bs->timer, &tv);
}

void blocking_block(struct client *c, int type, const struct arg *keys, int nkeys, int64_t deadline_ms,
                    const struct block_args *args, blocking_serve_fn *serve)
{
    struct block_state *bs = mem_calloc(sizeof(*bs) + sizeof(struct bwait) * (size_t)nkeys);
    bs->db = c->db;
    bs->type = type;
    bs->serve = serve;
    bs->args = *args;
    if (args->target) bs->args.target = mem_strndup(args->target, args->tlen);
    for (int i = 0; i < nkeys; i++) {
        struct bkey *bk = bkey_get(c->db, keys[i].p, keys[i].len);
        int dup = 0;
        for (int j = 0; j < bs->nwaits; j++) dup |= bs->waits[j].bk == bk;
        if (dup) continue;
        struct bwait *w = &bs->waits[bs->nwaits++];
        w->c = c;
        w->bk = bk;
        w->prev = bk->tail;
        w->next = NULL;
        if (bk->tail) bk->tail->next = w;
        else bk->head = w;
        bk->tail = w;
    }
    c->bstate = bs;
    c->flags |= CLIENT_BLOCKED;
    nblocked++;
    arm_timer(c, bs, deadline_ms);
}

void blocking_unblock(struct client *c)
{
    struct block_state *bs = c->bstate;
    if (bs == NULL) return;
    for (int i = 0; i < bs->nwaits; i++) {
        struct bwait *w = &bs->waits[i];
        struct bkey *bk = w->bk;
        if (w->prev) w->prev->next = w->next;
        else bk->head = w->next;
        if (w->next) w->next->prev = w->prev;
        else bk->tail = w->prev;
        bkey_release(bk);
    }
    if (bs->timer) event_free(bs->timer);
    mem_free(bs->args.target);
    mem_free(bs);
    c->bstate = NULL;
    c->flags &= ~CLIENT_BLOCKED;
    nblocked--;
}

void blocking_signal_key(struct db *db, const char *key, size_t klen)
{
    if (nblocked == 0) return;
    struct dict *t = table_of(db, 0);
    struct bkey *bk = t ? dict_find(t, key, klen) : NULL;
    if (bk == NULL || bk->ready || bk->head == NULL) return;
    bk->ready = 1;
    bk->ready_next = NULL;
    if (ready_tail) ready_tail->ready_next = bk;
    else ready_head = bk;
    ready_tail = bk;
    blocking_nready++;
}

/* Serves the waiters of one key, oldest first, while the key holds a value
 * of the type each waits for. */
static void serve_key(struct bkey *bk)
{
    struct client *saved = server.current;
    for (struct bwait *w = bk->head, *next; w; w = next) {
        next = w->next;
        struct client *c = w->c;
        struct block_state *bs = c->bstate;
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        struct entry *e = db_lookup_write(bk->db, bk->key, bk->klen);
        if (e == NULL) break;
        if ((int)e->type != bs->type) continue;
        server.current = c;
        int gone = bs->serve(c, bk->db, e, bk->key, bk->klen, &bs->args);
        blocking_unblock(c);      /* may not free bk: it is still marked ready */
        client_unblocked(c);
        if (gone) break;
    }
    server.current = saved;
}

void blocking_handle_ready(void)
{
    while (ready_head) {
        struct bkey *bk = ready_head;
        ready_head = bk->ready_next;
        if (ready_head == NULL) ready_tail = NULL;
        blocking_nready--;
        serve_key(bk);
        bk->ready = 0;
        bkey_release(bk);
    }
}
