// SPDX-License-Identifier: MIT
/*
 * display/surface/client.c against a fake monitor in this test: real
 * proto.h packets over a SOCK_SEQPACKET socketpair and a real sealed memfd.
 * HELLO and MODE, FULL on connect, damage copied and clipped to the mode,
 * damage narrowed to what changed (and narrow.c alone, on random screens),
 * sequence numbers, input packets, the output queue, every refusal (no
 * seal, short memfd, no fd, stray fd, wrong seq, no HELLO), a mode change,
 * and reconnecting through a listening socket with backoff.
 */
#include "surface/client.h"
#include "surface/narrow.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

/* --- the display side: what the callbacks saw --- */

struct seen {
	uint32_t w, h;
	uint32_t *buf;              /* the display's buffer, w x h */
	int modes, frames, full, ups, downs, cursors, states, agents;
	uint32_t nrects;
	struct surface_rect rects[16];
	char why[300];
	uint32_t state;
	size_t agent_len;
};

static int cb_mode(void *opaque, uint32_t w, uint32_t h, struct surface_dst *dst)
{
	struct seen *s = opaque;

	if (w == 999)
		return -1;              /* a size the display cannot take */
	free(s->buf);
	s->buf = calloc((size_t)w * h, 4);
	s->w = w;
	s->h = h;
	s->modes++;
	dst->pixels = (uint8_t *)s->buf;
	dst->stride = w * 4;
	return 0;
}

static void cb_damage(void *opaque, const struct surface_rect *r, uint32_t n,
		      int full)
{
	struct seen *s = opaque;

	s->frames++;
	s->full = full;
	s->nrects = n;
	memcpy(s->rects, r, (n < 16 ? n : 16) * sizeof(*r));
}

static void cb_cursor(void *opaque, const struct surface_cursor_shape *c,
		      const uint32_t *argb)
{
	((struct seen *)opaque)->cursors++;
}

static void cb_state(void *opaque, uint32_t st)
{
	struct seen *s = opaque;

	s->states++;
	s->state = st;
}

static void cb_agent(void *opaque, const uint8_t *buf, size_t len)
{
	struct seen *s = opaque;

	s->agents++;
	s->agent_len = len;
}

static void cb_link(void *opaque, int up, const char *why)
{
	struct seen *s = opaque;

	if (up) {
		s->ups++;
		return;
	}
	s->downs++;
	snprintf(s->why, sizeof(s->why), "%s", why);
}

static const struct surface_client_cbs cbs = {
	.mode = cb_mode, .damage = cb_damage, .cursor_shape = cb_cursor,
	.vm_state = cb_state, .agent = cb_agent, .link = cb_link,
};

/* --- the fake monitor --- */

static uint8_t pkt[SURFACE_MAX_MSG];

static void srv_send(int fd, uint16_t type, uint16_t flags, const void *p,
		     size_t plen, const void *extra, size_t elen, int pass_fd)
{
	size_t n = surface_build(pkt, sizeof(pkt), type, flags, p, plen, extra, elen);

	CHECK(n, "packet too big");
	CHECK(surface_send(fd, pkt, n, pass_fd, 0) == (ssize_t)n, "sendmsg: %s",
	      strerror(errno));
}

/* The next packet the display sent, checked as the monitor checks it. */
static int srv_recv(int fd, struct surface_msg *m)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char err[256];
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return -1;
	n = recv(fd, pkt, sizeof(pkt), 0);
	if (n <= 0)
		return -1;
	CHECK(surface_check(pkt, (size_t)n, SURFACE_AT_VMM, m, err, sizeof(err)) == 0,
	      "the display sent a bad packet: %s", err);
	return 0;
}

static int no_packet(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 50) == 0;
}

/* A framebuffer memfd: size bytes, pixel (x, y) at offset + y * stride. */
static int make_memfd(size_t size, int seal)
{
	int fd = memfd_create("fake-fb", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0, "memfd: %s",
	      strerror(errno));
	if (seal)
		CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0,
		      "seal: %s", strerror(errno));
	return fd;
}

