// SPDX-License-Identifier: MIT
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "narrow.h"

#define OUTQ_SLOTS        256   /* small packets waiting for POLLOUT */
#define OUTQ_SLOT         96    /* HELLO is the largest */
#define MAX_MSGS_PER_CALL 64    /* then let the loop serve others */
#define BACKOFF_MIN_MS    100
#define BACKOFF_MAX_MS    2000
/* Boxes per frame after narrowing: each damage rectangle may split. */
#define OUT_MAX           (4 * SURFACE_MAX_RECTS)

struct outq_slot {
	uint16_t len;
	uint8_t buf[OUTQ_SLOT];
};

struct surface_client {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char name[SURFACE_NAME_MAX];
	const struct surface_client_cbs *cbs;
	void *opaque;

	int fd;
	int hello;              /* the monitor said HELLO */
	int have_mode;
	struct surface_mode mode;
	void *map;              /* the memfd, read-only */
	size_t map_len;
	const uint8_t *pix;     /* first pixel inside map */
	struct surface_dst dst;

	uint32_t seq;           /* of the last FRAME_REQUEST */
	uint32_t oldest;        /* oldest request an answer may still come for */
	int outstanding;        /* the last one has not been answered yet */
	int need_full;          /* the next request must be FULL */
	unsigned backoff;

	struct outq_slot outq[OUTQ_SLOTS];
	unsigned oq_head, oq_count;

	struct surface_client_stats st;
	struct surface_rect out[OUT_MAX];
	_Alignas(8) uint8_t pkt[SURFACE_MAX_MSG];
};

struct surface_client *surface_client_create(const char *path,
					     const char *name,
					     const struct surface_client_cbs *cbs,
					     void *opaque)
{
	struct surface_client *c;

	if (strlen(path) >= sizeof(c->path))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	strcpy(c->path, path);
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	c->cbs = cbs;
	c->opaque = opaque;
	c->fd = -1;
	c->backoff = BACKOFF_MIN_MS;
	return c;
}

static void unmap(struct surface_client *c)
{
	if (c->map)
		munmap(c->map, c->map_len);
	c->map = NULL;
	c->pix = NULL;
	c->map_len = 0;
}

void surface_client_disconnect(struct surface_client *c, const char *why)
{
	int was_up = c->fd >= 0;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	unmap(c);
	c->hello = c->have_mode = c->outstanding = c->need_full = 0;
	c->oq_head = c->oq_count = 0;
	if (was_up && c->cbs->link)
		c->cbs->link(c->opaque, 0, why ? why : "disconnected");
}

void surface_client_destroy(struct surface_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	unmap(c);
	free(c);
}

/* Drop the connection with a formatted reason; returns -1 for callers. */
static int fail(struct surface_client *c, const char *fmt, ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	surface_client_disconnect(c, why);
	return -1;
}

/* Send a small packet now, or queue it behind what already waits. */
static int send_small(struct surface_client *c, uint16_t type, uint16_t flags,
		      const void *payload, size_t plen)
{
	struct outq_slot *s;
	uint8_t buf[OUTQ_SLOT];
	size_t n;

	if (c->fd < 0)
		return -1;
	n = surface_build(buf, sizeof(buf), type, flags, payload, plen, NULL, 0);
	if (!n)
		return -1;
	if (!c->oq_count) {
		if (send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
			return 0;
		/* A dead peer shows up as EOF on the read side. */
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
	}
	if (c->oq_count == OUTQ_SLOTS) {
		c->st.dropped_out++;
		return -1;
	}
	s = &c->outq[(c->oq_head + c->oq_count++) % OUTQ_SLOTS];
	s->len = (uint16_t)n;
	memcpy(s->buf, buf, n);
	return 0;
}

int surface_client_writable(struct surface_client *c)
{
	while (c->oq_count && c->fd >= 0) {
		struct outq_slot *s = &c->outq[c->oq_head];

		if (send(c->fd, s->buf, s->len, MSG_DONTWAIT | MSG_NOSIGNAL) != s->len) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return fail(c, "cannot write to the surface socket: %s",
				    strerror(errno));
		}
		c->oq_head = (c->oq_head + 1) % OUTQ_SLOTS;
		c->oq_count--;
	}
	return 0;
}

