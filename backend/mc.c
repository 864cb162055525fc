/* backend/mc: STUB, being written (issue 3). */
#include "backend/mc.h"

#include "backend/networking.h"
#include "backend/reply.h"
#include "backend/server.h"

void mc_process_input(struct client *c)
{
    reply_raw(c, "SERVER_ERROR not implemented yet\r\n", 34);
    c->qpos = c->qlen;
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

void mc_client_free(struct client *c)
{
    c->proto_state = NULL;
}
