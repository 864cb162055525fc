/* tests/fuzz/fuzz_mc_text: compat/mc_text's request parser, fed as
 * backend/mc.c and proxy/mc_proxy.c feed it: the bytes from the request
 * start, again with more after PARSE_AGAIN; a meta line (MC_CMD_META) goes
 * on to mc_meta_parse on the same bytes; after an error the connection
 * drops req.consumed bytes and discards req.swallow more as they arrive,
 * or closes (req.close).  Control byte: split and limits (fuzz_mc.h). */
#include "compat/mc_meta.h"
#include "compat/mc_text.h"
#include "tests/fuzz/fuzz_mc.h"

struct replay {
    const char *in;         /* the whole stream */
    size_t n;
    const struct mc_limits *lim;
    struct fuzz_trace *t;
};

static void check_token(const char *p, size_t n, const char *buf, size_t len)
{
    FUZZ_CHECK(p != NULL);
    FUZZ_CHECK(fuzz_inside(p, n, buf, len));
}

/* Checks and records a classic request; returns bytes to drop. */
static size_t record_text(const struct replay *rp, const struct mc_request *q, enum parse_result r,
                          const char *buf, size_t len)
{
    struct fuzz_trace *t = rp->t;
    FUZZ_CHECK(q->consumed <= len);
    FUZZ_CHECK(q->ntok <= MC_TEXT_MAX_TOKENS - 1);
    for (unsigned i = 0; i < q->ntok && i < MC_TEXT_KEEP_TOKENS; i++)
        check_token(q->tok[i].p, q->tok[i].len, buf, q->consumed ? q->consumed : len);
    fuzz_trace_printf(t, "text r=%d cmd=%d consumed=%zu ntok=%u noreply=%d close=%d swallow=%zu",
                      (int)r, (int)q->cmd, q->consumed, q->ntok, q->noreply, q->close, q->swallow);
    if (q->key) {
        check_token(q->key, q->nkey, buf, len);
        fuzz_trace_printf(t, " key=[%zu]", q->nkey);
        fuzz_trace_add(t, q->key, q->nkey);
    }
    if (q->keys) {
        check_token(q->keys, q->keys_len, buf, len);
        size_t pos = 0, nk, count = 0;
        const char *k;
        while (mc_text_key_next(q, &pos, &k, &nk)) {
            check_token(k, nk, q->keys, q->keys_len);
            FUZZ_CHECK(nk > 0 && ++count <= q->keys_len);
        }
        FUZZ_CHECK(r != PARSE_OK || count == q->nkeys);
        fuzz_trace_printf(t, " nkeys=%u keys=%zu", q->nkeys, q->keys_len);
    }
    if (q->data) {
        check_token(q->data, q->ndata, buf, q->consumed);
        fuzz_trace_printf(t, " data=[%zu]", q->ndata);
        fuzz_trace_add(t, q->data, q->ndata);
    }
    fuzz_trace_printf(t, " flags=%u exp=%d cas=%llu delta=%llu num=%u err=%s\n", q->flags, q->exptime,
                      (unsigned long long)q->cas, (unsigned long long)q->delta, q->num,
                      q->err ? q->err : "-");
    if (r != PARSE_OK) FUZZ_CHECK(q->err != NULL || q->close);
    if (q->close) return 0;
    FUZZ_CHECK(q->consumed > 0);    /* else the connection stalls */
    return q->consumed;
}

/* Checks and records a meta request; returns bytes to drop. */
static size_t record_meta(const struct replay *rp, const struct mc_meta_request *m, enum parse_result r,
                          const char *buf, size_t len)
{
    struct fuzz_trace *t = rp->t;
    FUZZ_CHECK(m->consumed > 0 && m->consumed <= len);
    FUZZ_CHECK(m->nflags <= MC_META_MAX_TOKENS);
    fuzz_trace_printf(t, "meta r=%d cmd=%d consumed=%zu nflags=%u q=%d swallow=%zu err=%s", (int)r,
                      (int)m->cmd, m->consumed, m->nflags, m->quiet, m->swallow, m->err ? m->err : "-");
    if (m->key) {
        FUZZ_CHECK(m->nkey <= MC_KEY_MAX_LENGTH || !m->key_binary);
        if (!m->key_binary) check_token(m->key, m->nkey, buf, len);
        fuzz_trace_printf(t, " key=[%zu]", m->nkey);
        fuzz_trace_add(t, m->key, m->nkey);
    }
    if (m->data) {
        check_token(m->data, m->ndata, buf, m->consumed);
        fuzz_trace_printf(t, " data=[%zu]", m->ndata);
    }
    fuzz_trace_add(t, "\n", 1);
    if (r != PARSE_OK) FUZZ_CHECK(m->err != NULL);
    return m->consumed;
}

/* One request at buf; returns bytes to drop, 0 for "need more" (*again)
 * or a close. *swallow: bytes to discard after. */
static size_t one(const struct replay *rp, const char *buf, size_t len, int *again, size_t *swallow,
                  size_t off, const struct fuzz_split *split)
{
    struct mc_request q;
    enum parse_result r = mc_text_parse(buf, len, rp->lim, &q);
    *again = 0;
    *swallow = 0;
    if (r == PARSE_AGAIN) {
        FUZZ_CHECK(q.consumed == 0);
        FUZZ_CHECK(q.need == 0 || q.need > len);
        *again = 1;
        return 0;
    }
    if (r == PARSE_ETOOBIG && q.close && split && memchr(buf, '\n', rp->n - off)) {
        fuzz_mc_long_line(rp->t, rp->in, rp->n, off, rp->lim);
        return 0;
    }
    if (r != PARSE_OK || q.cmd != MC_CMD_META) {
        *swallow = q.swallow;
        return record_text(rp, &q, r, buf, len);
    }
    FUZZ_CHECK(q.consumed == 0);
    struct mc_meta_request m;
    r = mc_meta_parse(buf, len, rp->lim, &m);
    if (r == PARSE_AGAIN) {
        FUZZ_CHECK(m.consumed == 0);
        FUZZ_CHECK(m.need == 0 || m.need > len);
        *again = 1;
        return 0;
    }
    FUZZ_CHECK(r != PARSE_ETOOBIG || m.swallow > 0);
    *swallow = m.swallow;
    return record_meta(rp, &m, r, buf, len);
}

static void replay_stream(const struct replay *rp, const struct fuzz_split *split)
{
    size_t off = 0, avail = split ? split->at[0] : rp->n, swallow = 0;
    while (off < rp->n) {
        int again = 0;
        size_t used = 0;
        if (swallow > 0) {          /* memcached's conn_swallow */
            used = swallow < avail - off ? swallow : avail - off;
            swallow -= used;
            again = used == 0;
        } else {
            used = one(rp, rp->in + off, avail - off, &again, &swallow, off, split);
            if (used == 0 && !again) break;     /* closed */
        }
        if (again) {
            if (fuzz_more(split, &avail)) continue;
            fuzz_trace_printf(rp->t, "again at %zu swallow %zu\n", off, swallow);
            break;
        }
        off += used;
    }
}

static void replay(const char *in, size_t n, const struct fuzz_split *split, const void *ctx,
                   struct fuzz_trace *t)
{
    struct replay rp = {in, n, ctx, t};
    replay_stream(&rp, split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct mc_limits lim;
    fuzz_mc_limits(data[0], &lim);
    fuzz_whole_split(data, size, replay, &lim, fuzz_mc_same);
    return 0;
}
