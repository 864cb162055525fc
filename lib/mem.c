/* lib/mem: see mem.h. Allocation failure aborts: control structures cannot
 * be half made; callers that can refuse a value check maxmemory first. */
#include "lib/mem.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SHOAL_NO_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static size_t used_bytes;

static void oom(size_t size)
{
    fprintf(stderr, "shoal: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

size_t mem_usable(void *ptr)
{
    return ptr ? malloc_usable_size(ptr) : 0;
}

static inline void count_add(size_t n) { __atomic_add_fetch(&used_bytes, n, __ATOMIC_RELAXED); }
static inline void count_sub(size_t n) { __atomic_sub_fetch(&used_bytes, n, __ATOMIC_RELAXED); }

void *mem_alloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL) oom(size);
    count_add(mem_usable(p));
    return p;
}

void *mem_calloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (p == NULL) oom(size);
    count_add(mem_usable(p));
    return p;
}

void *mem_realloc(void *ptr, size_t size)
{
    if (ptr == NULL) return mem_alloc(size);
    size_t old = mem_usable(ptr);
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL) oom(size);
    count_sub(old);
    count_add(mem_usable(p));
    return p;
}

void mem_free(void *ptr)
{
    if (ptr == NULL) return;
    count_sub(mem_usable(ptr));
    free(ptr);
}

char *mem_strndup(const char *s, size_t n)
{
    char *p = mem_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

size_t mem_used(void)
{
    return __atomic_load_n(&used_bytes, __ATOMIC_RELAXED);
}

void mem_purge(void)
{
#ifndef SHOAL_NO_JEMALLOC
    mallctl("arena.4096.purge", NULL, NULL, NULL, 0);   /* 4096: all arenas */
#endif
}

const char *mem_allocator_name(void)
{
#ifndef SHOAL_NO_JEMALLOC
    return "jemalloc-5.3.0";
#else
    return "libc";
#endif
}

size_t mem_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return 0;
    unsigned long size = 0, rss = 0;
    int n = fscanf(f, "%lu %lu", &size, &rss);
    fclose(f);
    return n == 2 ? rss * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

void mem_jemalloc_stats(size_t *allocated, size_t *active, size_t *resident)
{
    *allocated = *active = *resident = 0;
#ifndef SHOAL_NO_JEMALLOC
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    sz = sizeof(size_t);
    mallctl("stats.allocated", allocated, &sz, NULL, 0);
    mallctl("stats.active", active, &sz, NULL, 0);
    mallctl("stats.resident", resident, &sz, NULL, 0);
#endif
}
