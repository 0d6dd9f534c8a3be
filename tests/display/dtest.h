/* SPDX-License-Identifier: MIT */
/*
 * Display tests: a real porthole-vmm running the demo guest and a real
 * porthole-display, as processes in a private run directory, driven over
 * the VM's serial socket; real libvncclient clients on the display's
 * endpoint. Whatever happens, the processes and the directory go at exit.
 */
#ifndef PORTHOLE_DTEST_H
#define PORTHOLE_DTEST_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include <pthread.h>
#include <rfb/rfbclient.h>

#define SKIP 77

#include "check.h"

struct dt {
	const char *vmm_bin, *display_bin;
	char base[64];          /* /tmp/porthole-dtest-PID */
	char run[128];          /* base/NAME: the VM's run directory */
	char vnc_path[160];     /* run/vnc.sock */
	pid_t vmm, display;
	int display_starts;
	uint32_t w, h;
	int serial;             /* connection to run/serial.sock */
	char out[1 << 18];      /* what the guest printed since we connected */
	size_t out_len, seen;
};

/* argv: PROG VMM DISPLAY. Skips (77) without /dev/kvm or a display binary. */
void dt_init(struct dt *t, int argc, char **argv);
/* Boots the demo guest with a WxH framebuffer; returns when it answers ping. */
void dt_start_vm(struct dt *t, uint32_t w, uint32_t h);
/* Stops it with SIGTERM and checks it exits 0, as after any clean stop. */
void dt_stop_vm(struct dt *t);
/* Checks the monitor is still running (it never exited). */
void dt_vm_alive(const struct dt *t);

/* porthole-display for the VM; extra args (NULL-terminated) are appended.
 * Returns once vnc.sock accepts connections. */
void dt_start_display(struct dt *t, char *const *extra);
/* Sends sig to the display and returns its wait status (sig 0: none sent). */
int dt_stop_display(struct dt *t, int sig, int timeout_ms);
long dt_rss_kib(pid_t pid);
/* Fork and exec argv (PATH searched) with stdout and stderr appended to log;
 * the child dies with the test, however the test dies. */
pid_t dt_spawn(char **argv, const char *log);

/* Sends one command line to the guest and waits for "ok WORD". */
void dt_cmd(struct dt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The next line starting with prefix after the last match, or NULL. */
const char *dt_wait_line(struct dt *t, const char *prefix, int timeout_ms);
/* Reads what the guest printed so far without waiting. */
void dt_pump_serial(struct dt *t);
/* Freezes the animation and the clock: the screen is idle afterwards. */
void dt_freeze(struct dt *t);
/* The guest's framebuffer (w*h, 0x00RRGGBB), via SIGUSR1 and screen.ppm. */
uint32_t *dt_screenshot(struct dt *t);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int dt_free_port(void);
uint64_t dt_now_ms(void);
void dt_sleep_ms(int ms);

/* --- a libvncclient client --- */

struct vc {
	rfbClient *c;
	const char *label;
	uint32_t w, h;          /* the desktop's size now */
	uint32_t want_w, want_h;/* the VM's: frames of another size do not count */
	int relay;              /* bytes pass through a counting relay */
	pthread_t thread;
	int srv_fd, my_fd;      /* relay's ends: the display and libvncclient */
	_Atomic uint64_t bytes; /* server -> client bytes (relay only) */
	uint64_t updates;       /* FramebufferUpdate messages handled */
	uint64_t rects;
	uint8_t *covered;       /* per pixel: received since connecting */
	uint64_t covered_px;
	uint64_t full_at;       /* updates when the screen was first covered,
				 * since the last desktop-size change */
	int resizes;            /* framebuffer allocations: 1 + size changes */
	rfbBool (*malloc_fb)(rfbClient *c);
	int closed;
};

struct vc_opts {
	const char *encodings;  /* libvncclient's list, e.g. "zrle" */
	int jpeg_quality;       /* 0..9 enables JPEG (Tight), -1 off */
	int direct;             /* no relay: libvncclient owns the socket */
};

/* Connects to the display's unix endpoint; CHECKs the handshake. The VM's
 * screen is w x h: a desktop of another size (a display still waiting for
 * the VM) is not a frame yet. */
void vc_open(struct vc *v, const char *path, const char *label,
	     const struct vc_opts *o, uint32_t w, uint32_t h);
void vc_close(struct vc *v);
/* Handles every message that arrives within ms on any of the clients;
 * returns how many were handled. A client whose server went away gets
 * closed = 1. */
int vc_pump(struct vc **vs, int n, int ms);
/* Pumps until a complete frame of the VM's size has arrived. */
void vc_wait_full(struct vc *v, int timeout_ms);
uint32_t vc_pixel(const struct vc *v, uint32_t x, uint32_t y);
/* Pixels that differ from shot; *first gets the first one's index. */
uint64_t vc_diff(const struct vc *v, const uint32_t *shot, uint64_t *first);
double vc_psnr(const struct vc *v, const uint32_t *shot);
/* Does the rectangle hold colour c everywhere? */
int vc_rect_is(const struct vc *v, uint32_t x, uint32_t y, uint32_t w,
	       uint32_t h, uint32_t c);
/* Pumps all clients until each one's framebuffer equals shot. */
void vc_wait_equal(struct vc **vs, int n, const uint32_t *shot, int timeout_ms);

#endif
