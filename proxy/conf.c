/* proxy/conf: twemproxy YAML -> pools with resolved addresses, bound
 * listeners and TLS contexts (toward clients and toward nodes); see
 * conf.h. */
#include "proxy/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "compat/ketama.h"
#include "compat/nutcracker_conf.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/tls.h"
#include "proxy/pool.h"

int conf_mc_port_offset = 100;

static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len,
                   int passive)
{
    if (port == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        if (strlen(host) >= sizeof un->sun_path) return -1;
        memset(un, 0, sizeof *un);
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, host);
        *len = sizeof *un;
        return 0;
    }
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = passive ? AI_PASSIVE : 0 };
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, ps, &hints, &res) != 0 || res == NULL) return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int server_build(const struct nc_pool *np, const struct nc_server *ns,
                        struct pool_server *ps, char *err, size_t errlen, const char *path)
{
    struct dist_server ds;
    nc_server_to_dist(ns, 1, &ds);
    char id[512];
    dist_server_id(&ds, id, sizeof id);
    ps->name = mem_strdup(id);
    ps->host = mem_strdup(ds.host);
    ps->port = ds.port;
    ps->weight = ds.weight;
    char pname[600];
    if (ds.port) snprintf(pname, sizeof pname, "%s:%d:%d", ds.host, ds.port, ds.weight);
    else snprintf(pname, sizeof pname, "%s:%d", ds.host, ds.weight);
    ps->pname = mem_strdup(pname);
    if (ds.port) snprintf(ps->addr, sizeof ps->addr, "%s:%d", ds.host, ds.port);
    else snprintf(ps->addr, sizeof ps->addr, "%s", ds.host);
    ps->mc_port = ds.port ? ds.port + (np->protocol == NC_PROTO_BOTH ? conf_mc_port_offset : 0) : 0;
    if (resolve(ds.host, ds.port, &ps->ss[0], &ps->sslen[0], 0) != 0 ||
        resolve(ds.host, ps->mc_port, &ps->ss[1], &ps->sslen[1], 0) != 0) {
        /* twemproxy's -t passes "[::1]:port:w" too, but it cannot reach it */
        snprintf(err, errlen, "%s:%d: cannot resolve server '%s'%s", path, ns->line, ps->pname,
                 ds.host[0] == '[' ? " (an IPv6 address is written without brackets: ::1:11211:1)"
                                   : "");
        return -1;
    }
    return 0;
}

static struct pool_listener *listener_find(const struct conf *prev, const char *addr)
{
    if (prev == NULL) return NULL;
    for (int i = 0; i < prev->npools; i++)
        for (int k = 0; k < 2; k++) {
            struct pool_listener *l = prev->pools[i]->listener[k];
            if (l && strcmp(l->addr, addr) == 0) return l;
        }
    return NULL;
}

static int listener_open(const char *host, int port, int perm, int backlog, bool reuseport,
                         struct pool_listener **out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve(host, port, &ss, &sl, 1) != 0) {
        snprintf(err, errlen, "cannot resolve listen address %s:%d", host, port);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0 && port) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd >= 0 && port && reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (fd >= 0 && !port) unlink(host);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, backlog) != 0) {
        if (port) snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        else snprintf(err, errlen, "cannot listen on %s: %s", host, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (!port && perm) chmod(host, (mode_t)perm);
    struct pool_listener *l = mem_calloc(sizeof *l);
    l->fd = fd;
    l->refs = 1;
    *out = l;
    return 0;
}

/* listen spec of pool p, slot k: host/port/unix/perm from the nc_pool. */
static int pool_bind(struct pool *p, const struct nc_pool *np, const struct conf *prev,
                     char *err, size_t errlen)
{
    for (int k = 0; k < 2; k++) {
        const char *host = k ? np->redis_listen_host : np->listen_host;
        int port = k ? np->redis_listen_port : np->listen_port;
        const char *un = k ? np->redis_listen_unix : np->listen_unix;
        int perm = k ? np->redis_listen_perm : np->listen_perm;
        if (p->listen[k] == NULL) continue;
        struct pool_listener *l = listener_find(prev, p->listen[k]);
        if (l) {
            pool_listener_ref(l);
        } else if (listener_open(un ? un : host, un ? 0 : port, perm, np->backlog,
                                 np->reuseport, &l, err, errlen) != 0) {
            return -1;
        } else {
            l->addr = mem_strdup(p->listen[k]);
        }
        p->listener[k] = l;
    }
    return 0;
}

static char *listen_text(const char *host, int port, const char *un)
{
    char buf[512];
    if (un) snprintf(buf, sizeof buf, "%s", un);
    else if (host) snprintf(buf, sizeof buf, "%s:%d", host, port);
    else return NULL;
    return mem_strdup(buf);
}

_Static_assert(TLS_AUTH_NO == (int)NC_TLS_AUTH_NO && TLS_AUTH_YES == (int)NC_TLS_AUTH_YES &&
               TLS_AUTH_OPTIONAL == (int)NC_TLS_AUTH_OPTIONAL, "tls_auth_clients values");

/* lib/tls names shoal-server's options (tls-key-file); say the YAML keys
 * (tls_key_file) instead: the same length, '-' -> '_'. */
static void tls_key_names(char *msg)
{
    static const char *const opts[] = { "tls-cert-file", "tls-key-file", "tls-ca-cert-file",
                                        "tls-auth-clients" };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        for (char *at = strstr(msg, opts[i]); at; at = strstr(at, opts[i]))
            for (size_t k = 0; k < strlen(opts[i]); k++, at++)
                if (*at == '-') *at = '_';
}

/* The files of the keys given, each readable, or an error naming the key,
 * its line and why. */
struct conf_file { const char *key, *file; int line; };

static int files_readable(const struct conf_file *files, size_t n, const struct pool *p,
                          const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (files[i].file == NULL || access(files[i].file, R_OK) == 0) continue;
        snprintf(err, errlen, "%s:%d: pool '%s': \"%s\" cannot be read: '%s': %s", path,
                 files[i].line, p->name, files[i].key, files[i].file, strerror(errno));
        return -1;
    }
    return 0;
}

