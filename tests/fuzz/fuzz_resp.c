/* tests/fuzz/fuzz_resp: compat/resp's request parser, fed as
 * backend/networking.c and proxy/resp_proxy.c feed it: one parser per
 * connection, called with the bytes from the current message's start,
 * resumed after PARSE_AGAIN with more bytes, reset after each message, and
 * the connection closed at the first protocol error.  Control byte: the
 * split (fuzz.h), bit 0 an unauthenticated client, bit 1 a 1000-byte
 * proto-max-bulk-len.  Inline requests are unescaped in place, so each
 * replay works on its own copy (fuzz_whole_split's is shared by both). */
#include "compat/resp.h"
#include "tests/fuzz/fuzz.h"

#include <limits.h>

/* One message's result into the trace, after checking it. */
static void record(struct fuzz_trace *t, const struct resp_parser *p, enum parse_result r,
                   const char *msg, size_t len)
{
    fuzz_trace_printf(t, "r=%d ", (int)r);
    if (r != PARSE_OK) {
        FUZZ_CHECK(p->err != NULL && strncmp(p->err, "Protocol error", 14) == 0);
        fuzz_trace_printf(t, "err=%s\n", p->err);
        return;
    }
    FUZZ_CHECK(p->consumed > 0 && p->consumed <= len);
    FUZZ_CHECK(p->argc >= 0 && p->argc <= p->argcap);
    FUZZ_CHECK(p->mb_left == -1 && p->pos == 0);
    fuzz_trace_printf(t, "consumed=%zu argc=%d inline=%d", p->consumed, p->argc, p->is_inline);
    for (int i = 0; i < p->argc; i++) {
        const struct resp_span *a = &p->argv[i];
        FUZZ_CHECK((size_t)a->off + a->len <= p->consumed);
        fuzz_trace_printf(t, " [%u]", a->len);
        fuzz_trace_add(t, msg + a->off, a->len);
    }
    fuzz_trace_add(t, "\n", 1);
}

/* Replays the stream; split NULL: everything available at once. */
static void replay(const char *in, size_t n, const struct fuzz_split *split, const void *ctx,
                   struct fuzz_trace *t)
{
    const struct resp_limits *lim = ctx;
    char *buf = malloc(n ? n : 1);
    if (buf == NULL) abort();
    memcpy(buf, in, n);
    struct resp_parser p;
    resp_parser_init(&p);
    size_t off = 0, avail = split ? split->at[0] : n;
    while (off < n) {
        size_t len = avail - off;
        enum parse_result r = resp_parse_request(&p, buf + off, len, lim);
        if (r == PARSE_AGAIN) {
            FUZZ_CHECK(p.pos <= len);
            if (fuzz_more(split, &avail)) continue;
            fuzz_trace_printf(t, "again at %zu\n", off);
            break;
        }
        record(t, &p, r, buf + off, len);
        if (r != PARSE_OK) break;       /* the daemon replies and closes */
        off += p.consumed;
        resp_parser_reset(&p);
    }
    resp_parser_deinit(&p);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t ctl = data[0];
    struct resp_limits lim = {
        .max_bulk_len = (ctl & 2) ? 1000 : 512LL * 1024 * 1024,
        .max_multibulk_len = INT_MAX,
        .unauthenticated = ctl & 1,
    };
    fuzz_whole_split(data, size, replay, &lim, fuzz_trace_same);
    return 0;
}
