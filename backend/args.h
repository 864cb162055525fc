/* backend/args: argument parsers that answer with Redis 7.0's own error
 * texts, for the checks several type modules make alike (option words,
 * ranged integers, the COUNT of the RANDMEMBER family). */
#ifndef SHOAL_ARGS_H
#define SHOAL_ARGS_H

struct arg;
struct client;

/* Whether an option word is lit, ignoring case. Compared as a C string (up
 * to a NUL byte), as Redis's strcasecmp does. */
int args_opt_is(const struct arg *a, const char *lit);

/* Redis's getRangeLongFromObjectOrReply: an integer in [min, max] in *out,
 * or -1 after replying msg for either failure, or without msg the
 * not-an-integer error, then "value is out of range, value must between
 * MIN and MAX". */
int args_range_ll_or_reply(struct client *c, const struct arg *a, long long min, long long max,
                           long long *out, const char *msg);

/* The count and option of HRANDFIELD/ZRANDMEMBER key count [with]: the
 * count (argv[2]) in [-LLONG_MAX, LLONG_MAX], then argc and the option
 * word, then with the option |count| <= LLONG_MAX / 2. 0 with *count and
 * *with (0/1), or -1 after replying, in Redis's order. */
int args_rand_count_or_reply(struct client *c, const char *with_word, long long *count, int *with);

#endif
