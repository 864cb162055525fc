/* proxy/coalesce: Memcached retrievals that reach one server connection in
 * the same event-loop turn leave as ONE command line.
 *
 * Fifty clients each sending `get k`, or a 100-key get split four ways,
 * put dozens of short get lines on each server connection per turn.  A
 * memcached node spends much of its CPU per command rather than per key
 * (measured with shoal-bench against one memcached: 0.53 CPU-us per key at
 * 25 keys a command, 0.31 at 100, 0.23 at 400), and in a tier the nodes
 * are the biggest CPU user, so joining those lines into `get k1 ... kN`
 * frees the nodes.  Only plain get and gets are joined: gat carries an
 * exptime, meta commands answer per key anyway.  No request waits for
 * another: only what is already queued in the same turn is joined.
 *
 * Request side: a get/gets fragment written to a connection leaves its
 * line open (no CRLF).  A following fragment of the same command in the
 * same turn appends its keys (" k1 k2") while the line stays within
 * COAL_MAX_KEYS keys and COAL_MAX_BYTES bytes; anything else written to
 * the connection (nconn_output) and the end of the loop turn
 * (coal_close_all, before the worker flushes) close it with CRLF.  Each
 * joined fragment's key bytes are kept in the connection's key log until
 * its reply is in.
 *
 * Reply side: the server answers the joined line with one VALUE ... END
 * reply.  Its VALUE blocks come in key order and a miss has none, so a
 * block belongs to the first fragment, from the current one on, that
 * still has that key ahead of its cursor (greedy: a valid assignment of a
 * subsequence; two requests for the same key in one line read the same
 * item anyway).  Each fragment gets its own blocks and an END; an error
 * line answers every fragment of the line. */
#ifndef SHOAL_PROXY_COALESCE_H
#define SHOAL_PROXY_COALESCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nconn;
struct frag;
struct worker;
struct evbuffer;

#define COAL_MAX_KEYS 1024
#define COAL_MAX_BYTES (64u << 10)

enum coal_cmd { COAL_NONE = 0, COAL_GET, COAL_GETS };

/* Per server connection (embedded in struct nconn). */
struct coal {
    uint8_t cmd;                /* the open line's command, COAL_NONE if none */
    uint32_t keys;              /* keys on the open line */
    size_t bytes;               /* bytes of the open line */
    bool listed;                /* on the worker's list of open lines */
    struct nconn *prev, *next;
    char *log;                  /* key bytes of joined fragments, FIFO order */
    size_t log_start, log_end, log_cap;
    uint64_t log_base;          /* logical offset of log[0] */
};

/* Is joining on (shoal-proxy --no-coalesce turns it off)? */
extern bool coal_enabled;

/* Before writing a get/gets fragment of seg key bytes (" k1 k2", nkeys
 * keys) to nc's output: the prefix to write first, "get"/"gets" for a new
 * line or "" to join the open one (*join).  May close another open line. */
const char *coal_begin(struct nconn *nc, enum coal_cmd cmd, size_t seg, uint32_t nkeys,
                       bool *join);
/* After writing prefix + seg (no CRLF) for f: log its keys, leave the line
 * open.  seg points to the key bytes as written. */
void coal_end(struct nconn *nc, struct frag *f, enum coal_cmd cmd, bool join,
              const char *seg, size_t n, uint32_t nkeys);

/* Close nc's open line (CRLF), if any. */
void coal_close(struct nconn *nc);
/* Close every open line of the worker (end of a loop turn). */
void coal_close_all(struct worker *w);
/* The connection closed or failed: forget the open line and the key log. */
void coal_reset(struct nconn *nc);
/* f's reply arrived: its keys leave the log. */
void coal_release(struct nconn *nc, struct frag *f);

/* Does nc's FIFO head share its line with the fragments after it? */
bool coal_head_joined(const struct nconn *nc);
/* The reply (n bytes at the head of in) to the joined line at the FIFO
 * head: hand each fragment its part.  0, or -1 when the reply does not fit
 * the keys asked (a broken server: the caller fails the connection). */
int coal_reply(struct nconn *nc, struct evbuffer *in, size_t n, bool error);

#endif