/* `tls: true`: the pool's TLS context, built now so that -t and a reload
 * catch a bad certificate, and rebuilt by every reload (new certificate
 * files at the same paths are picked up; connections keep the context
 * they started with).  Unreadable files are named with their key's line. */
static int pool_tls(struct pool *p, const struct nc_pool *np, const char *path,
                    char *err, size_t errlen)
{
    if (!np->tls) return 0;
    const struct conf_file files[] = {
        { "tls_cert_file", np->tls_cert_file, np->tls_cert_line },
        { "tls_key_file", np->tls_key_file, np->tls_key_line },
        { "tls_ca_cert_file", np->tls_ca_cert_file, np->tls_ca_line },
    };
    if (files_readable(files, sizeof files / sizeof files[0], p, path, err, errlen) != 0)
        return -1;
    char why[512];
    p->tls_ctx = tls_server_ctx_create(np->tls_cert_file, np->tls_key_file, np->tls_ca_cert_file,
                                       (enum tls_auth)np->tls_auth_clients, why, sizeof why);
    if (p->tls_ctx == NULL) {
        tls_key_names(why);
        snprintf(err, errlen, "%s:%d: pool '%s': TLS: %s", path, np->tls_line, p->name, why);
        return -1;
    }
    tls_ctx_set_handshake_ms(p->tls_ctx, np->tls_handshake_timeout);
    return 0;
}

/* Each server's TLS name: server_tls_server_name, else its host; an IP
 * address is verified as one (no SNI). */
static void server_tls_names(struct pool *p, const struct nc_pool *np)
{
    for (int i = 0; i < p->nservers; i++) {
        struct pool_server *ps = &p->servers[i];
        const char *name = np->server_tls_server_name ? np->server_tls_server_name
                         : ps->port ? ps->host : NULL;
        if (name == NULL) continue;
        unsigned char addr[sizeof(struct in6_addr)];
        ps->tls_name = mem_strdup(name);
        ps->tls_name_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
    }
}

/* `server_tls: true`: the client context of the node connections, built
 * now (so -t and a reload catch a bad file) and rebuilt by every reload,
 * as pool_tls.  A handshake with a node is bounded by the pool's timeout,
 * else by tls_handshake_timeout. */
static int pool_server_tls(struct pool *p, const struct nc_pool *np, const char *path,
                           char *err, size_t errlen)
{
    if (!np->server_tls) return 0;
    const struct conf_file files[] = {
        { "server_tls_ca_cert_file", np->server_tls_ca_cert_file, np->server_tls_ca_line },
        { "server_tls_cert_file", np->server_tls_cert_file, np->server_tls_cert_line },
        { "server_tls_key_file", np->server_tls_key_file, np->server_tls_key_line },
    };
    if (files_readable(files, sizeof files / sizeof files[0], p, path, err, errlen) != 0)
        return -1;
    char why[512];
    p->server_tls_ctx = tls_client_ctx_create(np->server_tls_ca_cert_file, np->server_tls_cert_file,
                                              np->server_tls_key_file, np->server_tls_verify,
                                              why, sizeof why);
    if (p->server_tls_ctx == NULL) {
        snprintf(err, errlen, "%s:%d: pool '%s': server_tls: %s", path, np->server_tls_line,
                 p->name, why);
        return -1;
    }
    tls_ctx_set_handshake_ms(p->server_tls_ctx, p->timeout > 0 ? p->timeout
                                                                : np->tls_handshake_timeout);
    server_tls_names(p, np);
    if (!np->server_tls_verify)
        log_warn("pool %s: server_tls_verify is false: the connections to its servers are "
                 "encrypted but not authenticated (anyone on the path can pose as a server)",
                 p->name);
    return 0;
}

