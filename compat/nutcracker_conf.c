/* compat/nutcracker_conf: nutcracker.yml into struct nc_conf.
 *
 * libyaml loads the whole document as a node tree; we then walk it once:
 * root mapping (pool name -> pool mapping), each key looked up in one table
 * (name, kind, field offset) so that duplicate, unknown and bad values are
 * all rejected in one place, then per-pool and cross-pool validation as
 * twemproxy's conf_validate_* does. Every error carries the node's line.
 * The semantics (formats, defaults, what is rejected) follow nutcracker
 * 0.5.0's nc_conf.c, checked against `nutcracker -t`. */
#include "compat/nutcracker_conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compat/hashkit.h"

struct conf_parse {
    const char *file;
    char *err;
    size_t errlen;
    yaml_document_t *doc;
};

static int conf_fail(struct conf_parse *cp, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int conf_fail(struct conf_parse *cp, int line, const char *fmt, ...)
{
    if (cp->err == NULL || cp->errlen == 0) return -1;
    int n = snprintf(cp->err, cp->errlen, "%s:%d: ", cp->file, line);
    if (n < 0 || (size_t)n >= cp->errlen) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cp->err + n, cp->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static void *conf_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL) {
        fprintf(stderr, "nutcracker_conf: out of memory\n");
        abort();
    }
    return p;
}

static char *conf_strndup(const char *s, size_t n)
{
    char *d = conf_calloc(n + 1, 1);
    memcpy(d, s, n);
    return d;
}

static int node_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

/* ---- values ---------------------------------------------------------------- */

/* Digits only (twemproxy's nc_atoi: no sign, no space), <= INT_MAX. */
static int parse_uint(const char *s, size_t len, int *out)
{
    long long v = 0;
    if (len == 0) return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
        if (v > INT_MAX) return -2;
    }
    *out = (int)v;
    return 0;
}

/* The last occurrence of c in s[0..len). */
static const char *mem_rchr(const char *s, size_t len, char c)
{
    while (len > 0)
        if (s[--len] == c) return s + len;
    return NULL;
}

struct listen_addr {
    char *host, *unix_path;
    int port, perm;
};

/* "host:port" or "/path [perm]". Returns NULL or the reason it is bad. */
static const char *parse_listen(const char *v, size_t len, struct listen_addr *la)
{
    memset(la, 0, sizeof(*la));
    if (v[0] == '/') {
        const char *sp = mem_rchr(v, len, ' ');
        size_t plen = sp ? (size_t)(sp - v) : len;
        if (sp != NULL) {
            const char *perm = sp + 1;
            size_t permlen = len - plen - 1;
            int p = 0;
            for (size_t i = 0; i < permlen; i++) {
                if (perm[i] < '0' || perm[i] > '7') return "has an invalid file permission in \"socket_path permission\" format string";
                p = p * 8 + (perm[i] - '0');
                if (p > 0777) break;
            }
            if (permlen == 0 || p > 0777)
                return "has an invalid file permission in \"socket_path permission\" format string";
            la->perm = p;
        }
        la->unix_path = conf_strndup(v, plen);
        return NULL;
    }
    const char *colon = mem_rchr(v, len, ':');
    if (colon == NULL || colon == v)
        return "has an invalid \"hostname:port\" format string";
    if (parse_uint(colon + 1, len - (size_t)(colon + 1 - v), &la->port) != 0 ||
        la->port < 1 || la->port > 65535)
        return "has an invalid port in \"hostname:port\" format string";
    la->host = conf_strndup(v, (size_t)(colon - v));
    return NULL;
}

#define SERVER_FORMAT "\"hostname:port:weight [name]\" or \"/path/unix_socket:weight [name]\""