struct fake {
	int srv, memfd;
	uint32_t *map;              /* the monitor's view of the memfd */
	struct surface_mode md;
};

#define FW 64
#define FH 48
#define FSTRIDE 320             /* > 4 * FW: the client must use it */
#define FOFFSET 4096

static uint32_t pixel(uint32_t x, uint32_t y, uint32_t salt)
{
	return (x * 7 + y * 131 + salt) & 0xffffff;
}

static void paint(struct fake *f, uint32_t salt)
{
	for (uint32_t y = 0; y < f->md.height; y++)
		for (uint32_t x = 0; x < f->md.width; x++)
			f->map[(f->md.offset + y * f->md.stride) / 4 + x] =
				pixel(x, y, salt);
}

/* A connected client and monitor; HELLO, MODE and VM_STATE sent. */
static struct surface_client *start(struct fake *f, struct seen *s)
{
	struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR, 0, 0, "vm" };
	struct surface_vm_state st = { SURFACE_VM_RUNNING };
	struct surface_client *c;
	struct surface_msg m;
	size_t size = FOFFSET + (size_t)FSTRIDE * FH;
	int sv[2];

	memset(s, 0, sizeof(*s));
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
	      "socketpair: %s", strerror(errno));
	f->srv = sv[0];
	f->memfd = make_memfd(size, 1);
	f->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	CHECK(f->map != MAP_FAILED, "mmap");
	f->md = (struct surface_mode){ FW, FH, FSTRIDE, SURFACE_FORMAT_XRGB8888,
				       FOFFSET, (uint64_t)FSTRIDE * FH };
	paint(f, 1);
	c = surface_client_create("/nonexistent", "test", &cbs, s);
	CHECK(c, "create");
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	surface_client_attach(c, sv[1]);
	CHECK(srv_recv(f->srv, &m) == 0 && m.hdr.type == SURFACE_HELLO &&
	      m.u.hello.major == SURFACE_VERSION_MAJOR, "the display's HELLO");
	CHECK(!surface_client_ready(c), "ready before MODE");
	srv_send(f->srv, SURFACE_HELLO, 0, &h, sizeof(h), NULL, 0, -1);
	srv_send(f->srv, SURFACE_MODE, 0, &f->md, sizeof(f->md), NULL, 0, f->memfd);
	srv_send(f->srv, SURFACE_VM_STATE, 0, &st, sizeof(st), NULL, 0, -1);
	CHECK(surface_client_readable(c) == 0, "readable: %s", s->why);
	CHECK(surface_client_ready(c) && s->ups == 1 && s->modes == 1 &&
	      s->w == FW && s->h == FH && s->states == 1 &&
	      s->state == SURFACE_VM_RUNNING, "link up with a %ux%u mode", s->w, s->h);
	return c;
}

static void finish(struct fake *f, struct surface_client *c, struct seen *s)
{
	surface_client_destroy(c);
	munmap(f->map, FOFFSET + (size_t)FSTRIDE * FH);
	close(f->memfd);
	close(f->srv);
	free(s->buf);
	s->buf = NULL;
}

static uint32_t expect_request(struct fake *f, int full)
{
	struct surface_msg m;

	CHECK(srv_recv(f->srv, &m) == 0 && m.hdr.type == SURFACE_FRAME_REQUEST,
	      "no FRAME_REQUEST");
	CHECK(!!(m.hdr.flags & SURFACE_FRAME_FULL) == full, "FULL flag %u, want %d",
	      m.hdr.flags, full);
	return m.u.frame.seq;
}

static void send_damage(struct fake *f, uint32_t seq, uint16_t flags,
			const struct surface_rect *r, uint32_t n)
{
	struct surface_damage d = { seq, n };

	srv_send(f->srv, SURFACE_DAMAGE, flags, &d, sizeof(d), r, n * sizeof(*r), -1);
}