int surface_client_want_write(const struct surface_client *c)
{
	return c->fd >= 0 && c->oq_count;
}

void surface_client_attach(struct surface_client *c, int fd)
{
	struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR,
				   SURFACE_VERSION_MINOR, 0, { 0 } };

	surface_client_disconnect(c, NULL);
	c->fd = fd;
	memcpy(h.name, c->name, strnlen(c->name, sizeof(h.name)));
	if (send_small(c, SURFACE_HELLO, 0, &h, sizeof(h)) < 0)
		fail(c, "cannot send HELLO: %s", strerror(errno));
}

int surface_client_connect(struct surface_client *c, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	strcpy(sa.sun_path, c->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", c->path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	surface_client_attach(c, fd);
	if (c->fd < 0) {
		snprintf(err, errlen, "%s closed at once", c->path);
		return -1;
	}
	return 0;
}

unsigned surface_client_backoff_ms(struct surface_client *c)
{
	unsigned ms = c->backoff;

	c->backoff = c->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff * 2;
	return ms;
}

int surface_client_fd(const struct surface_client *c)
{
	return c->fd;
}

int surface_client_ready(const struct surface_client *c)
{
	return c->fd >= 0 && c->hello && c->have_mode;
}

const struct surface_mode *surface_client_mode(const struct surface_client *c)
{
	return c->have_mode ? &c->mode : NULL;
}

int surface_client_frame_outstanding(const struct surface_client *c)
{
	return c->outstanding;
}

void surface_client_stats(const struct surface_client *c,
			  struct surface_client_stats *st)
{
	*st = c->st;
}

static int send_request(struct surface_client *c, int full)
{
	struct surface_frame_request fr = { c->seq + 1 };

	if (send_small(c, SURFACE_FRAME_REQUEST, full ? SURFACE_FRAME_FULL : 0,
		       &fr, sizeof(fr)) < 0)
		return -1;
	if (!c->outstanding)
		c->oldest = fr.seq;
	c->seq = fr.seq;
	c->outstanding = 1;
	if (full)
		c->need_full = 0;
	return 0;
}

int surface_client_request_frame(struct surface_client *c, int full)
{
	if (!surface_client_ready(c))
		return -1;
	if (c->outstanding) {
		c->need_full |= !!full;
		return 1;
	}
	return send_request(c, full || c->need_full);
}

/*
 * MODE: the memfd must be a sealed (F_SEAL_SHRINK) regular file holding
 * size bytes at offset, so that reading the mapping can never fault.
 */
static int handle_mode(struct surface_client *c, const struct surface_mode *md,
		       int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	struct surface_dst dst;
	struct stat st;
	uint64_t base;
	size_t delta, len;
	void *p;
	int seals;

	if (fd < 0)
		return fail(c, "MODE came without the framebuffer fd");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(c, "the framebuffer fd is not a memfd");
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		close(fd);
		return fail(c, "the framebuffer memfd is not sealed against shrinking (F_SEAL_SHRINK): refusing to map it");
	}
	if (md->offset > (uint64_t)st.st_size ||
	    md->size > (uint64_t)st.st_size - md->offset) {
		close(fd);
		return fail(c, "MODE wants %llu bytes at offset %llu of a %lld-byte memfd",
			    (unsigned long long)md->size,
			    (unsigned long long)md->offset, (long long)st.st_size);
	}
	base = md->offset & ~(uint64_t)(page - 1);
	delta = md->offset - base;
	len = md->size + delta;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)base);
	close(fd);
	if (p == MAP_FAILED)
		return fail(c, "cannot map the %zu-byte framebuffer: %s", len,
			    strerror(errno));
	if (c->cbs->mode(c->opaque, md->width, md->height, &dst) < 0) {
		munmap(p, len);
		return fail(c, "the display cannot take a %ux%u surface",
			    md->width, md->height);
	}
	unmap(c);
	c->map = p;
	c->map_len = len;
	c->pix = (const uint8_t *)p + delta;
	c->dst = dst;
	c->mode = *md;
	if (!c->have_mode) {
		c->have_mode = 1;
		if (c->hello && c->cbs->link)
			c->cbs->link(c->opaque, 1, NULL);
	}
	/* The display's copy is stale now: ask for the whole at once. A
	 * request still out is replaced (the monitor answers the newest; an
	 * answer to the old one may still come and is dropped). */
	if (c->fd >= 0 && c->hello)
		send_request(c, 1);
	return 0;
}

