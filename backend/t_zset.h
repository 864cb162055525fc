/* backend/t_zset.h: helpers shared by the sorted-set command files
 * (t_zset.c: single-member commands and ZSCAN, t_zset_range.c: the ZRANGE
 * family, t_zset_multi.c: ZUNION/ZINTER/ZDIFF, pops and ZRANDMEMBER). The
 * value itself is backend/zset.h. */
#ifndef SHOAL_T_ZSET_H
#define SHOAL_T_ZSET_H

#include <stddef.h>

#include "backend/zset.h"

struct client;
struct entry;
struct db;

/* Looks up argv[i] for reading or writing. Returns the entry, or NULL:
 * *err is 0 when the key is simply absent, 1 when it holds another type
 * (WRONGTYPE already replied). */
struct entry *tz_lookup(struct client *c, int i, int write, int *err);
/* Case-insensitive option match on a C-string view of argv[i] (Redis
 * compares arguments with strcasecmp, so a NUL byte ends them). */
int tz_opt_is(const struct client *c, int i, const char *lit);
/* Reads argv[i] as a long / a strict positive count; replies the error. */
int tz_long_or_reply(struct client *c, int i, long long *v);
/* A member, with its score when withscores (RESP3: a [member, score] pair). */
void tz_reply_elem(struct client *c, const struct zs_elem *el, int withscores);
/* After a write that added members to key: wakes clients blocked on it. */
void tz_signal_added(struct client *c, const char *key, size_t klen);
/* Deletes the key when the sorted set is empty, else marks it modified. */
void tz_after_delete(struct client *c, struct entry *e);

/* Pops up to count elements from the low (max=0) or high end of e and
 * replies them: flat [m, s, ...], nested [[m, s], ...], with the key in
 * front when emitkey (BZPOPMIN: flat with key; ZMPOP: [key, nested]).
 * Deletes the key when it empties. */
void tz_pop_reply(struct client *c, struct entry *e, int max, long long count, int emitkey, int nested);
/* The first existing sorted set among argv[first .. first+n); NULL when
 * none, or when one holds another type (*err = 1, WRONGTYPE replied). */
struct entry *tz_first_nonempty(struct client *c, int first, long n, int *err);
/* Parses [B]ZMPOP's "numkeys key... MIN|MAX [COUNT n]" from argv[ni]. */
int tz_mpop_args_or_reply(struct client *c, int ni, long long *numkeys, int *max, long long *count);

#endif