static void check_buf(struct seen *s, uint32_t x0, uint32_t y0, uint32_t w,
		      uint32_t h, uint32_t salt)
{
	for (uint32_t y = y0; y < y0 + h; y++)
		for (uint32_t x = x0; x < x0 + w; x++)
			CHECK(s->buf[y * s->w + x] == pixel(x, y, salt),
			      "pixel %u,%u: %06x, want %06x", x, y,
			      s->buf[y * s->w + x], pixel(x, y, salt));
}

static void frames(void)
{
	struct surface_rect r[3] = {
		{ 2, 3, 10, 5 },        /* inside */
		{ 60, 40, 10, 20 },     /* clipped to 4 x 8 */
		{ 100, 0, 5, 5 },       /* outside: dropped */
	};
	struct surface_client_stats st;
	struct seen s;
	struct fake f;
	struct surface_client *c = start(&f, &s);
	uint32_t seq = expect_request(&f, 1);

	/* FULL: the whole surface, whatever the rectangles say. */
	send_damage(&f, seq, SURFACE_DAMAGE_FULL, r, 1);
	CHECK(surface_client_readable(c) == 0 && s.frames == 1 && s.full &&
	      s.nrects == 1 && s.rects[0].w == FW && s.rects[0].h == FH,
	      "the full frame");
	check_buf(&s, 0, 0, FW, FH, 1);
	CHECK(no_packet(f.srv), "a request went out by itself");
	/* Pulled: one request, one answer. */
	CHECK(surface_client_request_frame(c, 0) == 0, "request");
	CHECK(surface_client_request_frame(c, 0) == 1, "a second one while out");
	seq = expect_request(&f, 0);
	CHECK(no_packet(f.srv), "two requests out");
	paint(&f, 2);
	send_damage(&f, seq, 0, r, 3);
	CHECK(surface_client_readable(c) == 0, "damage: %s", s.why);
	CHECK(s.frames == 2 && !s.full && s.nrects == 2, "%u rects", s.nrects);
	CHECK(s.rects[0].x == 2 && s.rects[0].w == 10 && s.rects[1].x == 60 &&
	      s.rects[1].w == 4 && s.rects[1].h == 8, "clipped rects");
	check_buf(&s, 2, 3, 10, 5, 2);
	check_buf(&s, 60, 40, 4, 8, 2);
	check_buf(&s, 0, 0, 2, 3, 1);   /* untouched outside the damage */
	surface_client_stats(c, &st);
	CHECK(st.frames == 2 && st.clipped == 2, "stats: %llu frames, %llu clipped",
	      (unsigned long long)st.frames, (unsigned long long)st.clipped);
	/* A damage nobody asked for drops the connection. */
	send_damage(&f, seq, 0, r, 1);
	CHECK(surface_client_readable(c) < 0 && s.downs == 1 &&
	      strstr(s.why, "outstanding"), "unsolicited damage: %s", s.why);
	CHECK(surface_client_fd(c) < 0 && !surface_client_ready(c), "still up");
	finish(&f, c, &s);
}

/* Damage is narrowed to what differs from the display's copy: the
 * monitor's page-wide rectangles become the changed boxes, or nothing. */
