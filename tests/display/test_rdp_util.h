/* SPDX-License-Identifier: MIT */
/* Shared by the RDP test programs (test_rdp.c, test_rdp_surface.c). */
#ifndef PORTHOLE_TEST_RDP_UTIL_H
#define PORTHOLE_TEST_RDP_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gwtest.h"

/* RDP logons need the gateway's auth service (started with it, by
 * gw_start): a gateway built without it makes the test skip, saying so. */
static inline void rdpt_need_auth_service(struct gw *g)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/auth.sock", g->run);
	if (access(path, F_OK) == 0)
		return;
	printf("skipped: porthole-gateway serves no %s (its auth service, which "
	       "checks RDP logons, is not built in)\n", path);
	gw_done(g);
	exit(SKIP);
}

#endif