/* Clip r to the mode; 0 when nothing is left of it. */
static int clip_rect(struct surface_client *c, const struct surface_rect *r,
		     struct surface_rect *out)
{
	uint64_t x0 = r->x, y0 = r->y, x1 = x0 + r->w, y1 = y0 + r->h;

	if (x1 > c->mode.width)
		x1 = c->mode.width;
	if (y1 > c->mode.height)
		y1 = c->mode.height;
	if (x1 - x0 != r->w || y1 - y0 != r->h)
		c->st.clipped++;
	if (x0 >= x1 || y0 >= y1)
		return 0;
	*out = (struct surface_rect){ (uint32_t)x0, (uint32_t)y0,
				      (uint32_t)(x1 - x0), (uint32_t)(y1 - y0) };
	return 1;
}

/* The whole surface, as it is: the display's copy may be anything (a new
 * mode, another VM since the last connection). */
static uint32_t copy_full(struct surface_client *c)
{
	size_t row = (size_t)c->mode.width * 4;

	for (uint32_t y = 0; y < c->mode.height; y++)
		memcpy(c->dst.pixels + (size_t)y * c->dst.stride,
		       c->pix + (size_t)y * c->mode.stride, row);
	c->out[0] = (struct surface_rect){ 0, 0, c->mode.width, c->mode.height };
	c->st.bytes_copied += row * c->mode.height;
	c->st.bytes_compared += row * c->mode.height;
	return 1;
}

/* Copy the damage where it differs from the display's copy; the boxes
 * around what changed go to c->out (docs/display.md, narrow.h). */
static uint32_t copy_damage(struct surface_client *c, const struct surface_msg *m)
{
	struct surface_narrow_stats ns = { 0 };
	uint32_t n = 0, count = m->damage.count;

	for (uint32_t i = 0; i < count; i++) {
		struct surface_rect r;
		/* Room for this one's boxes, keeping one for each after it. */
		uint32_t room = OUT_MAX - n - (count - 1 - i);

		memcpy(&r, &m->rects[i], sizeof(r));
		if (!clip_rect(c, &r, &r))
			continue;
		n += (uint32_t)surface_narrow_copy(c->dst.pixels, c->dst.stride,
						   c->pix, c->mode.stride, &r,
						   &c->out[n],
						   room < SURFACE_NARROW_MAX ?
						   (int)room : SURFACE_NARROW_MAX,
						   &ns);
	}
	c->st.bytes_copied += ns.px_copied * 4;
	c->st.bytes_compared += ns.px_compared * 4;
	c->st.unchanged += ns.unchanged;
	return n;
}

static int handle_damage(struct surface_client *c, const struct surface_msg *m)
{
	int full = m->hdr.flags & SURFACE_DAMAGE_FULL;
	uint32_t seq = m->damage.seq, n;

	if (!c->outstanding || (int32_t)(seq - c->oldest) < 0 ||
	    (int32_t)(seq - c->seq) > 0)
		return fail(c, "DAMAGE for request %u, but %u is the one outstanding",
			    seq, c->outstanding ? c->seq : 0);
	if (seq != c->seq) {
		/* For a request replaced by a newer one: that one follows. */
		c->oldest = seq + 1;
		c->st.stale++;
		return 0;
	}
	c->outstanding = 0;
	n = full ? copy_full(c) : copy_damage(c, m);
	c->st.frames++;
	c->st.rects += n;
	c->cbs->damage(c->opaque, c->out, n, full);
	return 0;
}

