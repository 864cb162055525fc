/* tests/fuzz/fuzz_mc_meta: compat/mc_meta's parser on its own (fuzz_mc_text
 * reaches it only through lines mc_text takes for meta), fed as
 * backend/mc.c feeds it: the bytes from the request start, more after
 * PARSE_AGAIN; after an error m.consumed bytes are dropped and m.swallow
 * more discarded.  Each parsed request is then answered the way the node
 * does (head, return flags for a hit with a binary key, end), so the
 * composers run on every flag the parser let through.  Control byte: split
 * and limits (fuzz_mc.h). */
#include "compat/mc_meta.h"
#include "tests/fuzz/fuzz_mc.h"

/* Composes a reply from the request, as backend/mc_meta.c does. */
static void compose(const struct mc_meta_request *m)
{
    struct mc_out out;
    struct mc_meta_item it = {
        .key = m->key, .nkey = m->nkey, .key_binary = m->key_binary, .client_flags = m->client_flags,
        .size = m->ndata, .ttl = -1, .cas = m->cas_c, .fetched = true, .last_access = 1,
        .win = true, .stale = true, .win_sent = true,
    };
    mc_out_init(&out);
    mc_meta_compose_va(&out, m->ndata);
    mc_meta_compose_flags(&out, m, MC_META_RET_MG, &it, true);
    mc_meta_compose_flags(&out, m, MC_META_RET_MISS, NULL, false);
    mc_meta_compose_end(&out);
    FUZZ_CHECK(out.len <= out.cap && memchr(out.buf, '\n', out.len) == out.buf + out.len - 1);
    mc_out_deinit(&out);
}

static size_t record(struct fuzz_trace *t, const struct mc_meta_request *m, enum parse_result r,
                     const char *buf, size_t len)
{
    FUZZ_CHECK(m->consumed > 0 && m->consumed <= len);
    FUZZ_CHECK(m->nflags <= MC_META_MAX_TOKENS);
    FUZZ_CHECK(r == PARSE_OK || m->err != NULL);
    fuzz_trace_printf(t, "r=%d cmd=%d consumed=%zu nflags=%u q=%d mode=%d swallow=%zu err=%s", (int)r,
                      (int)m->cmd, m->consumed, m->nflags, m->quiet, m->mode, m->swallow,
                      m->err ? m->err : "-");
    for (unsigned i = 0; i < m->nflags; i++) {
        FUZZ_CHECK(m->flag[i].len > 0 && fuzz_inside(m->flag[i].p, m->flag[i].len, buf, m->consumed));
        fuzz_trace_printf(t, " %c", m->flag[i].p[0]);
    }
    if (m->key) {
        if (m->key_binary) FUZZ_CHECK(m->key == m->kbuf && m->nkey <= sizeof m->kbuf);
        else FUZZ_CHECK(fuzz_inside(m->key, m->nkey, buf, m->consumed));
        fuzz_trace_printf(t, " key=[%zu]", m->nkey);
        fuzz_trace_add(t, m->key, m->nkey);
    }
    if (m->opaque) FUZZ_CHECK(fuzz_inside(m->opaque, m->nopaque, buf, m->consumed));
    if (m->data) {
        FUZZ_CHECK(fuzz_inside(m->data, m->ndata, buf, m->consumed));
        fuzz_trace_printf(t, " data=[%zu]", m->ndata);
        fuzz_trace_add(t, m->data, m->ndata);
    }
    fuzz_trace_printf(t, " ttl=%d/%d/%d cas=%llu F=%u D=%llu J=%llu\n", m->ttl_n, m->ttl_r, m->ttl_t,
                      (unsigned long long)m->cas_c, m->client_flags, (unsigned long long)m->delta,
                      (unsigned long long)m->initial);
    if (r == PARSE_OK) compose(m);
    return m->consumed;
}

static void replay(const char *in, size_t n, const struct fuzz_split *split, const void *ctx,
                   struct fuzz_trace *t)
{
    const struct mc_limits *lim = ctx;
    size_t off = 0, avail = split ? split->at[0] : n, swallow = 0;
    while (off < n) {
        size_t len = avail - off, used = 0;
        int again = 0;
        if (swallow > 0) {
            used = swallow < len ? swallow : len;
            swallow -= used;
            again = used == 0;
        } else {
            struct mc_meta_request m;
            enum parse_result r = mc_meta_parse(in + off, len, lim, &m);
            if (r == PARSE_AGAIN) {
                FUZZ_CHECK(m.consumed == 0 && (m.need == 0 || m.need > len));
                again = 1;
            } else if (r == PARSE_ETOOBIG && m.consumed == 0) {
                /* mc_line_find's "no '\n' within line_max": the caller closes */
                if (split && memchr(in + off, '\n', n - off)) fuzz_mc_long_line(t, in, n, off, lim);
                else fuzz_trace_printf(t, "line too long at %zu\n", off);
                break;
            } else {
                used = record(t, &m, r, in + off, len);
                swallow = m.swallow;
            }
        }
        if (again) {
            if (fuzz_more(split, &avail)) continue;
            fuzz_trace_printf(t, "again at %zu swallow %zu\n", off, swallow);
            break;
        }
        off += used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct mc_limits lim;
    fuzz_mc_limits(data[0], &lim);
    fuzz_whole_split(data, size, replay, &lim, fuzz_mc_same);
    return 0;
}
