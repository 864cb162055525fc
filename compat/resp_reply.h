/* compat/resp_reply: finds where one RESP reply ends (RESP2 and RESP3), for
 * the proxy, which forwards replies as bytes and only needs their
 * boundaries and, to merge, the top-level type and integer.
 *
 * Pure and resumable like the request parser: call resp_reply_parse() with
 * the bytes from the start of the reply; PARSE_AGAIN keeps the position as
 * an offset (the caller may move its buffer) and consumes nothing.  Nested
 * aggregates need no stack: a reply is complete when the count of elements
 * still owed drops to zero (an aggregate of n adds n, a map 2n, an
 * attribute 2n plus the element it decorates).
 *
 * Types: RESP2's + - : $ * and RESP3's _ , # ( ! = % ~ > | (an attribute
 * is not an element: it decorates the reply after it, whose type is the
 * one reported; a push is reported as '>' and is the caller's to tell from
 * a request's reply).  RESP3's streamed forms (`$?` with `;` chunks, `*?`
 * `%?` `~?` ended by `.`) are refused as invalid: Redis never sends them,
 * and supporting them would need a stack for nested unknown-length
 * aggregates in a parser that needs none now.
 *
 *     struct resp_reply r;  resp_reply_init(&r);
 *     switch (resp_reply_parse(&r, buf, len)) {
 *     case PARSE_OK:     use r.consumed bytes, r.type, r.integer; then init again
 *     case PARSE_AGAIN:  read more (r.need, when known, is the total wanted)
 *     default:           the peer is broken: close the connection
 *     }
 */
#ifndef SHOAL_RESP_REPLY_H
#define SHOAL_RESP_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "compat/parse.h"

#define RESP_REPLY_LINE_MAX (64 * 1024)     /* a header or simple line */

struct resp_reply {
    /* results, valid after PARSE_OK */
    char type;              /* first byte of the top-level reply ('+', '*' ...);
                             * an attribute's decorated reply's type */
    long long integer;      /* ':' value, or the count of a top-level aggregate,
                             * or a bulk's length (-1 for null) */
    size_t consumed;        /* bytes of the whole reply */
    size_t need;            /* PARSE_AGAIN: total bytes needed when known, else 0 */
    /* state */
    size_t pos;
    long long owed;         /* elements still to read */
    long long bulk;         /* >= 0: inside a blob of this length at pos */
    int top_done;           /* the top-level header was read */
};

void resp_reply_init(struct resp_reply *r);
enum parse_result resp_reply_parse(struct resp_reply *r, const char *buf, size_t len);

/* Length of the one complete reply at buf (0 if incomplete or invalid):
 * for walking the elements of a complete aggregate. */
size_t resp_reply_span(const char *buf, size_t len);

#endif
