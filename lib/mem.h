/* lib/mem: the allocator every daemon uses for data, with a running count of
 * bytes held (jemalloc's size class of each block, as Redis's used_memory),
 * so maxmemory can be checked on every write for the price of an add. */
#ifndef SHOAL_MEM_H
#define SHOAL_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t size);
void *mem_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);
/* The usable size of a block (its size class). */
size_t mem_usable(void *ptr);
/* Bytes currently allocated through mem_* (all threads). */
size_t mem_used(void);
/* Returns unused dirty pages to the system now (after freeing a large
 * block, e.g. an old hash table); no-op without jemalloc. */
void mem_purge(void);
/* Name of the allocator, for INFO mem_allocator. */
const char *mem_allocator_name(void);
/* Resident set size from /proc (0 if unknown). */
size_t mem_rss(void);
/* jemalloc's own view (stats.allocated, stats.active, stats.resident),
 * 0 when not built with jemalloc. */
void mem_jemalloc_stats(size_t *allocated, size_t *active, size_t *resident);

#endif
