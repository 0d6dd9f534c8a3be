// SPDX-License-Identifier: MIT
/*
 * Porthole: the demo guest in a VM in this process (the test harness),
 * the monitor's main loop (loop_run) in a thread serving RUN/bench/
 * surface.sock and serial.sock as porthole-vmm would, and porthole-display
 * as a child process. "Changed" is when the last pixel of a rectangle is
 * in the guest's framebuffer memory, polled every 50 us.
 *
 * loop_run runs in a thread as is: its signalfd only sees signals that
 * are blocked, and here none are, so SIGINT/SIGTERM keep their default
 * action on the whole benchmark. It drains COM1 itself, so once it runs
 * the guest is driven through serial.sock, never through h_command().
 */
#include "display_src.h"
#include "harness.h"
#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct porthole {
	struct dsrc base;
	struct harness h;
	uint32_t *desktop;
	int booted, looping;
	pthread_t loop;
	struct loop_options lo;
	atomic_int loop_tid;
	char run[400], dir[420], surface[460], serial[460], log[460];
	char err[512];
	int serial_fd;
	pid_t display;
};

static void *loop_main(void *arg)
{
	struct porthole *p = arg;

	atomic_store(&p->loop_tid, gettid());
	if (loop_run(&p->h.vm, &p->lo, p->err, sizeof(p->err)) < 0)
		fprintf(stderr, "bench_display: the monitor's loop: %s\n", p->err);
	return NULL;
}

static uint64_t porthole_paint(struct dsrc *s, const struct vp_step *st)
{
	struct porthole *p = (struct porthole *)s;
	uint64_t end = bd_now_ns() + 2000000000ULL;
	uint32_t last = bd_step_last_pixel(st);
	char line[96];

	bd_step_command(st, line, sizeof(line));
	if (bd_send_line(p->serial_fd, line))
		return 0;
	/* The guest paints row by row: the last pixel is the last written. */
	while (bd_now_ns() < end) {
		if (h_pixel(&p->h, st->x + st->w - 1, st->y + st->h - 1) == last)
			return bd_now_ns();
		bd_drain(p->serial_fd);
		bd_sleep_us(50);
	}
	return 0;
}

/* porthole-display, and the monitor's loop thread: it reads the dirty log
 * and answers the display's frame requests (docs/surface.md). */
static uint64_t porthole_cpu(struct dsrc *s)
{
	struct porthole *p = (struct porthole *)s;

	return bd_proc_cpu_ns(p->display, NULL) +
	       bd_thread_cpu_ns(getpid(), atomic_load(&p->loop_tid));
}

static uint64_t porthole_cpu_monitor(struct dsrc *s)
{
	struct porthole *p = (struct porthole *)s;

	return bd_thread_cpu_ns(getpid(), atomic_load(&p->loop_tid));
}

static void porthole_stop(struct dsrc *s)
{
	struct porthole *p = (struct porthole *)s;

	if (p->display > 0)
		bd_kill(p->display, 2000);
	if (p->serial_fd >= 0)
		close(p->serial_fd);
	if (p->looping) {
		/* loop_run joins the vCPUs on its way out. */
		vmm_request_stop(&p->h.vm, VMM_STOP_SIGNAL);
		pthread_join(p->loop, NULL);
	} else if (p->booted) {
		vmm_join(&p->h.vm);
	}
	if (p->booted)
		vmm_destroy(&p->h.vm);
	if (p->dir[0])
		rmdir(p->dir);
	if (p->run[0])
		rmdir(p->run);
	free(p->desktop);
	free(p);
}

struct dsrc *porthole_boot(char *err, size_t errlen)
{
	struct porthole *p;

	if (access("/dev/kvm", R_OK | W_OK)) {
		snprintf(err, errlen, "no usable /dev/kvm: %s", strerror(errno));
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->serial_fd = -1;
	/* Exits with a message if the guest does not come up. */
	h_start_demo(&p->h, BD_W, BD_H, "porthole.anim=0 porthole.clock=0");
	p->booted = 1;
	p->desktop = h_snapshot(&p->h);
	p->base = (struct dsrc){
		.name = "Porthole",
		.changed = "the rectangle's last pixel is in the guest framebuffer",
		.paint = porthole_paint, .cpu_ns = porthole_cpu,
		.cpu_part_ns = porthole_cpu_monitor, .stop = porthole_stop,
	};
	return &p->base;
}

const uint32_t *porthole_desktop(struct dsrc *s)
{
	return ((struct porthole *)s)->desktop;
}

int porthole_serve(struct dsrc *s, const char *display_bin, const char *tmp,
		   char *err, size_t errlen)
{
	struct porthole *p = (struct porthole *)s;
	char port_s[32], tail[512];

	if (access(display_bin, X_OK)) {
		snprintf(err, errlen, "%s is not built yet", display_bin);
		return -1;
	}
	snprintf(p->run, sizeof(p->run), "%s/run", tmp);
	snprintf(p->dir, sizeof(p->dir), "%s/bench", p->run);
	snprintf(p->surface, sizeof(p->surface), "%s/surface.sock", p->dir);
	snprintf(p->serial, sizeof(p->serial), "%s/serial.sock", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/porthole-display.log", tmp);
	if (mkdir(p->run, 0700) || mkdir(p->dir, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", p->dir, strerror(errno));
		return -1;
	}
	p->lo = (struct loop_options){
		.log_fd = -1, .console_socket = p->serial,
		.surface_socket = p->surface, .name = "bench",
	};
	if (pthread_create(&p->loop, NULL, loop_main, p)) {
		snprintf(err, errlen, "pthread_create failed");
		return -1;
	}
	p->looping = 1;
	p->serial_fd = bd_connect_unix(p->serial, 5000);
	if (p->serial_fd < 0) {
		snprintf(err, errlen, "the monitor's loop did not open %s", p->serial);
		return -1;
	}
	p->base.port = bd_free_port(25900);
	snprintf(port_s, sizeof(port_s), "127.0.0.1:%d", p->base.port);
	{
		char *argv[] = {
			(char *)display_bin, "--name", "bench", "--run-dir", p->run,
			"--vnc-listen", port_s, NULL,
		};
		p->display = bd_spawn(argv, p->log, -1);
	}
	if (bd_wait_port(p->base.port, p->display, 10000)) {
		bd_log_tail(p->log, tail, sizeof(tail));
		snprintf(err, errlen, "porthole-display did not listen on %s: %s",
			 port_s, tail);
		return -1;
	}
	return 0;
}
