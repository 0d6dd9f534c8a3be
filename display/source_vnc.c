// SPDX-License-Identifier: MIT
/*
 * The VNC source: a VM that already has a VNC server (QEMU, libvirt) is
 * the display's screen. libvncclient speaks RFB and decodes on the
 * upstream thread (source_vnc_conn.c); this half runs on the display's
 * main loop:
 *
 *   upstream thread: decodes each update into libvncclient's framebuffer;
 *     at its end, copies the damaged rectangles into the staging buffer
 *     and wakes the main loop. It alone writes to the socket: input and
 *     update requests are queued for it.
 *   main loop (here): copies staged rectangles into the display's
 *     framebuffer, reports them as damage and one frame_done, exactly as
 *     the surface source does; request_frame becomes the next
 *     FramebufferUpdateRequest; input goes into the queue.
 *
 * The lock covers the staging buffer and the queues only, so the longest
 * the main loop can wait for it is one memcpy of a damaged region.
 */
#include "source_vnc.h"
#include "source_vnc_priv.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"

#define VSRC_WHEEL_MAX    16     /* wheel steps per event */

/* RFB pointer mask bits. */
#define RFB_BTN_LEFT   0x01
#define RFB_BTN_MIDDLE 0x02
#define RFB_BTN_RIGHT  0x04
#define RFB_WHEEL_UP   0x08
#define RFB_WHEEL_DOWN 0x10
#define RFB_WHEEL_LEFT 0x20
#define RFB_WHEEL_RIGHT 0x40
#define RFB_BTN_SIDE   0x80

/* --- shared with the upstream thread --------------------------------- */

void vsrc_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		fprintf(stderr, "porthole-display: vnc source: eventfd: %s\n",
			strerror(errno));
}

void vsrc_drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == sizeof(v))
		;
}

/* Add r to a bounded list; past max, the list becomes its union. */
void vsrc_add_rect(struct source_rect *list, size_t *n, size_t max,
		   const struct source_rect *r)
{
	uint32_t x0, y0, x1, y1;

	if (!r->w || !r->h)
		return;
	if (*n < max) {
		list[(*n)++] = *r;
		return;
	}
	x0 = r->x;
	y0 = r->y;
	x1 = r->x + r->w;
	y1 = r->y + r->h;
	for (size_t i = 0; i < *n; i++) {
		if (list[i].x < x0)
			x0 = list[i].x;
		if (list[i].y < y0)
			y0 = list[i].y;
		if (list[i].x + list[i].w > x1)
			x1 = list[i].x + list[i].w;
		if (list[i].y + list[i].h > y1)
			y1 = list[i].y + list[i].h;
	}
	list[0] = (struct source_rect){ x0, y0, x1 - x0, y1 - y0 };
	*n = 1;
}

void vsrc_copy_rect(uint8_t *dst, uint32_t dst_stride, const uint8_t *src,
		    uint32_t src_stride, const struct source_rect *r)
{
	for (uint32_t y = r->y; y < r->y + r->h; y++)
		memcpy(dst + (size_t)y * dst_stride + (size_t)r->x * 4,
		       src + (size_t)y * src_stride + (size_t)r->x * 4,
		       (size_t)r->w * 4);
}

/* --- main loop ------------------------------------------------------- */

/* Hand a staged frame to the display if it asked for one. */
static void deliver(struct vnc_source *vs)
{
	const struct source_sink *k = vs->s->sink;
	struct source_rect r[VSRC_RECTS];
	size_t n = 0;
	int done = 0;

	if (!vs->display_wants)
		return;
	pthread_mutex_lock(&vs->lock);
	if (vs->frame_ready && vs->fb_ok && vs->stage &&
	    vs->sw == vs->fb.width && vs->sh == vs->fb.height) {
		for (size_t i = 0; i < vs->nrects; i++)
			vsrc_copy_rect(vs->fb.pixels, vs->fb.stride, vs->stage,
				       vs->sw * 4, &vs->rects[i]);
		n = vs->nrects;
		memcpy(r, vs->rects, n * sizeof(r[0]));
		vs->nrects = 0;
		vs->frame_ready = 0;
		done = 1;
	}
	pthread_mutex_unlock(&vs->lock);
	if (!done)
		return;
	vs->display_wants = 0;
	if (n)
		k->damage(k->opaque, r, n);
	k->frame_done(k->opaque);
}

