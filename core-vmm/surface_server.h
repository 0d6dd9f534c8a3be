/* SPDX-License-Identifier: MIT */
/*
 * The monitor's end of the surface protocol (docs/surface.md): one display
 * at a time on RUN_DIR/surface.sock, the framebuffer memfd handed over with
 * MODE, damage pulled with FRAME_REQUEST, input passed to the virtio input
 * devices. Runs on the main loop; never blocks on the display.
 */
#ifndef PORTHOLE_VMM_SURFACE_SERVER_H
#define PORTHOLE_VMM_SURFACE_SERVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "surface/proto.h"
#include "vmm.h"

/* Dirty-log reads while a request waits: every 4 ms while the screen is
 * changing, backing off to every 32 ms after a quiet half second, so an
 * idle screen costs ~30 wakeups a second and a change after a pause still
 * shows within one frame at 30 fps. */
#define SURFACE_POLL_MIN_MS   4
#define SURFACE_POLL_MAX_MS   32
#define SURFACE_QUIET_MS      500

struct surface_server {
	struct vmm *vm;
	const char *name;
	const char *agent_path;  /* the agent port's socket, or NULL */
	int agent_fd;            /* our connection to it while a display is on */
	uint64_t agent_dropped;
	int listen_fd;
	int conn_fd;
	int timer_fd;
	int hello;            /* the display said HELLO */
	int pending;          /* a FRAME_REQUEST waits for damage */
	int poll_ms;          /* the timer's current period */
	uint64_t last_damage_ms;
	uint32_t pending_seq;
	uint64_t frames, bytes;
	struct fb_rect rects[256];
	uint8_t pkt[SURFACE_MAX_MSG];
};

/* agent_path: where the agent port listens (RUN_DIR/agent.sock), bridged
 * to AGENT messages while a display is connected; may be NULL. */
int surface_server_init(struct surface_server *s, struct vmm *vm,
			const char *name, const char *path,
			const char *agent_path, char *err, size_t errlen);
void surface_server_destroy(struct surface_server *s);

/* The main loop polls these fds (-1 entries are ignored). */
#define SURFACE_SERVER_NFDS 4
void surface_server_pollfds(struct surface_server *s, struct pollfd *p);
void surface_server_handle(struct surface_server *s, const struct pollfd *p);

/* Tell the display the VM is going away. */
void surface_server_stopping(struct surface_server *s);

#endif
