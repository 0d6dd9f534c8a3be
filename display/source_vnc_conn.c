// SPDX-License-Identifier: MIT
/*
 * The VNC source's upstream thread: connect (unix socket, or TCP to a
 * loopback address), handshake, then read updates and send input and
 * update requests, until the connection fails; then again, with backoff
 * (100 ms doubling to 2 s). libvncclient blocks, which is why this is a
 * thread: the display's main loop only ever waits for the lock, and the
 * lock is never held across socket I/O.
 *
 * Pull, not push: libvncclient re-requests an update by itself after each
 * one (and after a resize). That request is gated off by clearing the
 * FramebufferUpdateRequest bit of its supported-messages table, and set
 * only around our own requests: one per request_frame of the display.
 */
#include "source_vnc.h"
#include "source_vnc_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rfb/rfbclient.h>

#include "display.h"
#include "loop.h"

#define VSRC_INPUT_BATCH  128
#define VSRC_BACKOFF_MIN  100
#define VSRC_BACKOFF_MAX  2000
#define VSRC_STABLE_MS    2000   /* a session this long resets the backoff */
#define VSRC_CONNECT_MS   5000
#define VSRC_READ_TIMEOUT 15     /* s: a message stalled half-way */

/* libvncclient's per-client data key: the address of something of ours. */
static const char client_tag;
#define VSRC_TAG ((void *)&client_tag)

/*
 * libvncclient reports errors only through two process-wide log hooks.
 * The last line a connection thread logged is kept per thread, so that a
 * failed handshake or a dropped connection can say why.
 */
static _Thread_local char last_log[200];

