/* tests/fuzz/fuzz_rdb_codec: backend/rdb_codec's container decoders
 * (ziplist, listpack, intset), which read blobs from an RDB file: a file
 * from disk, but one an operator may copy from anywhere.  Control byte
 * modulo 3 picks the decoder; the rest is the blob.  Every element
 * reported must lie inside the blob, and the count of elements is bounded
 * by the blob size. */
#include "backend/rdb_codec.h"
#include "tests/fuzz/fuzz.h"

struct walk {
    const unsigned char *blob;
    size_t n;
    size_t count;
};

static int visit(void *priv, const char *p, size_t len, long long v)
{
    struct walk *w = priv;
    (void)v;
    if (p != NULL) FUZZ_CHECK(fuzz_inside(p, len, w->blob, w->n));
    w->count++;
    FUZZ_CHECK(w->count <= w->n);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n = size - 1;
    unsigned char *blob = malloc(n ? n : 1);
    if (blob == NULL) abort();
    memcpy(blob, data + 1, n);
    struct walk w = {blob, n, 0};
    int rc;
    switch (data[0] % 3) {
    case 0: rc = rdb_ziplist_each(blob, n, visit, &w); break;
    case 1: rc = rdb_listpack_each(blob, n, visit, &w); break;
    default: rc = rdb_intset_each(blob, n, visit, &w); break;
    }
    FUZZ_CHECK(rc == 0 || rc == -1);
    free(blob);
    return 0;
}
