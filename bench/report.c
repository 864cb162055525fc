/* bench/report: text and JSON renderings of a run (see report.h). JSON is
 * written by hand: the document is flat and every string in it is ours or
 * escaped by json_str. */
#include "bench/report.h"

#include <string.h>

static const double pcts[] = { 50, 90, 99, 99.9 };
static const char *pct_names[] = { "p50", "p90", "p99", "p99_9" };
#define NPCTS 4

static double rate(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs : 0;
}

static void text_latency(FILE *out, const struct hist *h)
{
    if (hist_count(h) == 0) {
        fprintf(out, "    (no successful replies)\n");
        return;
    }
    fprintf(out, "    latency ms:");
    for (int i = 0; i < NPCTS; i++)
        fprintf(out, " %s %.3f", pct_names[i], (double)hist_percentile(h, pcts[i]) / 1e6);
    fprintf(out, " max %.3f mean %.3f\n", (double)hist_max(h) / 1e6, hist_mean(h) / 1e6);
}

void report_text(FILE *out, const struct bench_args *a, const char *target,
                 const struct bench_result *r)
{
    const struct bench_stats *s = &r->st;
    uint64_t ops = s->cmd[0].ops + s->cmd[1].ops;
    fprintf(out, "====== %s: %s %s ======\n", bench_phase_name(r->phase), proto_name(a->proto), target);
    fprintf(out, "  %llu requests in %.3f s, %u connections (%u threads x %u), pipeline %u",
            (unsigned long long)ops, r->seconds, a->threads * a->clients, a->threads, a->clients,
            a->pipeline);
    if (a->rate > 0)
        fprintf(out, ", open loop at %.0f/s", a->rate);
    fprintf(out, "\n  all: %.2f requests/s\n", rate(ops, r->seconds));
    text_latency(out, s->lat_all);
    static const char *names[] = { "set", "get" };
    for (int i = 0; i < PROTO_NOPS; i++) {
        const struct bench_cmd_stats *c = &s->cmd[i];
        if (c->ops == 0)
            continue;
        fprintf(out, "  %s: %llu ops, %.2f ops/s, %.2f keys/s", names[i],
                (unsigned long long)c->ops, rate(c->ops, r->seconds), rate(c->keys, r->seconds));
        if (i == PROTO_OP_GET)
            fprintf(out, ", hits %llu misses %llu", (unsigned long long)c->hits,
                    (unsigned long long)c->misses);
        fprintf(out, ", errors %llu\n", (unsigned long long)c->errors);
        text_latency(out, c->lat);
    }
    fprintf(out, "  errors: %llu (error replies %llu, protocol %llu, connection %llu, dropped %llu, "
            "verify %llu, timeouts %llu)%s\n", (unsigned long long)bench_stats_errors(s),
            (unsigned long long)(s->cmd[0].errors + s->cmd[1].errors),
            (unsigned long long)s->proto_errors, (unsigned long long)s->conn_errors,
            (unsigned long long)s->dropped, (unsigned long long)s->verify_errors,
            (unsigned long long)s->timeouts, a->verify ? "" : " (no --verify)");
    if (a->rate > 0 && s->late)
        fprintf(out, "  open loop: %llu requests left more than 1 ms after their scheduled time\n",
                (unsigned long long)s->late);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_latency(FILE *f, const struct hist *h)
{
    fprintf(f, "{");
    for (int i = 0; i < NPCTS; i++)
        fprintf(f, "\"%s\": %.3f, ", pct_names[i], (double)hist_percentile(h, pcts[i]) / 1e3);
    fprintf(f, "\"max\": %.3f, \"mean\": %.3f, \"count\": %llu}", (double)hist_max(h) / 1e3,
            hist_mean(h) / 1e3, (unsigned long long)hist_count(h));
}

static void json_config(FILE *f, const struct bench_args *a, const char *target)
{
    fprintf(f, "  \"config\": {\"target\": ");
    json_str(f, target);
    fprintf(f, ", \"protocol\": \"%s\", \"threads\": %u, \"clients\": %u, \"connections\": %u, "
            "\"pipeline\": %u, \"requests\": %llu, \"duration\": %g, \"rate\": %g, "
            "\"data_size_min\": %u, \"data_size_max\": %u, \"keyspace\": %llu, \"key_prefix\": ",
            proto_name(a->proto), a->threads, a->clients, a->threads * a->clients, a->pipeline,
            (unsigned long long)a->requests, a->duration, a->rate, a->dmin, a->dmax,
            (unsigned long long)a->keyspace);
    json_str(f, a->key_prefix);
    fprintf(f, ", \"key_pattern\": \"%s\", \"zipf_skew\": %g, \"ratio\": \"%u:%u\", "
            "\"multiget\": %u, \"multiset\": %u, \"verify\": %s, \"tls\": %s, \"seed\": %llu},\n",
            keygen_pattern_name(a->pattern), a->zipf_skew, a->ratio_set, a->ratio_get,
            a->multiget, a->multiset, a->verify ? "true" : "false", a->tls ? "true" : "false",
            (unsigned long long)a->seed);
}

static void json_test(FILE *f, const struct bench_result *r)
{
    const struct bench_stats *s = &r->st;
    uint64_t ops = s->cmd[0].ops + s->cmd[1].ops;
    fprintf(f, "    {\"name\": \"%s\", \"issued\": %llu, \"completed\": %llu, \"seconds\": %.6f, "
            "\"ops_per_sec\": %.2f,\n", bench_phase_name(r->phase), (unsigned long long)r->issued,
            (unsigned long long)ops, r->seconds, rate(ops, r->seconds));
    fprintf(f, "     \"errors\": {\"total\": %llu, \"error_replies\": %llu, \"protocol\": %llu, "
            "\"connection\": %llu, \"dropped\": %llu, \"verify\": %llu, \"timeouts\": %llu},\n",
            (unsigned long long)bench_stats_errors(s),
            (unsigned long long)(s->cmd[0].errors + s->cmd[1].errors),
            (unsigned long long)s->proto_errors, (unsigned long long)s->conn_errors,
            (unsigned long long)s->dropped, (unsigned long long)s->verify_errors,
            (unsigned long long)s->timeouts);
    fprintf(f, "     \"late\": %llu, \"latency_us\": ", (unsigned long long)s->late);
    json_latency(f, s->lat_all);
    fprintf(f, ",\n     \"commands\": {");
    static const char *names[] = { "set", "get" };
    for (int i = 0; i < PROTO_NOPS; i++) {
        const struct bench_cmd_stats *c = &s->cmd[i];
        fprintf(f, "%s\n       \"%s\": {\"ops\": %llu, \"keys\": %llu, \"ops_per_sec\": %.2f, "
                "\"hits\": %llu, \"misses\": %llu, \"errors\": %llu, \"latency_us\": ",
                i ? "," : "", names[i], (unsigned long long)c->ops, (unsigned long long)c->keys,
                rate(c->ops, r->seconds), (unsigned long long)c->hits,
                (unsigned long long)c->misses, (unsigned long long)c->errors);
        json_latency(f, c->lat);
        fprintf(f, "}");
    }
    fprintf(f, "}}");
}

int report_json(const char *path, const struct bench_args *a, const char *target,
                const struct bench_result *r, unsigned n)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (f == NULL)
        return -1;
    fprintf(f, "{\n  \"tool\": \"shoal-bench\",\n");
    json_config(f, a, target);
    fprintf(f, "  \"tests\": [\n");
    for (unsigned i = 0; i < n; i++) {
        json_test(f, &r[i]);
        fprintf(f, "%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    if (f == stdout)
        return fflush(f) == 0 ? 0 : -1;
    return fclose(f) == 0 ? 0 : -1;
}