static void apply_resize(struct vnc_source *vs, uint32_t w, uint32_t h)
{
	const struct source_sink *k = vs->s->sink;

	vs->fb_ok = k->resize(k->opaque, w, h, &vs->fb) == 0;
	if (!vs->fb_ok)
		fprintf(stderr, "porthole-display: the display refused the VNC server's %ux%u screen\n",
			w, h);
}

static void on_wake(void *opaque, uint32_t events)
{
	struct vnc_source *vs = opaque;
	const struct source_sink *k = vs->s->sink;
	struct vstate_ev ev[VSRC_EVENTS];
	unsigned nev;
	int resized, cursor_new, pos_new;
	uint32_t w = 0, h = 0, cw = 0, ch = 0, chx = 0, chy = 0;
	int32_t px = 0, py = 0;

	vsrc_drain(vs->main_efd);
	pthread_mutex_lock(&vs->lock);
	nev = vs->nev;
	memcpy(ev, vs->ev, nev * sizeof(ev[0]));
	vs->nev = 0;
	resized = vs->resized;
	vs->resized = 0;
	w = vs->sw;
	h = vs->sh;
	cursor_new = vs->cursor_new;
	vs->cursor_new = 0;
	if (cursor_new) {
		cw = vs->cw;
		ch = vs->ch;
		chx = vs->chx;
		chy = vs->chy;
		memcpy(vs->cursor_out, vs->cursor, (size_t)cw * ch * 4);
	}
	pos_new = vs->pos_new;
	vs->pos_new = 0;
	px = vs->pos_x;
	py = vs->pos_y;
	pthread_mutex_unlock(&vs->lock);

	/* A connection's size before its "connected", so that the display's
	 * line about it has the right one. */
	for (unsigned i = 0; i < nev; i++) {
		if (ev[i].st == SOURCE_CONNECTED && resized) {
			apply_resize(vs, w, h);
			resized = 0;
		}
		k->state(k->opaque, ev[i].st, ev[i].why[0] ? ev[i].why : NULL);
	}
	if (resized)
		apply_resize(vs, w, h);
	if (cursor_new && k->cursor_shape)
		k->cursor_shape(k->opaque, cw, ch, chx, chy, vs->cursor_out);
	if (pos_new && k->cursor_pos)
		k->cursor_pos(k->opaque, px, py, 1);
	deliver(vs);
}

static void wake_thread(struct vnc_source *vs)
{
	vsrc_signal(vs->thread_efd);
}

static void push_input(struct vnc_source *vs, const struct vin *ev)
{
	pthread_mutex_lock(&vs->lock);
	if (vs->in_count) {
		struct vin *last = &vs->in[(vs->in_head + vs->in_count - 1) %
					   VSRC_INPUT_CAP];

		/* Motion merges into motion with the same buttons (never
		 * into a button change: a click stays where it was). */
		if (ev->kind == VIN_POINTER && ev->moved &&
		    last->kind == VIN_POINTER && last->moved &&
		    last->mask == ev->mask) {
			*last = *ev;
			pthread_mutex_unlock(&vs->lock);
			return;
		}
	}
	if (vs->in_count == VSRC_INPUT_CAP) {
		vs->in_dropped++;
		pthread_mutex_unlock(&vs->lock);
		return;
	}
	vs->in[(vs->in_head + vs->in_count) % VSRC_INPUT_CAP] = *ev;
	vs->in_count++;
	pthread_mutex_unlock(&vs->lock);
	wake_thread(vs);
}

static void push_pointer(struct vnc_source *vs, uint32_t mask, int moved)
{
	struct vin ev = { .kind = VIN_POINTER, .moved = (uint8_t)moved,
			  .x = vs->ptr_x, .y = vs->ptr_y, .mask = mask };

	push_input(vs, &ev);
}

static int op_start(struct source *s, char *err, size_t errlen)
{
	struct vnc_source *vs = s->priv;
	int e;

	if (dloop_watch(s->loop, &vs->watch, vs->main_efd, EPOLLIN, on_wake,
			vs) < 0) {
		snprintf(err, errlen, "cannot watch the VNC source's eventfd: %s",
			 strerror(errno));
		return -1;
	}
	e = pthread_create(&vs->thread, NULL, vsrc_upstream_main, vs);
	if (e) {
		snprintf(err, errlen, "cannot start the VNC source's thread: %s",
			 strerror(e));
		return -1;
	}
	vs->thread_started = 1;
	return 0;
}

