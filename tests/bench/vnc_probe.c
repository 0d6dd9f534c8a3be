// SPDX-License-Identifier: MIT
#include "vnc_probe.h"

#include "demo_layout.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <rfb/rfbclient.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* JPEG may shift a colour a little; the workloads' colours differ from
 * each other and from what they cover by far more than this, and so do
 * consecutive pattern seeds (demo_layout.h: 0x40 at every pixel). */
#define TOLERANCE 40

static int probe_tag;

uint64_t vp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void quiet(const char *fmt, ...)
{
}

static uint32_t client_pixel(rfbClient *cl, int x, int y)
{
	const uint32_t *fb = (const uint32_t *)cl->frameBuffer;
	uint32_t v = fb[(size_t)y * cl->width + x];
	const rfbPixelFormat *f = &cl->format;

	return ((v >> f->redShift) & 0xff) << 16 |
	       ((v >> f->greenShift) & 0xff) << 8 | ((v >> f->blueShift) & 0xff);
}

static int close_to(uint32_t a, uint32_t b)
{
	for (int s = 0; s < 24; s += 8) {
		int d = (int)((a >> s) & 0xff) - (int)((b >> s) & 0xff);
		if (d > TOLERANCE || d < -TOLERANCE)
			return 0;
	}
	return 1;
}

/* What the step put at (x, y) of the screen. */
static uint32_t step_pixel(const struct vp_step *s, int x, int y)
{
	if (!s->pattern)
		return s->color;
	return demo_pattern_pixel(s->seed, (uint32_t)(x - s->x), (uint32_t)(y - s->y));
}

static int shows_at(rfbClient *cl, const struct vp_step *s, int x, int y)
{
	return close_to(client_pixel(cl, x, y), step_pixel(s, x, y));
}

static int shows(rfbClient *cl, const struct vp_step *s)
{
	return shows_at(cl, s, s->x, s->y) &&
	       shows_at(cl, s, s->x + s->w / 2, s->y + s->h / 2) &&
	       shows_at(cl, s, s->x + s->w - 1, s->y + s->h - 1);
}

/* After each rectangle: which issued steps does the client show now? */
static void check(struct vnc_probe *p, rfbClient *cl)
{
	struct vp_phase *ph = p->phase;
	uint64_t now = vp_now_ns();
	int n;

	if (!ph)
		return;
	n = atomic_load_explicit(&ph->issued, memory_order_acquire);
	for (int k = n - 1; k >= ph->first_unseen; k--) {
		struct vp_step *s = &ph->steps[k];

		if (atomic_load(&s->t_cli) || s->dropped || !shows(cl, s))
			continue;
		atomic_store(&s->t_cli, now);
		if (!ph->overlap)
			continue;
		/* What it covers can no longer be seen. */
		for (int j = ph->first_unseen; j < k; j++)
			if (!atomic_load(&ph->steps[j].t_cli))
				ph->steps[j].dropped = 1;
		break;
	}
	while (ph->first_unseen < n &&
	       (atomic_load(&ph->steps[ph->first_unseen].t_cli) ||
		ph->steps[ph->first_unseen].dropped))
		ph->first_unseen++;
}

static void got_rect(rfbClient *cl, int x, int y, int w, int h)
{
	struct vnc_probe *p = rfbClientGetClientData(cl, &probe_tag);

	atomic_fetch_add(&p->rects, 1);
	/* QEMU acknowledges its extended key event with a pseudo-rectangle
	 * the size of the screen (and libvncclient passes it on). */
	if (!p->qemu_ack && SupportsClient2Server(cl, rfbQemuEvent)) {
		p->qemu_ack = 1;
		return;
	}
	/* The first full frame: the area of the rectangles since connecting
	 * covers the screen. */
	if (!p->t_first) {
		p->area += (uint64_t)w * h;
		if (p->area >= (uint64_t)cl->width * cl->height) {
			p->t_first = vp_now_ns();
			p->first_bytes = vp_bytes(p);
			atomic_store(&p->first, 1);
		}
	}
	pthread_mutex_lock(&p->lock);
	check(p, cl);
	pthread_mutex_unlock(&p->lock);
}