static void narrowing(void)
{
	struct surface_rect r[2] = { { 0, 0, FW, FH }, { 0, 0, FW, 16 } };
	struct surface_client_stats st;
	struct seen s;
	struct fake f;
	struct surface_client *c = start(&f, &s);
	uint32_t seq = expect_request(&f, 1);

	send_damage(&f, seq, SURFACE_DAMAGE_FULL, NULL, 0);
	CHECK(surface_client_readable(c) == 0 && s.frames == 1, "full frame");
	/* Nothing changed: no rectangle at all. */
	CHECK(surface_client_request_frame(c, 0) == 0, "request");
	seq = expect_request(&f, 0);
	send_damage(&f, seq, 0, r, 2);
	CHECK(surface_client_readable(c) == 0 && s.frames == 2 && s.nrects == 0,
	      "unchanged damage gave %u rects", s.nrects);
	/* A glyph-sized change in a whole-width rectangle. */
	for (uint32_t y = 5; y < 5 + 16; y++)
		for (uint32_t x = 9; x < 9 + 8; x++)
			f.map[(f.md.offset + y * f.md.stride) / 4 + x] ^= 0xff;
	CHECK(surface_client_request_frame(c, 0) == 0, "request");
	seq = expect_request(&f, 0);
	send_damage(&f, seq, 0, r, 1);
	CHECK(surface_client_readable(c) == 0 && s.frames == 3 && s.nrects == 1 &&
	      s.rects[0].x == 9 && s.rects[0].y == 5 && s.rects[0].w == 8 &&
	      s.rects[0].h == 16, "%u rects, the first %u,%u %ux%u", s.nrects,
	      s.rects[0].x, s.rects[0].y, s.rects[0].w, s.rects[0].h);
	check_buf(&s, 0, 0, 9, FH, 1);
	surface_client_stats(c, &st);
	CHECK(st.bytes_copied == (uint64_t)FW * FH * 4 + 8 * 16 * 4 &&
	      st.bytes_compared == (uint64_t)FW * FH * 4 * 2 + FW * 16 * 4 +
	      (uint64_t)FW * FH * 4 && st.unchanged == 2,
	      "stats: %llu copied, %llu compared, %llu unchanged",
	      (unsigned long long)st.bytes_copied,
	      (unsigned long long)st.bytes_compared,
	      (unsigned long long)st.unchanged);
	for (uint32_t y = 5; y < 5 + 16; y++)
		for (uint32_t x = 9; x < 9 + 8; x++)
			CHECK(s.buf[y * s.w + x] == (pixel(x, y, 1) ^ 0xff),
			      "pixel %u,%u not copied", x, y);
	/* The FULL path still copies and reports everything. */
	CHECK(surface_client_request_frame(c, 1) == 0, "request");
	seq = expect_request(&f, 1);
	send_damage(&f, seq, SURFACE_DAMAGE_FULL, NULL, 0);
	CHECK(surface_client_readable(c) == 0 && s.full && s.nrects == 1 &&
	      s.rects[0].w == FW && s.rects[0].h == FH, "full after narrowing");
	finish(&f, c, &s);
}

/* --- narrow.c alone: random screens and changes --- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static int covered(const struct surface_rect *b, int n, uint32_t x, uint32_t y)
{
	for (int i = 0; i < n; i++)
		if (x >= b[i].x && x < b[i].x + b[i].w && y >= b[i].y &&
		    y < b[i].y + b[i].h)
			return 1;
	return 0;
}

/* Paint k random rectangles of random colours (or the same one) into src,
 * narrow r, and check: dst equals src inside r and is untouched outside;
 * every pixel that differed is in a box; boxes are inside r, not empty,
 * at most max; nothing changed gives no box. */
