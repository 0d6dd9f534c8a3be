// SPDX-License-Identifier: MIT
/*
 * TigerVNC's Xvnc as a peer: a 1920x1080x24 X display with the demo
 * desktop put on its root window, and the same rectangles drawn with
 * XFillRectangle, or for pattern steps the same pixels (demo_layout.h)
 * with XPutImage. "Changed" is when XSync returns: the X server has
 * executed the drawing (its framebuffer holds the pixels).
 */
#include "display_src.h"
#include "demo_layout.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xvnc {
	struct dsrc base;
	pid_t pid;
	Display *dpy;
	Window root;
	GC gc;
	uint32_t *img;        /* a pattern step's pixels */
	size_t img_cap;
	char log[512];
};

/* The pattern's pixels, as an X client with an image would send them. */
static int put_pattern(struct xvnc *v, const struct vp_step *st)
{
	size_t n = (size_t)st->w * st->h;
	XImage *img;

	if (n > v->img_cap) {
		free(v->img);
		v->img = malloc(n * 4);
		v->img_cap = v->img ? n : 0;
		if (!v->img)
			return -1;
	}
	for (int j = 0; j < st->h; j++)
		for (int i = 0; i < st->w; i++)
			v->img[(size_t)j * st->w + i] =
				demo_pattern_pixel(st->seed, (uint32_t)i, (uint32_t)j);
	img = XCreateImage(v->dpy, DefaultVisual(v->dpy, DefaultScreen(v->dpy)),
			   24, ZPixmap, 0, (char *)v->img, st->w, st->h, 32,
			   st->w * 4);
	if (!img)
		return -1;
	XPutImage(v->dpy, v->root, v->gc, img, 0, 0, st->x, st->y, st->w, st->h);
	img->data = NULL; /* ours */
	XDestroyImage(img);
	return 0;
}

static uint64_t xvnc_paint(struct dsrc *s, const struct vp_step *st)
{
	struct xvnc *v = (struct xvnc *)s;

	if (st->pattern) {
		if (put_pattern(v, st))
			return 0;
	} else {
		XSetForeground(v->dpy, v->gc, st->color);
		XFillRectangle(v->dpy, v->root, v->gc, st->x, st->y, st->w, st->h);
	}
	XSync(v->dpy, False);
	return bd_now_ns();
}

static uint64_t xvnc_cpu(struct dsrc *s)
{
	return bd_proc_cpu_ns(((struct xvnc *)s)->pid, NULL);
}

static void xvnc_stop(struct dsrc *s)
{
	struct xvnc *v = (struct xvnc *)s;

	if (v->dpy)
		XCloseDisplay(v->dpy);
	bd_kill(v->pid, 2000);
	free(v->img);
	free(v);
}

static int put_desktop(struct xvnc *v, const uint32_t *desktop)
{
	XImage *img;
	int scr = DefaultScreen(v->dpy);

	if (!desktop) {
		XSetForeground(v->dpy, v->gc, 0x306080);
		XFillRectangle(v->dpy, v->root, v->gc, 0, 0, BD_W, BD_H);
		return 0;
	}
	img = XCreateImage(v->dpy, DefaultVisual(v->dpy, scr), 24, ZPixmap, 0,
			   (char *)desktop, BD_W, BD_H, 32, BD_W * 4);
	if (!img)
		return -1;
	XPutImage(v->dpy, v->root, v->gc, img, 0, 0, 0, 0, BD_W, BD_H);
	img->data = NULL; /* not ours to free */
	XDestroyImage(img);
	XSync(v->dpy, False);
	return 0;
}

/* Xvnc picks a free display number and writes it to -displayfd. */
static int read_display(int fd, pid_t pid, int timeout_ms)
{
	char buf[32];
	size_t have = 0;
	uint64_t end = bd_now_ns() + timeout_ms * 1000000ULL;

	while (bd_now_ns() < end && have < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0) {
			if (!bd_alive(pid))
				return -1;
			continue;
		}
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return -1;
		have += n;
		buf[have] = 0;
		if (strchr(buf, '\n'))
			return atoi(buf);
	}
	return -1;
}

struct dsrc *xvnc_start(const char *tmp, const uint32_t *desktop, char *err,
			size_t errlen)
{
	char port_s[16], fd_s[16], dpy_s[16], tail[512];
	struct xvnc *v = calloc(1, sizeof(*v));
	int pfd[2], port, display;

	if (!v || pipe(pfd)) {
		snprintf(err, errlen, "out of memory or fds");
		free(v);
		return NULL;
	}
	port = bd_free_port(15900);
	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(fd_s, sizeof(fd_s), "%d", pfd[1]);
	snprintf(v->log, sizeof(v->log), "%s/xvnc.log", tmp);
	{
		char *argv[] = {
			"Xvnc", "-displayfd", fd_s, "-geometry", "1920x1080",
			"-depth", "24", "-SecurityTypes", "None", "-localhost",
			"-interface", "127.0.0.1", "-rfbport", port_s,
			"-nolisten", "tcp", "-AlwaysShared", "-desktop",
			"porthole-bench", NULL,
		};
		v->pid = bd_spawn(argv, v->log, pfd[1]);
	}
	close(pfd[1]);
	display = read_display(pfd[0], v->pid, 10000);
	close(pfd[0]);
	if (display < 0 || bd_wait_port(port, v->pid, 10000)) {
		bd_log_tail(v->log, tail, sizeof(tail));
		snprintf(err, errlen, "Xvnc did not start: %s", tail);
		goto fail;
	}
	snprintf(dpy_s, sizeof(dpy_s), ":%d", display);
	v->dpy = XOpenDisplay(dpy_s);
	if (!v->dpy) {
		snprintf(err, errlen, "cannot open X display %s of Xvnc", dpy_s);
		goto fail;
	}
	v->root = DefaultRootWindow(v->dpy);
	v->gc = XCreateGC(v->dpy, v->root, 0, NULL);
	if (put_desktop(v, desktop)) {
		snprintf(err, errlen, "cannot put the desktop image on Xvnc");
		goto fail;
	}
	v->base = (struct dsrc){
		.name = "Xvnc", .port = port,
		.changed = "XSync() returned after XFillRectangle / XPutImage",
		.paint = xvnc_paint, .cpu_ns = xvnc_cpu, .stop = xvnc_stop,
	};
	return &v->base;
fail:
	xvnc_stop(&v->base);
	return NULL;
}
