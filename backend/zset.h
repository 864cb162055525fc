/* backend/zset: the sorted-set value, in either of its two encodings, behind
 * one API the commands use without caring which it is.
 *
 * - ENC_LISTPACK: an lpack of member, score, member, score ... sorted by
 *   (score, member); scores stored as the shortest text that reads back to
 *   the same double (integers as integers). Linear, compact: small sets.
 * - ENC_SKIPLIST: struct zset_big, a skip list for order and ranks plus a
 *   lib/dict from member to skip-list node for O(1) score lookups.
 *
 * Everything positional is expressed as 0-based ranks in ascending order:
 * a score or lex range becomes a rank span [start, end), and iteration
 * starts at a rank going up or down. That keeps ZRANGE/ZCOUNT/ZREMRANGEBY*
 * one code path per encoding instead of one per command. */
#ifndef SHOAL_ZSET_H
#define SHOAL_ZSET_H

#include <stddef.h>

#include "backend/zskiplist.h"

struct entry;
struct dict;

struct zset_big {
    struct dict *dict;          /* member -> struct zsl_node * */
    struct zsl zsl;
};

/* One element read out of a sorted set; p may point into buf, or into the
 * set itself (valid until the set changes). */
struct zs_elem {
    const char *p;
    size_t len;
    double score;
    char buf[24];
};

/* ZADD's input flags and what happened (Redis's ZADD_IN_* / ZADD_OUT_*). */
enum {
    ZADD_IN_INCR = 1 << 0, ZADD_IN_NX = 1 << 1, ZADD_IN_XX = 1 << 2,
    ZADD_IN_GT = 1 << 3, ZADD_IN_LT = 1 << 4,
};
enum {
    ZADD_OUT_NOP = 1 << 0, ZADD_OUT_NAN = 1 << 1,
    ZADD_OUT_ADDED = 1 << 2, ZADD_OUT_UPDATED = 1 << 3,
};

struct zrange_score {
    double min, max;
    int minex, maxex;           /* exclusive bounds */
};

enum zlex_kind { ZLEX_NEG_INF, ZLEX_POS_INF, ZLEX_VALUE };
struct zlex_bound {
    enum zlex_kind kind;
    int ex;                     /* '(' : exclusive */
    const char *p;              /* the bytes after '[' or '(' */
    size_t len;
};
struct zrange_lex {
    struct zlex_bound min, max;
};

/* A new empty sorted-set entry, listpack or skiplist encoded. */
struct entry *zset_create(const char *key, size_t klen, int skiplist);
size_t zset_len(const struct entry *e);
/* 0 and *score if the member is present, else -1. */
int zset_score(const struct entry *e, const char *m, size_t len, double *score);
/* Adds or updates a member as ZADD does (converting to skiplist past the
 * thresholds); returns 0, or -1 when the increment gives NaN (*out has
 * ZADD_OUT_NAN). newscore (may be NULL) receives the resulting score. */
int zset_add(struct entry *e, double score, const char *m, size_t len, int in, int *out, double *newscore);
/* 1 if the member was removed. */
int zset_del(struct entry *e, const char *m, size_t len);
/* 0-based rank (descending when reverse), -1 if absent; score if found. */
long zset_rank(const struct entry *e, const char *m, size_t len, int reverse, double *score);

/* Ranges as redis parses them: "(1.5", "-inf"; "[a", "(b", "-", "+".
 * Return 0, or -1 for a malformed bound. */
int zset_parse_score_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                           struct zrange_score *r);
int zset_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                         struct zrange_lex *r);
int zset_score_gte_min(double v, const struct zrange_score *r);
int zset_score_lte_max(double v, const struct zrange_score *r);
int zset_lex_gte_min(const char *p, size_t len, const struct zrange_lex *r);
int zset_lex_lte_max(const char *p, size_t len, const struct zrange_lex *r);
/* The ranks [*start, *end) of the elements in the range (empty: start >= end). */
void zset_score_span(const struct entry *e, const struct zrange_score *r, size_t *start, size_t *end);
void zset_lex_span(const struct entry *e, const struct zrange_lex *r, size_t *start, size_t *end);
/* Deletes the elements of ranks [start, end). */
void zset_delete_ranks(struct entry *e, size_t start, size_t end);

/* Walks elements from a rank, ascending or descending (rev). */
struct zs_iter {
    const struct entry *e;
    const unsigned char *lp;
    size_t off;                 /* listpack: offset of the member, 0 = end */
    struct zsl_node *node;      /* skiplist: current node, NULL = end */
    int rev;
};
void zs_iter_init(struct zs_iter *it, const struct entry *e, size_t rank, int rev);
/* Reads the current element and steps; 0 when past the end. */
int zs_iter_next(struct zs_iter *it, struct zs_elem *out);

/* Encoding changes: to skiplist (growth), and back to listpack when a
 * stored result is small enough (ZRANGESTORE, ZUNIONSTORE ... as Redis). */
void zset_convert_to_skiplist(struct entry *e);
void zset_fit_encoding(struct entry *e, size_t maxelelen);
/* Whether a set of this size and longest member starts as listpack. */
int zset_fits_listpack(size_t count, size_t maxelelen);

/* Formats a score as Redis stores it in a listpack ("%.17g", integers
 * as integers, -0 as 0); returns the length. buf >= 32 bytes. */
int zset_score_str(char *buf, double score);

#endif
