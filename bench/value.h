/* bench/value: the values shoal-bench writes in --verify mode.
 *
 * A value of length L >= VALUE_MIN_LEN starts with a header of hex fields
 * "<key:10>:<version:8>:<L:7>:" and goes on with filler bytes that depend
 * on key, version and position, so a read proves which key and which write
 * it came from, and that no byte was lost, cut, added or mixed with another
 * value. */
#ifndef SHOAL_BENCH_VALUE_H
#define SHOAL_BENCH_VALUE_H

#include <stddef.h>
#include <stdint.h>

#define VALUE_MIN_LEN 28
#define VALUE_MAX_LEN 0xfffffff

/* key < 2^40, len in [VALUE_MIN_LEN, VALUE_MAX_LEN] */
void value_fill(char *dst, size_t len, uint64_t key, uint32_t version);
/* 0 if val is a value written by value_fill for key (then *version),
 * -1 if it is one for another key, -2 if it is malformed, cut or corrupted. */
int value_check(const char *val, size_t len, uint64_t key, uint32_t *version);

#endif