static void finished(rfbClient *cl)
{
	struct vnc_probe *p = rfbClientGetClientData(cl, &probe_tag);

	atomic_fetch_add(&p->updates, 1);
}

static void *reader(void *arg)
{
	struct vnc_probe *p = arg;
	rfbClient *cl = p->cl;

	while (!atomic_load(&p->stop)) {
		/* WaitForMessage() does not see bytes libvncclient has
		 * already buffered. */
		if (cl->buffered == 0) {
			int r = WaitForMessage(cl, 20000);

			if (r < 0)
				break;
			if (r == 0)
				continue;
		}
		if (!HandleRFBServerMessage(cl))
			break;
	}
	if (!atomic_load(&p->stop))
		atomic_store(&p->failed, 1);
	return NULL;
}

uint64_t vp_bytes(const struct vnc_probe *p)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(p->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_bytes_received;
}

int vp_connect(struct vnc_probe *p, int port, const char *encodings,
	       int quality, int timeout_ms, char *err, size_t errlen)
{
	rfbClient *cl;
	uint64_t end;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	rfbClientLog = quiet;
	cl = rfbGetClient(8, 3, 4);
	if (!cl) {
		snprintf(err, errlen, "rfbGetClient failed");
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	cl->serverHost = strdup("127.0.0.1");
	cl->serverPort = port;
	cl->appData.encodingsString = encodings;
	cl->appData.compressLevel = 2;
	cl->appData.enableJPEG = quality >= 0;
	cl->appData.qualityLevel = quality >= 0 ? quality : 0;
	cl->GotFrameBufferUpdate = got_rect;
	cl->FinishedFrameBufferUpdate = finished;
	rfbClientSetClientData(cl, &probe_tag, p);
	p->t_connect = vp_now_ns();
	/* On failure rfbInitClient frees the client itself. */
	if (!rfbInitClient(cl, NULL, NULL)) {
		snprintf(err, errlen, "cannot connect a VNC client to 127.0.0.1:%d",
			 port);
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	p->t_init = vp_now_ns();
	p->cl = cl;
	p->fd = cl->sock;
	if (pthread_create(&p->thread, NULL, reader, p)) {
		snprintf(err, errlen, "pthread_create: %s", strerror(errno));
		rfbClientCleanup(cl);
		p->cl = NULL;
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	p->running = 1;
	end = vp_now_ns() + timeout_ms * 1000000ULL;
	while (!atomic_load(&p->first) && !atomic_load(&p->failed) &&
	       vp_now_ns() < end) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	if (!atomic_load(&p->first)) {
		snprintf(err, errlen, "no first frame from 127.0.0.1:%d within %d ms",
			 port, timeout_ms);
		vp_close(p);
		return -1;
	}
	return 0;
}

void vp_close(struct vnc_probe *p)
{
	if (p->running) {
		atomic_store(&p->stop, 1);
		pthread_join(p->thread, NULL);
		p->running = 0;
	}
	if (p->cl) {
		rfbClientCleanup(p->cl);
		p->cl = NULL;
	}
	pthread_mutex_destroy(&p->lock);
}

void vp_begin(struct vnc_probe *p, struct vp_phase *ph)
{
	pthread_mutex_lock(&p->lock);
	p->phase = ph;
	pthread_mutex_unlock(&p->lock);
}

void vp_end(struct vnc_probe *p)
{
	pthread_mutex_lock(&p->lock);
	p->phase = NULL;
	pthread_mutex_unlock(&p->lock);
}

int vp_dump(const struct vnc_probe *p, const char *path)
{
	rfbClient *cl = p->cl;
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "P6\n%d %d\n255\n", cl->width, cl->height);
	for (int y = 0; y < cl->height; y++)
		for (int x = 0; x < cl->width; x++) {
			uint32_t v = client_pixel(cl, x, y);

			fputc(v >> 16, f);
			fputc(v >> 8 & 0xff, f);
			fputc(v & 0xff, f);
		}
	return fclose(f);
}
