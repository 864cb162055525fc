/* backend/reply: see reply.h. Every reply goes through out_append, which
 * grows the output buffer and enforces the client output buffer limits: a
 * client over the hard limit, or over the soft limit for too long, is
 * closed instead of letting the node's memory grow without bound. */
#include "backend/reply.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/info.h"
#include "backend/networking.h"
#include "backend/server.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/util.h"

const char *const ERR_WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value";
const char *const ERR_NOTINT = "value is not an integer or out of range";
const char *const ERR_SYNTAX = "syntax error";
const char *const ERR_OVERFLOW = "increment or decrement would overflow";
const char *const ERR_NOTFLOAT = "value is not a valid float";
const char *const ERR_OOM = "-OOM command not allowed when used memory > 'maxmemory'.";
const char *const ERR_NOSUCHKEY = "no such key";
const char *const ERR_OUTOFRANGE = "index out of range";
const char *const ERR_NOAUTH = "-NOAUTH Authentication required.";

static int out_reserve(struct client *c, size_t n)
{
    if (c->flags & CLIENT_CLOSE_ASAP) return -1;
    if (c->olen + n <= c->ocap) return 0;
    size_t pending = c->olen - c->opos;
    if (c->opos > 0 && pending + n <= c->ocap) {
        memmove(c->obuf, c->obuf + c->opos, pending);
        c->olen = pending;
        c->opos = 0;
        return 0;
    }
    if (client_check_obuf_limits(c, pending + n) < 0) return -1;
    size_t cap = c->ocap ? c->ocap : 16384;
    while (cap < c->olen + n) cap *= 2;
    c->obuf = mem_realloc(c->obuf, cap);
    c->ocap = cap;
    return 0;
}

static inline void out_append(struct client *c, const char *p, size_t len)
{
    if (c->flags & CLIENT_NO_REPLY) return;
    if (out_reserve(c, len) < 0) return;
    memcpy(c->obuf + c->olen, p, len);
    c->olen += len;
}

void reply_raw(struct client *c, const char *p, size_t len) { out_append(c, p, len); }

void reply_ok(struct client *c) { out_append(c, "+OK\r\n", 5); }

void reply_simple(struct client *c, const char *s)
{
    out_append(c, "+", 1);
    out_append(c, s, strlen(s));
    out_append(c, "\r\n", 2);
}

static void count_error(struct client *c)
{
    server.stat.total_error_replies++;
    if (c->cmd) server.stat.cmd_failed[c->cmd->id]++;
}

void reply_error(struct client *c, const char *msg)
{
    count_error(c);
    info_count_error(msg);
    if (msg[0] != '-') out_append(c, "-ERR ", 5);
    /* an error must stay on one line */
    size_t len = strlen(msg);
    if (memchr(msg, '\r', len) || memchr(msg, '\n', len)) {
        char buf[1024];
        if (len >= sizeof(buf)) len = sizeof(buf) - 1;
        for (size_t i = 0; i < len; i++) buf[i] = (msg[i] == '\r' || msg[i] == '\n') ? ' ' : msg[i];
        out_append(c, buf, len);
    } else {
        out_append(c, msg, len);
    }
    out_append(c, "\r\n", 2);
}

void reply_errorf(struct client *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    reply_error(c, buf);
}

void reply_wrong_arity(struct client *c, const char *fullname)
{
    reply_errorf(c, "wrong number of arguments for '%s' command", fullname);
}

static void header(struct client *c, char prefix, long long n)
{
    char buf[32];
    size_t l = resp_fmt_header(buf, prefix, n);
    out_append(c, buf, l);
}

void reply_int(struct client *c, long long v)
{
    if (v == 0) { out_append(c, ":0\r\n", 4); return; }
    if (v == 1) { out_append(c, ":1\r\n", 4); return; }
    header(c, ':', v);
}

void reply_bulk(struct client *c, const char *p, size_t len)
{
    header(c, '$', (long long)len);
    out_append(c, p, len);
    out_append(c, "\r\n", 2);
}

