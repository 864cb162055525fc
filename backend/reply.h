/* backend/reply: composing replies into a client's output buffer, in the
 * client's protocol (RESP2 or RESP3). Handlers call these and nothing else
 * to answer; the buffer is flushed by networking.c. Error replies count in
 * INFO (total_error_replies, per-command failed_calls). */
#ifndef SHOAL_REPLY_H
#define SHOAL_REPLY_H

#include <stddef.h>

struct client;

void reply_raw(struct client *c, const char *p, size_t len);
void reply_ok(struct client *c);
void reply_simple(struct client *c, const char *s);          /* +s */
/* "-ERR msg" unless msg starts with '-' (then as is, e.g. "-WRONGTYPE ..."). */
void reply_error(struct client *c, const char *msg);
void reply_errorf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct client *c, long long v);
void reply_bulk(struct client *c, const char *p, size_t len);
void reply_bulk_cstr(struct client *c, const char *s);
void reply_bulk_ll(struct client *c, long long v);          /* integer as bulk */
void reply_null(struct client *c);                           /* $-1 / _ */
void reply_null_array(struct client *c);                     /* *-1 / _ */
void reply_array(struct client *c, long long n);
void reply_map(struct client *c, long long n);               /* %n / *2n */
void reply_set(struct client *c, long long n);               /* ~n / *n */
void reply_double(struct client *c, double d);               /* ,d / bulk */
void reply_bool(struct client *c, int b);                    /* #t / :1 */
void reply_verbatim(struct client *c, const char *p, size_t len, const char *ext); /* =len txt: / bulk */
void reply_help(struct client *c, const char *cmdname, const char *const *lines);

/* Deferred aggregate length: reply_defer() reserves the header, later
 * reply_defer_set() fills it in (array, map or set) once the count is known. */
size_t reply_defer(struct client *c);
void reply_defer_set(struct client *c, size_t handle, char kind, long long n);

/* Shared error texts (Redis 7.0 wording). */
extern const char *const ERR_WRONGTYPE;
extern const char *const ERR_NOTINT;
extern const char *const ERR_SYNTAX;
extern const char *const ERR_OVERFLOW;
extern const char *const ERR_NOTFLOAT;
extern const char *const ERR_OOM;
extern const char *const ERR_NOSUCHKEY;
extern const char *const ERR_OUTOFRANGE;
extern const char *const ERR_NOAUTH;

void reply_wrong_arity(struct client *c, const char *fullname);

#endif
