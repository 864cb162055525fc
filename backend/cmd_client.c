/* backend/cmd_client: the CLIENT command family (ID SETNAME GETNAME LIST
 * KILL INFO UNBLOCK HELP) with Redis 7.0's option grammar and error texts. Kept
 * apart from cmd_server.c because LIST and KILL carry their own filter
 * parsers. Another client is closed with client_close_asap (freed once the
 * current event ends); the caller itself with CLIENT_CLOSE_AFTER_REPLY, so
 * it still gets its reply. */
#include <stdio.h>
#include <string.h>

#include "backend/blocking.h"
#include "backend/cmd_server.h"
#include "backend/dispatch.h"
#include "backend/info.h"
#include "backend/networking.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/mem.h"
#include "lib/util.h"

static int arg_is(const struct client *c, int i, const char *s)
{
    return util_eq_nocase(c->argv[i].p, c->argv[i].len, s);
}

static int arg_eq(const struct arg *a, const char *s)
{
    return a->len == strlen(s) && memcmp(a->p, s, a->len) == 0;
}

/* Client types as CLIENT LIST/KILL TYPE name them; only "normal" clients
 * exist on a node without replication or pub/sub. */
enum client_type { CTYPE_NONE = -1, CTYPE_NORMAL = 0, CTYPE_OTHER = 1 };

static enum client_type client_type_by_name(const struct arg *a)
{
    if (util_eq_nocase(a->p, a->len, "normal")) return CTYPE_NORMAL;
    if (util_eq_nocase(a->p, a->len, "slave") || util_eq_nocase(a->p, a->len, "replica") ||
        util_eq_nocase(a->p, a->len, "pubsub") || util_eq_nocase(a->p, a->len, "master"))
        return CTYPE_OTHER;
    return CTYPE_NONE;
}

static void append_client_line(struct info_buf *b, struct client *c)
{
    size_t size = 1024 + (c->name ? strlen(c->name) : 0);
    char *line = mem_alloc(size);
    size_t n = client_info_line(c, line, size);
    info_buf_append(b, line, n);
    info_buf_append(b, "\n", 1);
    mem_free(line);
}

void cmd_client_id(struct client *c) { reply_int(c, (long long)c->id); }

void cmd_client_setname(struct client *c)
{
    if (srv_set_client_name(c, &c->argv[2]) == 0) reply_ok(c);
}

void cmd_client_getname(struct client *c) { reply_bulk_cstr(c, c->name); }

void cmd_client_info(struct client *c)
{
    struct info_buf b = {0};
    append_client_line(&b, c);
    reply_verbatim(c, b.p, b.len, "txt");
    info_buf_free(&b);
}

static struct client *client_by_id(unsigned long long id)
{
    for (struct client *o = server.clients; o; o = o->next)
        if (o->id == id) return o;
    return NULL;
}

/* CLIENT LIST [TYPE type] | [ID id ...] */
void cmd_client_list(struct client *c)
{
    struct info_buf b = {0};
    if (c->argc == 4 && arg_is(c, 2, "type")) {
        enum client_type t = client_type_by_name(&c->argv[3]);
        if (t == CTYPE_NONE) {
            reply_errorf(c, "Unknown client type '%.*s'", (int)c->argv[3].len, c->argv[3].p);
            return;
        }
        if (t == CTYPE_NORMAL)
            for (struct client *o = server.clients; o; o = o->next) append_client_line(&b, o);
    } else if (c->argc > 3 && arg_is(c, 2, "id")) {
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (util_str2ll(c->argv[j].p, c->argv[j].len, &id) < 0) {
                info_buf_free(&b);
                reply_error(c, "Invalid client ID");
                return;
            }
            struct client *o = client_by_id((unsigned long long)id);
            if (o) append_client_line(&b, o);
        }
    } else if (c->argc != 2) {
        reply_error(c, ERR_SYNTAX);
        return;
    } else {
        for (struct client *o = server.clients; o; o = o->next) append_client_line(&b, o);
    }
    reply_verbatim(c, b.p ? b.p : "", b.len, "txt");
    info_buf_free(&b);
}

