/* bench/value: the values shoal-bench writes in --verify mode.
 *
 * A value of length L >= VALUE_MIN_LEN is "<key:12 digits>:<version:10
 * digits>:" followed by filler bytes that depend on key, version and
 * position, so a read proves which key and which write it came from and
 * that no byte was lost, cut or mixed with another value. */
#ifndef SHOAL_BENCH_VALUE_H
#define SHOAL_BENCH_VALUE_H

#include <stddef.h>
#include <stdint.h>

#define VALUE_MIN_LEN 24

void value_fill(char *dst, size_t len, uint64_t key, uint32_t version);
/* 0 if val is a value written by value_fill for key (then *version),
 * -1 if it encodes another key, -2 if it is malformed or corrupted. */
int value_check(const char *val, size_t len, uint64_t key, uint32_t *version);

#endif
