/* SPDX-License-Identifier: MIT */
/*
 * The VNC server of porthole-display (libvncserver, threaded: one input and
 * one output thread per client, so a client that stops reading only stalls
 * itself). Endpoints: a unix socket (the gateway's) and optionally TCP on
 * loopback; WebSocket clients (noVNC) are recognised on both. Pixels come
 * from the display's framebuffer; damage merges into each client's region
 * and goes out at once (no deferral). Input goes into an inputq.
 *
 * All functions here run on the display's main thread.
 */
#ifndef PORTHOLE_DISPLAY_VNC_H
#define PORTHOLE_DISPLAY_VNC_H

#include <stddef.h>
#include <stdint.h>

#include "inputq.h"
#include "loop.h"
#include "source.h"

#define VNC_MAX_CLIENTS 64

struct vnc_config {
	const char *name;        /* desktop name */
	const char *unix_path;   /* required: RUN_DIR/vnc.sock */
	const char *tcp_listen;  /* "127.0.0.1:5900", "[::1]:0", NULL: none */
	int verbose;             /* libvncserver's own log lines */
};

struct vnc_server;

/* fb: the display's framebuffer, fb_cap bytes, never moved or freed while
 * the server lives (clients' threads read it). */
int vnc_create(struct vnc_server **out, const struct vnc_config *cfg,
	       struct dloop *loop, struct inputq *q, uint8_t *fb, size_t fb_cap,
	       uint32_t width, uint32_t height, char *err, size_t errlen);
/* Disconnect everyone, wait for their threads, close the endpoints.
 * -1 if some client thread did not stop: then the framebuffer and the
 * input queue must stay as they are (the process is about to exit). */
int vnc_destroy(struct vnc_server *v);

/* Start accepting connections (the endpoints exist from vnc_create on;
 * until then a client waits in the listen backlog): called once the
 * display knows the VM's screen, so a first ServerInit has its size. */
void vnc_accept(struct vnc_server *v);

void vnc_resize(struct vnc_server *v, uint32_t width, uint32_t height);
void vnc_damage(struct vnc_server *v, const struct source_rect *r, size_t n);
void vnc_copy(struct vnc_server *v, const struct source_rect *dst, int dx,
	      int dy);
void vnc_cursor_shape(struct vnc_server *v, uint32_t w, uint32_t h,
		      uint32_t hot_x, uint32_t hot_y, const uint32_t *argb);
void vnc_cursor_pos(struct vnc_server *v, int32_t x, int32_t y, int visible);

/* Clients past their handshake: while 0 the display asks for no frames. */
int vnc_clients(struct vnc_server *v);
/* "tcp:127.0.0.1:5901" once listening (port 0 resolved), else "". */
const char *vnc_tcp_address(struct vnc_server *v);

/* Route libvncserver's log: errors always, chatter only when verbose. */
void vnc_log_setup(int verbose);

#endif
