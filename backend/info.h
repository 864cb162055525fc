/* backend/info: the INFO command's text (sections and field names as Redis
 * 7.0 writes them, so tools that parse INFO keep working), the per-error
 * counters behind INFO errorstats, the used-memory peak, and the small
 * growable text buffer the CLIENT/INFO replies are built in. */
#ifndef SHOAL_INFO_H
#define SHOAL_INFO_H

#include <stddef.h>

struct client;

/* A growable NUL-terminated text buffer (allocated through lib/mem). */
struct info_buf {
    char *p;
    size_t len, cap;
};

void info_buf_printf(struct info_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void info_buf_append(struct info_buf *b, const char *p, size_t len);
void info_buf_free(struct info_buf *b);

/* Builds the INFO text for the section arguments argv[from..argc) of c
 * (none: the default sections; "all", "everything", "default" or names,
 * case-insensitive; unknown names are skipped). */
void info_generate(struct client *c, int from, struct info_buf *out);

/* Counts an error reply by its prefix ("ERR", "WRONGTYPE", ...) for INFO
 * errorstats; msg is as given to reply_error. */
void info_count_error(const char *msg);
/* CONFIG RESETSTAT: zeroes the counters (server.stat, errorstats, peak). */
void info_reset_stats(void);
/* Samples used memory for used_memory_peak (called from the cron). */
void info_update_peak(void);
size_t info_peak_memory(void);

#endif
