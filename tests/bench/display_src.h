/* SPDX-License-Identifier: MIT */
/*
 * A screen source and the VNC server that shows it, for the display
 * benchmarks (bench_display.c): Porthole (the demo guest in a VM here, the
 * monitor's main loop in a thread, porthole-display as a child), Xvnc with
 * an Xlib client, QEMU's VNC on the demo guest drawing into -device VGA.
 * Each paints the same rectangles and says when they are in its framebuffer.
 */
#ifndef PORTHOLE_BENCH_DISPLAY_SRC_H
#define PORTHOLE_BENCH_DISPLAY_SRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vnc_probe.h"

#define BD_W 1920
#define BD_H 1080

struct dsrc {
	const char *name;
	const char *changed;  /* what "the pixels changed" means here */
	int port;             /* its VNC server, on 127.0.0.1 */
	/* Paint a step (a rectangle in one colour, or the demo guest's
	 * pattern); returns once the source's framebuffer shows it, with
	 * that moment (ns, CLOCK_MONOTONIC), or 0 after 2 s. */
	uint64_t (*paint)(struct dsrc *s, const struct vp_step *st);
	/* CPU the server has used so far (ns); of which the part outside
	 * the display server (Porthole: the monitor's loop), or NULL. */
	uint64_t (*cpu_ns)(struct dsrc *s);
	uint64_t (*cpu_part_ns)(struct dsrc *s);
	void (*stop)(struct dsrc *s);
};

/* Each returns NULL with a reason in err (the row is skipped). */
struct dsrc *porthole_boot(char *err, size_t errlen);
/* The demo desktop as the VM drew it (BD_W * BD_H XRGB), for the others. */
const uint32_t *porthole_desktop(struct dsrc *s);
int porthole_serve(struct dsrc *s, const char *display_bin, const char *tmp,
		   char *err, size_t errlen);
struct dsrc *xvnc_start(const char *tmp, const uint32_t *desktop, char *err,
			size_t errlen);
struct dsrc *qemu_start(const char *tmp, const char *demo_elf, char *err,
			size_t errlen);

/* bench_display_util.c */
uint64_t bd_now_ns(void);
void bd_sleep_us(uint64_t us);
/* A TCP port on 127.0.0.1 nobody listens on, at least min. */
int bd_free_port(int min);
/* Wait until something accepts on 127.0.0.1:port. */
int bd_wait_port(int port, pid_t pid, int timeout_ms);
/* fork + exec argv with stdout/stderr to log; the child dies with us. */
pid_t bd_spawn(char *const argv[], const char *log, int keep_fd);
/* SIGTERM, then SIGKILL after timeout_ms; reaps it. */
void bd_kill(pid_t pid, int timeout_ms);
int bd_alive(pid_t pid);
/* CPU of a process's threads (ns), skipping those whose name starts with
 * skip (NULL: none); of one thread. From /proc/PID/task/TID/schedstat
 * (the runtime utime+stime are made of, with ns resolution). */
uint64_t bd_proc_cpu_ns(pid_t pid, const char *skip);
uint64_t bd_thread_cpu_ns(pid_t pid, pid_t tid);
/* Connect a unix stream socket, retrying until timeout_ms. */
int bd_connect_unix(const char *path, int timeout_ms);
/* The last lines of a log, for a failure message. */
void bd_log_tail(const char *log, char *out, size_t outlen);

/* Serial-driven demo guests (Porthole, QEMU): "fill X Y W H RRGGBB" or
 * "pattern X Y W H SEED" for a step, and the pixel its last written
 * (bottom-right) pixel must become. */
void bd_step_command(const struct vp_step *st, char *line, size_t len);
uint32_t bd_step_last_pixel(const struct vp_step *st);
int bd_send_line(int fd, const char *line);
/* Discard what the guest printed so far (non-blocking). */
void bd_drain(int fd);
/* Wait for needle in what the guest prints; 0 when seen, -1 after
 * timeout_ms or if the process pid died. */
int bd_wait_output(int fd, const char *needle, pid_t pid, int timeout_ms);

#endif