/* One servers: entry, parsed from the end as twemproxy does. */
static const char *parse_server(const char *v, size_t len, struct nc_server *s)
{
    const char *sp = mem_rchr(v, len, ' ');
    size_t rest = len;
    if (sp != NULL) {
        if (sp + 1 == v + len) return "has an empty name in " SERVER_FORMAT;
        s->name = conf_strndup(sp + 1, len - (size_t)(sp + 1 - v));
        rest = (size_t)(sp - v);
    }
    const char *wcolon = mem_rchr(v, rest, ':');
    if (wcolon == NULL) return "has an invalid " SERVER_FORMAT " format string";
    int rc = parse_uint(wcolon + 1, rest - (size_t)(wcolon + 1 - v), &s->weight);
    if (rc != 0) return "has an invalid weight in " SERVER_FORMAT " format string";
    if (s->weight == 0) return "has a zero weight in " SERVER_FORMAT " format string";
    size_t addrlen = (size_t)(wcolon - v);
    if (v[0] == '/') {
        s->unix_path = conf_strndup(v, addrlen);
        return NULL;
    }
    const char *pcolon = mem_rchr(v, addrlen, ':');
    if (pcolon == NULL || pcolon == v)
        return "has an invalid " SERVER_FORMAT " format string";
    if (parse_uint(pcolon + 1, addrlen - (size_t)(pcolon + 1 - v), &s->port) != 0 ||
        s->port < 1 || s->port > 65535)
        return "has an invalid port in " SERVER_FORMAT " format string";
    s->host = conf_strndup(v, (size_t)(pcolon - v));
    return NULL;
}

/* ---- the key table ---------------------------------------------------------- */

enum conf_kind {
    KIND_LISTEN, KIND_REDIS_LISTEN, KIND_HASH, KIND_HASH_TAG, KIND_DIST,
    KIND_NUM, KIND_BOOL, KIND_STRING, KIND_PROTOCOL, KIND_TLS_AUTH, KIND_SERVERS,
};

struct conf_key {
    const char *name;
    enum conf_kind kind;
    size_t offset;      /* int or char * field of struct nc_pool */
    int min;            /* KIND_NUM lower bound */
    int max;            /* KIND_NUM upper bound (0: INT_MAX) */
};

#define FIELD(f) offsetof(struct nc_pool, f)
static const struct conf_key conf_keys[] = {
    {"listen", KIND_LISTEN, 0, 0, 0},
    {"hash", KIND_HASH, FIELD(hash), 0, 0},
    {"hash_tag", KIND_HASH_TAG, 0, 0, 0},
    {"distribution", KIND_DIST, FIELD(distribution), 0, 0},
    {"timeout", KIND_NUM, FIELD(timeout), 0, 0},
    {"backlog", KIND_NUM, FIELD(backlog), 0, 0},
    {"client_connections", KIND_NUM, FIELD(client_connections), 0, 0},
    {"redis", KIND_BOOL, FIELD(redis), 0, 0},
    {"tcpkeepalive", KIND_BOOL, FIELD(tcpkeepalive), 0, 0},
    {"reuseport", KIND_BOOL, FIELD(reuseport), 0, 0},
    {"redis_auth", KIND_STRING, FIELD(redis_auth), 0, 0},
    {"redis_db", KIND_NUM, FIELD(redis_db), 0, 0},
    {"preconnect", KIND_BOOL, FIELD(preconnect), 0, 0},
    {"auto_eject_hosts", KIND_BOOL, FIELD(auto_eject_hosts), 0, 0},
    {"server_connections", KIND_NUM, FIELD(server_connections), 1, 0},
    {"server_retry_timeout", KIND_NUM, FIELD(server_retry_timeout), 0, 0},
    {"server_failure_limit", KIND_NUM, FIELD(server_failure_limit), 0, 0},
    {"servers", KIND_SERVERS, 0, 0, 0},
    {"protocol", KIND_PROTOCOL, 0, 0, 0},
    {"redis_listen", KIND_REDIS_LISTEN, 0, 0, 0},
    {"workers", KIND_NUM, FIELD(workers), 0, NC_MAX_WORKERS},
    {"tls", KIND_BOOL, FIELD(tls), 0, 0},
    {"tls_cert_file", KIND_STRING, FIELD(tls_cert_file), 0, 0},
    {"tls_key_file", KIND_STRING, FIELD(tls_key_file), 0, 0},
    {"tls_ca_cert_file", KIND_STRING, FIELD(tls_ca_cert_file), 0, 0},
    {"tls_auth_clients", KIND_TLS_AUTH, FIELD(tls_auth_clients), 0, 0},
    {"tls_handshake_timeout", KIND_NUM, FIELD(tls_handshake_timeout), 0, 0},
    {"server_tls", KIND_BOOL, FIELD(server_tls), 0, 0},
    {"server_tls_ca_cert_file", KIND_STRING, FIELD(server_tls_ca_cert_file), 0, 0},
    {"server_tls_cert_file", KIND_STRING, FIELD(server_tls_cert_file), 0, 0},
    {"server_tls_key_file", KIND_STRING, FIELD(server_tls_key_file), 0, 0},
    {"server_tls_verify", KIND_BOOL, FIELD(server_tls_verify), 0, 0},
    {"server_tls_server_name", KIND_STRING, FIELD(server_tls_server_name), 0, 0},
};
#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))
#undef FIELD

