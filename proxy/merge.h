/* proxy/merge: builds a request's reply from its fragments' replies.
 *
 * One fragment: its bytes, or an error line naming why the server failed.
 * Several: Memcached gets keep VALUE blocks in the client's key order and
 * end with one END, a failed server's keys being misses; RESP MGET keeps
 * elements in key order with an error element at each failed key (RESP2
 * arrays may hold errors, as EXEC replies do); sums and OKs need every
 * server.  A multi-key reply with some keys failed counts fragment_errors.
 * Script administration fanned out to every server: the servers' common
 * reply (SCRIPT LOAD's sha), or per element the AND (SCRIPT EXISTS).
 * RESP3 replies merge as RESP2 ones (MGET keeps the nodes' `_` nulls). */
#ifndef SHOAL_PROXY_MERGE_H
#define SHOAL_PROXY_MERGE_H

struct req;

/* Fills r->reply from r's fragments according to r->merge. */
void merge_run(struct req *r);

#endif
