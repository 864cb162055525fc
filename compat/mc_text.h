/* compat/mc_text: the classic Memcached text protocol, parsed and composed
 * without I/O, as memcached 1.6.18 does it (reference: memcached-protocol.md).
 *
 * Parsing.  The event loop keeps unread bytes in a buffer and calls
 *
 *     struct mc_limits lim;  mc_limits_init(&lim);      // once
 *     struct mc_request req;
 *     enum parse_result r = mc_text_parse(buf, len, &lim, &req);
 *
 *   PARSE_OK       req.cmd is set; drop req.consumed bytes after executing it.
 *                  If req.cmd == MC_CMD_META, nothing is consumed: hand the
 *                  same bytes to mc_meta_parse() (compat/mc_meta.h).
 *   PARSE_AGAIN    incomplete; nothing consumed.  req.need is the total number
 *                  of bytes the request needs once known (storage commands),
 *                  else 0: grow the buffer to at least that and read more.
 *   PARSE_EINVALID the request is answered with the line req.err (append
 *                  "\r\n"; mc_compose_line() does it) unless req.noreply is
 *                  set; then drop req.consumed bytes.  If req.close, close
 *                  the connection instead (an HTTP request line).
 *   PARSE_ETOOBIG  req.close: no '\n' within lim.line_max bytes on a line that
 *                  is not get/gets; close the connection without a reply.
 *                  Otherwise a storage command whose item exceeds
 *                  lim.item_size_max: reply req.err unless req.noreply, drop
 *                  req.consumed bytes, then discard the next req.swallow bytes
 *                  as they arrive (memcached's conn_swallow); for MC_CMD_SET
 *                  also unlink the existing key (reference E10).
 *   In every case but AGAIN the command, key and noreply fields that could be
 *   parsed are filled, so the caller can count stats.
 *
 * Pointers in the request point into buf and are valid until the caller
 * drops or moves those bytes.  Multi-key commands (get/gets/gat/gats) keep
 * only the span of keys; walk it with mc_text_key_next(), so a get with
 * thousands of keys needs no array.
 *
 * Composing.  Replies are appended to a struct mc_out, a plain growable byte
 * buffer (buf/len/cap, realloc'ed, aborts on out of memory).  The caller owns
 * it: mc_out_init() once, write buf[0..len) to the socket, mc_out_reset()
 * after a flush, mc_out_deinit() at the end.  A caller with its own buffer
 * type copies out of it. */
#ifndef SHOAL_MC_TEXT_H
#define SHOAL_MC_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/parse.h"

#define MC_TEXT_MAX_TOKENS 24  /* memcached MAX_TOKENS: 23 tokens + terminal */
#define MC_TEXT_KEEP_TOKENS 8  /* tokens kept in a request (stats args etc.) */

struct mc_limits {
    size_t line_max;        /* 2048: a longer line without '\n' closes */
    size_t item_size_max;   /* memcached -I, 1 MB: see mc_sem_item_size_ok */
    bool meta_new_flags;    /* accept meta E and md x (1.6.18 rejects them) */
};

void mc_limits_init(struct mc_limits *lim);

enum mc_cmd {
    MC_CMD_NONE = 0,
    MC_CMD_GET, MC_CMD_GETS, MC_CMD_GAT, MC_CMD_GATS,
    MC_CMD_SET, MC_CMD_ADD, MC_CMD_REPLACE, MC_CMD_APPEND, MC_CMD_PREPEND,
    MC_CMD_CAS,
    MC_CMD_TOUCH, MC_CMD_DELETE, MC_CMD_INCR, MC_CMD_DECR,
    MC_CMD_FLUSH_ALL, MC_CMD_VERSION, MC_CMD_VERBOSITY, MC_CMD_QUIT,
    MC_CMD_SHUTDOWN, MC_CMD_STATS, MC_CMD_CACHE_MEMLIMIT,
    MC_CMD_META,            /* mg ms md ma mn me: see mc_meta_parse() */
};

struct mc_token {
    const char *p;
    size_t len;
};

