/* compat/nutcracker_conf: twemproxy's YAML configuration (nutcracker.yml),
 * parsed with libyaml into plain structs the proxy can keep or replace
 * whole on SIGHUP.
 *
 * Accepts every file nutcracker 0.5.0 accepts (the keys and formats of its
 * nc_conf.c), with its defaults, and rejects unknown keys and bad values
 * with "file:line: reason". Hostnames are kept as written, never resolved
 * (resolution and binding belong to the proxy), and servers keep their
 * config order (compat/ketama sorts them the way twemproxy does itself).
 *
 * Extension keys (not in twemproxy), per pool:
 *   protocol: memcache | redis | both   default: redis if `redis: true`,
 *        else memcache. Contradicting an explicit `redis:` is an error.
 *   redis_listen: host:port | /path [perm]   the RESP listener of a
 *        `protocol: both` pool (where `listen` is the Memcached one);
 *        required there, rejected elsewhere.
 *   workers: N    worker threads, 0 (default) = one per core, resolved by
 *        the proxy; at most NC_MAX_WORKERS. If several pools set it, the proxy takes the largest.
 *   reuseport: true|false    SO_REUSEPORT on the listener (twemproxy HEAD
 *        has it; Debian's 0.5.0 does not).
 *   tls: true|false    the pool's listeners (listen, redis_listen) speak
 *        TLS to clients; needs tls_cert_file and tls_key_file.
 *   tls_cert_file, tls_key_file, tls_ca_cert_file: PEM paths, kept as
 *        written (the proxy loads them; this parser never opens them).
 *   tls_auth_clients: no | yes | optional   client certificates (default
 *        no); yes and optional need tls_ca_cert_file.
 *        The tls_* keys need a `tls:` key (true, or false to switch TLS off
 *        while keeping the paths), so a forgotten `tls: true` is an error
 *        rather than a plain-text listener.
 *   server_tls: true|false    connect to every server of the pool over TLS.
 *   server_tls_ca_cert_file: PEM CA bundle the servers' certificates are
 *        verified against (default: the system's trust store).
 *   server_tls_cert_file, server_tls_key_file: a client certificate for
 *        servers that ask for one; both or neither.
 *   server_tls_verify: true|false    verify the servers' certificates and
 *        names (default true).
 *   server_tls_server_name: the name to send (SNI) and verify, default the
 *        host of each server line (an IP address is verified as one, and
 *        no SNI is sent).  A unix socket server has no host: verifying one
 *        needs this key.
 *        The other server_tls_* keys need a `server_tls:` key, as above.
 *   tls_handshake_timeout: ms (default 10000, 0 = none) a TLS handshake
 *        may take: a client of a `tls: true` pool (and a server of a
 *        `server_tls: true` pool with no `timeout`); needs `tls:` or
 *        `server_tls:`.
 * Where twemproxy is looser we are stricter, each with a clear error:
 * numbers above INT_MAX, a listen permission that is not octal <= 0777,
 * a pool whose weights add up to more than INT_MAX (2^20 for modula).
 * Where it is stricter we accept more: plain YAML it refuses at the token
 * level (a leading "---", flow lists [a, b], anchors and aliases) and
 * socket paths containing ':'. */
#ifndef SHOAL_COMPAT_NUTCRACKER_CONF_H
#define SHOAL_COMPAT_NUTCRACKER_CONF_H

#include <stddef.h>

#include "compat/ketama.h"

/* The most worker threads `workers:` (and shoal-proxy -w) may ask for. */
#define NC_MAX_WORKERS 256

/* One `servers:` entry: "host:port:weight [name]" or
 * "/unix/socket:weight [name]". For a socket, unix_path is set, host is
 * NULL and port 0. name is NULL when not given. */
struct nc_server {
    char *host;
    int port;
    int weight;
    char *name;
    char *unix_path;
    int line;           /* 1-based line in the file, for the proxy's errors */
};

enum nc_protocol { NC_PROTO_MEMCACHE, NC_PROTO_REDIS, NC_PROTO_BOTH };

/* tls_auth_clients; the same order as lib/tls's enum tls_auth. */
enum nc_tls_auth { NC_TLS_AUTH_NO, NC_TLS_AUTH_YES, NC_TLS_AUTH_OPTIONAL };

struct nc_pool {
    char *name;
    /* listen: "host:port" sets listen_host/listen_port; "/path [perm]" sets
     * listen_unix (and listen_perm, octal, 0 = leave as created). */
    char *listen_host;
    int listen_port;
    char *listen_unix;
    int listen_perm;
    int hash;                   /* enum hash_type, default HASH_FNV1A_64 */
    char hash_tag[3];           /* "" = none */
    int distribution;           /* enum dist_type, default DIST_KETAMA */
    int timeout;                /* ms, -1 = wait forever (default) */
    int backlog;                /* 512 */
    int client_connections;     /* 0 = unlimited (default) */
    int preconnect;             /* 0 */
    int redis;                  /* 0; 1 when the pool speaks RESP (protocol redis or both) */
    char *redis_auth;           /* NULL = none; only in RESP pools */
    int redis_db;               /* 0 */
    int server_connections;     /* 1, must be >= 1 */
    int auto_eject_hosts;       /* 0 */
    int server_retry_timeout;   /* 30000 ms */
    int server_failure_limit;   /* 2 */
    int tcpkeepalive;           /* 0 */
    int reuseport;              /* 0 */
    enum nc_protocol protocol;  /* extension, see above */
    int workers;                /* extension: 0 = number of cores, at most NC_MAX_WORKERS */
    /* extension: the RESP listener of a `protocol: both` pool */
    char *redis_listen_host;
    int redis_listen_port;
    char *redis_listen_unix;
    int redis_listen_perm;
    /* extension: TLS towards clients (see above); *_line are the lines of
     * the keys (0 = absent), for the proxy's errors about the files */
    int tls;                    /* 0 */
    char *tls_cert_file, *tls_key_file, *tls_ca_cert_file;     /* NULL = none */
    int tls_auth_clients;       /* enum nc_tls_auth, NC_TLS_AUTH_NO */
    int tls_line, tls_cert_line, tls_key_line, tls_ca_line;
    /* extension: TLS towards the servers (see above), with the keys' lines */
    int server_tls;             /* 0 */
    char *server_tls_ca_cert_file, *server_tls_cert_file, *server_tls_key_file;  /* NULL */
    char *server_tls_server_name;   /* NULL = each server's host */
    int server_tls_verify;      /* 1 */
    int server_tls_line, server_tls_ca_line, server_tls_cert_line, server_tls_key_line;
    int tls_handshake_timeout;  /* ms, 10000; 0 = none */
    struct nc_server *servers;
    int nservers;
    int line;                   /* line of the pool's name */
};

struct nc_conf {
    struct nc_pool *pools;      /* in file order */
    int npools;
};

/* Parse a file. 0 and *out set, or -1 with "file:line: reason" in err and
 * *out NULL. */
int nc_conf_load(const char *path, struct nc_conf **out, char *err, size_t errlen);
/* The same from memory; name_for_errors prefixes the messages. */
int nc_conf_parse(const char *yaml_text, size_t len, const char *name_for_errors,
                  struct nc_conf **out, char *err, size_t errlen);
void nc_conf_destroy(struct nc_conf **c);

/* The pool by name, or NULL. */
const struct nc_pool *nc_conf_pool(const struct nc_conf *c, const char *name);

/* A server as compat/ketama wants it (host = socket path for a unix
 * server); the strings stay owned by the conf. */
void nc_server_to_dist(const struct nc_server *s, int alive, struct dist_server *out);

#endif
