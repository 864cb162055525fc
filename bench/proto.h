/* bench/proto: what shoal-bench writes and how it reads the replies, for
 * RESP2, the Memcached text protocol and the Memcached meta protocol.
 *
 * Pure functions over caller buffers: composing writes into memory the
 * caller sized with proto_request_bound(); parsing looks at the bytes in
 * place, consumes nothing until one whole reply is there, and never
 * allocates. A request is one SET/GET of one or more keys: RESP uses
 * SET/GET or MSET/MGET, text uses n set lines or one "get k1..kn", meta
 * uses ms lines, or "mg k v" for one key and "mg k v k q" lines closed by
 * "mn" for several. Keys are a prefix plus a 12-digit index. */
#ifndef SHOAL_BENCH_PROTO_H
#define SHOAL_BENCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

enum bench_proto { PROTO_RESP, PROTO_MC_TEXT, PROTO_MC_META };
enum proto_op { PROTO_OP_SET = 0, PROTO_OP_GET = 1, PROTO_NOPS = 2 };

#define PROTO_KEY_DIGITS 12
#define PROTO_KEY_MAX 250          /* memcached's key length limit */
#define PROTO_POS_UNEXPECTED 0xffffffffu

struct proto_keyfmt {
    const char *prefix;
    size_t plen;                  /* plen + PROTO_KEY_DIGITS <= PROTO_KEY_MAX */
};

/* Writes the key of index idx (< 10^12) to dst, returns its length. */
size_t proto_key(const struct proto_keyfmt *kf, uint64_t idx, char *dst);
/* Reverses proto_key: 0 and *idx on success, -1 if not one of ours. */
int proto_key_index(const struct proto_keyfmt *kf, const char *k, size_t len, uint64_t *idx);

/* Most bytes a request of n keys with values up to vmax can take. */
size_t proto_request_bound(const struct proto_keyfmt *kf, unsigned n, size_t vmax);

/* A set of n keys: proto_set_begin once, then per key proto_set_item
 * followed by exactly vlen value bytes and proto_set_item_end. */
size_t proto_set_begin(enum bench_proto p, char *dst, unsigned n);
size_t proto_set_item(enum bench_proto p, char *dst, const struct proto_keyfmt *kf,
                      uint64_t key, size_t vlen);
static inline size_t proto_set_item_end(char *dst) { dst[0] = '\r'; dst[1] = '\n'; return 2; }

size_t proto_compose_get(enum bench_proto p, char *dst, const struct proto_keyfmt *kf,
                         const uint64_t *keys, unsigned n);

/* Called for each key position of a get reply when verifying: the value
 * (NULL for a miss), or pos PROTO_POS_UNEXPECTED with the key text when the
 * server answered for a key that was not asked (memcached protocols). */
struct proto_visit {
    void (*cb)(void *arg, unsigned pos, const char *val, size_t vlen);
    void *arg;
    const uint64_t *keys;         /* the request's keys, to match mc replies */
    const struct proto_keyfmt *kf;
};

struct proto_reply {
    unsigned hits, misses;
    unsigned errors;              /* error replies inside this reply */
    const char *err;              /* the first error line, not terminated */
    size_t errlen;
};

/* One whole reply to a request of op/nkeys at buf: bytes consumed (> 0),
 * 0 if more bytes are needed, -1 if the bytes cannot be such a reply (then
 * r->err/errlen point at the offending text). visit may be NULL. */
long proto_parse_reply(enum bench_proto p, enum proto_op op, unsigned nkeys,
                       const char *buf, size_t len, struct proto_reply *r,
                       const struct proto_visit *visit);

const char *proto_name(enum bench_proto p);
int proto_parse_name(const char *s, enum bench_proto *out);

#endif
