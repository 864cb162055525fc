/* compat/ketama: twemproxy's three key distributions (ketama, modula,
 * random) over a list of servers, placing keys exactly where nutcracker
 * 0.5.0 does.
 *
 * A struct dist is built once from the server list and its alive flags and
 * is immutable afterwards: any number of threads may route through it
 * without locks. To eject or re-add a server, build a new one and swap the
 * pointer (twemproxy rebuilds its continuum the same way).
 *
 * Server order. twemproxy sorts a pool's servers by their ID (see
 * dist_server_id; shorter IDs first, then bytewise) when it validates the
 * config, and modula's slots follow that sorted order. dist_build does the
 * same sort internally, so callers keep their own (config) order: every
 * index in and out of this API is an index into the array given to
 * dist_build. */
#ifndef SHOAL_COMPAT_KETAMA_H
#define SHOAL_COMPAT_KETAMA_H

#include <stddef.h>
#include <stdint.h>

enum dist_type { DIST_KETAMA, DIST_MODULA, DIST_RANDOM };

/* "ketama" | "modula" | "random" -> enum value; -1 if unknown. */
int dist_type_parse(const char *name);
const char *dist_type_name(enum dist_type t);

/* One server as the distribution sees it. name may be NULL (or "") for an
 * unnamed server. A unix-socket server has host = the socket path (starting
 * with '/') and port 0. weight >= 1. */
struct dist_server {
    const char *name;
    const char *host;
    int port;
    int weight;
    int alive;
};

struct dist;

/* Only alive servers with weight >= 1 take part. NULL if n <= 0 or none
 * takes part. Aborts if memory runs out (a control structure). */
struct dist *dist_build(enum dist_type t, const struct dist_server *servers, int n);

/* The server a key hash maps to, as an index into the servers array given
 * to dist_build; always an alive one. DIST_RANDOM ignores the hash and
 * picks a live server at random (per-thread generator). */
int dist_route(const struct dist *d, uint32_t hash);

/* Ketama points owned by server_index (0 if dead or out of range); for
 * modula its slots (= weight), for random 1 if alive. */
int dist_points(const struct dist *d, int server_index);

/* Ketama: the continuum's i-th point (sorted by value), for tests and
 * operators; 0, or -1 when i is out of range or d is not ketama. */
int dist_point_at(const struct dist *d, uint32_t i, uint32_t *value, int *server_index);

/* Number of servers that take part. */
int dist_nlive(const struct dist *d);

void dist_destroy(struct dist **d);

/* The ketama ID of a server, as twemproxy's conf_add_server derives it:
 * the name if set; else for a unix socket the path followed by ':' (the
 * colon before the weight, a twemproxy quirk); else host when port is 11211
 * (libmemcached compatibility); else "host:port". Written NUL-terminated
 * into buf (truncated to size - 1); returns the full length, like snprintf. */
int dist_server_id(const struct dist_server *s, char *buf, size_t size);

/* Hashes (not points: each hash gives 4 points) a ketama server of weight
 * w gets among nlive servers of total weight total_weight, computed in
 * IEEE binary32 step by step as libmemcached and twemproxy do. */
uint32_t dist_ketama_hashes(uint32_t w, uint32_t total_weight, uint32_t nlive);

#endif
