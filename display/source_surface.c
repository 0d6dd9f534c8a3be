// SPDX-License-Identifier: MIT
/*
 * The surface source: a porthole-vmm's surface socket, through
 * surface/client.c, on the display's loop. A lost or refused connection is
 * retried with the client's backoff; the VM may come and go.
 */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "surface/client.h"

struct surface_source {
	struct source *s;
	struct surface_client *c;
	struct dloop_watch watch;
	struct dloop_timer retry;
	uint32_t width, height;
	int said_waiting;      /* "waiting for the VM" printed once */
};

static void update_watch(struct surface_source *ss)
{
	uint32_t ev = EPOLLIN;

	if (ss->watch.fd < 0)
		return;
	if (surface_client_want_write(ss->c))
		ev |= EPOLLOUT;
	dloop_rewatch(ss->s->loop, &ss->watch, ev);
}

static void on_io(void *opaque, uint32_t events)
{
	struct surface_source *ss = opaque;

	if (events & EPOLLOUT)
		surface_client_writable(ss->c);
	if (surface_client_fd(ss->c) >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		surface_client_readable(ss->c);
	update_watch(ss);
}

static void try_connect(void *opaque)
{
	struct surface_source *ss = opaque;
	char err[300];

	if (surface_client_fd(ss->c) >= 0)
		return;
	if (surface_client_connect(ss->c, err, sizeof(err)) < 0) {
		if (!ss->said_waiting) {
			fprintf(stderr, "porthole-display: waiting for the VM: %s\n", err);
			ss->said_waiting = 1;
		}
		dloop_timer_arm(ss->s->loop, &ss->retry,
				surface_client_backoff_ms(ss->c));
		return;
	}
	if (dloop_watch(ss->s->loop, &ss->watch, surface_client_fd(ss->c),
			EPOLLIN, on_io, ss) < 0) {
		surface_client_disconnect(ss->c, "cannot watch the surface socket");
		return;
	}
	update_watch(ss);
}

static int cb_mode(void *opaque, uint32_t w, uint32_t h, struct surface_dst *dst)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;
	struct source_fb fb;

	if (k->resize(k->opaque, w, h, &fb) < 0)
		return -1;
	ss->width = w;
	ss->height = h;
	dst->pixels = fb.pixels;
	dst->stride = fb.stride;
	return 0;
}

static void cb_damage(void *opaque, const struct surface_rect *r, uint32_t n,
		      int full)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;

	(void)full;
	while (n) {
		struct source_rect out[256];
		uint32_t m = n < 256 ? n : 256;

		for (uint32_t i = 0; i < m; i++)
			out[i] = (struct source_rect){ r[i].x, r[i].y, r[i].w, r[i].h };
		k->damage(k->opaque, out, m);
		r += m;
		n -= m;
	}
	k->frame_done(k->opaque);
	update_watch(ss);
}

static void cb_cursor_shape(void *opaque, const struct surface_cursor_shape *c,
			    const uint32_t *argb)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;
	uint32_t *copy = NULL;
	size_t n = (size_t)c->width * c->height;

	/* A copy the sink may keep pointers into for the call. */
	if (n) {
		copy = malloc(n * 4);
		if (!copy)
			return;
		memcpy(copy, argb, n * 4);
	}
	if (k->cursor_shape)
		k->cursor_shape(k->opaque, c->width, c->height, c->hot_x,
				c->hot_y, copy);
	free(copy);
}

static void cb_cursor_pos(void *opaque, const struct surface_cursor_pos *p)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;

	if (k->cursor_pos)
		k->cursor_pos(k->opaque, p->x, p->y, (int)p->visible);
}

static void cb_vm_state(void *opaque, uint32_t state)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;

	if (state == SURFACE_VM_STOPPING)
		k->state(k->opaque, SOURCE_STOPPING, "the VM is stopping");
}

static void cb_agent(void *opaque, const uint8_t *buf, size_t len)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;

	if (k->agent)
		k->agent(k->opaque, buf, len);
}

static void cb_link(void *opaque, int up, const char *why)
{
	struct surface_source *ss = opaque;
	const struct source_sink *k = ss->s->sink;

	if (up) {
		ss->said_waiting = 0;
		k->state(k->opaque, SOURCE_CONNECTED, NULL);
		return;
	}
	dloop_unwatch(ss->s->loop, &ss->watch);
	k->state(k->opaque, SOURCE_DISCONNECTED, why);
	dloop_timer_arm(ss->s->loop, &ss->retry, surface_client_backoff_ms(ss->c));
}

static const struct surface_client_cbs client_cbs = {
	.mode = cb_mode,
	.damage = cb_damage,
	.cursor_shape = cb_cursor_shape,
	.cursor_pos = cb_cursor_pos,
	.vm_state = cb_vm_state,
	.agent = cb_agent,
	.link = cb_link,
};

static int op_start(struct source *s, char *err, size_t errlen)
{
	struct surface_source *ss = s->priv;

	try_connect(ss);
	return 0;
}

static void op_destroy(struct source *s)
{
	struct surface_source *ss = s->priv;

	dloop_timer_cancel(s->loop, &ss->retry);
	dloop_unwatch(s->loop, &ss->watch);
	surface_client_destroy(ss->c);
	free(ss);
	s->priv = NULL;
}

static void op_request_frame(struct source *s, int full)
{
	struct surface_source *ss = s->priv;

	surface_client_request_frame(ss->c, full);
	update_watch(ss);
}

static void op_key(struct source *s, const struct source_key *k)
{
	struct surface_source *ss = s->priv;

	if (k->code)
		surface_client_key(ss->c, k->code, k->down);
	update_watch(ss);
}

static void op_pointer(struct source *s, uint32_t x, uint32_t y)
{
	struct surface_source *ss = s->priv;

	surface_client_pointer_abs(ss->c, source_abs_from_px(x, ss->width),
				   source_abs_from_px(y, ss->height));
	update_watch(ss);
}

static void op_buttons(struct source *s, uint32_t mask)
{
	struct surface_source *ss = s->priv;

	surface_client_buttons(ss->c, mask);
	update_watch(ss);
}

static void op_wheel(struct source *s, int32_t v, int32_t h)
{
	struct surface_source *ss = s->priv;

	surface_client_wheel(ss->c, v, h);
	update_watch(ss);
}

static void op_rel(struct source *s, int32_t dx, int32_t dy)
{
	struct surface_source *ss = s->priv;

	surface_client_pointer_rel(ss->c, dx, dy);
	update_watch(ss);
}

static void op_agent(struct source *s, const uint8_t *buf, size_t len)
{
	struct surface_source *ss = s->priv;

	surface_client_agent(ss->c, buf, len);
}

static const struct source_ops surface_ops = {
	.kind = "surface",
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

int source_surface_init(struct source *s, const char *path, char *err,
			size_t errlen)
{
	struct surface_source *ss = calloc(1, sizeof(*ss));

	if (!ss) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ss->s = s;
	ss->watch.fd = -1;
	ss->c = surface_client_create(path, "porthole-display", &client_cbs, ss);
	if (!ss->c) {
		snprintf(err, errlen, "surface socket path too long: %s", path);
		free(ss);
		return -1;
	}
	dloop_timer_init(&ss->retry, try_connect, ss);
	s->ops = &surface_ops;
	s->priv = ss;
	return 0;
}
