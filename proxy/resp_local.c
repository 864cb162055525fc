/* proxy/resp_local: commands answered by the proxy; see resp_local.h. */
#include "proxy/resp_local.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "compat/cmd.h"
#include "compat/resp.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "lib/util.h"
#include "proxy/client.h"
#include "proxy/pool.h"
#include "proxy/route.h"
#include "proxy/stats.h"
#include "proxy/worker.h"
#include "shoal_config.h"

int rq_arg_is(const struct rq *q, int i, const char *lit)
{
    return util_eq_nocase(ARG(q, i), ARGLEN(q, i), lit);
}

bool rq_resp3(const struct client *c)
{
    return c->proto == PROTO_RESP3;
}

void rq_null(struct client *c)
{
    if (rq_resp3(c)) client_reply(c, "_\r\n", 3, false);
    else client_reply(c, "$-1\r\n", 5, false);
}

void rq_err(struct client *c, const char *msg)
{
    client_replyf(c, "-%s\r\n", msg);
}

/* A blob of type t ('$', or '=' verbatim with its "fmt:" prefix). */
void rq_blob(struct client *c, char t, const char *fmt, const char *p, size_t n)
{
    char hdr[32];
    size_t fl = fmt ? strlen(fmt) + 1 : 0;
    size_t hl = resp_fmt_header(hdr, t, (long long)(n + fl));
    char *b = mem_alloc(hl + fl + n + 2);
    memcpy(b, hdr, hl);
    if (fl) {
        memcpy(b + hl, fmt, fl - 1);
        b[hl + fl - 1] = ':';
    }
    memcpy(b + hl + fl, p, n);
    memcpy(b + hl + fl + n, "\r\n", 2);
    client_reply(c, b, hl + fl + n + 2, false);
    mem_free(b);
}

void rq_bulk(struct client *c, const char *p, size_t n)
{
    rq_blob(c, '$', NULL, p, n);
}

void rq_unknown(const struct rq *q)
{
    char args[256];
    size_t n = 0;
    args[0] = '\0';
    for (int i = 1; i < q->argc && n < 128; i++) {
        size_t room = 128 - n;
        int w = snprintf(args + n, sizeof args - n, "'%.*s' ",
                         (int)(ARGLEN(q, i) < room ? ARGLEN(q, i) : room), ARG(q, i));
        if (w > 0) n += (size_t)w;
        if (n >= sizeof args) break;
    }
    char msg[512];
    int m = snprintf(msg, sizeof msg, "-ERR unknown command '%.*s', with args beginning with: %s",
                     (int)(ARGLEN(q, 0) > 128 ? 128 : ARGLEN(q, 0)), ARG(q, 0), args);
    if (m < 0) m = 0;
    if ((size_t)m > sizeof msg - 3) m = (int)sizeof msg - 3;
    for (int i = 0; i < m; i++)
        if (msg[i] == '\r' || msg[i] == '\n') msg[i] = ' ';   /* as Redis: one line */
    memcpy(msg + m, "\r\n", 2);
    client_reply(q->c, msg, (size_t)m + 2, false);
}

/* HELLO [protover [AUTH user pass] [SETNAME name]]: as Redis 7 checks it
 * (version, then options, then credentials, then authentication), and
 * the reply (a map in RESP3) in the protocol asked for.  The switch
 * applies to the requests after it; see proto_switch_wait. */
static bool hello_credentials_ok(const struct rq *q, int i)
{
    const char *pw = q->c->wp->pool->redis_auth;
    if (!rq_arg_is(q, i, "default")) return false;        /* the only user */
    if (pw == NULL || pw[0] == '\0') return true;     /* default is nopass */
    return strlen(pw) == ARGLEN(q, i + 1) && memcmp(pw, ARG(q, i + 1), ARGLEN(q, i + 1)) == 0;
}

static bool client_name_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '!' || p[i] > '~') return false;
    return true;
}

