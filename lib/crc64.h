/* lib/crc64: CRC-64/Jones, the checksum of Redis's RDB files (and of
 * DUMP payloads): polynomial 0xad93d23594c935a9, reflected in and out,
 * initial value 0, no final xor. The check value of "123456789" is
 * 0xe9c6d914c4b8d9ca.
 *
 * Computed eight bytes at a time (slicing-by-8) because a snapshot of a
 * large dataset is checksummed as it is written; the tables are built on
 * first use (a few KiB, process-wide, no locking: the daemons are single
 * threaded and a forked child inherits them). */
#ifndef SHOAL_CRC64_H
#define SHOAL_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC over len more bytes; start with crc = 0. */
uint64_t crc64_jones(uint64_t crc, const void *p, size_t len);

/* The same one bit at a time: the definition, for tests. */
uint64_t crc64_jones_bitwise(uint64_t crc, const void *p, size_t len);

#endif
