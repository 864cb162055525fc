/* proxy/coalesce: joined Memcached get lines; see coalesce.h. */
#include "proxy/coalesce.h"

#include <event2/buffer.h>
#include <string.h>

#include "compat/mc_reply.h"
#include "lib/mem.h"
#include "proxy/frag.h"
#include "proxy/node.h"
#include "proxy/pool.h"
#include "proxy/stats.h"
#include "proxy/worker.h"

bool coal_enabled = true;

static struct worker *nc_worker(struct nconn *nc)
{
    return nc->ws->wp->w;
}

static void coal_list(struct nconn *nc)
{
    struct worker *w = nc_worker(nc);
    if (nc->co.listed) return;
    nc->co.listed = true;
    nc->co.prev = NULL;
    nc->co.next = w->coal_head;
    if (w->coal_head) w->coal_head->co.prev = nc;
    w->coal_head = nc;
}

static void coal_unlist(struct nconn *nc)
{
    struct worker *w = nc_worker(nc);
    if (!nc->co.listed) return;
    if (nc->co.prev) nc->co.prev->co.next = nc->co.next;
    else w->coal_head = nc->co.next;
    if (nc->co.next) nc->co.next->co.prev = nc->co.prev;
    nc->co.prev = nc->co.next = NULL;
    nc->co.listed = false;
}

void coal_close(struct nconn *nc)
{
    if (nc->co.cmd == COAL_NONE) return;
    evbuffer_add(nc->pc.out, "\r\n", 2);
    /* the line may have been written already (a get queued while the
     * worker flushed): the CRLF must go out too */
    pconn_mark(&nc->pc);
    nc->co.cmd = COAL_NONE;
    nc->co.keys = 0;
    nc->co.bytes = 0;
}

void coal_close_all(struct worker *w)
{
    while (w->coal_head) {
        struct nconn *nc = w->coal_head;
        coal_unlist(nc);
        coal_close(nc);
    }
}

const char *coal_begin(struct nconn *nc, enum coal_cmd cmd, size_t seg, uint32_t nkeys,
                       bool *join)
{
    struct coal *co = &nc->co;
    *join = co->cmd == cmd && co->keys + nkeys <= COAL_MAX_KEYS &&
            co->bytes + seg <= COAL_MAX_BYTES;
    if (*join) return "";
    coal_close(nc);
    return cmd == COAL_GETS ? "gets" : "get";
}

/* Room for n more bytes at the log's end: slide the live part down first,
 * then grow. */
static void log_reserve(struct coal *co, size_t n)
{
    if (co->log_end + n <= co->log_cap) return;
    if (co->log_start) {
        memmove(co->log, co->log + co->log_start, co->log_end - co->log_start);
        co->log_base += co->log_start;
        co->log_end -= co->log_start;
        co->log_start = 0;
    }
    if (co->log_end + n <= co->log_cap) return;
    size_t cap = co->log_cap ? co->log_cap : 1024;
    while (cap < co->log_end + n) cap *= 2;
    co->log = mem_realloc(co->log, cap);
    co->log_cap = cap;
}

void coal_end(struct nconn *nc, struct frag *f, enum coal_cmd cmd, bool join,
              const char *seg, size_t n, uint32_t nkeys)
{
    struct coal *co = &nc->co;
    log_reserve(co, n);
    memcpy(co->log + co->log_end, seg, n);
    f->coal = true;
    f->joined = join;
    if (join) STAT_INC(f->req->wp->st.gets_joined);
    f->koff = co->log_base + co->log_end;
    f->klen = (uint32_t)n;
    co->log_end += n;
    co->cmd = (uint8_t)cmd;
    co->keys += nkeys;
    co->bytes += n + (join ? 0 : cmd == COAL_GETS ? 4 : 3);   /* keys, and the command word */
    coal_list(nc);
}

void coal_reset(struct nconn *nc)
{
    struct coal *co = &nc->co;
    coal_unlist(nc);
    co->cmd = COAL_NONE;
    co->keys = 0;
    co->bytes = 0;
    co->log_base += co->log_end;
    co->log_start = co->log_end = 0;
    if (co->log_cap > (64u << 10)) {
        mem_free(co->log);
        co->log = NULL;
        co->log_cap = 0;
    }
}

