/* proxy/frag: a client request in flight (struct req) and its fragments,
 * one per server it was split across (struct frag).
 *
 * A request is answered when its last fragment is; its reply is then
 * either a fragment's bytes as the server sent them (one fragment) or the
 * merge of all of them (proxy/merge), and leaves when every earlier
 * request of the same client has left (proxy/client).  A fragment that
 * failed carries a reason instead of bytes, and only its own keys are
 * answered with an error or a miss.
 *
 * The split functions here write each fragment's request bytes straight
 * into its connection's output: the original bytes when one server owns
 * everything, otherwise one composed request per server, keys in the
 * client's order, each written into one contiguous reservation of the
 * output (sizes are computed first: no per-key buffer calls).  Keys are
 * hashed and routed once per request (struct keyref). */
#ifndef SHOAL_PROXY_FRAG_H
#define SHOAL_PROXY_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy/coalesce.h"

struct client;
struct wpool;
struct wserver;
struct nconn;
struct evbuffer;

enum req_merge {
    RM_ONE = 0,         /* one fragment, its reply forwarded as is */
    RM_LOCAL,           /* answered by the proxy, no fragment */
    RM_MC_GET,          /* VALUE blocks in key order, one END */
    RM_MC_ALL_OK,       /* flush_all: OK when every server says OK */
    RM_ARRAY,           /* MGET: elements in key order */
    RM_SUM,             /* DEL EXISTS ...: integers added */
    RM_OK,              /* MSET FLUSHALL: +OK when every server says so */
    RM_CONCAT,          /* KEYS: arrays joined */
    RM_SCAN,            /* SCAN: the node's cursor re-encoded (resp_proxy.h) */
    RM_SAME,            /* SCRIPT LOAD, FUNCTION LOAD ...: the servers' common reply */
    RM_AND,             /* SCRIPT EXISTS: per element, 1 where every server says 1 */
};

struct frag {
    struct req *req;            /* NULL: the connection's own AUTH/SELECT */
    struct frag *next;          /* in the connection's FIFO */
    struct wserver *ws;
    struct nconn *nc;
    struct evbuffer *reply;     /* the reply bytes, once buffered */
    bool failed;
    char err[96];               /* why it failed */
    int64_t sent_us;
    uint32_t req_bytes;
    uint8_t kind;               /* enum mc_reply_kind, Memcached servers */
    bool strip_mn;              /* a trailing "MN\r\n" was added: drop it */
    bool coal;                  /* a get whose keys are in the key log (coalesce.h) */
    bool joined;                /* shares the previous fragment's command line */
    uint32_t klen;              /* its key bytes in the log, */
    uint64_t koff;              /* at this logical offset */
    bool done;
    bool ok;                    /* merge: usable reply */
    size_t cursor;              /* merge position in reply */
};

struct req {
    struct client *c;           /* NULL once the client is gone */
    struct req *next;
    struct wpool *wp;
    struct evbuffer *reply;     /* the finished reply */
    struct frag *frags;
    int nfrags, pending;
    uint8_t merge;              /* enum req_merge */
    uint8_t proto;
    bool noreply;               /* Memcached noreply: reply nothing */
    bool done;
    bool close_after;           /* QUIT, protocol error */
    bool sending;               /* fragments still being written */
    bool direct;                /* the reply went straight to the client */
    int64_t start_us;
    /* multi-key merges */
    int nkeys;
    int *key_frag;              /* fragment of each key, client order */
    char *keybuf;               /* Memcached get: the keys, copied */
    uint32_t *key_off;          /* Memcached get: each key in keybuf, */
    uint32_t *key_len;          /* client order (one allocation with key_frag) */
    int scan_server;            /* SCAN: the server index asked */
};

/* A request joins its client's queue; then its fragments are allocated
 * and sent, then req_sent() (completion waits until then). */
struct req *req_create(struct client *c, int merge);
void req_frags_alloc(struct req *r, int nfrags);
void req_sent(struct req *r);
void req_free(struct req **r);

/* A fragment got its reply (n bytes at the head of src, moved or copied);
 * or failed with why.  Both may complete the request. */
void frag_replied(struct frag *f, struct evbuffer *src, size_t n);
void frag_failed(struct frag *f, const char *why);

/* Send bytes as fragment fi of r to the server owning hash h; on a server
 * that cannot be reached, the fragment fails at once.  extra (may be NULL)
 * is appended after the bytes (Memcached "mn\r\n"). */
void frag_send(struct req *r, int fi, struct wserver *ws, uint32_t h,
               const char *bytes, size_t n, const char *extra);

/* A key of a multi-key request, routed once: frag_route_keys fills
 * server and hash, the split functions use them. */
struct keyref {
    const char *p;
    uint32_t len;
    int server;             /* -1: no server available */
    uint32_t hash;
};

/* Route every key; returns the one server owning all of them, -1 if no
 * server is available for them, -2 when they are spread. */
int frag_route_keys(struct wpool *wp, struct keyref *keys, int nkeys);

/* Memcached get/gets/gat/gats over several servers: split the routed keys
 * (the command word and, for gat, its exptime repeated per fragment).
 * prefix is "get" / "gets" / "gat <exptime>" ...; the keys lie in
 * [keys, keys + keys_len) and are copied for the merge. */
void frag_mc_get(struct req *r, enum coal_cmd cmd, const char *prefix, size_t nprefix,
                 const char *keys, size_t keys_len, const struct keyref *k, int nkeys);
/* get/gets whose keys server s owns (hash of the first key picks the
 * connection): "get k1 .. kn", joined to an open line when cmd allows. */
void frag_mc_get_one(struct req *r, enum coal_cmd cmd, int s, const struct keyref *k, int nkeys);

/* RESP command over routed keys: argv of the client's message (buf +
 * spans), keys from index first, step args per key. */
struct resp_span;
void frag_resp_keys(struct req *r, const char *buf, const struct resp_span *argv,
                    int first, int step, const struct keyref *k, int nkeys);

/* The same bytes to every live server of the pool (flush_all, DBSIZE). */
void frag_all(struct req *r, const char *bytes, size_t n, const char *extra,
              int kind);

#endif