static void narrow_case(uint32_t w, uint32_t h, int k, int max,
			const struct surface_rect *r, int *boxes)
{
	size_t sstride = (size_t)w * 4 + 4 * rnd(3), dstride = (size_t)w * 4;
	uint8_t *src = malloc(sstride * h), *dst = malloc(dstride * h);
	uint8_t *old = malloc(dstride * h), *want = malloc(dstride * h);
	struct surface_rect out[SURFACE_NARROW_MAX * 2];
	int n, differs = 0;

	CHECK(src && dst && old && want, "out of memory");
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = pixel(x, y, 3);

			memcpy(src + y * sstride + x * 4, &v, 4);
			memcpy(dst + y * dstride + x * 4, &v, 4);
		}
	for (int i = 0; i < k; i++) {
		uint32_t x0 = rnd(w), y0 = rnd(h), cw = 1 + rnd(w - x0),
			 ch = 1 + rnd(h - y0), col = rnd(3) ? rnd(1u << 24) : 0x123456;

		if (rnd(2)) {
			cw = 1 + rnd(cw < 20 ? cw : 20);
			ch = 1 + rnd(ch < 20 ? ch : 20);
		}
		for (uint32_t y = y0; y < y0 + ch; y++)
			for (uint32_t x = x0; x < x0 + cw; x++)
				memcpy(src + y * sstride + x * 4, &col, 4);
	}
	memcpy(old, dst, dstride * h);
	for (uint32_t y = 0; y < h; y++)
		memcpy(want + y * dstride, src + y * sstride, dstride);
	n = surface_narrow_copy(dst, dstride, src, sstride, r, out, max, NULL);
	CHECK(n >= 0 && n <= max, "%d boxes, max %d", n, max);
	for (int i = 0; i < n; i++)
		CHECK(out[i].w && out[i].h && out[i].x >= r->x && out[i].y >= r->y &&
		      out[i].x + out[i].w <= r->x + r->w &&
		      out[i].y + out[i].h <= r->y + r->h,
		      "box %u,%u %ux%u outside %u,%u %ux%u", out[i].x, out[i].y,
		      out[i].w, out[i].h, r->x, r->y, r->w, r->h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			int in = x >= r->x && x < r->x + r->w && y >= r->y &&
				 y < r->y + r->h;
			size_t o = y * dstride + x * 4;
			int diff = memcmp(old + o, want + o, 4) != 0;

			CHECK(!memcmp(dst + o, in ? want + o : old + o, 4),
			      "pixel %u,%u wrong after the copy", x, y);
			if (in && diff) {
				differs = 1;
				CHECK(covered(out, n, x, y),
				      "changed pixel %u,%u in no box", x, y);
			}
		}
	CHECK(differs || n == 0, "%d boxes for no change", n);
	*boxes = n;
	free(src);
	free(dst);
	free(old);
	free(want);
}

static void narrow_units(void)
{
	int n;

	for (int i = 0; i < 300; i++) {
		uint32_t w = 1 + rnd(i % 10 ? 700 : 5000), h = 1 + rnd(60);
		uint32_t x = rnd(w), y = rnd(h);
		struct surface_rect r = { x, y, 1 + rnd(w - x), 1 + rnd(h - y) };

		narrow_case(w, h, (int)rnd(6), 1 + (int)rnd(SURFACE_NARROW_MAX), &r, &n);
	}
}

/* Boxes are tight: exact edges; far-apart changes stay apart. */
static void narrow_tight(void)
{
	enum { W = 1024, H = 48 };
	static uint32_t src[W * H], dst[W * H];
	struct surface_rect r = { 0, 0, W, H }, out[4];
	int n;

	for (size_t i = 0; i < W * H; i++)
		src[i] = dst[i] = 0x306080;
	for (int y = 2; y < 18; y++) {
		for (int x = 40; x < 48; x++)
			src[y * W + x] = 0xffffff;      /* a glyph */
		for (int x = 600; x < 610; x++)
			src[y * W + x] = 0xff0000;      /* far right, same rows */
	}
	for (int y = 30; y < 40; y++)
		src[y * W + 43] = 0x00ff00;             /* below, after a gap */
	n = surface_narrow_copy((uint8_t *)dst, W * 4, (const uint8_t *)src,
				W * 4, &r, out, 4, NULL);
	CHECK(n == 3, "%d boxes", n);
	CHECK(out[0].x == 40 && out[0].y == 2 && out[0].w == 8 && out[0].h == 16,
	      "glyph box %u,%u %ux%u", out[0].x, out[0].y, out[0].w, out[0].h);
	CHECK(out[1].x == 600 && out[1].y == 2 && out[1].w == 10 && out[1].h == 16,
	      "right box %u,%u %ux%u", out[1].x, out[1].y, out[1].w, out[1].h);
	CHECK(out[2].x == 43 && out[2].y == 30 && out[2].w == 1 && out[2].h == 10,
	      "lower box %u,%u %ux%u", out[2].x, out[2].y, out[2].w, out[2].h);
	CHECK(!memcmp(src, dst, sizeof(src)), "copy");
	/* Again: nothing differs now. */
	CHECK(surface_narrow_copy((uint8_t *)dst, W * 4, (const uint8_t *)src,
				  W * 4, &r, out, 4, NULL) == 0, "unchanged");
}

