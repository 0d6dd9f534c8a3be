/* SPDX-License-Identifier: MIT */
/*
 * The display's end of the surface protocol (docs/surface.md): connect to
 * RUN_DIR/surface.sock, exchange HELLO, map the framebuffer memfd that comes
 * with MODE (read-only, checked against its size and seals), pull damage
 * with FRAME_REQUEST and copy each damaged rectangle, clipped to the mode,
 * into the display's own buffer where it differs from what that holds,
 * reporting only the boxes that changed (narrow.h); send input and agent
 * bytes back.
 *
 * Non-blocking and single-threaded: the owner polls surface_client_fd()
 * (for writing too while surface_client_want_write()), calls
 * surface_client_readable()/_writable(), and retries a lost connection after
 * surface_client_backoff_ms(). Every packet goes through surface_check() or
 * surface_build() (proto.h).
 */
#ifndef PORTHOLE_SURFACE_CLIENT_H
#define PORTHOLE_SURFACE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "surface/proto.h"

/* Where damaged pixels go: the display's buffer for the current mode. */
struct surface_dst {
	uint8_t *pixels;
	uint32_t stride;
};

struct surface_client_cbs {
	/* A (new) mode: fill *dst with a width x height XRGB buffer, or
	 * return -1 to refuse it (the connection is dropped). */
	int (*mode)(void *opaque, uint32_t width, uint32_t height,
		    struct surface_dst *dst);
	/* These rectangles (inside the mode, none empty) changed in dst:
	 * the damage narrowed to what differs from what dst held; full: the
	 * answer to a FULL request, the whole surface copied. n may be 0. */
	void (*damage)(void *opaque, const struct surface_rect *r, uint32_t n,
		       int full);
	void (*cursor_shape)(void *opaque, const struct surface_cursor_shape *c,
			     const uint32_t *argb);
	void (*cursor_pos)(void *opaque, const struct surface_cursor_pos *p);
	void (*vm_state)(void *opaque, uint32_t state);
	void (*agent)(void *opaque, const uint8_t *buf, size_t len);
	/* up: HELLO and MODE arrived; !up: the connection is gone (why). */
	void (*link)(void *opaque, int up, const char *why);
};

struct surface_client;

/* path: the surface socket; name: this display's name for HELLO. */
struct surface_client *surface_client_create(const char *path,
					     const char *name,
					     const struct surface_client_cbs *cbs,
					     void *opaque);
void surface_client_destroy(struct surface_client *c);

/* Try to connect now: 0 (HELLO sent; the rest arrives on the fd) or -1
 * with the reason in err (no socket yet, refused: retry later). */
int surface_client_connect(struct surface_client *c, char *err, size_t errlen);
/* Use a connected SOCK_SEQPACKET socket instead (tests); takes it. */
void surface_client_attach(struct surface_client *c, int fd);
void surface_client_disconnect(struct surface_client *c, const char *why);

int surface_client_fd(const struct surface_client *c);   /* -1: not connected */
int surface_client_ready(const struct surface_client *c); /* HELLO + MODE seen */
int surface_client_want_write(const struct surface_client *c);
/* Handle what arrived / flush queued output. 0, or -1: the connection
 * was dropped (link() said why). */
int surface_client_readable(struct surface_client *c);
int surface_client_writable(struct surface_client *c);

/* Delay before the next connect attempt: 100 ms doubling to 2 s after
 * each failure, back to 100 ms once a monitor said HELLO. */
unsigned surface_client_backoff_ms(struct surface_client *c);

/* Ask for the next frame (FULL: everything). 0 sent or queued; 1 one is
 * already outstanding (nothing sent; a FULL is remembered for the next);
 * -1 not connected. A FULL request goes out by itself after every
 * (re)connect and mode change, replacing one still outstanding. */
int surface_client_request_frame(struct surface_client *c, int full);
int surface_client_frame_outstanding(const struct surface_client *c);

/* Input: 0 sent or queued, -1 not connected or the queue is full. */
int surface_client_key(struct surface_client *c, uint16_t code, int down);
int surface_client_pointer_abs(struct surface_client *c, uint32_t x, uint32_t y);
int surface_client_pointer_rel(struct surface_client *c, int32_t dx, int32_t dy);
int surface_client_buttons(struct surface_client *c, uint32_t mask);
int surface_client_wheel(struct surface_client *c, int32_t v, int32_t h);
int surface_client_agent(struct surface_client *c, const void *buf, size_t len);

/* The current mode, or NULL before the first. */
const struct surface_mode *surface_client_mode(const struct surface_client *c);

struct surface_client_stats {
	uint64_t frames, rects, clipped, dropped_out;
	uint64_t stale;      /* answers to requests replaced after a MODE */
	/* Damage looked at, of which copied (what differed from the
	 * display's copy); damage rectangles in which nothing differed. */
	uint64_t bytes_compared, bytes_copied, unchanged;
};
void surface_client_stats(const struct surface_client *c,
			  struct surface_client_stats *st);

#endif
