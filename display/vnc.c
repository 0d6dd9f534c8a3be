// SPDX-License-Identifier: MIT
/*
 * libvncserver's screen for the display's framebuffer. Threaded mode is set
 * up by hand (vnc_listen.c starts each client's threads once its handshake
 * is done) and nothing here ever takes a client's send lock, so the main
 * thread never waits for a client's socket.
 */
#include "vnc_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void log_print(const char *fmt, ...)
{
	va_list ap;

	fputs("porthole-display: vnc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void log_discard(const char *fmt, ...)
{
	(void)fmt;
}

/* libvncserver logs through two global hooks; called once by main. It
 * reports every client that goes away as an error, so both are quiet
 * unless asked. */
void vnc_log_setup(int verbose)
{
	rfbLog = verbose ? log_print : log_discard;
	rfbErr = verbose ? log_print : log_discard;
}

/* The cursor, for clients that draw it themselves (rich/X cursor
 * pseudo-encodings). screen->cursor stays NULL: libvncserver then never
 * draws a cursor into the shared framebuffer for the others. */
static rfbCursorPtr get_cursor(rfbClientPtr cl)
{
	struct vnc_server *v = cl->screen->screenData;

	return atomic_load(&v->cursor_visible) && atomic_load(&v->cursor_shown) ?
	       &v->cursor : NULL;
}

static void cursor_changed(struct vnc_server *v)
{
	rfbClientIteratorPtr it = rfbGetClientIterator(v->screen);
	rfbClientPtr cl;

	while ((cl = rfbClientIteratorNext(it))) {
		LOCK(cl->updateMutex);
		cl->cursorWasChanged = TRUE;
		TSIGNAL(cl->updateCond);
		UNLOCK(cl->updateMutex);
	}
	rfbReleaseClientIterator(it);
}

void vnc_cursor_shape(struct vnc_server *v, uint32_t w, uint32_t h,
		      uint32_t hot_x, uint32_t hot_y, const uint32_t *argb)
{
	uint32_t row = (w + 7) / 8;

	if (!w || !h || w > SURFACE_CURSOR_MAX || h > SURFACE_CURSOR_MAX) {
		atomic_store(&v->cursor_visible, 0);
		cursor_changed(v);
		return;
	}
	memset(v->cursor_src, 0, sizeof(v->cursor_src));
	memset(v->cursor_mask, 0, sizeof(v->cursor_mask));
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			uint32_t p = argb[y * w + x], a = p >> 24;
			uint32_t r = (p >> 16) & 0xff, g = (p >> 8) & 0xff,
				 b = p & 0xff, out = 0;

			/* Un-premultiply; RFB cursors have a 1-bit mask. */
			if (a) {
				r = r * 255 / a;
				g = g * 255 / a;
				b = b * 255 / a;
				out = (r > 255 ? 255 : r) << 16 |
				      (g > 255 ? 255 : g) << 8 | (b > 255 ? 255 : b);
			}
			memcpy(v->cursor_rich + (y * w + x) * 4, &out, 4);
			if (a >= 128)
				v->cursor_mask[y * row + x / 8] |= 0x80 >> (x % 8);
			if ((r * 3 + g * 6 + b) / 10 >= 128)
				v->cursor_src[y * row + x / 8] |= 0x80 >> (x % 8);
		}
	}
	v->cursor.width = (unsigned short)w;
	v->cursor.height = (unsigned short)h;
	v->cursor.xhot = (unsigned short)(hot_x < w ? hot_x : 0);
	v->cursor.yhot = (unsigned short)(hot_y < h ? hot_y : 0);
	atomic_store(&v->cursor_visible, 1);
	cursor_changed(v);
}

void vnc_cursor_pos(struct vnc_server *v, int32_t x, int32_t y, int visible)
{
	rfbScreenInfoPtr s = v->screen;
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	/* The guest hid its cursor: an empty shape until it shows it. */
	if (!visible != !atomic_load(&v->cursor_shown)) {
		atomic_store(&v->cursor_shown, !!visible);
		cursor_changed(v);
	}
	if (x < 0 || y < 0 || x >= s->width || y >= s->height)
		return;
	LOCK(s->cursorMutex);
	s->cursorX = x;
	s->cursorY = y;
	UNLOCK(s->cursorMutex);
	it = rfbGetClientIterator(s);
	while ((cl = rfbClientIteratorNext(it))) {
		if (!cl->enableCursorPosUpdates)
			continue;
		LOCK(cl->updateMutex);
		cl->cursorWasMoved = TRUE;
		TSIGNAL(cl->updateCond);
		UNLOCK(cl->updateMutex);
	}
	rfbReleaseClientIterator(it);
}

void vnc_damage(struct vnc_server *v, const struct source_rect *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rfbMarkRectAsModified(v->screen, (int)r[i].x, (int)r[i].y,
				      (int)(r[i].x + r[i].w),
				      (int)(r[i].y + r[i].h));
}

void vnc_copy(struct vnc_server *v, const struct source_rect *d, int dx, int dy)
{
	rfbScheduleCopyRect(v->screen, (int)d->x, (int)d->y,
			    (int)(d->x + d->w), (int)(d->y + d->h), dx, dy);
}

/*
 * A new size. libvncserver's rfbNewFramebuffer would take every client's
 * send lock (waiting for the slowest client) and reset the pixel format;
 * the buffer here never moves and is big enough for any mode, so an
 * encoder still busy with the old geometry reads valid memory, and the
 * whole new screen is marked for everyone, with a desktop-size message
 * first for clients that take one.
 */
