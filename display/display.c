// SPDX-License-Identifier: MIT
#include "display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>

#include "inputq.h"
#include "rdp.h"
#include "source.h"
#include "vnc.h"

#define INITIAL_W 1920          /* porthole-vmm's default, until a MODE */
#define INITIAL_H 1080

struct display {
	struct dloop *loop;
	char name[80];
	char unix_path[4096];
	char rdp_path[4096];
	struct source src;
	struct source_sink sink;
	struct vnc_server *vnc;
	struct rdp_server *rdp;
	struct inputq q;
	struct dloop_watch qwatch;

	/* The framebuffer: reserved for the largest mode once and never
	 * moved, so that encoder threads can never read freed memory. */
	uint8_t *fb;
	size_t fb_cap;
	uint32_t width, height;
	uint64_t agent_bytes;       /* from the guest, no consumer yet */
};

static int sink_resize(void *opaque, uint32_t w, uint32_t h,
		       struct source_fb *fb)
{
	struct display *d = opaque;
	size_t used = (size_t)w * h * 4;

	if (!w || !h || w > DISPLAY_MAX_SIZE || h > DISPLAY_MAX_SIZE)
		return -1;
	if (w != d->width || h != d->height) {
		d->width = w;
		d->height = h;
		vnc_resize(d->vnc, w, h);
		rdp_resize(d->rdp, w, h);
		/* Give back what a larger mode touched (reads stay valid). */
		madvise(d->fb + ((used + 4095) & ~(size_t)4095),
			d->fb_cap - ((used + 4095) & ~(size_t)4095),
			MADV_DONTNEED);
	}
	*fb = (struct source_fb){ d->fb, w, h, w * 4 };
	return 0;
}

static void sink_damage(void *opaque, const struct source_rect *r, size_t n)
{
	struct display *d = opaque;

	vnc_damage(d->vnc, r, n);
	rdp_damage(d->rdp, r, n);
}

static void sink_copy(void *opaque, const struct source_rect *dst, int dx,
		      int dy)
{
	struct display *d = opaque;

	vnc_copy(d->vnc, dst, dx, dy);
	rdp_damage(d->rdp, dst, 1);
}

/* Copied: ask for the next at once. The buffer stays current even while
 * nobody watches, so a new client's first frame is the VM's screen (an
 * idle VM costs the monitor one dirty-log read per 4 ms meanwhile). */
static void sink_frame_done(void *opaque)
{
	struct display *d = opaque;

	vnc_accept(d->vnc);
	rdp_accept(d->rdp);
	d->src.ops->request_frame(&d->src, 0);
}

static void sink_cursor_shape(void *opaque, uint32_t w, uint32_t h,
			      uint32_t hot_x, uint32_t hot_y,
			      const uint32_t *argb)
{
	struct display *d = opaque;

	vnc_cursor_shape(d->vnc, w, h, hot_x, hot_y, argb);
	rdp_cursor_shape(d->rdp, w, h, hot_x, hot_y, argb);
}

static void sink_cursor_pos(void *opaque, int32_t x, int32_t y, int visible)
{
	struct display *d = opaque;

	vnc_cursor_pos(d->vnc, x, y, visible);
	rdp_cursor_pos(d->rdp, x, y, visible);
}

static void sink_state(void *opaque, enum source_state st, const char *why)
{
	struct display *d = opaque;

	switch (st) {
	case SOURCE_CONNECTED:
		fprintf(stderr, "porthole-display: %s: connected to the VM's screen (%ux%u)\n",
			d->name, d->width, d->height);
		break;
	case SOURCE_DISCONNECTED:
		fprintf(stderr, "porthole-display: %s: lost the VM's screen (%s); clients keep the last frame, retrying\n",
			d->name, why ? why : "disconnected");
		break;
	case SOURCE_STOPPING:
		fprintf(stderr, "porthole-display: %s: the VM is stopping\n",
			d->name);
		break;
	}
}

static void sink_agent(void *opaque, const uint8_t *buf, size_t len)
{
	struct display *d = opaque;

	d->agent_bytes += len;
}

