/* SPDX-License-Identifier: MIT */
/*
 * The RDP server of porthole-display (FreeRDP 2's server side; docs/rdp.md).
 * Endpoints: a unix socket in the VM's run directory, which the gateway
 * relays RDP bytes to unchanged (TLS runs end to end between the client and
 * this server), and optionally TCP on loopback. One thread per client, as
 * FreeRDP's peers want: TLS, the client's credentials checked by the
 * gateway's auth service (auth/authsvc.h), then RDPGFX with our H.264
 * (encoder/enc.h) or, for clients without it, FreeRDP's planar codec.
 * Input goes into the display's inputq.
 *
 * All functions here run on the display's main thread.
 */
#ifndef PORTHOLE_DISPLAY_RDP_H
#define PORTHOLE_DISPLAY_RDP_H

#include <stddef.h>
#include <stdint.h>

#include "inputq.h"
#include "loop.h"
#include "source.h"

#define RDP_MAX_CLIENTS 32

struct rdp_config {
	const char *name;        /* the VM: what the client's user must be
				  * allowed to reach */
	const char *unix_path;   /* required: RUN_DIR/rdp.sock */
	const char *tcp_listen;  /* "127.0.0.1:3389", "[::1]:0", NULL: none */
	const char *run_base;    /* BASE: the gateway's BASE/auth.sock */
	const char *cert, *key;  /* PEM: the gateway's certificate and key */
	int verbose;             /* FreeRDP's own log lines */
};

struct rdp_server;

/* fb: the display's framebuffer, never moved or freed while the server
 * lives (client threads read it). The certificate is read per connection:
 * a missing one refuses connections (logged), not the start. */
int rdp_create(struct rdp_server **out, const struct rdp_config *cfg,
	       struct dloop *loop, struct inputq *q, const uint8_t *fb,
	       uint32_t width, uint32_t height, char *err, size_t errlen);
/* Disconnect everyone and wait for their threads. -1 if some did not
 * stop: then fb and q must stay (the process is about to exit). */
int rdp_destroy(struct rdp_server *r);

/* Start accepting (once the display has the VM's first frame). */
void rdp_accept(struct rdp_server *r);

void rdp_resize(struct rdp_server *r, uint32_t width, uint32_t height);
void rdp_damage(struct rdp_server *r, const struct source_rect *rects,
		size_t n);
/* Premultiplied ARGB, w x h <= 128 x 128; w == 0 hides. */
void rdp_cursor_shape(struct rdp_server *r, uint32_t w, uint32_t h,
		      uint32_t hot_x, uint32_t hot_y, const uint32_t *argb);
void rdp_cursor_pos(struct rdp_server *r, int32_t x, int32_t y, int visible);

/* Clients past authentication. */
int rdp_clients(struct rdp_server *r);
/* "tcp:127.0.0.1:3390" once listening (port 0 resolved), else "". */
const char *rdp_tcp_address(struct rdp_server *r);

/* FreeRDP's log: warnings and errors only unless verbose (called once). */
void rdp_log_setup(int verbose);

#endif