/* Per-pool parse state: which keys were seen and where. */
struct pool_seen {
    int line[NKEYS];    /* 0 = not seen */
};

static int *pool_int(struct nc_pool *p, size_t off)
{
    return (int *)(void *)((char *)p + off);
}

static char **pool_str(struct nc_pool *p, size_t off)
{
    return (char **)(void *)((char *)p + off);
}

static int set_servers(struct conf_parse *cp, struct nc_pool *p, yaml_node_t *v)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return conf_fail(cp, node_line(v), "pool '%s': \"servers\" must be a list", p->name);
    yaml_node_item_t *it = v->data.sequence.items.start;
    size_t n = (size_t)(v->data.sequence.items.top - it);
    p->servers = conf_calloc(n, sizeof(struct nc_server));
    for (; it < v->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(cp->doc, *it);
        if (e == NULL || e->type != YAML_SCALAR_NODE || e->data.scalar.length == 0)
            return conf_fail(cp, e ? node_line(e) : node_line(v),
                             "pool '%s': each server must be a " SERVER_FORMAT " string",
                             p->name);
        struct nc_server *s = &p->servers[p->nservers++];
        s->line = node_line(e);
        const char *why = parse_server((const char *)e->data.scalar.value,
                                       e->data.scalar.length, s);
        if (why)
            return conf_fail(cp, s->line, "pool '%s': server '%s' %s", p->name,
                             (const char *)e->data.scalar.value, why);
    }
    return 0;
}

static int set_listen(struct conf_parse *cp, struct nc_pool *p, const char *key,
                      const char *v, size_t len, int line, int redis_listen)
{
    struct listen_addr la;
    const char *why = parse_listen(v, len, &la);
    if (why) return conf_fail(cp, line, "pool '%s': \"%s\" %s: '%s'", p->name, key, why, v);
    if (redis_listen) {
        p->redis_listen_host = la.host;
        p->redis_listen_unix = la.unix_path;
        p->redis_listen_port = la.port;
        p->redis_listen_perm = la.perm;
    } else {
        p->listen_host = la.host;
        p->listen_unix = la.unix_path;
        p->listen_port = la.port;
        p->listen_perm = la.perm;
    }
    return 0;
}