/* Input from the VNC and RDP client threads. */
static void on_input(void *opaque, uint32_t events)
{
	struct display *d = opaque;
	const struct source_ops *ops = d->src.ops;
	struct input_event ev[256];
	size_t n = inputq_pop(&d->q, ev, 256);

	for (size_t i = 0; i < n; i++) {
		switch (ev[i].kind) {
		case INPUT_KEY:
			ops->key(&d->src, &ev[i].u.key);
			break;
		case INPUT_POINTER:
			ops->pointer(&d->src,
				     ev[i].u.ptr.x < d->width ? ev[i].u.ptr.x : d->width - 1,
				     ev[i].u.ptr.y < d->height ? ev[i].u.ptr.y : d->height - 1);
			break;
		case INPUT_BUTTONS:
			ops->buttons(&d->src, ev[i].u.buttons);
			break;
		case INPUT_WHEEL:
			ops->wheel(&d->src, ev[i].u.wheel.v, ev[i].u.wheel.h);
			break;
		}
	}
}

int display_create(struct display **out, const struct display_config *cfg,
		   struct dloop *loop, char *err, size_t errlen)
{
	struct display *d = calloc(1, sizeof(*d));
	struct vnc_config vc = { 0 };
	struct rdp_config rc = { 0 };

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->loop = loop;
	d->q.efd = -1;
	d->qwatch.fd = -1;
	d->fb = MAP_FAILED;
	snprintf(d->name, sizeof(d->name), "%s", cfg->name);
	snprintf(d->unix_path, sizeof(d->unix_path), "%s/vnc.sock", cfg->run_dir);
	snprintf(d->rdp_path, sizeof(d->rdp_path), "%s/rdp.sock", cfg->run_dir);
	d->fb_cap = (size_t)DISPLAY_MAX_SIZE * DISPLAY_MAX_SIZE * 4;
	d->fb = mmap(NULL, d->fb_cap, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (d->fb == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %zu MiB of address space for the framebuffer: %s",
			 d->fb_cap >> 20, strerror(errno));
		goto fail;
	}
	d->width = INITIAL_W;
	d->height = INITIAL_H;
	if (inputq_init(&d->q, err, errlen))
		goto fail;
	if (dloop_watch(loop, &d->qwatch, d->q.efd, EPOLLIN, on_input, d) < 0) {
		snprintf(err, errlen, "cannot watch the input queue: %s",
			 strerror(errno));
		goto fail;
	}
	vc.name = cfg->name;
	vc.unix_path = d->unix_path;
	vc.tcp_listen = cfg->vnc_listen;
	vc.verbose = cfg->verbose;
	if (vnc_create(&d->vnc, &vc, loop, &d->q, d->fb, d->fb_cap, d->width,
		       d->height, err, errlen))
		goto fail;
	rc.name = cfg->name;
	rc.unix_path = d->rdp_path;
	rc.tcp_listen = cfg->rdp_listen;
	rc.run_base = cfg->run_base;
	rc.cert = cfg->rdp_cert;
	rc.key = cfg->rdp_key;
	rc.verbose = cfg->verbose;
	if (rdp_create(&d->rdp, &rc, loop, &d->q, d->fb, d->width, d->height,
		       err, errlen))
		goto fail;
	d->sink = (struct source_sink){
		.opaque = d,
		.resize = sink_resize,
		.damage = sink_damage,
		.copy = sink_copy,
		.frame_done = sink_frame_done,
		.cursor_shape = sink_cursor_shape,
		.cursor_pos = sink_cursor_pos,
		.state = sink_state,
		.agent = sink_agent,
	};
	if (source_create(&d->src, cfg->source, cfg->run_dir, loop, &d->sink,
			  err, errlen) ||
	    d->src.ops->start(&d->src, err, errlen))
		goto fail;
	*out = d;
	return 0;
fail:
	display_destroy(d);
	return -1;
}

void display_describe(struct display *d, char *buf, size_t len)
{
	const char *tcp = vnc_tcp_address(d->vnc);
	const char *rtcp = rdp_tcp_address(d->rdp);

	snprintf(buf, len, "VNC on unix:%s%s%s; RDP on unix:%s%s%s", d->unix_path,
		 *tcp ? ", " : "", tcp, d->rdp_path, *rtcp ? ", " : "", rtcp);
}

void display_destroy(struct display *d)
{
	if (!d)
		return;
	/* Clients first: their threads read fb and push into q. RDP before
	 * VNC: the VNC server removes the run directory, once it is empty. */
	if (rdp_destroy(d->rdp) || vnc_destroy(d->vnc))
		return;
	source_destroy(&d->src);
	if (d->qwatch.fd >= 0)
		dloop_unwatch(d->loop, &d->qwatch);
	inputq_destroy(&d->q);
	if (d->fb != MAP_FAILED)
		munmap(d->fb, d->fb_cap);
	free(d);
}