void vnc_resize(struct vnc_server *v, uint32_t width, uint32_t height)
{
	rfbScreenInfoPtr s = v->screen;
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	LOCK(s->cursorMutex);
	s->width = (int)width;
	s->height = (int)height;
	s->paddedWidthInBytes = (int)width * 4;
	if (s->cursorX >= s->width)
		s->cursorX = s->width - 1;
	if (s->cursorY >= s->height)
		s->cursorY = s->height - 1;
	UNLOCK(s->cursorMutex);
	it = rfbGetClientIterator(s);
	while ((cl = rfbClientIteratorNext(it))) {
		LOCK(cl->updateMutex);
		sraRgnDestroy(cl->modifiedRegion);
		cl->modifiedRegion = sraRgnCreateRect(0, 0, (int)width, (int)height);
		sraRgnMakeEmpty(cl->copyRegion);
		cl->copyDX = cl->copyDY = 0;
		if (cl->useNewFBSize)
			cl->newFBSizePending = TRUE;
		TSIGNAL(cl->updateCond);
		UNLOCK(cl->updateMutex);
	}
	rfbReleaseClientIterator(it);
}

int vnc_clients(struct vnc_server *v)
{
	return atomic_load(&v->normal);
}

const char *vnc_tcp_address(struct vnc_server *v)
{
	return v->tcp_addr;
}

int vnc_create(struct vnc_server **out, const struct vnc_config *cfg,
	       struct dloop *loop, struct inputq *q, uint8_t *fb, size_t fb_cap,
	       uint32_t width, uint32_t height, char *err, size_t errlen)
{
	struct vnc_server *v = calloc(1, sizeof(*v));
	rfbScreenInfoPtr s;

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	v->loop = loop;
	v->q = q;
	v->fb = fb;
	v->fb_cap = fb_cap;
	v->unix_l.fd = v->tcp_l.fd = -1;
	for (int i = 0; i < VNC_MAX_HANDSHAKES; i++)
		v->pending_fd[i] = -1;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	snprintf(v->name, sizeof(v->name), "%s", cfg->name);

	s = rfbGetScreen(NULL, NULL, (int)width, (int)height, 8, 3, 4);
	if (!s) {
		snprintf(err, errlen, "libvncserver cannot set up a %ux%u screen",
			 width, height);
		goto fail;
	}
	v->screen = s;
	s->screenData = v;
	s->frameBuffer = (char *)fb;
	/* XRGB8888 as the surface has it: 0x00RRGGBB in a little-endian word. */
	s->serverFormat.redShift = 16;
	s->serverFormat.greenShift = 8;
	s->serverFormat.blueShift = 0;
	s->desktopName = v->name;
	s->alwaysShared = TRUE;      /* nobody may kick the others off */
	s->deferUpdateTime = 0;      /* send as soon as damage arrives */
	s->backgroundLoop = TRUE;    /* client threads, started in vnc_listen.c */
	s->cursor = NULL;
	s->getCursorPtr = get_cursor;
	s->newClientHook = vnc_new_client;
	s->port = s->ipv6port = 0;
	atomic_store(&v->cursor_shown, 1);
	v->cursor.source = v->cursor_src;
	v->cursor.mask = v->cursor_mask;
	v->cursor.richSource = v->cursor_rich;
	v->cursor.foreRed = v->cursor.foreGreen = v->cursor.foreBlue = 0xffff;
	vnc_input_setup(v);
	if (vnc_listen_start(v, cfg->unix_path, cfg->tcp_listen, err, errlen))
		goto fail;
	*out = v;
	return 0;
fail:
	vnc_destroy(v);
	return -1;
}

/* Wait until every client thread and handshake has finished (they see
 * their sockets shut down); at most a few seconds. */
static int wait_idle(struct vnc_server *v)
{
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&v->lock);
	while ((v->clients || v->handshakes) && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&v->cond, &v->lock, &until);
	r = v->clients || v->handshakes;
	pthread_mutex_unlock(&v->lock);
	return r;
}

int vnc_destroy(struct vnc_server *v)
{
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	if (!v)
		return 0;
	atomic_store(&v->stopping, 1);
	vnc_listen_stop(v);
	if (v->screen) {
		pthread_mutex_lock(&v->lock);
		for (int i = 0; i < VNC_MAX_HANDSHAKES; i++)
			if (v->pending_fd[i] >= 0)
				shutdown(v->pending_fd[i], SHUT_RDWR);
		pthread_mutex_unlock(&v->lock);
		/* Not rfbCloseClient: a client's own threads may call it
		 * at the same time, and twice is not safe. */
		it = rfbGetClientIterator(v->screen);
		while ((cl = rfbClientIteratorNext(it)))
			if (cl->sock != RFB_INVALID_SOCKET)
				shutdown(cl->sock, SHUT_RDWR);
		rfbReleaseClientIterator(it);
		if (wait_idle(v)) {
			/* Leave the screen to the threads rather than free it
			 * under them; the process is exiting anyway. */
			fprintf(stderr, "porthole-display: vnc: clients did not stop in time\n");
			return -1;
		}
		vnc_input_teardown(v);
		v->screen->frameBuffer = NULL;
		rfbScreenCleanup(v->screen);
	}
	pthread_cond_destroy(&v->cond);
	pthread_mutex_destroy(&v->lock);
	free(v);
	return 0;
}