struct mc_request {
    enum mc_cmd cmd;
    struct mc_token tok[MC_TEXT_KEEP_TOKENS];  /* tok[0] is the command */
    unsigned ntok;          /* tokens on the line (at most 23, as memcached) */
    const char *key;        /* the key, or the first key of a get */
    size_t nkey;
    unsigned nkeys;         /* get/gets/gat/gats: number of keys (may be 0 for gat) */
    const char *keys;       /* span holding the keys of a get */
    size_t keys_len;
    uint32_t flags;         /* storage commands */
    int32_t exptime;        /* storage, touch, gat, flush_all: raw token value,
                             * convert with mc_sem_exptime() */
    bool has_exptime;       /* flush_all: a delay was given */
    uint64_t cas;           /* cas */
    uint64_t delta;         /* incr/decr delta */
    uint32_t num;           /* verbosity level, cache_memlimit megabytes */
    bool noreply;           /* suppress the reply, errors included */
    const char *data;       /* storage commands: the value, without \r\n */
    size_t ndata;
    size_t consumed;        /* bytes to drop from the buffer */
    size_t need;            /* PARSE_AGAIN: total bytes needed, 0 if unknown */
    size_t swallow;         /* ETOOBIG item: bytes to discard after consumed */
    const char *err;        /* EINVALID/ETOOBIG: reply line without \r\n */
    bool close;             /* close the connection (no reply) */
};

/* Find the end of the line starting at buf (shared with mc_meta).  On
 * PARSE_OK, *line_len excludes "\r\n" / "\n" and *consumed includes it. */
enum parse_result mc_line_find(const char *buf, size_t len,
                               const struct mc_limits *lim,
                               size_t *line_len, size_t *consumed);

/* Split [p, p+len) on spaces (runs allowed): store up to `keep` tokens,
 * return how many there are, counting at most `max`. */
unsigned mc_tokenize(const char *p, size_t len, struct mc_token *tok,
                     unsigned keep, unsigned max);

enum parse_result mc_text_parse(const char *buf, size_t len,
                                const struct mc_limits *lim,
                                struct mc_request *req);

/* Iterate the keys of a get: start with *pos = 0; returns false at the end. */
bool mc_text_key_next(const struct mc_request *req, size_t *pos,
                      const char **key, size_t *nkey);

/* ---- output ---- */

struct mc_out {
    char *buf;
    size_t len, cap;
};

void mc_out_init(struct mc_out *out);
void mc_out_deinit(struct mc_out *out);
void mc_out_reset(struct mc_out *out);
void mc_out_reserve(struct mc_out *out, size_t more);
void mc_out_append(struct mc_out *out, const void *p, size_t n);
void mc_out_appendf(struct mc_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reply lines memcached sends as they are. */
#define MC_R_STORED "STORED"
#define MC_R_NOT_STORED "NOT_STORED"
#define MC_R_EXISTS "EXISTS"
#define MC_R_NOT_FOUND "NOT_FOUND"
#define MC_R_DELETED "DELETED"
#define MC_R_TOUCHED "TOUCHED"
#define MC_R_END "END"
#define MC_R_OK "OK"
#define MC_R_ERROR "ERROR"
#define MC_R_RESET "RESET"
/* The reference says "SERVER_ERROR: shutdown not enabled"; 1.6.18 answers
 * this exact line (checked live), so we send it. */
#define MC_R_SHUTDOWN_DISABLED "ERROR: shutdown not enabled"
#define MC_R_DELETE_USAGE \
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]"

/* `line` + "\r\n" */
void mc_compose_line(struct mc_out *out, const char *line);
/* VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n */
void mc_compose_value(struct mc_out *out, const char *key, size_t nkey,
                      uint32_t flags, const char *data, size_t ndata,
                      bool with_cas, uint64_t cas);
/* incr/decr reply: <number>\r\n */
void mc_compose_number(struct mc_out *out, uint64_t v);
/* CLIENT_ERROR <msg>\r\n, SERVER_ERROR <msg>\r\n */
void mc_compose_client_error(struct mc_out *out, const char *msg);
void mc_compose_server_error(struct mc_out *out, const char *msg);
/* VERSION <v>\r\n */
void mc_compose_version(struct mc_out *out, const char *version);
/* STAT <name> <value>\r\n */
void mc_compose_stat(struct mc_out *out, const char *name, const char *value);
void mc_compose_stat_u64(struct mc_out *out, const char *name, uint64_t v);
void mc_compose_stat_i64(struct mc_out *out, const char *name, int64_t v);
void mc_compose_statf(struct mc_out *out, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
