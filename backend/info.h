/* backend/info: the INFO command's sections, with Redis's field names. */
#ifndef SHOAL_INFO_H
#define SHOAL_INFO_H

struct client;

#endif
