/* SPDX-License-Identifier: MIT */
/*
 * porthole-display's core: one framebuffer, one source filling it, the
 * protocol servers reading it (VNC, RDP), input flowing back. Frame
 * pacing: the next frame is requested from the source as soon as the
 * previous one has been copied; clients take what they can from there, each
 * at its own pace. Connections are accepted once the first frame is in.
 */
#ifndef PORTHOLE_DISPLAY_DISPLAY_H
#define PORTHOLE_DISPLAY_DISPLAY_H

#include <stddef.h>

#include "loop.h"

#define DISPLAY_MAX_SIZE 8192   /* pixels, either side (as the surface) */

struct display_config {
	const char *name;        /* the VM's name */
	const char *run_dir;     /* BASE/NAME */
	const char *source;      /* --source, NULL: the VM's surface socket */
	const char *vnc_listen;  /* loopback HOST:PORT or NULL */
	const char *run_base;    /* BASE: the gateway's auth.sock (RDP logons) */
	const char *rdp_listen;  /* loopback HOST:PORT or NULL */
	const char *rdp_cert;    /* PEM certificate and key for RDP's TLS */
	const char *rdp_key;
	int verbose;
};

struct display;

int display_create(struct display **out, const struct display_config *cfg,
		   struct dloop *loop, char *err, size_t errlen);
void display_destroy(struct display *d);
/* One line for the log: the endpoints being served. */
void display_describe(struct display *d, char *buf, size_t len);

#endif
