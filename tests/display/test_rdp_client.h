/* SPDX-License-Identifier: MIT */
/*
 * A headless RDP client on libfreerdp 2 for the RDP tests and bench: TLS,
 * auto-logon credentials, RDPGFX with FreeRDP's own H.264 decoder (or
 * without it, or no RDPGFX at all), software GDI drawing into a buffer the
 * tests read. Single-threaded: the test pumps it (rc_pump). It records
 * what arrived: frames, the codecs that drew them, pointer messages, a
 * logon error, the display-control capabilities.
 */
#ifndef PORTHOLE_TEST_RDP_CLIENT_H
#define PORTHOLE_TEST_RDP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct rc_opts {
	const char *host;       /* "127.0.0.1" or a unix socket's path */
	int port;
	const char *user, *password;
	int gfx;                /* offer RDPGFX */
	int h264;               /* ... with AVC420 */
	int disp;               /* load the display-control channel */
	int security;           /* 0: offer TLS, NLA and RDP security (as
				 * clients do); RC_NLA_ONLY, RC_RDP_ONLY */
	uint32_t w, h;          /* the desktop size asked for */
	/* The gateway's ways of naming the VM (docs/gateway.md, "RDP"): */
	const char *ticket;     /* a preconnection PDU (version 2) carrying
				 * this string, as `pcb:s:` sends it */
	const char *routing_token;  /* load-balance info: FreeRDP sends it
				     * instead of the mstshash cookie */
};

#define RC_NLA_ONLY 1
#define RC_RDP_ONLY 2

struct rc_stats {
	uint64_t paints;        /* EndPaint calls: a new picture is complete */
	uint64_t avc420, planar, other_gfx;   /* RDPGFX surface commands */
	uint64_t bitmaps;       /* bitmap updates (the non-GFX path) */
	uint64_t gfx_frames;    /* RDPGFX EndFrame */
	uint64_t pointer_new, pointer_null, pointer_pos;
	uint32_t pointer_w, pointer_h, pointer_x, pointer_y;
	uint32_t pointer_argb_center;   /* the new pointer's middle pixel */
	int disp_caps;          /* the server sent display-control caps */
	uint32_t logon_error_type, logon_error_data;
	int logon_error;
	int closed;             /* the connection is gone */
};

struct rc;

/* Connects and logs on; NULL (with err) if the server refused or failed:
 * err then says freerdp's last error (and a logon error, if one came). */
struct rc *rc_open(const struct rc_opts *o, char *err, size_t errlen);
void rc_close(struct rc *c);
/* Handles what arrives within ms; 0 or -1 when the connection is gone. */
int rc_pump(struct rc *c, int ms);
const struct rc_stats *rc_stats(const struct rc *c);
uint32_t rc_width(const struct rc *c);
uint32_t rc_height(const struct rc *c);
/* Bytes received from the server so far (FreeRDP's count, TLS inside). */
uint64_t rc_bytes_in(const struct rc *c);
/* The client's picture at (x, y): 0x00RRGGBB. */
uint32_t rc_pixel(const struct rc *c, uint32_t x, uint32_t y);
/* PSNR of the picture against shot (w*h 0x00RRGGBB), over all of it. */
double rc_psnr(const struct rc *c, const uint32_t *shot, uint32_t w,
	       uint32_t h);
/* Pixels whose channels differ from shot's by more than tol. */
uint64_t rc_diff(const struct rc *c, const uint32_t *shot, uint32_t w,
		 uint32_t h, int tol);
/* Saves the picture as a binary PPM (for looking at a failure). */
void rc_save_ppm(const struct rc *c, const char *path);

/* Input, as a client sends it. */
void rc_key(struct rc *c, uint16_t flags, uint16_t scancode);
void rc_unicode(struct rc *c, uint16_t flags, uint16_t code);
void rc_mouse(struct rc *c, uint16_t flags, uint16_t x, uint16_t y);
void rc_xmouse(struct rc *c, uint16_t flags, uint16_t x, uint16_t y);
void rc_sync(struct rc *c, uint32_t flags);
/* A display-control monitor layout (needs disp and its caps). 0 or -1. */
int rc_layout(struct rc *c, uint32_t w, uint32_t h);
/* Suppress Output: allow 0 as a minimised client, 1 to show it again. */
void rc_suppress(struct rc *c, int allow);
/* Stop reading the socket (a stalled client), or read again. */
void rc_stall(struct rc *c, int stalled);

#endif