static void wrong_seq(void)
{
	struct seen s;
	struct fake f;
	struct surface_client *c = start(&f, &s);
	uint32_t seq = expect_request(&f, 1);

	send_damage(&f, seq + 1, 0, NULL, 0);
	CHECK(surface_client_readable(c) < 0 && s.downs == 1, "wrong seq accepted");
	finish(&f, c, &s);
}

static void input(void)
{
	static const char agent[] = "hello agent\n";
	struct seen s;
	struct fake f;
	struct surface_client *c = start(&f, &s);
	struct surface_msg m;

	expect_request(&f, 1);
	CHECK(surface_client_key(c, 30, 1) == 0 &&
	      surface_client_pointer_abs(c, 100, 40000) == 0 &&
	      surface_client_buttons(c, SURFACE_BTN_LEFT | SURFACE_BTN_MIDDLE) == 0 &&
	      surface_client_wheel(c, -1, 2) == 0 &&
	      surface_client_pointer_rel(c, -5, 7) == 0 &&
	      surface_client_agent(c, agent, sizeof(agent) - 1) == 0, "send");
	CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_KEY &&
	      m.u.key.code == 30 && m.u.key.down == 1, "KEY");
	CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_POINTER_ABS &&
	      m.u.abs.x == 100 && m.u.abs.y == 32767, "POINTER_ABS, clamped");
	CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_BUTTONS &&
	      m.u.buttons.mask == 5, "BUTTONS");
	CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_WHEEL &&
	      m.u.wheel.v == -1 && m.u.wheel.h == 2, "WHEEL");
	CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_POINTER_REL &&
	      m.u.rel.dx == -5 && m.u.rel.dy == 7, "POINTER_REL");
	CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_AGENT &&
	      m.hdr.len == sizeof(agent) - 1 && !memcmp(m.agent, agent, m.hdr.len),
	      "AGENT");
	/* And the other way: agent bytes and a cursor. */
	{
		struct surface_cursor_shape cs = { 2, 2, 1, 1 };
		uint32_t argb[4] = { 0xff000000, 0xffffffff, 0, 0x80808080 };

		srv_send(f.srv, SURFACE_AGENT, 0, "ok\n", 3, NULL, 0, -1);
		srv_send(f.srv, SURFACE_CURSOR_SHAPE, 0, &cs, sizeof(cs), argb,
			 sizeof(argb), -1);
		CHECK(surface_client_readable(c) == 0 && s.agents == 1 &&
		      s.agent_len == 3 && s.cursors == 1, "agent and cursor in");
	}
	finish(&f, c, &s);
}

/* A monitor that stops reading: small packets wait, in order. */
static void output_queue(void)
{
	struct seen s;
	struct fake f;
	struct surface_client *c = start(&f, &s);
	struct surface_msg m;
	int sent = 0, code = 0;

	expect_request(&f, 1);
	while (!surface_client_want_write(c) && sent < 100000)
		CHECK(surface_client_key(c, (uint16_t)(sent++ % 600 + 1), 1) == 0,
		      "key %d", sent);
	CHECK(surface_client_want_write(c), "the socket never filled");
	for (int i = 0; i < 10; i++)
		CHECK(surface_client_key(c, (uint16_t)(sent++ % 600 + 1), 1) == 0,
		      "queued key");
	while (surface_client_want_write(c) || !no_packet(f.srv)) {
		CHECK(srv_recv(f.srv, &m) == 0 && m.hdr.type == SURFACE_KEY,
		      "key %d missing", code);
		CHECK(m.u.key.code == code % 600 + 1, "key %d out of order", code);
		code++;
		surface_client_writable(c);
	}
	CHECK(code == sent, "%d keys arrived, %d sent", code, sent);
	finish(&f, c, &s);
}

