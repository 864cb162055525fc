/* backend/blocking: clients blocked on keys (BLPOP and friends), as Redis's
 * blocked.c. A blocked client stops executing its input until it is
 * served or times out; it waits on up to N keys of one database, in FIFO
 * order with the other clients waiting on the same key.
 *
 * A command that creates a key (or makes it non-empty) calls
 * blocking_signal_key(); after each command the node calls
 * blocking_handle_ready(), which serves the waiting clients of every
 * signalled key through the serve function they blocked with, oldest
 * waiter first, as long as the key holds a value of the awaited type.
 * Serving may signal more keys (BLMOVE pushes); those are served in the
 * same call. Type modules (lists now, sorted sets later) supply the serve
 * function; this file knows nothing about values. */
#ifndef SHOAL_BLOCKING_H
#define SHOAL_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct db;
struct entry;
struct arg;

/* What the blocked command asked for, kept for serving it later. */
struct block_args {
    int wherefrom, whereto;     /* the type module's own codes */
    long count;                 /* BLMPOP's COUNT; -1 for single-element forms */
    char *target;               /* BLMOVE destination (owned copy), or NULL */
    size_t tlen;
};

/* Serves client c, waiting on key, from entry e (a value of the awaited
 * type): replies to c and changes the value. Returns 1 if the key no
 * longer exists afterwards (the other waiters stay blocked). */
typedef int blocking_serve_fn(struct client *c, struct db *db, struct entry *e,
                              const char *key, size_t klen, const struct block_args *a);

/* Parses a timeout in seconds (BLPOP's last argument) into an absolute
 * deadline in ms, 0 meaning forever. Replies Redis's error and returns -1
 * if it is not a float, is negative or overflows. */
int blocking_parse_timeout_or_reply(struct client *c, const struct arg *arg, int64_t *deadline_ms);

/* Blocks c on nkeys keys (duplicates ignored) of its database until one
 * holds a value of `type`. target in args is copied. On timeout the
 * client gets a null array. */
void blocking_block(struct client *c, int type, const struct arg *keys, int nkeys, int64_t deadline_ms,
                    const struct block_args *args, blocking_serve_fn *serve);
/* Forgets c's blocked state without replying (disconnects, CLIENT KILL). */
void blocking_unblock(struct client *c);
/* Ends c's wait now (CLIENT UNBLOCK): c gets the timeout reply (a null
 * array), or the error text when error is not NULL, then runs its held
 * input. Returns 0 if c was not blocked. */
int blocking_unblock_reply(struct client *c, const char *error);

/* Notes that key may now satisfy waiters; cheap when nobody waits. */
void blocking_signal_key(struct db *db, const char *key, size_t klen);
/* Serves the waiters of the signalled keys. */
void blocking_handle_ready(void);
static inline int blocking_have_ready(void)
{
    extern int blocking_nready;
    return blocking_nready > 0;
}
/* Number of blocked clients (INFO blocked_clients). */
long long blocking_clients(void);

#endif