static int handle(struct surface_client *c, const struct surface_msg *m, int fd)
{
	if (fd >= 0 && m->hdr.type != SURFACE_MODE) {
		close(fd);
		return fail(c, "an fd came with surface message %u", m->hdr.type);
	}
	if (!c->hello && m->hdr.type != SURFACE_HELLO) {
		if (fd >= 0)
			close(fd);
		return fail(c, "the monitor did not start with HELLO");
	}
	switch (m->hdr.type) {
	case SURFACE_HELLO:
		if (!c->hello) {
			c->hello = 1;
			c->backoff = BACKOFF_MIN_MS;
		}
		return 0;
	case SURFACE_MODE:
		return handle_mode(c, &m->u.mode, fd);
	case SURFACE_DAMAGE:
		if (!c->have_mode)
			return fail(c, "DAMAGE before MODE");
		return handle_damage(c, m);
	case SURFACE_CURSOR_SHAPE:
		if (c->cbs->cursor_shape)
			c->cbs->cursor_shape(c->opaque, &m->cursor, m->cursor_argb);
		return 0;
	case SURFACE_CURSOR_POS:
		if (c->cbs->cursor_pos)
			c->cbs->cursor_pos(c->opaque, &m->u.cursor_pos);
		return 0;
	case SURFACE_VM_STATE:
		if (c->cbs->vm_state)
			c->cbs->vm_state(c->opaque, m->u.vm_state.state);
		return 0;
	case SURFACE_AGENT:
		if (c->cbs->agent)
			c->cbs->agent(c->opaque, m->agent, m->hdr.len);
		return 0;
	}
	return fail(c, "surface message %u is not for a display", m->hdr.type);
}

/* The fd passed with the packet, if any; -2 if there was more than one. */
static int take_fd(struct msghdr *mh)
{
	int fd = -1, extra = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(f));
			if (fd < 0) {
				fd = f;
			} else {
				close(f);
				extra = 1;
			}
		}
	}
	if (extra && fd >= 0) {
		close(fd);
		return -2;
	}
	return fd;
}

int surface_client_readable(struct surface_client *c)
{
	for (int i = 0; i < MAX_MSGS_PER_CALL && c->fd >= 0; i++) {
		union {
			char buf[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct iovec iov = { c->pkt, sizeof(c->pkt) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf.buf,
				     .msg_controllen = sizeof(cbuf.buf) };
		struct surface_msg m;
		char err[256];
		ssize_t n;
		int fd;

		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			      errno == EINTR))
			return 0;
		if (n == 0)
			return fail(c, "the monitor closed the surface socket");
		if (n < 0)
			return fail(c, "surface socket: %s", strerror(errno));
		fd = take_fd(&mh);
		if (fd == -2)
			return fail(c, "more than one fd came with a surface message");
		if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
			if (fd >= 0)
				close(fd);
			return fail(c, "oversized surface packet");
		}
		if (surface_check(c->pkt, (size_t)n, SURFACE_AT_DISPLAY, &m, err,
				  sizeof(err))) {
			if (fd >= 0)
				close(fd);
			return fail(c, "%s", err);
		}
		if (handle(c, &m, fd) < 0)
			return -1;
	}
	return 0;
}

int surface_client_key(struct surface_client *c, uint16_t code, int down)
{
	struct surface_key k = { code, down ? 1 : 0 };

	return send_small(c, SURFACE_KEY, 0, &k, sizeof(k));
}

int surface_client_pointer_abs(struct surface_client *c, uint32_t x, uint32_t y)
{
	struct surface_pointer_abs p = { x > 32767 ? 32767 : x,
					 y > 32767 ? 32767 : y };

	return send_small(c, SURFACE_POINTER_ABS, 0, &p, sizeof(p));
}

int surface_client_pointer_rel(struct surface_client *c, int32_t dx, int32_t dy)
{
	struct surface_pointer_rel p = { dx, dy };

	return send_small(c, SURFACE_POINTER_REL, 0, &p, sizeof(p));
}

int surface_client_buttons(struct surface_client *c, uint32_t mask)
{
	struct surface_buttons b = { mask & 0x1f };

	return send_small(c, SURFACE_BUTTONS, 0, &b, sizeof(b));
}

int surface_client_wheel(struct surface_client *c, int32_t v, int32_t h)
{
	struct surface_wheel w = { v, h };

	return send_small(c, SURFACE_WHEEL, 0, &w, sizeof(w));
}

/* Agent bytes are not queued: sent now or refused. */
int surface_client_agent(struct surface_client *c, const void *buf, size_t len)
{
	uint8_t pkt[sizeof(struct surface_hdr) + SURFACE_AGENT_MAX];
	size_t n;

	if (c->fd < 0 || !len || len > SURFACE_AGENT_MAX || c->oq_count)
		return -1;
	n = surface_build(pkt, sizeof(pkt), SURFACE_AGENT, 0, buf, len, NULL, 0);
	if (!n || send(c->fd, pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	return 0;
}
