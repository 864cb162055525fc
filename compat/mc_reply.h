/* compat/mc_reply: finds where one Memcached reply ends (classic text and
 * meta), for the proxy, which forwards replies as bytes.
 *
 * A reply's shape depends on the request, so the caller says what it
 * expects (enum mc_reply_kind).  The parser walks "units": a line, plus the
 * data block a `VALUE <key> <flags> <bytes> [<cas>]` or `VA <size> ...`
 * line announces.  Pure and resumable: the position is kept as an offset
 * from the reply start, nothing is consumed until the reply is complete.
 *
 *     struct mc_reply r;  mc_reply_init(&r, MC_REPLY_RETRIEVAL);
 *     PARSE_OK     r.consumed bytes are the reply; r.error says whether its
 *                  last line is ERROR / CLIENT_ERROR / SERVER_ERROR
 *     PARSE_AGAIN  read more (r.need: total bytes wanted, when known)
 *     otherwise    the peer is broken: close it
 *
 * mc_reply_unit() walks the units of a complete reply (to merge gets). */
#ifndef SHOAL_MC_REPLY_H
#define SHOAL_MC_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "compat/parse.h"

#define MC_REPLY_LINE_MAX (8 * 1024)

enum mc_reply_kind {
    MC_REPLY_LINE = 0,      /* one line: storage, delete, incr, touch, version... */
    MC_REPLY_RETRIEVAL,     /* VALUE blocks then END (get gets gat gats) */
    MC_REPLY_STATS,         /* STAT lines then END */
    MC_REPLY_META,          /* one meta reply: a line, plus data after VA */
    MC_REPLY_UNTIL_MN,      /* any units up to and including the line MN */
};

struct mc_reply {
    enum mc_reply_kind kind;
    /* results */
    size_t consumed;
    size_t need;
    bool error;             /* last line is an error line */
    size_t last_off, last_len;   /* the last line (without CRLF) */
    /* state */
    size_t pos;             /* start of the unit being read */
};

struct mc_reply_unit {
    size_t line_off, line_len;   /* the line without CRLF */
    size_t data_off, data_len;   /* data block without CRLF (0 if none) */
    bool has_data;
    size_t end;                  /* offset after the unit */
};

void mc_reply_init(struct mc_reply *r, enum mc_reply_kind kind);
enum parse_result mc_reply_parse(struct mc_reply *r, const char *buf, size_t len);

/* Parses the unit at pos. PARSE_AGAIN sets *need when the total is known. */
enum parse_result mc_reply_unit(const char *buf, size_t len, size_t pos,
                                struct mc_reply_unit *u, size_t *need);

/* Is this line (without CRLF) an error line? */
bool mc_reply_is_error(const char *line, size_t n);

#endif
