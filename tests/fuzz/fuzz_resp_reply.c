/* tests/fuzz/fuzz_resp_reply: compat/resp_reply's reply boundaries (RESP2
 * and RESP3), fed as proxy/node.c feeds them: one struct per reply, the
 * bytes from the reply start, resumed after PARSE_AGAIN, the node
 * connection closed at the first invalid reply.  Each complete reply is
 * then walked as proxy/merge.c walks an array (resp_reply_span over the
 * elements after the header line): the elements must tile the reply
 * exactly.  Control byte: the split (fuzz.h). */
#include "compat/resp_reply.h"
#include "tests/fuzz/fuzz.h"

static int is_type(char c)
{
    return c != '\0' && strchr("+-:$*_,#(!=%~>", c) != NULL;
}

/* An aggregate's elements, one span each, must end where the reply ends. */
static void walk_elements(const struct resp_reply *r, const char *buf)
{
    if (buf[0] != r->type || strchr("*~>%", r->type) == NULL || r->integer <= 0) return;
    FUZZ_CHECK(r->integer <= (long long)r->consumed);
    const char *nl = memchr(buf, '\n', r->consumed);
    FUZZ_CHECK(nl != NULL);
    size_t cur = (size_t)(nl - buf) + 1;
    long long n = r->type == '%' ? 2 * r->integer : r->integer;
    for (long long i = 0; i < n; i++) {
        FUZZ_CHECK(cur < r->consumed);
        size_t span = resp_reply_span(buf + cur, r->consumed - cur);
        FUZZ_CHECK(span > 0 && span <= r->consumed - cur);
        cur += span;
    }
    FUZZ_CHECK(cur == r->consumed);
}

static void record(struct fuzz_trace *t, const struct resp_reply *r, const char *buf, size_t len)
{
    FUZZ_CHECK(r->consumed > 0 && r->consumed <= len);
    FUZZ_CHECK(is_type(r->type));
    FUZZ_CHECK(resp_reply_span(buf, r->consumed) == r->consumed);
    FUZZ_CHECK(r->consumed >= 2 && buf[r->consumed - 2] == '\r' && buf[r->consumed - 1] == '\n');
    walk_elements(r, buf);
    fuzz_trace_printf(t, "ok type=%c integer=%lld consumed=%zu\n", r->type, r->integer, r->consumed);
}

static void replay(const char *in, size_t n, const struct fuzz_split *split, const void *ctx,
                   struct fuzz_trace *t)
{
    (void)ctx;
    size_t off = 0, avail = split ? split->at[0] : n;
    struct resp_reply r;
    resp_reply_init(&r);
    while (off < n) {
        size_t len = avail - off;
        enum parse_result res = resp_reply_parse(&r, in + off, len);
        if (res == PARSE_AGAIN) {
            FUZZ_CHECK(r.pos <= len);
            FUZZ_CHECK(r.need == 0 || r.need > len);
            if (fuzz_more(split, &avail)) continue;
            fuzz_trace_printf(t, "again at %zu\n", off);
            break;
        }
        if (res != PARSE_OK) {
            fuzz_trace_printf(t, "invalid r=%d at %zu\n", (int)res, off);
            break;
        }
        record(t, &r, in + off, len);
        off += r.consumed;
        resp_reply_init(&r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_whole_split(data, size, replay, NULL, fuzz_trace_same);
    return 0;
}