/* A scalar key: value of the table. */
static int set_scalar(struct conf_parse *cp, struct nc_pool *p, const struct conf_key *k,
                      const char *v, size_t len, int line)
{
    int rc;
    switch (k->kind) {
    case KIND_LISTEN:
    case KIND_REDIS_LISTEN:
        return set_listen(cp, p, k->name, v, len, line, k->kind == KIND_REDIS_LISTEN);
    case KIND_HASH:
        if ((rc = hash_type_parse(v)) < 0)
            return conf_fail(cp, line, "pool '%s': \"hash\" is not a valid hash: '%s'", p->name, v);
        *pool_int(p, k->offset) = rc;
        return 0;
    case KIND_DIST:
        if ((rc = dist_type_parse(v)) < 0)
            return conf_fail(cp, line, "pool '%s': \"distribution\" is not a valid "
                             "distribution: '%s'", p->name, v);
        *pool_int(p, k->offset) = rc;
        return 0;
    case KIND_HASH_TAG:
        if (len != 2)
            return conf_fail(cp, line, "pool '%s': \"hash_tag\" is not a valid hash tag "
                             "string with two characters: '%s'", p->name, v);
        memcpy(p->hash_tag, v, 3);
        return 0;
    case KIND_NUM: {
        int num;
        rc = parse_uint(v, len, &num);
        if (rc == -1)
            return conf_fail(cp, line, "pool '%s': \"%s\" is not a number: '%s'", p->name, k->name, v);
        int max = k->max ? k->max : INT_MAX;
        if (rc == -2 || num < k->min || num > max)
            return conf_fail(cp, line, "pool '%s': \"%s\" is out of range (%d to %d): '%s'",
                             p->name, k->name, k->min, max, v);
        *pool_int(p, k->offset) = num;
        return 0;
    }
    case KIND_BOOL:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return conf_fail(cp, line, "pool '%s': \"%s\" is not \"true\" or \"false\": '%s'",
                             p->name, k->name, v);
        *pool_int(p, k->offset) = v[0] == 't';
        return 0;
    case KIND_STRING:
        *pool_str(p, k->offset) = conf_strndup(v, len);
        return 0;
    case KIND_PROTOCOL:
        if (strcmp(v, "memcache") == 0) p->protocol = NC_PROTO_MEMCACHE;
        else if (strcmp(v, "redis") == 0) p->protocol = NC_PROTO_REDIS;
        else if (strcmp(v, "both") == 0) p->protocol = NC_PROTO_BOTH;
        else
            return conf_fail(cp, line, "pool '%s': \"protocol\" is not memcache, redis or "
                             "both: '%s'", p->name, v);
        return 0;
    case KIND_TLS_AUTH:
        if (strcmp(v, "no") == 0) rc = NC_TLS_AUTH_NO;
        else if (strcmp(v, "yes") == 0) rc = NC_TLS_AUTH_YES;
        else if (strcmp(v, "optional") == 0) rc = NC_TLS_AUTH_OPTIONAL;
        else
            return conf_fail(cp, line, "pool '%s': \"%s\" is not no, yes or optional: '%s'",
                             p->name, k->name, v);
        *pool_int(p, k->offset) = rc;
        return 0;
    default:
        return conf_fail(cp, line, "pool '%s': \"%s\" must be a list", p->name, k->name);
    }
}

static void pool_defaults(struct nc_pool *p)
{
    p->hash = HASH_FNV1A_64;
    p->distribution = DIST_KETAMA;
    p->timeout = -1;
    p->backlog = 512;
    p->server_connections = 1;
    p->server_retry_timeout = 30000;
    p->server_failure_limit = 2;
    p->server_tls_verify = 1;
    p->tls_handshake_timeout = 10000;
}

static int set_key(struct conf_parse *cp, struct nc_pool *p, struct pool_seen *seen,
                   yaml_node_t *kn, yaml_node_t *vn)
{
    const char *key = (const char *)kn->data.scalar.value;
    size_t i;
    for (i = 0; i < NKEYS; i++)
        if (strcmp(key, conf_keys[i].name) == 0) break;
    if (i == NKEYS)
        return conf_fail(cp, node_line(kn), "pool '%s': unknown key \"%s\"", p->name, key);
    if (seen->line[i])
        return conf_fail(cp, node_line(kn), "pool '%s': \"%s\" is a duplicate (first on "
                         "line %d)", p->name, key, seen->line[i]);
    seen->line[i] = node_line(kn);
    if (conf_keys[i].kind == KIND_SERVERS) return set_servers(cp, p, vn);
    if (vn->type != YAML_SCALAR_NODE)
        return conf_fail(cp, node_line(vn), "pool '%s': \"%s\" must be a single value",
                         p->name, key);
    if (vn->data.scalar.length == 0)
        return conf_fail(cp, node_line(vn), "pool '%s': \"%s\" has an empty value", p->name, key);
    if (strlen((const char *)vn->data.scalar.value) != vn->data.scalar.length)
        return conf_fail(cp, node_line(vn), "pool '%s': \"%s\" contains a NUL byte", p->name, key);
    return set_scalar(cp, p, &conf_keys[i], (const char *)vn->data.scalar.value,
                      vn->data.scalar.length, node_line(vn));
}

/* ---- validation --------------------------------------------------------------- */

