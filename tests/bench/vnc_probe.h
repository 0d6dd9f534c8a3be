/* SPDX-License-Identifier: MIT */
/*
 * The measuring client of the display benchmarks: one libvncclient
 * connection over TCP loopback (so the kernel counts the bytes received:
 * TCP_INFO), read by its own thread. A workload issues steps, each a
 * rectangle painted in one colour or with the demo guest's pattern
 * (demo_layout.h); the thread notes when the client's framebuffer first
 * shows a step's pixels at the rectangle's corners and centre. The same
 * client measures every server.
 */
#ifndef PORTHOLE_BENCH_VNC_PROBE_H
#define PORTHOLE_BENCH_VNC_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct vp_step {
	int x, y, w, h;
	uint32_t color;            /* 0x00RRGGBB */
	int pattern;               /* not color: demo_pattern_pixel(seed, ...) */
	uint32_t seed;
	uint64_t t_src;            /* ns: the source framebuffer shows it */
	_Atomic uint64_t t_cli;    /* ns: the client shows it; 0 = not yet */
	int dropped;               /* a later step covered it first */
};

struct vp_phase {
	struct vp_step *steps;
	atomic_int issued;         /* steps[0..issued) may be on screen */
	int overlap;               /* steps paint the same place */
	int first_unseen;          /* client thread */
};

struct vnc_probe {
	void *cl;                  /* rfbClient */
	int fd;
	pthread_t thread;
	int running;
	atomic_int stop, failed;
	atomic_uint_fast64_t updates;  /* FramebufferUpdates completed */
	atomic_uint_fast64_t rects;
	uint64_t t_connect, t_first;   /* ns: connected, first full frame */
	uint64_t t_init;               /* ns: the handshake done (ServerInit) */
	uint64_t first_bytes;          /* received by then */
	uint64_t area;                 /* pixels received before it */
	atomic_int first;
	int qemu_ack;
	pthread_mutex_t lock;          /* guards phase */
	struct vp_phase *phase;
};

/* encodings: libvncclient's names ("tight", "zrle"); quality 0..9 for
 * Tight's JPEG (-1: none). Waits for the first full frame (timeout_ms). */
int vp_connect(struct vnc_probe *p, int port, const char *encodings,
	       int quality, int timeout_ms, char *err, size_t errlen);
void vp_close(struct vnc_probe *p);

/* Bytes the client's socket has received so far. */
uint64_t vp_bytes(const struct vnc_probe *p);

void vp_begin(struct vnc_probe *p, struct vp_phase *ph);
void vp_end(struct vnc_probe *p);

/* Write what the client shows as a PPM (to look at by eye). */
int vp_dump(const struct vnc_probe *p, const char *path);

uint64_t vp_now_ns(void);

#endif
