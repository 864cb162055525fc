/* backend/mc_stats: the `stats` command family with memcached's names, so
 * memcached_exporter and similar monitoring read the node unchanged. */
#ifndef SHOAL_MC_STATS_H
#define SHOAL_MC_STATS_H

struct client;
struct mc_out;
struct mc_request;

/* stats, stats settings|items|slabs|sizes|conns|detail|reset. */
void mc_stats_execute(struct client *c, struct mc_out *out, const struct mc_request *req);

#endif