static size_t key_index(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(name, conf_keys[i].name) == 0) return i;
    return 0;
}

/* The protocol extension against `redis:`, redis_auth and redis_listen. */
static int validate_protocol(struct conf_parse *cp, struct nc_pool *p,
                             const struct pool_seen *seen)
{
    int proto_line = seen->line[key_index("protocol")];
    int redis_line = seen->line[key_index("redis")];
    if (!proto_line) p->protocol = p->redis ? NC_PROTO_REDIS : NC_PROTO_MEMCACHE;
    else if (redis_line && p->protocol != NC_PROTO_BOTH &&
             (p->protocol == NC_PROTO_REDIS) != (p->redis != 0))
        return conf_fail(cp, proto_line, "pool '%s': \"protocol: %s\" contradicts \"redis: %s\" "
                         "(line %d)", p->name, p->protocol == NC_PROTO_REDIS ? "redis" : "memcache",
                         p->redis ? "true" : "false", redis_line);
    if (p->protocol != NC_PROTO_MEMCACHE) p->redis = 1;

    int auth_line = seen->line[key_index("redis_auth")];
    if (auth_line && p->protocol == NC_PROTO_MEMCACHE)
        return conf_fail(cp, auth_line, "pool '%s': \"redis_auth\" is only valid for a redis pool",
                         p->name);
    int rl_line = seen->line[key_index("redis_listen")];
    if (rl_line && p->protocol != NC_PROTO_BOTH)
        return conf_fail(cp, rl_line, "pool '%s': \"redis_listen\" is only valid with "
                         "\"protocol: both\"", p->name);
    if (!rl_line && p->protocol == NC_PROTO_BOTH)
        return conf_fail(cp, proto_line, "pool '%s': \"protocol: both\" needs \"redis_listen\" "
                         "(the RESP listener; \"listen\" is the Memcached one)", p->name);
    return 0;
}

/* The TLS extension keys: files required by `tls: true` and by client
 * authentication; none without a `tls:` key. */
static int validate_tls(struct conf_parse *cp, struct nc_pool *p, const struct pool_seen *seen)
{
    static const char *const keys[] = {"tls_cert_file", "tls_key_file", "tls_ca_cert_file",
                                       "tls_auth_clients"};
    p->tls_line = seen->line[key_index("tls")];
    p->tls_cert_line = seen->line[key_index("tls_cert_file")];
    p->tls_key_line = seen->line[key_index("tls_key_file")];
    p->tls_ca_line = seen->line[key_index("tls_ca_cert_file")];
    if (!p->tls_line) {
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            int line = seen->line[key_index(keys[i])];
            if (line)
                return conf_fail(cp, line, "pool '%s': \"%s\" needs \"tls: true\" (or "
                                 "\"tls: false\" to keep it while TLS is off)", p->name, keys[i]);
        }
        return 0;
    }
    if (!p->tls) return 0;
    if (!p->tls_cert_line || !p->tls_key_line)
        return conf_fail(cp, p->tls_line, "pool '%s': \"tls: true\" needs \"%s\"", p->name,
                         p->tls_cert_line ? "tls_key_file" : "tls_cert_file");
    if (p->tls_auth_clients != NC_TLS_AUTH_NO && !p->tls_ca_line)
        return conf_fail(cp, seen->line[key_index("tls_auth_clients")], "pool '%s': "
                         "\"tls_auth_clients: %s\" needs \"tls_ca_cert_file\" (the CA that "
                         "signs client certificates)", p->name,
                         p->tls_auth_clients == NC_TLS_AUTH_YES ? "yes" : "optional");
    return 0;
}

/* The server_tls extension keys: none without a `server_tls:` key; a
 * client certificate needs its key and the other way round; a name to
 * verify for unix socket servers; tls_handshake_timeout needs TLS on one
 * side or the other. */
