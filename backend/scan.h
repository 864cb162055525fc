/* backend/scan: what SCAN, HSCAN, SSCAN and ZSCAN share: Redis 7.0's
 * cursor parsing, the COUNT/MATCH(/TYPE) options, the bounded dict_scan
 * loop and the `[cursor, [items...]]` reply frame. Each command keeps its
 * own lookup and its own order of checks (the cursor first, then the key,
 * then the options, which Redis parses only when the key exists), and
 * says which options it takes. */
#ifndef SHOAL_SCAN_H
#define SHOAL_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct arg;
struct client;
struct dict;

#define SCAN_DEFAULT_COUNT 10

/* Flags of scan_parse_opts_or_reply: the options beyond COUNT and MATCH
 * a command accepts (others are a syntax error, as in Redis). */
#define SCAN_OPT_TYPE 0x1       /* TYPE name: SCAN only */

struct scan_opts {
    long long count;            /* >= 1 */
    const struct arg *pat;      /* NULL: everything (also for "*") */
    const struct arg *type;     /* NULL: every type */
};

/* Redis's parseScanCursorOrReply: 0 with *cursor, or -1 after replying
 * "invalid cursor". */
int scan_parse_cursor_or_reply(struct client *c, const struct arg *a, uint64_t *cursor);

/* Parses the option pairs from c->argv[first] on: 0, or -1 after replying
 * the error Redis gives. */
int scan_parse_opts_or_reply(struct client *c, int first, int flags, struct scan_opts *o);

/* Whether an item's bytes pass MATCH. */
int scan_match(const struct scan_opts *o, const char *p, size_t len);

/* The table entries one call visits (pointers owned by the table). */
struct scan_batch {
    void **v;
    size_t n, cap;
};

/* Redis's scan loop over a hashtable: from cursor, until the iteration
 * ends, per_item * b->n reaches COUNT, or 10 * COUNT buckets were visited.
 * Returns the next cursor. Free b->v with mem_free. */
uint64_t scan_dict(struct dict *d, uint64_t cursor, long long count, unsigned per_item,
                   struct scan_batch *b);

/* The reply of a missing key: [0, []]. */
void scan_reply_empty(struct client *c);

/* Opens [cursor, [...]]: returns the handle of the inner array, which
 * scan_reply_end closes with its length once the items are written. */
size_t scan_reply_begin(struct client *c, uint64_t cursor);
void scan_reply_end(struct client *c, size_t handle, long long n);

#endif
