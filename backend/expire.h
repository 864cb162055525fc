/* backend/expire: the active expiry cycle (Redis's slow cycle: sample keys
 * with a TTL, delete the dead ones, repeat while more than a tenth of a
 * sample was dead, within a CPU budget per cron tick). Lazy expiry is in
 * db.c, on every lookup. */
#ifndef SHOAL_EXPIRE_H
#define SHOAL_EXPIRE_H

void expire_active_cycle(void);

#endif