static void local_hello(const struct rq *q)
{
    struct client *c = q->c;
    long long ver = 0;
    if (q->argc >= 2) {
        if (util_str2ll(ARG(q, 1), ARGLEN(q, 1), &ver) != 0) {
            rq_err(c, "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (ver < 2 || ver > 3) {
            rq_err(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    int cred = -1, name = -1;
    for (int i = 2; i < q->argc; i++) {
        int more = q->argc - 1 - i;
        if (rq_arg_is(q, i, "auth") && more >= 2) {
            cred = i + 1;
            i += 2;
        } else if (rq_arg_is(q, i, "setname") && more >= 1) {
            if (!client_name_ok(ARG(q, i + 1), ARGLEN(q, i + 1))) {
                rq_err(c, "ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            name = ++i;
        } else {
            client_replyf(c, "-ERR Syntax error in HELLO option '%.*s'\r\n",
                          (int)(ARGLEN(q, i) > 128 ? 128 : ARGLEN(q, i)), ARG(q, i));
            return;
        }
    }
    if (cred >= 0) {
        if (!hello_credentials_ok(q, cred)) {
            rq_err(c, "WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        c->authed = true;
    }
    if (!c->authed) {
        rq_err(c, "NOAUTH HELLO must be called with the client already authenticated, "
                  "otherwise the HELLO AUTH <user> <pass> option can be used to "
                  "authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if (name >= 0) client_set_name(c, ARG(q, name), ARGLEN(q, name));
    int proto = ver == 3 || (ver == 0 && rq_resp3(c)) ? 3 : 2;
    client_replyf(c, "%s\r\n$6\r\nserver\r\n$11\r\nshoal-proxy\r\n$7\r\nversion\r\n$%zu\r\n%s\r\n"
                  "$5\r\nproto\r\n:%d\r\n$2\r\nid\r\n:%llu\r\n$4\r\nmode\r\n$5\r\nproxy\r\n"
                  "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
                  proto == 3 ? "%7" : "*14", strlen(PACKAGE_VERSION), PACKAGE_VERSION, proto,
                  (unsigned long long)c->id);
    c->proto = proto == 3 ? PROTO_RESP3 : PROTO_RESP;
}

static void local_auth(const struct rq *q)
{
    struct client *c = q->c;
    const char *pw = c->wp->pool->redis_auth;
    if (pw == NULL || pw[0] == '\0') {
        rq_err(c, "ERR AUTH <password> called without any password configured for the "
                  "default user. Are you sure your configuration is correct?");
        return;
    }
    int i = q->argc - 1;
    if (q->argc > 3 || (q->argc == 3 && !rq_arg_is(q, 1, "default"))) {
        rq_err(c, "WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    if (strlen(pw) == ARGLEN(q, i) && memcmp(pw, ARG(q, i), ARGLEN(q, i)) == 0) {
        c->authed = true;
        client_reply(c, "+OK\r\n", 5, false);
    } else {
        c->authed = false;
        rq_err(c, "WRONGPASS invalid username-password pair or user is disabled.");
    }
}

/* CLIENT INFO: this client as the proxy knows it, in Redis's
 * `field=value` form (fields the proxy has; the others would be made up).
 * CLIENT LIST is refused: the other clients belong to other workers. */
static void client_info(struct client *c)
{
    char host[INET6_ADDRSTRLEN] = "", addr[INET6_ADDRSTRLEN + 16] = "";
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(c->pc.fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
            snprintf(addr, sizeof addr, "%s:%u", host, ntohs(a->sin_port));
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
            snprintf(addr, sizeof addr, "%s:%u", host, ntohs(a->sin6_port));
        } else {
            snprintf(addr, sizeof addr, "/unixsocket:0");
        }
    }
    char line[400];
    int n = snprintf(line, sizeof line, "id=%llu addr=%s name=%s db=0 resp=%d\n",
                     (unsigned long long)c->id, addr, c->name ? c->name : "",
                     rq_resp3(c) ? 3 : 2);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof line) n = (int)sizeof line - 1;
    if (rq_resp3(c)) rq_blob(c, '=', "txt", line, (size_t)n);
    else rq_bulk(c, line, (size_t)n);
}

static void local_client(const struct rq *q)
{
    struct client *c = q->c;
    if (rq_arg_is(q, 1, "setname") && q->argc == 3) {
        if (!client_name_ok(ARG(q, 2), ARGLEN(q, 2))) {
            rq_err(c, "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        client_set_name(c, ARG(q, 2), ARGLEN(q, 2));
        client_reply(c, "+OK\r\n", 5, false);
    } else if (rq_arg_is(q, 1, "getname") && q->argc == 2) {
        if (c->name) rq_bulk(c, c->name, strlen(c->name));
        else rq_null(c);
    } else if (rq_arg_is(q, 1, "id") && q->argc == 2) {
        client_replyf(c, ":%llu\r\n", (unsigned long long)c->id);
    } else if (rq_arg_is(q, 1, "info") && q->argc == 2) {
        client_info(c);
    } else if (rq_arg_is(q, 1, "setinfo")) {
        client_reply(c, "+OK\r\n", 5, false);
    } else {
        rq_err(c, "ERR this CLIENT subcommand is not supported through the proxy");
    }
}

static void local_info(const struct rq *q)
{
    size_t n;
    char *text = stats_info_text(q->c->w->conf, &n);
    if (rq_resp3(q->c)) rq_blob(q->c, '=', "txt", text, n);   /* as Redis 7 */
    else rq_bulk(q->c, text, n);
    free(text);
}

static void local_command(const struct rq *q)
{
    if (q->argc == 2 && rq_arg_is(q, 1, "count")) client_replyf(q->c, ":%d\r\n", cmd_top_count());
    else client_reply(q->c, "*0\r\n", 4, false);
}

static void local_time(const struct rq *q)
{
    int64_t us = clock_us();
    char s[24], u[24];
    int sl = snprintf(s, sizeof s, "%lld", (long long)(us / 1000000));
    int ul = snprintf(u, sizeof u, "%lld", (long long)(us % 1000000));
    client_replyf(q->c, "*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", sl, s, ul, u);
}

void resp_local_cmd(const struct rq *q, const struct cmd_desc *d)
{
    struct client *c = q->c;
    switch (d->id) {
    case CMD_ID_ping:
        if (q->argc == 1) client_reply(c, "+PONG\r\n", 7, false);
        else if (q->argc == 2) rq_bulk(c, ARG(q, 1), ARGLEN(q, 1));
        else rq_err(c, "ERR wrong number of arguments for 'ping' command");
        break;
    case CMD_ID_echo: rq_bulk(c, ARG(q, 1), ARGLEN(q, 1)); break;
    case CMD_ID_quit: client_reply(c, "+OK\r\n", 5, true); break;
    case CMD_ID_select:
        if (ARGLEN(q, 1) == 1 && ARG(q, 1)[0] == '0') client_reply(c, "+OK\r\n", 5, false);
        else rq_err(c, "ERR DB index is out of range");
        break;
    case CMD_ID_auth: local_auth(q); break;
    case CMD_ID_hello: local_hello(q); break;
    case CMD_ID_reset:
        /* as Redis: back to RESP2 and, when a password is set, logged out */
        client_reply(c, "+RESET\r\n", 8, false);
        c->proto = PROTO_RESP;
        c->authed = c->wp->pool->redis_auth == NULL || c->wp->pool->redis_auth[0] == '\0';
        break;
    case CMD_ID_client: local_client(q); break;
    case CMD_ID_info: local_info(q); break;
    case CMD_ID_command: local_command(q); break;
    case CMD_ID_time: local_time(q); break;
    default:
        client_replyf(c, "-ERR '%s' is not supported through the proxy\r\n", d->fullname);
        break;
    }
}

/* PROXY ROUTE <key>: [host:port, server name, index]. */
void resp_proxy_admin(const struct rq *q)
{
    struct client *c = q->c;
    if (q->argc != 3 || !rq_arg_is(q, 1, "route")) {
        rq_err(c, "ERR usage: PROXY ROUTE <key>");
        return;
    }
    int s = route_key(c->wp, ARG(q, 2), ARGLEN(q, 2), NULL);
    if (s < 0) {
        rq_err(c, "ERR no server available");
        return;
    }
    const struct pool_server *ps = &c->wp->pool->servers[s];
    client_replyf(c, "*3\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n:%d\r\n",
                  strlen(ps->addr), ps->addr, strlen(ps->name), ps->name, s);
}
