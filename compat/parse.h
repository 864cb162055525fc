/* compat/parse: the result every pure parser in compat/ returns. */
#ifndef SHOAL_PARSE_H
#define SHOAL_PARSE_H

enum parse_result {
    PARSE_OK = 0,      /* one complete message parsed */
    PARSE_AGAIN,       /* incomplete: call again with more bytes, nothing consumed */
    PARSE_EINVALID,    /* malformed input */
    PARSE_ETOOBIG,     /* a length or size over its configured limit */
};

#endif