static void keep_log(const char *format, va_list ap, int print)
{
	char line[sizeof(last_log)];
	size_t n;

	vsnprintf(line, sizeof(line), format, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	if (!n)
		return;
	memcpy(last_log, line, n + 1);
	if (print)
		fprintf(stderr, "porthole-display: libvncclient: %s\n", line);
}

static void log_quiet(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	keep_log(format, ap, 0);
	va_end(ap);
}

static void log_verbose(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	keep_log(format, ap, 1);
	va_end(ap);
}

void source_vnc_log_setup(int verbose)
{
	rfbClientLog = verbose ? log_verbose : log_quiet;
	rfbClientErr = verbose ? log_verbose : log_quiet;
}

/* Under lock: a state change for the main loop to report. */
static void post_state(struct vnc_source *vs, enum source_state st,
		       const char *why)
{
	struct vstate_ev *e;

	if (vs->nev == VSRC_EVENTS) {
		memmove(vs->ev, vs->ev + 1, sizeof(vs->ev[0]) * (VSRC_EVENTS - 1));
		vs->nev--;
	}
	e = &vs->ev[vs->nev++];
	e->st = st;
	snprintf(e->why, sizeof(e->why), "%s", why ? why : "");
}

/* --- upstream thread: libvncclient callbacks ------------------------ */

static struct vnc_source *vs_of(rfbClient *c)
{
	return rfbClientGetClientData(c, VSRC_TAG);
}

/* A new size (the handshake's, or NewFBSize): our framebuffer and the
 * staging buffer follow; the display hears of it on the main loop. */
static rfbBool cb_malloc_fb(rfbClient *c)
{
	struct vnc_source *vs = vs_of(c);
	uint8_t *fb, *stage;
	size_t bytes;

	if (c->width <= 0 || c->height <= 0 || c->width > DISPLAY_MAX_SIZE ||
	    c->height > DISPLAY_MAX_SIZE) {
		rfbClientErr("the VNC server's screen is %dx%d, more than %dx%d",
			     c->width, c->height, DISPLAY_MAX_SIZE,
			     DISPLAY_MAX_SIZE);
		return FALSE;
	}
	bytes = (size_t)c->width * c->height * 4;
	fb = calloc(1, bytes);
	stage = calloc(1, bytes);
	if (!fb || !stage) {
		free(fb);
		free(stage);
		rfbClientErr("out of memory for a %dx%d screen", c->width,
			     c->height);
		return FALSE;
	}
	pthread_mutex_lock(&vs->lock);
	free(vs->stage);
	vs->stage = stage;
	vs->sw = c->width;
	vs->sh = c->height;
	vs->resized = 1;
	/* Whatever was staged had the old geometry. */
	vs->nrects = 0;
	vsrc_add_rect(vs->rects, &vs->nrects, VSRC_RECTS,
		      &(struct source_rect){ 0, 0, vs->sw, vs->sh });
	pthread_mutex_unlock(&vs->lock);
	free(c->frameBuffer);
	c->frameBuffer = fb;
	vs->ngot = 0;
	vs->need_full = 1;
	vsrc_signal(vs->main_efd);
	return TRUE;
}

static void cb_rect(rfbClient *c, int x, int y, int w, int h)
{
	struct vnc_source *vs = vs_of(c);
	struct source_rect r;

	/* libvncclient checked these against its size; clamp anyway. */
	if (x < 0 || y < 0 || w <= 0 || h <= 0 || x >= c->width ||
	    y >= c->height)
		return;
	if (w > c->width - x)
		w = c->width - x;
	if (h > c->height - y)
		h = c->height - y;
	r = (struct source_rect){ (uint32_t)x, (uint32_t)y, (uint32_t)w,
				  (uint32_t)h };
	vsrc_add_rect(vs->got, &vs->ngot, VSRC_RECTS, &r);
}

/* CopyRect is not asked for; a server that sends it anyway gets a copy
 * checked against both rectangles (libvncclient 0.9.14 checks only the
 * destination). */
static void cb_copyrect(rfbClient *c, int sx, int sy, int w, int h, int dx,
			int dy)
{
	size_t stride = (size_t)c->width * 4;
	uint8_t *src, *dst;

	if (sx < 0 || sy < 0 || dx < 0 || dy < 0 || w <= 0 || h <= 0 ||
	    sx > c->width - w || dx > c->width - w || sy > c->height - h ||
	    dy > c->height - h)
		return;
	src = c->frameBuffer + (size_t)sy * stride + (size_t)sx * 4;
	dst = c->frameBuffer + (size_t)dy * stride + (size_t)dx * 4;
	/* Rows in the order that never reads one already overwritten. */
	for (int j = 0; j < h; j++) {
		size_t row = (size_t)(dy <= sy ? j : h - 1 - j) * stride;

		memmove(dst + row, src + row, (size_t)w * 4);
	}
}

/* One FramebufferUpdate is decoded: stage what it changed. */
static void cb_finished(rfbClient *c)
{
	struct vnc_source *vs = vs_of(c);
	uint32_t stride = (uint32_t)c->width * 4;

	vs->in_flight = 0;
	pthread_mutex_lock(&vs->lock);
	if (vs->stage && vs->sw == (uint32_t)c->width &&
	    vs->sh == (uint32_t)c->height) {
		for (size_t i = 0; i < vs->ngot; i++) {
			vsrc_copy_rect(vs->stage, stride, c->frameBuffer,
				       stride, &vs->got[i]);
			vsrc_add_rect(vs->rects, &vs->nrects, VSRC_RECTS,
				      &vs->got[i]);
		}
	}
	vs->frame_ready = 1;
	pthread_mutex_unlock(&vs->lock);
	vs->ngot = 0;
	vsrc_signal(vs->main_efd);
}

/* Rich or X cursor, decoded by libvncclient into our pixel format
 * (0x00RRGGBB) plus a 0/1 mask: opaque or transparent, so premultiplying
 * is a mask. Larger than the sink takes: the top-left part. */
static void cb_cursor(rfbClient *c, int xhot, int yhot, int w, int h, int bpp)
{
	struct vnc_source *vs = vs_of(c);
	uint32_t cw, ch;

	if (bpp != 4 || !c->rcSource || !c->rcMask || w <= 0 || h <= 0)
		goto out;
	cw = w < VSRC_CURSOR_MAX ? (uint32_t)w : VSRC_CURSOR_MAX;
	ch = h < VSRC_CURSOR_MAX ? (uint32_t)h : VSRC_CURSOR_MAX;
	pthread_mutex_lock(&vs->lock);
	for (uint32_t y = 0; y < ch; y++) {
		for (uint32_t x = 0; x < cw; x++) {
			size_t i = (size_t)y * (uint32_t)w + x;
			uint32_t px;

			memcpy(&px, c->rcSource + i * 4, 4);
			vs->cursor[y * cw + x] = c->rcMask[i] ?
				0xff000000u | (px & 0xffffff) : 0;
		}
	}
	vs->cw = cw;
	vs->ch = ch;
	vs->chx = xhot < 0 ? 0 : (uint32_t)xhot < cw ? (uint32_t)xhot : cw - 1;
	vs->chy = yhot < 0 ? 0 : (uint32_t)yhot < ch ? (uint32_t)yhot : ch - 1;
	vs->cursor_new = 1;
	pthread_mutex_unlock(&vs->lock);
	vsrc_signal(vs->main_efd);
out:
	/* 0.9.14 allocates a new mask per shape without freeing the last. */
	free(c->rcMask);
	free(c->rcSource);
	c->rcMask = NULL;
	c->rcSource = NULL;
}

static rfbBool cb_cursor_pos(rfbClient *c, int x, int y)
{
	struct vnc_source *vs = vs_of(c);

	pthread_mutex_lock(&vs->lock);
	vs->pos_x = x;
	vs->pos_y = y;
	vs->pos_new = 1;
	pthread_mutex_unlock(&vs->lock);
	vsrc_signal(vs->main_efd);
	return TRUE;
}

/* No password support: a server that asks is refused, saying so. */
static char *cb_password(rfbClient *c)
{
	return NULL;
}

/* --- upstream thread: connection ------------------------------------- */

int vsrc_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) &&
		       a->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