static int validate_server_tls(struct conf_parse *cp, struct nc_pool *p,
                               const struct pool_seen *seen)
{
    static const char *const keys[] = {"server_tls_ca_cert_file", "server_tls_cert_file",
                                       "server_tls_key_file", "server_tls_verify",
                                       "server_tls_server_name"};
    p->server_tls_line = seen->line[key_index("server_tls")];
    p->server_tls_ca_line = seen->line[key_index("server_tls_ca_cert_file")];
    p->server_tls_cert_line = seen->line[key_index("server_tls_cert_file")];
    p->server_tls_key_line = seen->line[key_index("server_tls_key_file")];
    int hs_line = seen->line[key_index("tls_handshake_timeout")];
    if (hs_line && !p->tls_line && !p->server_tls_line)
        return conf_fail(cp, hs_line, "pool '%s': \"tls_handshake_timeout\" needs \"tls: true\" "
                         "or \"server_tls: true\"", p->name);
    if (!p->server_tls_line) {
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            int line = seen->line[key_index(keys[i])];
            if (line)
                return conf_fail(cp, line, "pool '%s': \"%s\" needs \"server_tls: true\" (or "
                                 "\"server_tls: false\" to keep it while TLS is off)", p->name,
                                 keys[i]);
        }
        return 0;
    }
    if (!p->server_tls) return 0;
    if (!p->server_tls_cert_line != !p->server_tls_key_line)
        return conf_fail(cp, p->server_tls_cert_line ? p->server_tls_cert_line
                                                     : p->server_tls_key_line,
                         "pool '%s': \"%s\" needs \"%s\" (a client certificate and its key "
                         "go together)", p->name,
                         p->server_tls_cert_line ? "server_tls_cert_file" : "server_tls_key_file",
                         p->server_tls_cert_line ? "server_tls_key_file" : "server_tls_cert_file");
    const char *name = p->server_tls_server_name;
    if (name && strlen(name) > 253)
        return conf_fail(cp, seen->line[key_index("server_tls_server_name")], "pool '%s': "
                         "\"server_tls_server_name\" is longer than a host name (253)", p->name);
    for (size_t i = 0; name && name[i]; i++)
        if (name[i] == ' ' || name[i] == '\t' || name[i] == '/')
            return conf_fail(cp, seen->line[key_index("server_tls_server_name")], "pool '%s': "
                             "\"server_tls_server_name\" is not a host name: '%s'", p->name, name);
    for (int i = 0; i < p->nservers && p->server_tls_verify && !name; i++)
        if (p->servers[i].unix_path)
            return conf_fail(cp, p->servers[i].line, "pool '%s': server '%s' is a unix socket: "
                             "\"server_tls: true\" needs \"server_tls_server_name\" (the name "
                             "its certificate is verified against) or \"server_tls_verify: "
                             "false\"", p->name, p->servers[i].unix_path);
    return 0;
}

/* compat/ketama sums a pool's weights in 32 bits, and modula keeps one slot
 * per unit of weight: a total over INT_MAX (or NC_MODULA_SLOTS_MAX for
 * modula) would wrap or ask for gigabytes, aborting the proxy, even on a
 * SIGHUP reload.  nutcracker fails too, at startup, out of memory. */
#define NC_MODULA_SLOTS_MAX (1 << 20)
static int validate_weights(struct conf_parse *cp, struct nc_pool *p)
{
    long long total = 0, max = p->distribution == DIST_MODULA ? NC_MODULA_SLOTS_MAX : INT_MAX;
    for (int i = 0; i < p->nservers; i++) {
        total += p->servers[i].weight;
        if (total > max)
            return conf_fail(cp, p->servers[i].line, "pool '%s': the servers' weights add up to "
                             "more than %lld%s", p->name, max,
                             max == INT_MAX ? "" : " (modula keeps one slot per unit of weight)");
    }
    return 0;
}

