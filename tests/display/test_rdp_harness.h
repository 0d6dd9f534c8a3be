/* SPDX-License-Identifier: MIT */
/*
 * What the RDP end-to-end programs (test_rdp.c: clients on the display's
 * own endpoints; test_rdp_gw.c: clients through the gateway's port) share:
 * the display restarted for RDP, its log, the headless client's waits
 * (picture, motion, keys at the guest), and xfreerdp under Xvfb. The VM,
 * display and gateway are gwtest.h's; one display at a time, whose socket
 * and log this module remembers.
 */
#ifndef PORTHOLE_TEST_RDP_HARNESS_H
#define PORTHOLE_TEST_RDP_HARNESS_H

#include <stdint.h>

#include "gwtest.h"
#include "test_rdp_client.h"

/* H.264 at the encoder's quality (CRF 23, refined when the cap cut a frame
 * short) on the demo desktop, through FreeRDP's decoder and its BT.709
 * conversion of our full-range BT.601 (docs/encoder.md): measured about
 * 40 dB; below 34 something is wrong (a shifted or stale picture is far
 * lower). */
#define RDPT_PSNR_MIN 34.0

/* (Re)starts the display with RDP's certificate (the gateway's) and TCP
 * on 127.0.0.1; the gateway runs already (its auth service checks the
 * logons; a gateway without one makes the test skip). */
void rdpt_start_display(struct gw *g);
/* SIGTERM: exit 0, rdp.sock gone, no sanitizer report in its log. */
void rdpt_stop_display(struct gw *g);
/* The port of the display's "tcp:127.0.0.1:PORT" (--rdp-listen). */
int rdpt_rdp_port(void);
/* The display's log gets a line containing want within ms; c (if not
 * NULL) is pumped meanwhile. */
int rdpt_logged_pumping(struct rc *c, const char *want, int ms);
int rdpt_display_logged(const char *want, int ms);

/* alice on rdp.sock, 1024x768 asked, RDPGFX (and display control) and
 * H.264 as given. */
struct rc_opts rdpt_opts(int gfx, int h264);
/* rc_open, CHECKed. */
struct rc *rdpt_connect_ok(const struct rc_opts *o, const char *label);
/* Pumps for ms; CHECKs the connection stays. */
void rdpt_pump(struct rc *c, int ms);
/* Pumps until the picture is within RDPT_PSNR_MIN of shot (lossy) or
 * equal (exact); returns the PSNR reached. */
double rdpt_wait_picture(struct rc *c, const uint32_t *shot, int exact,
			 const char *what, int ms);
/* Did more than 100 pixels of the animated region change within ms? */
int rdpt_anim_moved(struct rc *c, int ms);

/* A scancode pressed and released. */
void rdpt_tap(struct rc *c, uint16_t flags, uint16_t code);
/* The guest's key presses (serial "input kbd 1 CODE 1"), in order, until
 * n of them came; each release must follow a press. */
void rdpt_expect_keys(struct gw *g, const int *want, int n, const char *what);

/* Exits 77, saying why, without Xvfb, xfreerdp or ImageMagick's import. */
void rdpt_need_xfreerdp(void);
/* xfreerdp with args (NULL-terminated; /size:1024x768 and /gfx:AVC420
 * added) under a fresh Xvfb until its window shows shot (GW_W x GW_H)
 * within RDPT_PSNR_MIN, 30 s at most. Returns the PSNR reached; the last
 * screen's GW_W x GW_H corner into *screen (malloc'ed, NULL if none);
 * saved as PNG to save unless NULL or empty. xfreerdp's output goes to
 * BASE/LOGNAME. */
double rdpt_xfreerdp(struct gw *g, char *const *args, const uint32_t *shot,
		     const char *save, const char *logname, uint32_t **screen);

#endif