struct kill_filter {
    const struct arg *addr, *laddr;
    unsigned long long id;
    int type_other;     /* TYPE master/replica/pubsub: matches nobody */
    int skipme;
};

/* Parses the new form's option pairs; replies and returns -1 on error. */
static int kill_parse(struct client *c, struct kill_filter *f)
{
    for (int i = 2; i < c->argc; i += 2) {
        int more = c->argc > i + 1;
        const struct arg *v = more ? &c->argv[i + 1] : NULL;
        if (arg_is(c, i, "id") && more) {
            long long id;
            if (util_str2ll(v->p, v->len, &id) < 0 || id < 1) {
                reply_error(c, "client-id should be greater than 0");
                return -1;
            }
            f->id = (unsigned long long)id;
        } else if (arg_is(c, i, "type") && more) {
            enum client_type t = client_type_by_name(v);
            if (t == CTYPE_NONE) {
                reply_errorf(c, "Unknown client type '%.*s'", (int)v->len, v->p);
                return -1;
            }
            f->type_other = t == CTYPE_OTHER;
        } else if (arg_is(c, i, "addr") && more) {
            f->addr = v;
        } else if (arg_is(c, i, "laddr") && more) {
            f->laddr = v;
        } else if (arg_is(c, i, "user") && more) {
            if (!arg_eq(v, "default")) {
                reply_errorf(c, "No such user '%.*s'", (int)v->len, v->p);
                return -1;
            }
        } else if (arg_is(c, i, "skipme") && more) {
            if (util_eq_nocase(v->p, v->len, "yes")) f->skipme = 1;
            else if (util_eq_nocase(v->p, v->len, "no")) f->skipme = 0;
            else {
                reply_error(c, ERR_SYNTAX);
                return -1;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

static int kill_matches(const struct kill_filter *f, const struct client *self, const struct client *o)
{
    if (o->flags & CLIENT_CLOSE_ASAP) return 0;
    if (f->addr && !arg_eq(f->addr, o->addr)) return 0;
    if (f->laddr && !arg_eq(f->laddr, o->laddr)) return 0;
    if (f->id && o->id != f->id) return 0;
    if (f->type_other) return 0;
    if (o == self && f->skipme) return 0;
    return 1;
}

/* CLIENT KILL ip:port | CLIENT KILL <option> <value> [...] */
void cmd_client_kill(struct client *c)
{
    struct kill_filter f = {.skipme = 1};
    int old_form = c->argc == 3;
    if (old_form) {
        f.addr = &c->argv[2];
        f.skipme = 0;
    } else if (kill_parse(c, &f) < 0) {
        return;
    }
    long long killed = 0;
    for (struct client *o = server.clients; o; o = o->next) {
        if (!kill_matches(&f, c, o)) continue;
        if (o == c) c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        else client_close_asap(o);
        killed++;
    }
    if (!old_form) reply_int(c, killed);
    else if (killed == 0) reply_error(c, "No such client");
    else reply_ok(c);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked (it gets
 * a timeout's null array or the UNBLOCKED error), else 0. */
void cmd_client_unblock(struct client *c)
{
    if (c->argc > 4) {
        reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try CLIENT HELP.",
                     (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len), c->argv[1].p);
        return;
    }
    int as_error = 0;
    if (c->argc == 4) {
        if (arg_is(c, 3, "error")) {
            as_error = 1;
        } else if (!arg_is(c, 3, "timeout")) {
            reply_error(c, "CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (util_str2ll(c->argv[2].p, c->argv[2].len, &id) < 0) {
        reply_error(c, ERR_NOTINT);
        return;
    }
    struct client *o = client_by_id((unsigned long long)id);
    const char *err = as_error ? "-UNBLOCKED client unblocked via CLIENT UNBLOCK" : NULL;
    reply_int(c, o && blocking_unblock_reply(o, err));
}

void cmd_client_help(struct client *c)
{
    static const char *const lines[] = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        NULL,
    };
    reply_help(c, "CLIENT", lines);
}