void coal_release(struct nconn *nc, struct frag *f)
{
    struct coal *co = &nc->co;
    if (!f->coal) return;
    uint64_t end = f->koff + f->klen;
    if (end <= co->log_base) return;
    co->log_start = (size_t)(end - co->log_base);
    if (co->log_start >= co->log_end) {
        co->log_base += co->log_end;
        co->log_start = co->log_end = 0;
    }
}

bool coal_head_joined(const struct nconn *nc)
{
    const struct frag *f = nc->head;
    return f && f->coal && f->next && f->next->joined;
}

/* ---- reply side ---- */

/* A fragment's keys as logged, and how far the VALUE blocks got in them. */
struct kcur {
    const char *p;
    size_t n, pos;
};

/* Is key (from a VALUE line) ahead of the cursor? Moves it past the key. */
static bool kcur_find(struct kcur *k, const char *key, size_t nkey)
{
    size_t pos = k->pos;
    while (pos < k->n) {
        while (pos < k->n && k->p[pos] == ' ') pos++;
        size_t start = pos;
        while (pos < k->n && k->p[pos] != ' ') pos++;
        if (pos - start == nkey && memcmp(k->p + start, key, nkey) == 0) {
            k->pos = pos;
            return true;
        }
    }
    return false;
}

/* The key of a VALUE line (line without CRLF): its span, or 0. */
static size_t value_key(const char *line, size_t n, const char **key)
{
    if (n < 7 || memcmp(line, "VALUE ", 6) != 0) return 0;
    const char *sp = memchr(line + 6, ' ', n - 6);
    *key = line + 6;
    return sp ? (size_t)(sp - (line + 6)) : n - 6;
}

/* Assign the reply's blocks: upto[j] = end offset of fragment j's last
 * block (or of the previous fragment's when it has none). */
static int assign_blocks(struct nconn *nc, const char *p, size_t n, int m, size_t *upto)
{
    struct coal *co = &nc->co;
    struct frag *f = nc->head;
    struct kcur k = { co->log + (f->koff - co->log_base), f->klen, 0 };
    int j = 0;
    size_t pos = 0;
    for (int i = 0; i < m; i++) upto[i] = 0;
    for (;;) {
        struct mc_reply_unit u;
        size_t need;
        if (mc_reply_unit(p, n, pos, &u, &need) != PARSE_OK) return -1;
        if (!u.has_data) break;     /* END */
        const char *key;
        size_t nkey = value_key(p + u.line_off, u.line_len, &key);
        if (nkey == 0) return -1;
        while (!kcur_find(&k, key, nkey)) {
            if (++j == m) return -1;
            f = f->next;
            k = (struct kcur){ co->log + (f->koff - co->log_base), f->klen, 0 };
        }
        upto[j] = u.end;
        pos = u.end;
    }
    for (int i = 0; i < m; i++)
        if (upto[i] == 0) upto[i] = i ? upto[i - 1] : 0;
    return n - pos == 5 ? 0 : -1;
}

int coal_reply(struct nconn *nc, struct evbuffer *in, size_t n, bool error)
{
    int m = 1;
    for (struct frag *f = nc->head->next; f && f->joined; f = f->next) m++;
    size_t stack_upto[64];
    size_t *upto = m <= 64 ? stack_upto : mem_alloc(sizeof *upto * (size_t)m);
    const char *p = (const char *)evbuffer_pullup(in, (ssize_t)n);
    int rc = error ? 0 : assign_blocks(nc, p, n, m, upto);
    struct evbuffer *tmp = nc_worker(nc)->coal_scratch;
    if (rc == 0) {
        size_t done = 0;
        for (int j = 0; j < m; j++) {
            if (error) {
                /* every fragment gets the error line (the reply's last) */
                evbuffer_add(tmp, p + nc->mr.last_off, n - nc->mr.last_off);
            } else {
                evbuffer_remove_buffer(in, tmp, upto[j] - done);
                evbuffer_add(tmp, "END\r\n", 5);
                done = upto[j];
            }
            size_t len = evbuffer_get_length(tmp);
            struct frag *f = nconn_pop_reply(nc, j == m - 1 ? n : 0);
            frag_replied(f, tmp, len);
        }
        evbuffer_drain(in, n - done);
    }
    if (upto != stack_upto) mem_free(upto);
    return rc;
}