static struct pool *pool_build(const struct nc_pool *np, int idx, const char *path,
                               char *err, size_t errlen)
{
    struct pool *p = mem_calloc(sizeof *p);
    p->refs = 1;
    p->name = mem_strdup(np->name);
    p->idx = idx;
    p->proto = np->protocol == NC_PROTO_BOTH ? PROTO_BOTH
             : np->protocol == NC_PROTO_REDIS ? PROTO_RESP : PROTO_MC;
    p->listen[0] = listen_text(np->listen_host, np->listen_port, np->listen_unix);
    p->listen_proto[0] = p->proto == PROTO_BOTH ? PROTO_MC : p->proto;
    if (p->proto == PROTO_BOTH) {
        p->listen[1] = listen_text(np->redis_listen_host, np->redis_listen_port, np->redis_listen_unix);
        p->listen_proto[1] = PROTO_RESP;
    }
    p->hash = np->hash;
    memcpy(p->hash_tag, np->hash_tag, sizeof p->hash_tag);
    p->dist = np->distribution;
    p->timeout = np->timeout > 0 ? np->timeout : 0;
    p->backlog = np->backlog;
    p->client_connections = np->client_connections;
    p->preconnect = np->preconnect;
    p->redis_auth = np->redis_auth ? mem_strdup(np->redis_auth) : NULL;
    p->redis_db = np->redis_db;
    p->server_connections = np->server_connections > 0 ? np->server_connections : 1;
    p->auto_eject = np->auto_eject_hosts;
    p->retry_timeout = np->server_retry_timeout;
    p->failure_limit = np->server_failure_limit > 0 ? np->server_failure_limit : 1;
    p->tcpkeepalive = np->tcpkeepalive;
    p->nservers = np->nservers;
    p->servers = mem_calloc(sizeof *p->servers * (size_t)(np->nservers ? np->nservers : 1));
    for (int i = 0; i < np->nservers; i++) {
        if (server_build(np, &np->servers[i], &p->servers[i], err, errlen, path) != 0) {
            pool_unref(&p);
            return NULL;
        }
    }
    if (pool_tls(p, np, path, err, errlen) != 0 || pool_server_tls(p, np, path, err, errlen) != 0)
        pool_unref(&p);
    return p;
}

static void conf_free(struct conf *c)
{
    for (int i = 0; i < c->npools; i++) {
        for (int k = 0; k < 2; k++) pool_listener_unref(&c->pools[i]->listener[k]);
        pool_unref(&c->pools[i]);
    }
    mem_free(c->pools);
    mem_free(c->path);
    mem_free(c);
}

int conf_load(const char *path, const struct conf *prev, bool bind,
              struct conf **out, char *err, size_t errlen)
{
    struct nc_conf *nc = NULL;
    *out = NULL;
    if (nc_conf_load(path, &nc, err, errlen) != 0) return -1;
    struct conf *c = mem_calloc(sizeof *c);
    c->refs = 1;
    c->path = mem_strdup(path);
    c->pools = mem_calloc(sizeof *c->pools * (size_t)(nc->npools ? nc->npools : 1));
    int rc = 0;
    for (int i = 0; i < nc->npools && rc == 0; i++) {
        const struct nc_pool *np = &nc->pools[i];
        if (np->workers > c->workers) c->workers = np->workers;
        struct pool *p = pool_build(np, i, path, err, errlen);
        if (p == NULL) {
            rc = -1;
            break;
        }
        c->pools[c->npools++] = p;
        if (bind && pool_bind(p, np, prev, err, errlen) != 0) {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "%s:%d: pool %s: %s", path, np->line, np->name, err);
            snprintf(err, errlen, "%s", tmp);
            rc = -1;
        }
    }
    nc_conf_destroy(&nc);
    if (rc != 0) {
        conf_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void conf_ref(struct conf *c)
{
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
}

void conf_unref(struct conf **cp)
{
    struct conf *c = *cp;
    *cp = NULL;
    if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) conf_free(c);
}
