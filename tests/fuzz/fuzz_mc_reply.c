/* tests/fuzz/fuzz_mc_reply: compat/mc_reply's reply boundaries, fed as
 * proxy/node.c feeds them: one struct per reply of the kind the request
 * expects, the bytes from the reply start, resumed after PARSE_AGAIN, the
 * node connection closed at the first broken reply.  Each complete reply is
 * then walked unit by unit with mc_reply_unit, as proxy/merge.c walks a
 * get's VALUE blocks: the units must tile the reply and the last one be the
 * reported last line.  Control byte: the split (fuzz.h) and, modulo 5, the
 * reply kind. */
#include "compat/mc_reply.h"
#include "tests/fuzz/fuzz.h"

static void walk_units(const struct mc_reply *r, const char *buf)
{
    size_t pos = 0, need = 0;
    struct mc_reply_unit u = {0};
    while (pos < r->consumed) {
        FUZZ_CHECK(mc_reply_unit(buf, r->consumed, pos, &u, &need) == PARSE_OK);
        FUZZ_CHECK(u.line_off == pos && u.end > pos && u.end <= r->consumed);
        FUZZ_CHECK(u.line_off + u.line_len + 2 <= u.end);
        if (u.has_data) FUZZ_CHECK(u.data_off + u.data_len + 2 == u.end);
        pos = u.end;
    }
    FUZZ_CHECK(pos == r->consumed);
    FUZZ_CHECK(u.line_off == r->last_off && u.line_len == r->last_len);
    FUZZ_CHECK(r->error == mc_reply_is_error(buf + r->last_off, r->last_len));
}

static void record(struct fuzz_trace *t, const struct mc_reply *r, const char *buf, size_t len)
{
    FUZZ_CHECK(r->consumed > 0 && r->consumed <= len);
    FUZZ_CHECK(r->last_off + r->last_len <= r->consumed);
    walk_units(r, buf);
    fuzz_trace_printf(t, "ok consumed=%zu error=%d last=%zu+%zu\n", r->consumed, r->error,
                      r->last_off, r->last_len);
}

static void replay(const char *in, size_t n, const struct fuzz_split *split, const void *ctx,
                   struct fuzz_trace *t)
{
    enum mc_reply_kind kind = *(const enum mc_reply_kind *)ctx;
    size_t off = 0, avail = split ? split->at[0] : n;
    struct mc_reply r;
    mc_reply_init(&r, kind);
    while (off < n) {
        size_t len = avail - off;
        enum parse_result res = mc_reply_parse(&r, in + off, len);
        if (res == PARSE_AGAIN) {
            FUZZ_CHECK(r.pos <= len);
            FUZZ_CHECK(r.need == 0 || r.need > len);
            if (fuzz_more(split, &avail)) continue;
            fuzz_trace_printf(t, "again at %zu\n", off);
            break;
        }
        if (res != PARSE_OK) {
            fuzz_trace_printf(t, "broken r=%d at %zu\n", (int)res, off);
            break;
        }
        record(t, &r, in + off, len);
        off += r.consumed;
        mc_reply_init(&r, kind);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    enum mc_reply_kind kind = (enum mc_reply_kind)(data[0] % 5);
    fuzz_whole_split(data, size, replay, &kind, fuzz_trace_same);
    return 0;
}
