/* tests/fuzz/fuzz: what every fuzz target shares.
 *
 * A target is one LLVMFuzzerTestOneInput per parser.  Its first input byte
 * is a control byte, not protocol: it picks the split points (and, in some
 * targets, limits), so the fuzzer explores chunking as it explores bytes.
 * The rest is the stream a peer sent.  Each target replays the stream the
 * way the daemon does (parse, drop what was consumed, parse again) once
 * with every byte available and once fed in pieces, records every result
 * into a trace, and aborts when the two traces differ or an invariant
 * breaks.  Built with clang -fsanitize=fuzzer it is a libFuzzer binary;
 * built with tests/fuzz/replay.c it replays a corpus (make check).
 *
 * Header-only on purpose: each target is a single .c plus this file. */
#ifndef SHOAL_FUZZ_H
#define SHOAL_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which and abort (libFuzzer saves the input). */
#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) fuzz_die(__FILE__, __LINE__, #cond); \
    } while (0)

static inline void fuzz_die(const char *file, int line, const char *what)
{
    fprintf(stderr, "fuzz: %s:%d: check failed: %s\n", file, line, what);
    abort();
}

/* The split points: a stream of n bytes is fed as [0, s1), [s1, s2),
 * [s2, n); s1 is ctl scaled to n, s2 halfway through the rest. */
struct fuzz_split {
    size_t at[3];   /* ascending ends of the pieces, at[2] == n */
};

static inline struct fuzz_split fuzz_split_of(uint8_t ctl, size_t n)
{
    struct fuzz_split s;
    s.at[0] = (size_t)ctl * (n + 1) / 256;
    s.at[1] = s.at[0] + (n - s.at[0]) / 2;
    s.at[2] = n;
    return s;
}

/* How many bytes are available once the parser asked for more than avail:
 * the next piece end beyond avail, or 0 when the stream is exhausted. */
static inline size_t fuzz_split_next(const struct fuzz_split *s, size_t avail)
{
    for (int i = 0; i < 3; i++)
        if (s->at[i] > avail) return s->at[i];
    return 0;
}

/* A trace: every result of one replay, as bytes, to compare whole/split. */
struct fuzz_trace {
    char *buf;
    size_t len, cap;
};

static inline void fuzz_trace_add(struct fuzz_trace *t, const void *p, size_t n)
{
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n) cap *= 2;
        t->buf = realloc(t->buf, cap);
        if (t->buf == NULL) abort();
        t->cap = cap;
    }
    if (n) memcpy(t->buf + t->len, p, n);
    t->len += n;
}

static inline void fuzz_trace_printf(struct fuzz_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void fuzz_trace_printf(struct fuzz_trace *t, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) abort();
    fuzz_trace_add(t, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static inline void fuzz_trace_free(struct fuzz_trace *t)
{
    free(t->buf);
    t->buf = NULL;
    t->len = t->cap = 0;
}

/* Aborts, printing both, when the whole and split replays differ. */
static inline void fuzz_trace_same(const struct fuzz_trace *whole, const struct fuzz_trace *split)
{
    if (whole->len == split->len && (whole->len == 0 || memcmp(whole->buf, split->buf, whole->len) == 0))
        return;
    fprintf(stderr, "fuzz: whole/split mismatch\n--- whole:\n%.*s\n--- split:\n%.*s\n",
            (int)(whole->len < 4096 ? whole->len : 4096), whole->buf ? whole->buf : "",
            (int)(split->len < 4096 ? split->len : 4096), split->buf ? split->buf : "");
    abort();
}

/* After PARSE_AGAIN: make the next piece available (*avail grows) and
 * return 1, or return 0 when there is none (the whole replay, or the last
 * piece): the stream ends there and the caller records where. */
static inline int fuzz_more(const struct fuzz_split *s, size_t *avail)
{
    size_t more = s ? fuzz_split_next(s, *avail) : 0;
    if (more == 0) return 0;
    *avail = more;
    return 1;
}

/* One replay of a stream: whole (split NULL) or fed in pieces; every
 * result goes into t.  ctx is the target's own (limits, a reply kind). */
typedef void fuzz_replay_fn(const char *in, size_t n, const struct fuzz_split *split,
                            const void *ctx, struct fuzz_trace *t);
typedef void fuzz_same_fn(const struct fuzz_trace *whole, const struct fuzz_trace *split);

/* The driver of every whole/split target: the stream after the control
 * byte, in a private copy (ASan sees any read past its end), replayed
 * whole and in the pieces the control byte picks; same() compares the two
 * traces (fuzz_trace_same, or a target's tolerant variant). */
static inline void fuzz_whole_split(const uint8_t *data, size_t size, fuzz_replay_fn *replay,
                                    const void *ctx, fuzz_same_fn *same)
{
    if (size < 1) return;
    size_t n = size - 1;
    char *in = malloc(n ? n : 1);
    if (in == NULL) abort();
    memcpy(in, data + 1, n);
    struct fuzz_split split = fuzz_split_of(data[0], n);
    struct fuzz_trace whole = {0}, pieces = {0};
    replay(in, n, NULL, ctx, &whole);
    replay(in, n, &split, ctx, &pieces);
    same(&whole, &pieces);
    fuzz_trace_free(&whole);
    fuzz_trace_free(&pieces);
    free(in);
}

/* Is [p, p+n) inside [base, base+len)? */
static inline int fuzz_inside(const void *p, size_t n, const void *base, size_t len)
{
    const char *a = p, *b = base;
    return a >= b && a <= b + len && n <= (size_t)(b + len - a);
}

#endif
