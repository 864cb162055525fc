/* lib/log: leveled logging for the daemons (pelikan's levels). */
#ifndef SHOAL_LOG_H
#define SHOAL_LOG_H

enum log_level {
    LOG_LEVEL_CRIT = 0,   /* module failure: the process cannot go on as asked */
    LOG_LEVEL_WARN,       /* per-request server error, persistence trouble */
    LOG_LEVEL_NOTICE,     /* client error, notable lifecycle events */
    LOG_LEVEL_VERB,       /* lifecycle detail */
    LOG_LEVEL_DEBUG,
};

void log_setup(const char *path, enum log_level level);
void log_teardown(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);
/* Reopens the log file (after rotation). */
void log_reopen(void);

void log_write(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_crit(...)   log_write(LOG_LEVEL_CRIT, __VA_ARGS__)
#define log_warn(...)   log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_notice(...) log_write(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_verb(...)   log_write(LOG_LEVEL_VERB, __VA_ARGS__)
#define log_debug(...)  do { if (log_get_level() >= LOG_LEVEL_DEBUG) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__); } while (0)

#endif
