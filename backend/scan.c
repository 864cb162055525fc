/* backend/scan: the parts of SCAN, HSCAN, SSCAN and ZSCAN that are one
 * and the same in Redis 7.0's scanGenericCommand, so the four commands
 * parse and answer alike. What differs stays with each command: how it
 * looks its key up, how an item is written, and whether a small encoding
 * (listpack, intset) is answered whole with cursor 0.
 *
 * Redis compares option names and reads the cursor as C strings, so an
 * argument is cut at its first NUL byte here too. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/args.h"
#include "backend/reply.h"
#include "backend/scan.h"
#include "backend/server.h"
#include "lib/dict.h"
#include "lib/mem.h"
#include "lib/util.h"

/* strtoul over the C string: a sign is accepted ("-1" wraps), leading
 * space and trailing junk are not, and an empty string is cursor 0. */
static int scan_cursor_parse(const struct arg *a, uint64_t *cursor)
{
    char buf[64];
    size_t len = strnlen(a->p, a->len);
    if (len >= sizeof(buf)) return -1;      /* too long for any 64-bit value */
    memcpy(buf, a->p, len);
    buf[len] = '\0';
    if (len && strchr(" \t\n\v\f\r", buf[0])) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (*end != '\0' || errno == ERANGE) return -1;
    *cursor = v;
    return 0;
}

int scan_parse_cursor_or_reply(struct client *c, const struct arg *a, uint64_t *cursor)
{
    if (scan_cursor_parse(a, cursor) == 0) return 0;
    reply_error(c, "invalid cursor");
    return -1;
}

/* Redis's order: pairs left to right; a name without its value, or one the
 * command does not take, is a syntax error; COUNT must be an integer, then
 * positive. MATCH "*" is no filter. */
int scan_parse_opts_or_reply(struct client *c, int first, int flags, struct scan_opts *o)
{
    o->count = SCAN_DEFAULT_COUNT;
    o->pat = o->type = NULL;
    for (int i = first; i < c->argc; i += 2) {
        const struct arg *name = &c->argv[i], *val = &c->argv[i + 1];
        int more = i + 1 < c->argc;
        if (more && args_opt_is(name, "count")) {
            if (util_str2ll(val->p, val->len, &o->count) < 0) {
                reply_error(c, ERR_NOTINT);
                return -1;
            }
            if (o->count < 1) {
                reply_error(c, ERR_SYNTAX);
                return -1;
            }
        } else if (more && args_opt_is(name, "match")) {
            o->pat = (val->len == 1 && val->p[0] == '*') ? NULL : val;
        } else if (more && (flags & SCAN_OPT_TYPE) && args_opt_is(name, "type")) {
            o->type = val;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

int scan_match(const struct scan_opts *o, const char *p, size_t len)
{
    return o->pat == NULL || util_glob_match(o->pat->p, o->pat->len, p, len, 0);
}

static void scan_collect(void *priv, void *entry)
{
    struct scan_batch *b = priv;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = mem_realloc(b->v, b->cap * sizeof(*b->v));
    }
    b->v[b->n++] = entry;
}

uint64_t scan_dict(struct dict *d, uint64_t cursor, long long count, unsigned per_item,
                   struct scan_batch *b)
{
    long long maxiter = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    do {
        cursor = dict_scan(d, cursor, scan_collect, b);
    } while (cursor && maxiter-- && b->n * per_item < (unsigned long long)count);
    return cursor;
}

void scan_reply_empty(struct client *c)
{
    reply_array(c, 2);
    reply_bulk(c, "0", 1);
    reply_array(c, 0);
}

size_t scan_reply_begin(struct client *c, uint64_t cursor)
{
    reply_array(c, 2);
    reply_bulk_ll(c, (long long)cursor);
    return reply_defer(c);
}

void scan_reply_end(struct client *c, size_t handle, long long n)
{
    reply_defer_set(c, handle, '*', n);
}