/* A second MODE while a request is out: a FULL request replaces it at
 * once; a late answer to the old one is dropped. */
static void mode_change(void)
{
	struct surface_client_stats st;
	struct surface_mode md2;
	struct seen s;
	struct fake f;
	struct surface_client *c = start(&f, &s);
	uint32_t seq = expect_request(&f, 1), seq2;
	int fd2;

	send_damage(&f, seq, SURFACE_DAMAGE_FULL, NULL, 0);
	CHECK(surface_client_readable(c) == 0 && s.frames == 1, "first frame");
	CHECK(surface_client_request_frame(c, 0) == 0, "request");
	seq = expect_request(&f, 0);
	md2 = f.md;
	md2.width = 32;
	md2.height = 16;
	fd2 = make_memfd(FOFFSET + (size_t)FSTRIDE * FH, 1);
	srv_send(f.srv, SURFACE_MODE, 0, &md2, sizeof(md2), NULL, 0, fd2);
	close(fd2);
	CHECK(surface_client_readable(c) == 0 && s.modes == 2 && s.w == 32 &&
	      s.h == 16, "second mode");
	seq2 = expect_request(&f, 1);
	CHECK(seq2 == seq + 1, "FULL request %u after %u", seq2, seq);
	send_damage(&f, seq, 0, NULL, 0);          /* late: dropped */
	CHECK(surface_client_readable(c) == 0 && s.frames == 1, "late answer: %s",
	      s.why);
	send_damage(&f, seq2, SURFACE_DAMAGE_FULL, NULL, 0);
	CHECK(surface_client_readable(c) == 0 && s.frames == 2, "answer: %s", s.why);
	CHECK(s.rects[0].w == 32 && s.rects[0].h == 16, "full frame of the new mode");
	surface_client_stats(c, &st);
	CHECK(st.stale == 1, "%llu stale answers", (unsigned long long)st.stale);
	/* The replaced request cannot be answered twice. */
	CHECK(surface_client_request_frame(c, 0) == 0, "request");
	expect_request(&f, 0);
	send_damage(&f, seq, 0, NULL, 0);
	CHECK(surface_client_readable(c) < 0 && s.downs == 1, "old seq accepted again");
	finish(&f, c, &s);
}

/* Each malformed or dangerous start must drop the connection, saying why. */
static void refusals(void)
{
	static const struct { const char *what, *why; } cases[] = {
		{ "unsealed", "sealed" }, { "short", "bytes at offset" },
		{ "nofd", "without" }, { "strayfd", "an fd came" },
		{ "nohello", "HELLO" }, { "refused", "cannot take" },
		{ "early", "before MODE" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR, 0, 0, "vm" };
		struct surface_mode md = { FW, FH, FSTRIDE, SURFACE_FORMAT_XRGB8888,
					   0, (uint64_t)FSTRIDE * FH };
		struct surface_vm_state st = { SURFACE_VM_RUNNING };
		const char *w = cases[i].what;
		struct surface_client *c;
		struct seen s = { 0 };
		int sv[2], mfd;

		CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair");
		c = surface_client_create("/nonexistent", "test", &cbs, &s);
		surface_client_attach(c, sv[1]);
		if (!strcmp(w, "refused")) {
			md.width = 999;   /* valid, but cb_mode says no */
			md.stride = 999 * 4;
			md.size = (uint64_t)md.stride * FH;
		}
		mfd = make_memfd(!strcmp(w, "short") ? 4096 : md.size,
				 strcmp(w, "unsealed") != 0);
		if (strcmp(w, "nohello"))
			srv_send(sv[0], SURFACE_HELLO, 0, &h, sizeof(h), NULL, 0, -1);
		if (!strcmp(w, "strayfd"))
			srv_send(sv[0], SURFACE_VM_STATE, 0, &st, sizeof(st), NULL, 0, mfd);
		else if (!strcmp(w, "early"))
			send_damage(&(struct fake){ .srv = sv[0] }, 0, 0, NULL, 0);
		else
			srv_send(sv[0], SURFACE_MODE, 0, &md, sizeof(md), NULL, 0,
				 !strcmp(w, "nofd") ? -1 : mfd);
		CHECK(surface_client_readable(c) < 0, "%s: accepted", w);
		CHECK(s.downs == 1 && strstr(s.why, cases[i].why) && !s.ups,
		      "%s: dropped with \"%s\"", w, s.why);
		surface_client_destroy(c);
		close(mfd);
		close(sv[0]);
		free(s.buf);
	}
}

