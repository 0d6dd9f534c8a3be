/* SPDX-License-Identifier: MIT */
/*
 * The VNC source's two halves (source_vnc.c: the display's side, on its
 * main loop; source_vnc_conn.c: the upstream connection, on its own
 * thread) and what they share. Not an API: display/source_vnc.h is.
 */
#ifndef PORTHOLE_DISPLAY_SOURCE_VNC_PRIV_H
#define PORTHOLE_DISPLAY_SOURCE_VNC_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "keymap.h"
#include "loop.h"
#include "source.h"

#define VSRC_RECTS        64     /* staged rectangles, then their union */
#define VSRC_INPUT_CAP    1024   /* queued input events, then dropped */
#define VSRC_CURSOR_MAX   128    /* the sink's limit, either side */
#define VSRC_EVENTS       8      /* state changes between two wakeups */

enum vin_kind { VIN_KEY, VIN_POINTER };

struct vin {
	uint8_t kind;
	uint8_t down;
	uint8_t moved;       /* pointer: motion only, may merge */
	uint16_t code;
	uint32_t keysym;
	uint32_t x, y, mask;
};

struct vstate_ev {
	enum source_state st;
	char why[160];
};

struct vnc_source {
	struct source *s;

	/* Configuration (read-only once started). */
	int is_unix;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char host[256], port[8];
	char label[300];                  /* for messages */
	uint8_t xt_of[KEYMAP_CODES];      /* evdev code -> QEMU XT number */

	/* Main loop only. */
	struct dloop_watch watch;         /* main_efd */
	int display_wants;                /* a request_frame is unanswered */
	int fb_ok;
	struct source_fb fb;
	uint32_t ptr_x, ptr_y, ptr_mask;  /* RFB mask */
	uint32_t *cursor_out;             /* VSRC_CURSOR_MAX^2, for the sink */

	/* Upstream thread only. */
	pthread_t thread;
	int thread_started;
	struct _rfbClient *c;              /* libvncclient's rfbClient */
	int in_flight;                    /* our request is unanswered */
	int need_full;                    /* next request is not incremental */
	int qemu_keys;                    /* server takes QEMU key events */
	struct source_rect got[VSRC_RECTS];
	size_t ngot;

	/* Shared, under lock. */
	pthread_mutex_t lock;
	int main_efd, thread_efd;
	int stop;
	int sock;                         /* upstream socket, for shutdown() */
	int want_frame, want_full;
	struct vin in[VSRC_INPUT_CAP];
	unsigned in_head, in_count;
	uint64_t in_dropped;
	uint8_t *stage;                   /* sw x sh XRGB, a copy of the upstream's */
	uint32_t sw, sh;
	int resized, frame_ready;
	struct source_rect rects[VSRC_RECTS];
	size_t nrects;
	struct vstate_ev ev[VSRC_EVENTS];
	unsigned nev;
	int cursor_new;
	uint32_t cw, ch, chx, chy;
	uint32_t cursor[VSRC_CURSOR_MAX * VSRC_CURSOR_MAX];
	int pos_new;
	int32_t pos_x, pos_y;
};

/* Wake the other side (an eventfd), and take its wakeups. */
void vsrc_signal(int fd);
void vsrc_drain(int fd);
/* Add r to a bounded list; past max, the list becomes its union. */
void vsrc_add_rect(struct source_rect *list, size_t *n, size_t max,
		   const struct source_rect *r);
void vsrc_copy_rect(uint8_t *dst, uint32_t dst_stride, const uint8_t *src,
		    uint32_t src_stride, const struct source_rect *r);

/* The upstream thread (source_vnc_conn.c): connects, serves, reconnects
 * until vs->stop. */
void *vsrc_upstream_main(void *arg);
int vsrc_is_loopback(const struct sockaddr *sa);

#endif