/* Wait for a non-blocking connect, or for stop. 0 or an errno. */
static int wait_connected(struct vnc_source *vs, int fd)
{
	uint64_t end = dloop_now_ms() + VSRC_CONNECT_MS;
	socklen_t len = sizeof(int);
	int e = 0;

	for (;;) {
		struct pollfd p[2] = { { fd, POLLOUT, 0 },
				       { vs->thread_efd, POLLIN, 0 } };
		uint64_t now = dloop_now_ms();
		int n;

		if (now >= end)
			return ETIMEDOUT;
		n = poll(p, 2, (int)(end - now));
		if (n < 0 && errno != EINTR)
			return errno;
		if (p[1].revents) {
			int stop;

			/* Input wakes us too; only stop ends the wait. */
			vsrc_drain(vs->thread_efd);
			pthread_mutex_lock(&vs->lock);
			stop = vs->stop;
			pthread_mutex_unlock(&vs->lock);
			if (stop)
				return ECANCELED;
		}
		if (p[0].revents)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return errno;
	return e;
}

static int connect_unix(struct vnc_source *vs, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, vs->path, strlen(vs->path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno == EINPROGRESS ? wait_connected(vs, fd) : errno;

		if (e) {
			snprintf(err, errlen, "%s", strerror(e));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int connect_tcp(struct vnc_source *vs, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	int fd = -1, one = 1, g;

	g = getaddrinfo(vs->host, vs->port, &hints, &res);
	if (g) {
		snprintf(err, errlen, "%s", gai_strerror(g));
		return -1;
	}
	snprintf(err, errlen, "no loopback address");
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		int e;

		/* Checked at start; /etc/hosts may have changed since. */
		if (!vsrc_is_loopback(ai->ai_addr))
			continue;
		fd = socket(ai->ai_family,
			    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			continue;
		}
		e = connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ? errno : 0;
		if (e == EINPROGRESS)
			e = wait_connected(vs, fd);
		if (e) {
			snprintf(err, errlen, "%s", strerror(e));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* libvncclient's table of messages the server takes (public in
 * rfbClient; its setters are not in the 0.9.14 header). */
static void c2s_allow(rfbClient *c, uint8_t type, int on)
{
	uint8_t *b = &c->supportedMessages.client2server[type / 8];

	if (on)
		*b |= (uint8_t)(1u << (type % 8));
	else
		*b &= (uint8_t)~(1u << (type % 8));
}

static int send_request(struct vnc_source *vs, int full)
{
	rfbClient *c = vs->c;
	rfbBool ok;

	c2s_allow(c, rfbFramebufferUpdateRequest, 1);
	ok = SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, !full);
	c2s_allow(c, rfbFramebufferUpdateRequest, 0);
	vs->in_flight = 1;
	return ok ? 0 : -1;
}

/*
 * Our own SetEncodings rather than libvncclient's: Raw only (the server is
 * on this host, decoding anything else costs CPU for nothing) and no
 * ExtendedDesktopSize, whose screen id 0 (QEMU's) libvncclient 0.9.14
 * discards together with the new size; NewFBSize carries it instead.
 */
static int send_encodings(rfbClient *c)
{
	static const uint32_t encs[] = {
		rfbEncodingRaw,
		rfbEncodingRichCursor,
		rfbEncodingXCursor,
		rfbEncodingPointerPos,
		rfbEncodingNewFBSize,
		rfbEncodingLastRect,
		rfbEncodingQemuExtendedKeyEvent,
	};
	uint8_t buf[sz_rfbSetEncodingsMsg + sizeof(encs)];
	rfbSetEncodingsMsg m = {
		.type = rfbSetEncodings,
		.nEncodings = htons(sizeof(encs) / sizeof(encs[0])),
	};

	memcpy(buf, &m, sz_rfbSetEncodingsMsg);
	for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		uint32_t be = htonl(encs[i]);

		memcpy(buf + sz_rfbSetEncodingsMsg + i * 4, &be, 4);
	}
	return WriteToRFBServer(c, (char *)buf, sizeof(buf)) ? 0 : -1;
}

/* The handshake, our pixel format and encodings, the first full request.
 * fd stays ours; libvncclient gets (and closes) a duplicate. */
static rfbClient *handshake(struct vnc_source *vs, int fd, char *err,
			    size_t errlen)
{
	rfbClient *c = rfbGetClient(8, 3, 4);

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vs->c = c;
	rfbClientSetClientData(c, VSRC_TAG, vs);
	/* 0x00RRGGBB in memory, as the display's framebuffer. */
	c->format.redShift = 16;
	c->format.greenShift = 8;
	c->format.blueShift = 0;
	c->programName = "porthole-display";
	c->appData.shareDesktop = TRUE;
	c->MallocFrameBuffer = cb_malloc_fb;
	c->GotFrameBufferUpdate = cb_rect;
	c->FinishedFrameBufferUpdate = cb_finished;
	c->GotCopyRect = cb_copyrect;
	c->GotCursorShape = cb_cursor;
	c->HandleCursorPos = cb_cursor_pos;
	c->GetPassword = cb_password;
	c->canHandleNewFBSize = TRUE;
	c->readTimeout = VSRC_READ_TIMEOUT;
	c->sock = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	last_log[0] = 0;
	if (c->sock < 0) {
		snprintf(err, errlen, "dup: %s", strerror(errno));
		return c;
	}
	if (!InitialiseRFBConnection(c)) {
		if (c->authScheme == rfbVncAuth)
			snprintf(err, errlen, "the VNC server asks for a password; porthole-display does not send one (serve the VM on a unix socket or loopback without one)");
		else
			snprintf(err, errlen, "RFB handshake failed: %s",
				 last_log[0] ? last_log : "connection closed");
		return c;
	}
	c->width = c->si.framebufferWidth;
	c->height = c->si.framebufferHeight;
	if (!c->MallocFrameBuffer(c)) {
		snprintf(err, errlen, "%s", last_log);
		return c;
	}
	/* SetFormatAndEncodings sends only the format while SetEncodings is
	 * "unsupported"; ours follows. */
	c2s_allow(c, rfbSetEncodings, 0);
	if (!SetFormatAndEncodings(c) || send_encodings(c) ||
	    send_request(vs, 1)) {
		snprintf(err, errlen, "cannot write to the VNC server: %s",
			 last_log[0] ? last_log : "connection closed");
		return c;
	}
	err[0] = 0;
	return c;
}

static void client_free(struct vnc_source *vs)
{
	rfbClient *c = vs->c;

	if (!c)
		return;
	/* rfbClientCleanup leaves these to the caller in 0.9.14. */
	free(c->frameBuffer);
	free(c->rcSource);
	free(c->rcMask);
	c->frameBuffer = NULL;
	c->rcSource = NULL;
	c->rcMask = NULL;
	rfbClientCleanup(c);
	vs->c = NULL;
}

static int send_input(struct vnc_source *vs, const struct vin *ev)
{
	rfbClient *c = vs->c;

	if (ev->kind == VIN_POINTER) {
		uint32_t x = ev->x, y = ev->y;

		if (x >= (uint32_t)c->width)
			x = c->width - 1;
		if (y >= (uint32_t)c->height)
			y = c->height - 1;
		return SendPointerEvent(c, (int)x, (int)y, (int)ev->mask) ? 0 : -1;
	}
	/* The scancode alone, keysym 0: QEMU compares a letter's keysym with
	 * its own Shift state and toggles the guest's Caps Lock to match
	 * ("lock_key_sync"), which the display's US-guest model does not
	 * expect, and guests drop keys around the LED change. */
	if (vs->qemu_keys && ev->code < KEYMAP_CODES && vs->xt_of[ev->code]) {
		/* The server said so once; libvncclient may have forgotten. */
		c2s_allow(c, rfbQemuEvent, 1);
		return SendExtendedKeyEvent(c, 0, vs->xt_of[ev->code],
					    ev->down) ? 0 : -1;
	}
	/* Keysym servers map keysyms themselves: the client's own events
	 * go through, the modifiers added for a US guest do not. */
	if (!ev->keysym)
		return 0;
	return SendKeyEvent(c, ev->keysym, ev->down) ? 0 : -1;
}

/* After each message: what libvncclient learnt, and the request gate. */
static void after_message(struct vnc_source *vs)
{
	/* The QEMU key pseudo-encoding sets this bit; a later
	 * SupportedMessages rectangle would clear it again. */
	if (!vs->qemu_keys && SupportsClient2Server(vs->c, rfbQemuEvent)) {
		vs->qemu_keys = 1;
		fprintf(stderr, "porthole-display: the VM's VNC server takes QEMU key events: keys go to it as scancodes\n");
	}
	c2s_allow(vs->c, rfbFramebufferUpdateRequest, 0);
}

/* One connection, until it fails or stop. Returns 1 if it got as far as
 * serving frames. */
static int session(struct vnc_source *vs, char *err, size_t errlen)
{
	struct vin batch[VSRC_INPUT_BATCH];
	int fd, stop, served = 0;

	fd = vs->is_unix ? connect_unix(vs, err, errlen) :
			   connect_tcp(vs, err, errlen);
	if (fd < 0)
		return 0;
	pthread_mutex_lock(&vs->lock);
	stop = vs->stop;
	vs->sock = fd;
	/* Input typed while there was no VM is stale now. */
	vs->in_count = 0;
	vs->want_frame = 0;
	vs->want_full = 0;
	pthread_mutex_unlock(&vs->lock);
	vs->in_flight = 0;
	vs->need_full = 0;
	vs->qemu_keys = 0;
	vs->ngot = 0;
	if (stop || !handshake(vs, fd, err, errlen) || err[0])
		goto out;
	after_message(vs);
	served = 1;
	pthread_mutex_lock(&vs->lock);
	post_state(vs, SOURCE_CONNECTED, NULL);
	pthread_mutex_unlock(&vs->lock);
	vsrc_signal(vs->main_efd);

	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 },
				       { vs->thread_efd, POLLIN, 0 } };
		size_t n = 0;
		int want = 0, full = 0, more;

		if (!vs->c->buffered && poll(p, 2, -1) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			vsrc_drain(vs->thread_efd);
		pthread_mutex_lock(&vs->lock);
		stop = vs->stop;
		while (n < VSRC_INPUT_BATCH && vs->in_count) {
			batch[n++] = vs->in[vs->in_head];
			vs->in_head = (vs->in_head + 1) % VSRC_INPUT_CAP;
			vs->in_count--;
		}
		more = vs->in_count > 0;
		if (vs->want_frame && !vs->in_flight) {
			want = 1;
			full = vs->want_full;
			vs->want_frame = 0;
			vs->want_full = 0;
		}
		pthread_mutex_unlock(&vs->lock);
		if (stop)
			break;
		for (size_t i = 0; i < n; i++) {
			if (send_input(vs, &batch[i]) < 0) {
				snprintf(err, errlen, "cannot write to the VNC server: %s",
					 last_log[0] ? last_log : "connection lost");
				goto out;
			}
		}
		if (want && send_request(vs, full || vs->need_full) < 0) {
			snprintf(err, errlen, "cannot write to the VNC server: %s",
				 last_log[0] ? last_log : "connection lost");
			break;
		}
		if (want)
			vs->need_full = 0;
		if (vs->c->buffered ||
		    (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			last_log[0] = 0;
			if (!HandleRFBServerMessage(vs->c)) {
				snprintf(err, errlen, "%s",
					 last_log[0] ? last_log : "connection lost");
				break;
			}
			after_message(vs);
		}
		if (more)
			vsrc_signal(vs->thread_efd);
	}
out:
	pthread_mutex_lock(&vs->lock);
	vs->sock = -1;
	pthread_mutex_unlock(&vs->lock);
	client_free(vs);
	close(fd);
	return served;
}

/* Sleep ms, or less if woken for stop. 1 if stopping. */
static int backoff_sleep(struct vnc_source *vs, unsigned ms)
{
	uint64_t end = dloop_now_ms() + ms;
	int stop;

	for (;;) {
		struct pollfd p = { vs->thread_efd, POLLIN, 0 };
		uint64_t now = dloop_now_ms();

		pthread_mutex_lock(&vs->lock);
		stop = vs->stop;
		vs->in_count = 0;   /* nobody to send it to */
		pthread_mutex_unlock(&vs->lock);
		if (stop)
			return 1;
		if (now >= end)
			return 0;
		if (poll(&p, 1, (int)(end - now)) > 0)
			vsrc_drain(vs->thread_efd);
	}
}

void *vsrc_upstream_main(void *arg)
{
	struct vnc_source *vs = arg;
	unsigned backoff = VSRC_BACKOFF_MIN;
	int said_waiting = 0;
	char err[300];

	for (;;) {
		uint64_t start = dloop_now_ms();
		int served, lasted;

		err[0] = 0;
		served = session(vs, err, sizeof(err));
		/* A server that drops us right after the handshake is retried
		 * with backoff too, not in a tight loop. */
		lasted = served && dloop_now_ms() - start >= VSRC_STABLE_MS;
		pthread_mutex_lock(&vs->lock);
		if (vs->stop) {
			pthread_mutex_unlock(&vs->lock);
			break;
		}
		if (served) {
			post_state(vs, SOURCE_DISCONNECTED, err[0] ? err : NULL);
			said_waiting = 0;
		}
		if (lasted)
			backoff = VSRC_BACKOFF_MIN;
		pthread_mutex_unlock(&vs->lock);
		if (served) {
			vsrc_signal(vs->main_efd);
		} else if (!said_waiting) {
			fprintf(stderr, "porthole-display: waiting for the VM's VNC server at %s: %s\n",
				vs->label, err[0] ? err : "connection failed");
			said_waiting = 1;
		}
		if (backoff_sleep(vs, backoff))
			break;
		if (!lasted)
			backoff = backoff * 2 > VSRC_BACKOFF_MAX ?
				  VSRC_BACKOFF_MAX : backoff * 2;
	}
	return NULL;
}