/* Through a listening socket: refused, connected, lost, back again. */
static void reconnect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR, 0, 0, "vm" };
	struct surface_mode md = { FW, FH, FSTRIDE, SURFACE_FORMAT_XRGB8888, 0,
				   (uint64_t)FSTRIDE * FH };
	struct surface_client *c;
	struct surface_msg m;
	struct seen s = { 0 };
	char dir[] = "/tmp/surface-client-XXXXXX", err[300];
	unsigned b[4];
	int lfd, srv, mfd;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/surface.sock", dir);
	c = surface_client_create(sa.sun_path, "test", &cbs, &s);
	CHECK(surface_client_connect(c, err, sizeof(err)) < 0 &&
	      strstr(err, "surface.sock"), "connected to nothing: %s", err);
	for (int i = 0; i < 4; i++)
		b[i] = surface_client_backoff_ms(c);
	CHECK(b[0] == 100 && b[1] == 200 && b[2] == 400 && b[3] == 800,
	      "backoff %u %u %u %u", b[0], b[1], b[2], b[3]);
	for (int i = 0; i < 10; i++)
		surface_client_backoff_ms(c);
	CHECK(surface_client_backoff_ms(c) == 2000, "backoff cap");

	for (int round = 0; round < 2; round++) {
		lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		      listen(lfd, 1) == 0, "listen: %s", strerror(errno));
		CHECK(surface_client_connect(c, err, sizeof(err)) == 0, "%s", err);
		srv = accept(lfd, NULL, NULL);
		CHECK(srv >= 0 && srv_recv(srv, &m) == 0 &&
		      m.hdr.type == SURFACE_HELLO, "HELLO on connect");
		mfd = make_memfd((size_t)FSTRIDE * FH, 1);
		srv_send(srv, SURFACE_HELLO, 0, &h, sizeof(h), NULL, 0, -1);
		srv_send(srv, SURFACE_MODE, 0, &md, sizeof(md), NULL, 0, mfd);
		close(mfd);
		CHECK(surface_client_readable(c) == 0 && s.ups == round + 1,
		      "round %d: up", round);
		CHECK(surface_client_backoff_ms(c) == 100, "backoff reset by HELLO");
		CHECK(srv_recv(srv, &m) == 0 && m.hdr.type == SURFACE_FRAME_REQUEST &&
		      (m.hdr.flags & SURFACE_FRAME_FULL), "FULL after (re)connect");
		/* The monitor goes away. */
		close(srv);
		close(lfd);
		unlink(sa.sun_path);
		CHECK(surface_client_readable(c) < 0 && s.downs == round + 1 &&
		      strstr(s.why, "closed"), "round %d: down (%s)", round, s.why);
	}
	surface_client_destroy(c);
	rmdir(dir);
	free(s.buf);
}

int main(void)
{
	frames();
	narrowing();
	narrow_units();
	narrow_tight();
	wrong_seq();
	input();
	output_queue();
	mode_change();
	refusals();
	reconnect();
	printf("surface client: frames, clipping, narrowing, input, queue, mode change, refusals, reconnect: ok\n");
	return 0;
}