static int validate_pool(struct conf_parse *cp, struct nc_pool *p, const struct pool_seen *seen)
{
    if (!seen->line[key_index("listen")])
        return conf_fail(cp, p->line, "pool '%s': \"listen\" is missing", p->name);
    if (p->nservers == 0)
        return conf_fail(cp, p->line, "pool '%s' has no servers", p->name);
    if (validate_protocol(cp, p, seen) != 0) return -1;
    if (validate_tls(cp, p, seen) != 0) return -1;
    if (validate_server_tls(cp, p, seen) != 0) return -1;
    if (validate_weights(cp, p) != 0) return -1;

    /* twemproxy rejects two servers with the same ketama ID */
    for (int i = 0; i < p->nservers; i++) {
        struct dist_server a, b;
        char ida[512], idb[512];
        nc_server_to_dist(&p->servers[i], 1, &a);
        dist_server_id(&a, ida, sizeof(ida));
        for (int j = 0; j < i; j++) {
            nc_server_to_dist(&p->servers[j], 1, &b);
            dist_server_id(&b, idb, sizeof(idb));
            if (strcmp(ida, idb) == 0)
                return conf_fail(cp, p->servers[i].line, "pool '%s' has servers with same "
                                 "name '%s' (line %d)", p->name, ida, p->servers[j].line);
        }
    }
    return 0;
}

/* "host:port" or the socket path of a listener, for duplicate checks. */
static void listen_str(char *buf, size_t size, const char *host, int port, const char *path)
{
    if (path) snprintf(buf, size, "%s", path);
    else if (host) snprintf(buf, size, "%s:%d", host, port);
    else buf[0] = '\0';
}

static int validate_conf(struct conf_parse *cp, struct nc_conf *c)
{
    int nl = 2 * c->npools;
    char (*addr)[300] = conf_calloc((size_t)nl, sizeof(*addr));
    int *owner = conf_calloc((size_t)nl, sizeof(int)), rc = 0;
    for (int i = 0; i < c->npools; i++) {
        const struct nc_pool *p = &c->pools[i];
        listen_str(addr[2 * i], sizeof(addr[0]), p->listen_host, p->listen_port, p->listen_unix);
        listen_str(addr[2 * i + 1], sizeof(addr[0]), p->redis_listen_host,
                   p->redis_listen_port, p->redis_listen_unix);
        owner[2 * i] = owner[2 * i + 1] = i;
        for (int j = 0; j < i && rc == 0; j++)
            if (strcmp(p->name, c->pools[j].name) == 0)
                rc = conf_fail(cp, p->line, "has pools with same name '%s' (line %d)",
                               p->name, c->pools[j].line);
    }
    for (int a = 0; a < nl && rc == 0; a++)
        for (int b = 0; b < a && rc == 0; b++)
            if (addr[a][0] && strcmp(addr[a], addr[b]) == 0)
                rc = conf_fail(cp, c->pools[owner[a]].line, "pools '%s' and '%s' have the "
                               "same listen address '%s'", c->pools[owner[b]].name,
                               c->pools[owner[a]].name, addr[a]);
    free(addr);
    free(owner);
    return rc;
}

/* ---- the document --------------------------------------------------------------- */

static int parse_pool(struct conf_parse *cp, struct nc_pool *p, yaml_node_t *kn, yaml_node_t *vn)
{
    pool_defaults(p);
    p->line = node_line(kn);
    if (kn->type != YAML_SCALAR_NODE || kn->data.scalar.length == 0)
        return conf_fail(cp, node_line(kn), "a pool name must be a non-empty string");
    p->name = conf_strndup((const char *)kn->data.scalar.value, kn->data.scalar.length);
    if (vn->type != YAML_MAPPING_NODE)
        return conf_fail(cp, node_line(vn), "pool '%s' must be a mapping of \"key: value\"",
                         p->name);
    struct pool_seen seen;
    memset(&seen, 0, sizeof(seen));
    for (yaml_node_pair_t *pr = vn->data.mapping.pairs.start;
         pr < vn->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(cp->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(cp->doc, pr->value);
        if (k->type != YAML_SCALAR_NODE)
            return conf_fail(cp, node_line(k), "pool '%s': keys must be plain names", p->name);
        if (set_key(cp, p, &seen, k, v) != 0) return -1;
    }
    return validate_pool(cp, p, &seen);
}

static int parse_root(struct conf_parse *cp, struct nc_conf *c)
{
    yaml_node_t *root = yaml_document_get_root_node(cp->doc);
    if (root == NULL) return conf_fail(cp, 1, "has no pools");
    if (root->type != YAML_MAPPING_NODE)
        return conf_fail(cp, node_line(root), "must be a mapping of pool names to pools");
    size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
    if (n == 0) return conf_fail(cp, node_line(root), "has no pools");
    c->pools = conf_calloc(n, sizeof(struct nc_pool));
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        struct nc_pool *p = &c->pools[c->npools++];
        if (parse_pool(cp, p, yaml_document_get_node(cp->doc, pr->key),
                       yaml_document_get_node(cp->doc, pr->value)) != 0)
            return -1;
    }
    return validate_conf(cp, c);
}

