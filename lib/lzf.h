/* lib/lzf: the LZF block format of Marc Lehmann's liblzf, which Redis uses
 * for long strings in RDB files (an RDB "LZF string" is clen, len, then
 * this format). Our own implementation of the format:
 *
 *   control byte c < 32:  a literal run of c + 1 bytes follows
 *   c >= 32:              a back reference; length L = c >> 5 (7 means
 *                         "7 + next byte"), offset = ((c & 31) << 8 | next
 *                         byte) + 1 back from the output position; copies
 *                         L + 2 bytes (3..264), overlapping allowed
 *
 * The compressor is a greedy matcher over a hash of 3-byte prefixes with a
 * window of 8 KiB (all the format can address). Its output is not byte for
 * byte liblzf's, which is fine: only the format is shared. */
#ifndef SHOAL_LZF_H
#define SHOAL_LZF_H

#include <stddef.h>

/* Compresses in[0..in_len) into out (out_len bytes). Returns the
 * compressed size, or 0 when it does not fit in out_len (the caller then
 * stores the data uncompressed) or in_len is 0. */
size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len);

/* Decompresses into out (out_len bytes). Returns the decompressed size, or
 * 0 when the input is malformed or the output would not fit. */
size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len);

#endif
