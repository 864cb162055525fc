/* tests/fuzz/fuzz_mc: what the two Memcached request targets (fuzz_mc_text,
 * fuzz_mc_meta) share: limits from the control byte, and the one tolerated
 * whole/split difference.
 *
 * That difference is by design (compat/mc_text.c, mc_line_find): like
 * memcached 1.6.18, a line whose '\n' has not arrived within line_max bytes
 * closes the connection, unless it is a get/gets; once the '\n' is there the
 * line is parsed whatever its length.  So a long line read in one piece is
 * parsed, and read in pieces it may close the connection.  The split replay
 * records that close as a marker; the whole replay must agree up to it. */
#ifndef SHOAL_FUZZ_MC_H
#define SHOAL_FUZZ_MC_H

#include "compat/mc_text.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MC_LONG_LINE "long line closed at "

/* Control byte bit 0: a 200-byte item_size_max (reach "too large");
 * bit 1: meta_new_flags; bit 2: a 128-byte line_max (reach long lines in
 * small inputs).  Not less: whether a long line may grow is decided on its
 * first 105 bytes (100 spaces, "gets "), which a line_max of 2048 always
 * holds; with a line_max under that, a line read in pieces could be closed
 * before its "get " arrived (a false alarm the fuzzer found with 64). */
static inline void fuzz_mc_limits(uint8_t ctl, struct mc_limits *lim)
{
    mc_limits_init(lim);
    if (ctl & 1) lim->item_size_max = 200;
    lim->meta_new_flags = (ctl & 2) != 0;
    if (ctl & 4) lim->line_max = 128;
}

/* The split replay got "close, no '\n' within line_max" at off. Only valid
 * if the line at off really is longer than line_max in the whole stream. */
static inline void fuzz_mc_long_line(struct fuzz_trace *t, const char *in, size_t n, size_t off,
                                     const struct mc_limits *lim)
{
    FUZZ_CHECK(n - off > lim->line_max);
    FUZZ_CHECK(memchr(in + off, '\n', lim->line_max) == NULL);
    fuzz_trace_printf(t, FUZZ_MC_LONG_LINE "%zu\n", off);
}

/* Compares the replays; a split trace ending with the long-line marker must
 * be a prefix of the whole one, up to the marker. */
static inline void fuzz_mc_same(const struct fuzz_trace *whole, const struct fuzz_trace *split)
{
    const char *m = NULL;
    size_t ml = strlen(FUZZ_MC_LONG_LINE);
    for (size_t i = split->len; i-- > 0;) {       /* the last line only */
        if (i == 0 || split->buf[i - 1] == '\n') {
            if (split->len - i > ml && memcmp(split->buf + i, FUZZ_MC_LONG_LINE, ml) == 0)
                m = split->buf + i;
            break;
        }
    }
    if (m == NULL) {
        fuzz_trace_same(whole, split);
        return;
    }
    struct fuzz_trace head = *split;
    head.len = (size_t)(m - split->buf);
    struct fuzz_trace whead = *whole;
    if (whead.len > head.len) whead.len = head.len;
    fuzz_trace_same(&whead, &head);
}

#endif
