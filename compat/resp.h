/* compat/resp: the RESP request parser (multibulk and inline) and the
 * reply-header composers shared by the node and the proxy.
 *
 * The request parser is pure and resumable: it is handed the bytes from the
 * start of the current message, remembers how far it got (as offsets, so the
 * caller may move the buffer between calls), consumes nothing until the
 * message is complete, and reports arguments as (offset, length) pairs
 * relative to the message start. Inline requests are unescaped in place
 * (the unescaped form is never longer), which is why buf is not const. */
#ifndef SHOAL_RESP_H
#define SHOAL_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "compat/parse.h"

#define RESP_INLINE_MAX (64 * 1024)      /* Redis's PROTO_INLINE_MAX_SIZE */
#define RESP_ARGV_INITIAL 16

struct resp_span {
    uint32_t off;   /* from the message start; messages are < 4 GiB */
    uint32_t len;
};

struct resp_limits {
    long long max_bulk_len;       /* proto-max-bulk-len */
    long long max_multibulk_len;  /* INT_MAX in Redis */
    int unauthenticated;          /* 1: at most 10 args and 16 KiB bulks */
};

struct resp_parser {
    /* results, valid after PARSE_OK */
    int argc;
    struct resp_span *argv;
    size_t consumed;        /* bytes of this message, to drop after use */
    int is_inline;
    const char *err;        /* "Protocol error: ..." after PARSE_EINVALID/ETOOBIG */
    /* state */
    int argcap;
    long long mb_left;      /* -1: not inside a multibulk yet */
    long long bulk_len;     /* -1: expecting a $ header */
    size_t pos;             /* parse position from the message start */
    struct resp_span argv_small[RESP_ARGV_INITIAL];
};

void resp_parser_init(struct resp_parser *p);
void resp_parser_deinit(struct resp_parser *p);
/* Forget a partial message (after an error, or once a message is used). */
void resp_parser_reset(struct resp_parser *p);
/* Parse one request from buf[0..len). On PARSE_OK, argv/argc describe it and
 * consumed says how many bytes it took. An empty message (blank inline line,
 * "*0" or "*-1") is reported as PARSE_OK with argc 0. */
enum parse_result resp_parse_request(struct resp_parser *p, char *buf, size_t len,
                                     const struct resp_limits *lim);

/* Splits a shell-like line into arguments in place, with sdssplitargs's
 * quoting rules. Returns the number of args, or -1 on unbalanced quotes.
 * args must have room for max entries; extra args beyond max are counted
 * but not stored. */
int resp_split_inline(char *line, size_t len, struct resp_span *args, int max, int *needed);

/* Writes "<prefix><n>\r\n" into dst (at least 24 bytes); returns the length. */
size_t resp_fmt_header(char *dst, char prefix, long long n);

/* Composes a request "*N\r\n$len\r\narg\r\n..." into dst (cap bytes).
 * Returns the length needed; writes only if it fits. */
size_t resp_compose_request(char *dst, size_t cap, int argc, const char *const *argv, const size_t *argvlen);

#endif