static void op_destroy(struct source *s)
{
	struct vnc_source *vs = s->priv;

	if (vs->thread_started) {
		pthread_mutex_lock(&vs->lock);
		vs->stop = 1;
		/* Unblocks a read or write the thread is stuck in. */
		if (vs->sock >= 0)
			shutdown(vs->sock, SHUT_RDWR);
		pthread_mutex_unlock(&vs->lock);
		wake_thread(vs);
		pthread_join(vs->thread, NULL);
	}
	dloop_unwatch(s->loop, &vs->watch);
	close(vs->main_efd);
	close(vs->thread_efd);
	pthread_mutex_destroy(&vs->lock);
	free(vs->stage);
	free(vs->cursor_out);
	free(vs);
	s->priv = NULL;
}

static void op_request_frame(struct source *s, int full)
{
	struct vnc_source *vs = s->priv;
	int ready;

	vs->display_wants = 1;
	pthread_mutex_lock(&vs->lock);
	ready = vs->frame_ready;
	vs->want_full |= full;
	if (!ready)
		vs->want_frame = 1;
	pthread_mutex_unlock(&vs->lock);
	/* A staged frame goes out from the loop, not from inside the
	 * display's frame_done that is calling us. */
	vsrc_signal(ready ? vs->main_efd : vs->thread_efd);
}

static void op_key(struct source *s, const struct source_key *k)
{
	struct vnc_source *vs = s->priv;
	struct vin ev = { .kind = VIN_KEY, .down = k->down, .code = k->code,
			  .keysym = k->keysym };

	push_input(vs, &ev);
}

static void op_pointer(struct source *s, uint32_t x, uint32_t y)
{
	struct vnc_source *vs = s->priv;

	vs->ptr_x = x;
	vs->ptr_y = y;
	push_pointer(vs, vs->ptr_mask, 1);
}

static void op_buttons(struct source *s, uint32_t mask)
{
	struct vnc_source *vs = s->priv;
	uint32_t m = 0;

	if (mask & SOURCE_BTN_LEFT)
		m |= RFB_BTN_LEFT;
	if (mask & SOURCE_BTN_MIDDLE)
		m |= RFB_BTN_MIDDLE;
	if (mask & SOURCE_BTN_RIGHT)
		m |= RFB_BTN_RIGHT;
	if (mask & SOURCE_BTN_SIDE)
		m |= RFB_BTN_SIDE;
	vs->ptr_mask = m;
	push_pointer(vs, m, 0);
}

/* RFB has wheel buttons, not axes: a press and a release per step. */
static void wheel_steps(struct vnc_source *vs, int32_t v, uint32_t pos,
			uint32_t neg)
{
	uint32_t bit = v > 0 ? pos : neg;
	int32_t n = v > 0 ? v : -v;

	if (n > VSRC_WHEEL_MAX)
		n = VSRC_WHEEL_MAX;
	for (int32_t i = 0; i < n; i++) {
		push_pointer(vs, vs->ptr_mask | bit, 0);
		push_pointer(vs, vs->ptr_mask, 0);
	}
}

static void op_wheel(struct source *s, int32_t v, int32_t h)
{
	struct vnc_source *vs = s->priv;

	wheel_steps(vs, v, RFB_WHEEL_UP, RFB_WHEEL_DOWN);
	wheel_steps(vs, h, RFB_WHEEL_RIGHT, RFB_WHEEL_LEFT);
}

/* VNC has no relative pointer and no agent channel. */
static void op_rel(struct source *s, int32_t dx, int32_t dy)
{
}

static void op_agent(struct source *s, const uint8_t *buf, size_t len)
{
}

static const struct source_ops vnc_ops = {
	.kind = "vnc",
	.start = op_start,
	.destroy = op_destroy,
	.request_frame = op_request_frame,
	.key = op_key,
	.pointer = op_pointer,
	.buttons = op_buttons,
	.wheel = op_wheel,
	.rel = op_rel,
	.agent = op_agent,
};

/* --- configuration ---------------------------------------------------- */