void reply_bulk_cstr(struct client *c, const char *s)
{
    if (s == NULL) reply_null(c);
    else reply_bulk(c, s, strlen(s));
}

void reply_bulk_ll(struct client *c, long long v)
{
    char buf[UTIL_LONG_STR_SIZE];
    int n = util_ll2str(buf, v);
    reply_bulk(c, buf, (size_t)n);
}

void reply_null(struct client *c)
{
    if (c->resp >= 3) out_append(c, "_\r\n", 3);
    else out_append(c, "$-1\r\n", 5);
}

void reply_null_array(struct client *c)
{
    if (c->resp >= 3) out_append(c, "_\r\n", 3);
    else out_append(c, "*-1\r\n", 5);
}

void reply_array(struct client *c, long long n) { header(c, '*', n); }

void reply_map(struct client *c, long long n)
{
    if (c->resp >= 3) header(c, '%', n);
    else header(c, '*', n * 2);
}

void reply_set(struct client *c, long long n) { header(c, c->resp >= 3 ? '~' : '*', n); }

static int fmt_double(char *buf, size_t size, double d)
{
    if (isinf(d)) return snprintf(buf, size, "%s", d > 0 ? "inf" : "-inf");
    if (isnan(d)) return snprintf(buf, size, "nan");
    return snprintf(buf, size, "%.17g", d);
}

void reply_double(struct client *c, double d)
{
    char buf[64];
    int n = fmt_double(buf, sizeof(buf), d);
    if (c->resp >= 3) {
        out_append(c, ",", 1);
        out_append(c, buf, (size_t)n);
        out_append(c, "\r\n", 2);
    } else {
        reply_bulk(c, buf, (size_t)n);
    }
}

void reply_bool(struct client *c, int b)
{
    if (c->resp >= 3) out_append(c, b ? "#t\r\n" : "#f\r\n", 4);
    else reply_int(c, b ? 1 : 0);
}

void reply_verbatim(struct client *c, const char *p, size_t len, const char *ext)
{
    if (c->resp < 3) {
        reply_bulk(c, p, len);
        return;
    }
    header(c, '=', (long long)len + 4);
    out_append(c, ext, 3);
    out_append(c, ":", 1);
    out_append(c, p, len);
    out_append(c, "\r\n", 2);
}

void reply_help(struct client *c, const char *cmdname, const char *const *lines)
{
    long long n = 0;
    while (lines[n]) n++;
    reply_array(c, n + 3);   /* header, lines, HELP and its line */
    char buf[256];
    snprintf(buf, sizeof(buf), "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmdname);
    reply_simple(c, buf);
    for (long long i = 0; i < n; i++) reply_simple(c, lines[i]);
    reply_simple(c, "HELP");
    reply_simple(c, "    Prints this help.");
}

/* A deferred header reserves room for the longest possible one; setting it
 * moves the bytes after it back if the real header is shorter. */
#define DEFER_ROOM 23

size_t reply_defer(struct client *c)
{
    if (c->flags & (CLIENT_NO_REPLY | CLIENT_CLOSE_ASAP)) return (size_t)-1;
    if (out_reserve(c, DEFER_ROOM) < 0) return (size_t)-1;
    /* relative to opos: a compaction in out_reserve moves both alike */
    size_t at = c->olen - c->opos;
    c->olen += DEFER_ROOM;
    return at;
}

void reply_defer_set(struct client *c, size_t handle, char kind, long long n)
{
    if (handle == (size_t)-1 || (c->flags & CLIENT_CLOSE_ASAP)) return;
    size_t at = handle + c->opos;
    if (at + DEFER_ROOM > c->olen) return;
    char hdr[32];
    if (kind == '%' && c->resp < 3) { kind = '*'; n *= 2; }
    if (kind == '~' && c->resp < 3) kind = '*';
    size_t l = resp_fmt_header(hdr, kind, n);
    memcpy(c->obuf + at, hdr, l);
    size_t tail = c->olen - at - DEFER_ROOM;
    memmove(c->obuf + at + l, c->obuf + at + DEFER_ROOM, tail);
    c->olen -= DEFER_ROOM - l;
}