static int yaml_fail(struct conf_parse *cp, const yaml_parser_t *y)
{
    const yaml_mark_t *m = y->problem ? &y->problem_mark : &y->context_mark;
    return conf_fail(cp, (int)m->line + 1, "YAML syntax: %s%s%s",
                     y->problem ? y->problem : "parse error",
                     y->context ? " " : "", y->context ? y->context : "");
}

int nc_conf_parse(const char *yaml_text, size_t len, const char *name_for_errors,
                  struct nc_conf **out, char *err, size_t errlen)
{
    struct conf_parse cp = {name_for_errors ? name_for_errors : "(config)", err, errlen, NULL};
    yaml_parser_t y;
    yaml_document_t doc, extra;
    struct nc_conf *c = conf_calloc(1, sizeof(*c));
    int rc = -1;

    *out = NULL;
    if (err && errlen) err[0] = '\0';
    if (!yaml_parser_initialize(&y)) abort();
    yaml_parser_set_input_string(&y, (const unsigned char *)yaml_text, len);
    if (!yaml_parser_load(&y, &doc)) {
        yaml_fail(&cp, &y);
        goto out_parser;
    }
    cp.doc = &doc;
    rc = parse_root(&cp, c);
    if (rc == 0) {
        if (!yaml_parser_load(&y, &extra)) {
            rc = yaml_fail(&cp, &y);
        } else {
            yaml_node_t *r2 = yaml_document_get_root_node(&extra);
            if (r2 != NULL)
                rc = conf_fail(&cp, node_line(r2), "must contain only one YAML document");
            yaml_document_delete(&extra);
        }
    }
    yaml_document_delete(&doc);
out_parser:
    yaml_parser_delete(&y);
    if (rc == 0) *out = c;
    else nc_conf_destroy(&c);
    return rc;
}

int nc_conf_load(const char *path, struct nc_conf **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (err && errlen) snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0, n;
    char *buf = conf_calloc(cap, 1);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL) abort();
            buf = bigger;
        }
    }
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad) {
        if (err && errlen) snprintf(err, errlen, "%s: read error", path);
        rc = -1;
    } else {
        rc = nc_conf_parse(buf, len, path, out, err, errlen);
    }
    free(buf);
    return rc;
}

static void pool_free(struct nc_pool *p)
{
    for (int i = 0; i < p->nservers; i++) {
        free(p->servers[i].host);
        free(p->servers[i].name);
        free(p->servers[i].unix_path);
    }
    free(p->servers);
    free(p->name);
    free(p->listen_host);
    free(p->listen_unix);
    free(p->redis_listen_host);
    free(p->redis_listen_unix);
    free(p->redis_auth);
    free(p->tls_cert_file);
    free(p->tls_key_file);
    free(p->tls_ca_cert_file);
    free(p->server_tls_ca_cert_file);
    free(p->server_tls_cert_file);
    free(p->server_tls_key_file);
    free(p->server_tls_server_name);
}

void nc_conf_destroy(struct nc_conf **c)
{
    if (c == NULL || *c == NULL) return;
    for (int i = 0; i < (*c)->npools; i++) pool_free(&(*c)->pools[i]);
    free((*c)->pools);
    free(*c);
    *c = NULL;
}

const struct nc_pool *nc_conf_pool(const struct nc_conf *c, const char *name)
{
    for (int i = 0; c && i < c->npools; i++)
        if (strcmp(c->pools[i].name, name) == 0) return &c->pools[i];
    return NULL;
}

void nc_server_to_dist(const struct nc_server *s, int alive, struct dist_server *out)
{
    out->name = s->name;
    out->host = s->unix_path ? s->unix_path : s->host;
    out->port = s->unix_path ? 0 : s->port;
    out->weight = s->weight;
    out->alive = alive;
}