static int parse_port(const char *p, char *out, size_t outlen)
{
	unsigned long v = 0;

	if (!*p || strlen(p) > 5)
		return -1;
	for (const char *q = p; *q; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		v = v * 10 + (unsigned long)(*q - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	snprintf(out, outlen, "%lu", v);
	return 0;
}

/* Every address HOST resolves to must be loopback: the upstream VNC is
 * unauthenticated and unencrypted, and the display is not a network
 * client (remote VMs get a porthole-display on their own host). */
static int check_loopback(const char *host, const char *port, char *err,
			  size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	int g = getaddrinfo(host, port, &hints, &res), ok = 1;

	if (g) {
		snprintf(err, errlen, "--source vnc:%s:%s: cannot resolve %s: %s",
			 host, port, host, gai_strerror(g));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next)
		ok &= vsrc_is_loopback(ai->ai_addr);
	freeaddrinfo(res);
	if (!ok) {
		snprintf(err, errlen, "--source vnc:%s:%s: %s is not a loopback address; the VM's VNC server must be on this host (127.0.0.1, [::1], localhost or a unix socket)",
			 host, port, host);
		return -1;
	}
	return 0;
}

static int parse_where(struct vnc_source *vs, const char *where, char *err,
		       size_t errlen)
{
	const char *colon, *host_end, *host = where;

	if (where[0] == '/' || where[0] == '.' || !strchr(where, ':')) {
		if (strlen(where) >= sizeof(vs->path)) {
			snprintf(err, errlen, "--source vnc:%s: socket path longer than %zu bytes",
				 where, sizeof(vs->path) - 1);
			return -1;
		}
		vs->is_unix = 1;
		snprintf(vs->path, sizeof(vs->path), "%s", where);
		snprintf(vs->label, sizeof(vs->label), "unix:%s", where);
		return 0;
	}
	if (where[0] == '[') {
		host = where + 1;
		host_end = strchr(host, ']');
		if (!host_end || host_end[1] != ':') {
			snprintf(err, errlen, "--source vnc:%s: expected [ADDRESS]:PORT",
				 where);
			return -1;
		}
		colon = host_end + 1;
	} else {
		colon = strrchr(where, ':');
		host_end = colon;
		if (memchr(where, ':', (size_t)(colon - where))) {
			snprintf(err, errlen, "--source vnc:%s: write IPv6 addresses in brackets: vnc:[::1]:5900",
				 where);
			return -1;
		}
	}
	if (host_end == host || (size_t)(host_end - host) >= sizeof(vs->host) ||
	    parse_port(colon + 1, vs->port, sizeof(vs->port))) {
		snprintf(err, errlen, "--source vnc:%s: expected HOST:PORT with a TCP port 1-65535 (or a socket path)",
			 where);
		return -1;
	}
	memcpy(vs->host, host, (size_t)(host_end - host));
	vs->host[host_end - host] = 0;
	snprintf(vs->label, sizeof(vs->label), "tcp:%s", where);
	return check_loopback(vs->host, vs->port, err, errlen);
}

int source_vnc_init(struct source *s, const char *where, char *err,
		    size_t errlen)
{
	struct vnc_source *vs = calloc(1, sizeof(*vs));

	if (!vs || !(vs->cursor_out = calloc(VSRC_CURSOR_MAX * VSRC_CURSOR_MAX, 4))) {
		free(vs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vs->s = s;
	vs->watch.fd = -1;
	vs->sock = -1;
	vs->main_efd = vs->thread_efd = -1;
	/* The display's first frame is asked for by no one: it is the
	 * handshake's full update. */
	vs->display_wants = 1;
	if (parse_where(vs, where, err, errlen))
		goto fail;
	/* Scancodes back from evdev; where two share a code (SysRq), the
	 * 0xe0-prefixed one is the key's own make code. */
	for (uint32_t xt = 1; xt < 256; xt++) {
		uint16_t code = keymap_xt_to_evdev(xt);

		if (code && code < KEYMAP_CODES)
			vs->xt_of[code] = (uint8_t)xt;
	}
	vs->main_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vs->thread_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vs->main_efd < 0 || vs->thread_efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&vs->lock, NULL);
	s->ops = &vnc_ops;
	s->priv = vs;
	return 0;
fail:
	if (vs->main_efd >= 0)
		close(vs->main_efd);
	if (vs->thread_efd >= 0)
		close(vs->thread_efd);
	free(vs->cursor_out);
	free(vs);
	return -1;
}
