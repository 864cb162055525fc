/* backend/debug: the DEBUG command, for tests and operators. Besides what
 * Redis has (SLEEP, SET-ACTIVE-EXPIRE, OBJECT), JUMP moves the node's clock
 * so expiry can be tested without sleeping (memcached's debugtime idea). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/evict.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/util.h"

static int arg_is(const struct client *c, int i, const char *s)
{
    return util_eq_nocase(c->argv[i].p, c->argv[i].len, s);
}

static void debug_object(struct client *c)
{
    struct entry *e = db_peek(c->db, c->argv[2].p, c->argv[2].len);
    if (e == NULL || db_entry_expired(e, server.now_ms)) {
        reply_error(c, ERR_NOSUCHKEY);
        return;
    }
    char buf[256];
    snprintf(buf, sizeof(buf), "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%lld",
             (void *)e, entry_enc_name(e), entry_type_name(e)[0] == 's' && e->type == OBJ_STRING ? entry_str_len(e) : 0,
             (unsigned)e->lru, evict_idle_ms(e) / 1000);
    reply_simple(c, buf);
}

static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "SLEEP <seconds>",
        "    Stop the server for <seconds> (decimals allowed).",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Turn the active expiry cycle off or on (lazy expiry always works).",
        "OBJECT <key>",
        "    Show low-level information about the key.",
        "JUMP <milliseconds>",
        "    Move the node's clock forward (or back, if negative) for expiry tests.",
        "CLOCK",
        "    Return the node's clock offset in milliseconds.",
        "RESET-CLOCK",
        "    Return the node's clock to real time.",
        NULL,
    };
    reply_help(c, "DEBUG", lines);
}

void cmd_debug(struct client *c)
{
    long long v;
    if (arg_is(c, 1, "help")) {
        debug_help(c);
    } else if (arg_is(c, 1, "sleep") && c->argc == 3) {
        long double secs;
        if (util_str2ld(c->argv[2].p, c->argv[2].len, &secs) < 0 || secs < 0) {
            reply_error(c, ERR_NOTFLOAT);
            return;
        }
        usleep((useconds_t)(secs * 1000000));
        reply_ok(c);
    } else if (arg_is(c, 1, "set-active-expire") && c->argc == 3) {
        if (util_str2ll(c->argv[2].p, c->argv[2].len, &v) < 0) {
            reply_error(c, ERR_NOTINT);
            return;
        }
        server.cfg.active_expire_enabled = v != 0;
        reply_ok(c);
    } else if (arg_is(c, 1, "object") && c->argc == 3) {
        debug_object(c);
    } else if (arg_is(c, 1, "jump") && c->argc == 3) {
        if (util_str2ll(c->argv[2].p, c->argv[2].len, &v) < 0) {
            reply_error(c, ERR_NOTINT);
            return;
        }
        clock_offset_add(v);
        server.now_ms = clock_ms();
        reply_ok(c);
    } else if (arg_is(c, 1, "clock") && c->argc == 2) {
        reply_int(c, clock_offset_get());
    } else if (arg_is(c, 1, "reset-clock") && c->argc == 2) {
        clock_offset_set(0);
        server.now_ms = clock_ms();
        reply_ok(c);
    } else {
        reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try DEBUG HELP.",
                     (int)c->argv[1].len, c->argv[1].p);
    }
}
