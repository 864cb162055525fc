/* backend/args: shared argument parsers with Redis's replies. They live
 * apart from the type modules because t_hash, t_set, t_zset and keys.c
 * all ask the same questions of their arguments and must word the answer
 * identically, byte for byte with Redis 7.0.15. */
#include <limits.h>
#include <string.h>

#include "backend/args.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/util.h"

int args_opt_is(const struct arg *a, const char *lit)
{
    return util_eq_nocase(a->p, strnlen(a->p, a->len), lit);
}

int args_range_ll_or_reply(struct client *c, const struct arg *a, long long min, long long max,
                           long long *out, const char *msg)
{
    if (util_str2ll(a->p, a->len, out) < 0) {
        reply_error(c, msg ? msg : ERR_NOTINT);
        return -1;
    }
    if (*out < min || *out > max) {
        if (msg) reply_error(c, msg);
        else reply_errorf(c, "value is out of range, value must between %lld and %lld", min, max);
        return -1;
    }
    return 0;
}

int args_rand_count_or_reply(struct client *c, const char *with_word, long long *count, int *with)
{
    if (args_range_ll_or_reply(c, &c->argv[2], -LLONG_MAX, LLONG_MAX, count, NULL) < 0) return -1;
    *with = c->argc == 4;
    if (c->argc > 4 || (*with && !args_opt_is(&c->argv[3], with_word))) {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    /* Redis keeps count * 2 replies within range */
    if (*with && (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2)) {
        reply_error(c, "value is out of range");
        return -1;
    }
    return 0;
}
