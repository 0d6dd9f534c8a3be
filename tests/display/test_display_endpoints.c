// SPDX-License-Identifier: MIT
/*
 * The porthole-display binary against a fake monitor in this test (a
 * surface server on RUN_DIR/surface.sock with a real memfd; no KVM): its
 * endpoints and its command line. libvncclient on vnc.sock sees the
 * surface's pixels and then its damage; keys and pointer come back as
 * surface packets; a cursor shape reaches a client as a rich cursor; a
 * WebSocket client (what noVNC speaks) is recognised on the unix socket;
 * the monitor going away and coming back gets a new HELLO and a FULL
 * request; a second display for the same VM, a non-loopback --vnc-listen
 * and a bad --name are refused; SIGTERM exits 0 and removes vnc.sock.
 *
 * usage: test_display_endpoints PORTHOLE_DISPLAY
 */
#include "surface/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rfb/rfbclient.h>

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,	\
			__LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		show_log();						\
		exit(1);						\
	}								\
} while (0)

#define W 320
#define H 240
#define NAME "vm1"

static char dir[48], run[64], vnc_path[100], surface_path[100], log_path[100];
static pid_t display_pid;

static void show_log(void)
{
	char buf[4096];
	FILE *f = fopen(log_path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fprintf(stderr, "---- porthole-display stderr ----\n%s\n", buf);
	fclose(f);
}

static void cleanup(void)
{
	char cmd[128];

	if (display_pid > 0)
		kill(display_pid, SIGKILL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (dir[0])
		(void)!system(cmd);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the fake monitor: a thread serving surface.sock --- */

struct monitor {
	pthread_mutex_t lock;
	int listen_fd, conn, memfd;
	uint32_t *map;
	uint32_t pending_seq;
	int pending, fulls, hellos;
	struct surface_rect damage;     /* to send with the next answer */
	int has_damage;
	int keys[64], nkeys;
	uint32_t abs_x, abs_y, buttons;
	int32_t wheel_v;
	int cursor_sent;
	atomic_int stop;
	pthread_t thread;
	uint8_t pkt[SURFACE_MAX_MSG];
};

static void mon_send(struct monitor *m, uint16_t type, uint16_t flags,
		     const void *p, size_t plen, const void *x, size_t xlen, int fd)
{
	uint8_t buf[SURFACE_MAX_MSG];
	size_t n = surface_build(buf, sizeof(buf), type, flags, p, plen, x, xlen);

	surface_send(m->conn, buf, n, fd, MSG_DONTWAIT);
}

static void mon_answer(struct monitor *m, int full)
{
	struct surface_rect all = { 0, 0, W, H };
	struct surface_damage d = { m->pending_seq, 1 };

	if (full) {
		mon_send(m, SURFACE_DAMAGE, SURFACE_DAMAGE_FULL, &d, sizeof(d), &all,
			 sizeof(all), -1);
	} else {
		mon_send(m, SURFACE_DAMAGE, 0, &d, sizeof(d), &m->damage,
			 sizeof(m->damage), -1);
		m->has_damage = 0;
	}
	m->pending = 0;
}

static void mon_greet(struct monitor *m)
{
	struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR, 0, 0, NAME };
	struct surface_mode md = { W, H, W * 4, SURFACE_FORMAT_XRGB8888, 0,
				   (uint64_t)W * H * 4 };
	struct surface_vm_state st = { SURFACE_VM_RUNNING };

	mon_send(m, SURFACE_HELLO, 0, &h, sizeof(h), NULL, 0, -1);
	mon_send(m, SURFACE_MODE, 0, &md, sizeof(md), NULL, 0, m->memfd);
	mon_send(m, SURFACE_VM_STATE, 0, &st, sizeof(st), NULL, 0, -1);
}

static void mon_packet(struct monitor *m, const struct surface_msg *msg)
{
	switch (msg->hdr.type) {
	case SURFACE_HELLO:
		m->hellos++;
		break;
	case SURFACE_FRAME_REQUEST:
		m->pending = 1;
		m->pending_seq = msg->u.frame.seq;
		if (msg->hdr.flags & SURFACE_FRAME_FULL) {
			m->fulls++;
			mon_answer(m, 1);
		} else if (m->has_damage) {
			mon_answer(m, 0);
		}
		break;
	case SURFACE_KEY:
		if (msg->u.key.down && m->nkeys < 64)
			m->keys[m->nkeys++] = msg->u.key.code;
		break;
	case SURFACE_POINTER_ABS:
		m->abs_x = msg->u.abs.x;
		m->abs_y = msg->u.abs.y;
		break;
	case SURFACE_BUTTONS:
		m->buttons = msg->u.buttons.mask;
		break;
	case SURFACE_WHEEL:
		m->wheel_v += msg->u.wheel.v;
		break;
	}
}

static void *mon_thread(void *arg)
{
	struct monitor *m = arg;

	while (!atomic_load(&m->stop)) {
		struct pollfd p[2] = { { m->listen_fd, POLLIN, 0 }, { m->conn, POLLIN, 0 } };

		if (poll(p, 2, 20) <= 0)
			continue;
		pthread_mutex_lock(&m->lock);
		if (p[0].revents) {
			int fd = accept(m->listen_fd, NULL, NULL);

			if (fd >= 0) {
				if (m->conn >= 0)
					close(m->conn);
				m->conn = fd;
				m->pending = 0;
				mon_greet(m);
			}
		}
		if (m->conn >= 0 && p[1].revents) {
			struct surface_msg msg;
			char err[256];
			ssize_t n = recv(m->conn, m->pkt, sizeof(m->pkt), MSG_DONTWAIT);

			if (n <= 0) {
				close(m->conn);
				m->conn = -1;
			} else if (surface_check(m->pkt, (size_t)n, SURFACE_AT_VMM, &msg,
						 err, sizeof(err)) == 0) {
				mon_packet(m, &msg);
			} else {
				fprintf(stderr, "monitor: bad packet from the display: %s\n", err);
				_exit(1);
			}
		}
		pthread_mutex_unlock(&m->lock);
	}
	return NULL;
}

static void mon_listen(struct monitor *m)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", surface_path);
	m->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(bind(m->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(m->listen_fd, 2) == 0, "monitor listen: %s", strerror(errno));
}

static uint32_t pattern(uint32_t x, uint32_t y, uint32_t salt)
{
	return ((x * 3 + salt) & 0xff) << 16 | ((y * 5) & 0xff) << 8 | ((x ^ y) & 0xff);
}

static void mon_start(struct monitor *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->conn = -1;
	m->memfd = memfd_create("fake-fb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	CHECK(m->memfd >= 0 && ftruncate(m->memfd, W * H * 4) == 0 &&
	      fcntl(m->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0,
	      "memfd: %s", strerror(errno));
	m->map = mmap(NULL, W * H * 4, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m->memfd, 0);
	CHECK(m->map != MAP_FAILED, "mmap");
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			m->map[y * W + x] = pattern(x, y, 0);
	mon_listen(m);
	CHECK(pthread_create(&m->thread, NULL, mon_thread, m) == 0, "thread");
}

/* A new mode with its own memfd: w x h of pattern(x, y, 7). */
static uint32_t *mon_mode(struct monitor *m, uint32_t w, uint32_t h)
{
	struct surface_mode md = { w, h, w * 4, SURFACE_FORMAT_XRGB8888, 0,
				   (uint64_t)w * h * 4 };
	int fd = memfd_create("fake-fb2", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	uint32_t *map;

	CHECK(fd >= 0 && ftruncate(fd, w * h * 4) == 0 &&
	      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0, "memfd");
	map = mmap(NULL, w * h * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED, "mmap");
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			map[y * w + x] = pattern(x, y, 7);
	pthread_mutex_lock(&m->lock);
	mon_send(m, SURFACE_MODE, 0, &md, sizeof(md), NULL, 0, fd);
	pthread_mutex_unlock(&m->lock);
	close(fd);
	return map;
}

/* Paint a rectangle and answer the display's request with it. */
static void mon_fill(struct monitor *m, struct surface_rect r, uint32_t color)
{
	pthread_mutex_lock(&m->lock);
	for (uint32_t y = r.y; y < r.y + r.h; y++)
		for (uint32_t x = r.x; x < r.x + r.w; x++)
			m->map[y * W + x] = color;
	m->damage = r;
	m->has_damage = 1;
	if (m->pending && m->conn >= 0)
		mon_answer(m, 0);
	pthread_mutex_unlock(&m->lock);
}

/* --- porthole-display --- */

static pid_t spawn_display(const char *bin, char *const extra[], const char *log)
{
	char *argv[16] = { (char *)bin, "--name", NAME, "--run-dir", dir };
	int argc = 5;
	pid_t pid;

	while (extra && *extra)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		dup2(fd, 2);
		dup2(fd, 1);
		execv(bin, argv);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid, int ms)
{
	int status;

	for (uint64_t end = now_ms() + ms; now_ms() < end; usleep(10000))
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return -1;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int file_contains(const char *path, const char *needle)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strstr(buf, needle) != NULL;
}

/* --- a libvncclient client --- */

static void quiet(const char *fmt, ...)
{
	(void)fmt;
}

struct vc {
	rfbClient *c;
	int cursor_w, cursor_h;
	const uint32_t *surface2;   /* the second mode's pixels, w = its width */
};

static void got_cursor(rfbClient *c, int xhot, int yhot, int w, int h, int bpp)
{
	struct vc *v = rfbClientGetClientData(c, (void *)got_cursor);

	v->cursor_w = w;
	v->cursor_h = h;
}

static void vc_open(struct vc *v, const char *encodings)
{
	rfbClient *c = rfbGetClient(8, 3, 4);

	memset(v, 0, sizeof(*v));
	rfbClientSetClientData(c, (void *)got_cursor, v);
	/* The surface's own layout: 0x00RRGGBB words. */
	c->format.redShift = 16;
	c->format.greenShift = 8;
	c->format.blueShift = 0;
	c->appData.encodingsString = encodings;
	c->appData.useRemoteCursor = TRUE;
	c->GotCursorShape = got_cursor;
	free(c->serverHost);
	c->serverHost = strdup(vnc_path);
	c->serverPort = 0;
	CHECK(rfbInitClient(c, NULL, NULL), "libvncclient could not connect to %s",
	      vnc_path);
	v->c = c;
}

static void vc_close(struct vc *v)
{
	/* Not freed by rfbClientCleanup in libvncclient 0.9.14. */
	free(v->c->frameBuffer);
	v->c->frameBuffer = NULL;
	free(v->c->rcSource);
	free(v->c->rcMask);
	v->c->rcSource = v->c->rcMask = NULL;
	rfbClientCleanup(v->c);
}

static int vc_pixels_are(struct vc *v, struct surface_rect r, uint32_t color,
			 const uint32_t *surface)
{
	const uint32_t *fb = (const uint32_t *)v->c->frameBuffer;
	uint32_t w = r.x + r.w, h = r.y + r.h;

	/* A whole-surface check also checks the size. */
	if (r.x == 0 && r.y == 0 && surface &&
	    ((uint32_t)v->c->width != w || (uint32_t)v->c->height != h))
		return 0;
	if ((uint32_t)v->c->width < w || (uint32_t)v->c->height < h)
		return 0;
	for (uint32_t y = r.y; y < h; y++)
		for (uint32_t x = r.x; x < w; x++)
			if ((fb[y * v->c->width + x] & 0xffffff) !=
			    (surface ? surface[y * (surface == v->surface2 ? w : W) + x] : color))
				return 0;
	return 1;
}

/* Pump the client until the rectangle shows (surface or color). */
static void vc_wait(struct vc *v, struct surface_rect r, uint32_t color,
		    const uint32_t *surface, const char *what)
{
	uint64_t end = now_ms() + 10000;

	while (now_ms() < end && !vc_pixels_are(v, r, color, surface)) {
		/* Whole messages libvncclient already read wait in its
		 * buffer, unseen by WaitForMessage's select(). */
		int n = v->c->buffered > 0 ? 1 : WaitForMessage(v->c, 100000);

		if (n > 0)
			CHECK(HandleRFBServerMessage(v->c), "%s: connection lost", what);
	}
	CHECK(vc_pixels_are(v, r, color, surface), "%s: pixels differ (client %dx%d, at %u,%u: %06x)",
	      what, v->c->width, v->c->height, r.x, r.y,
	      ((const uint32_t *)v->c->frameBuffer)[r.y * v->c->width + r.x]);
}

/* --- WebSocket on the unix socket --- */

static void websocket(void)
{
	static const char req[] =
		"GET /websockify HTTP/1.1\r\n"
		"Host: localhost\r\n"
		"Origin: http://localhost\r\n"
		"Upgrade: websocket\r\n"
		"Connection: Upgrade\r\n"
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		"Sec-WebSocket-Version: 13\r\n"
		"Sec-WebSocket-Protocol: binary\r\n\r\n";
	char buf[1024];
	size_t got = 0;
	int fd = connect_unix(vnc_path);
	struct timeval tv = { 10, 0 };

	CHECK(fd >= 0, "connect %s", vnc_path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CHECK(write(fd, req, sizeof(req) - 1) == sizeof(req) - 1, "write");
	while (got < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + got, 1);

		CHECK(n == 1, "handshake answer cut short after %zu bytes", got);
		got++;
		buf[got] = 0;
		if (got >= 4 && !strcmp(buf + got - 4, "\r\n\r\n"))
			break;
	}
	CHECK(!strncmp(buf, "HTTP/1.1 101", 12) &&
	      strstr(buf, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
	      "WebSocket handshake answer: %s", buf);
	/* One binary frame: the RFB version. */
	CHECK(read(fd, buf, 2) == 2 && (uint8_t)buf[0] == 0x82 && buf[1] == 12,
	      "frame header %02x %02x", (uint8_t)buf[0], (uint8_t)buf[1]);
	CHECK(read(fd, buf, 12) == 12 && !memcmp(buf, "RFB 003.008\n", 12),
	      "RFB version inside the frame");
	close(fd);
	printf("WebSocket client on the unix socket: handshake and RFB inside frames\n");
}

int main(int argc, char **argv)
{
	static struct monitor m;
	struct surface_rect all = { 0, 0, W, H }, box = { 40, 30, 50, 20 };
	struct vc v;
	char log2[192];
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: test_display_endpoints PORTHOLE_DISPLAY\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	rfbClientLog = quiet;
	snprintf(dir, sizeof(dir), "/tmp/porthole-dend-%d", (int)getpid());
	snprintf(run, sizeof(run), "%s/%s", dir, NAME);
	snprintf(vnc_path, sizeof(vnc_path), "%s/vnc.sock", run);
	snprintf(surface_path, sizeof(surface_path), "%s/surface.sock", run);
	snprintf(log_path, sizeof(log_path), "%s/display.log", dir);
	atexit(cleanup);
	CHECK(mkdir(dir, 0700) == 0 && mkdir(run, 0700) == 0, "mkdir %s", run);

	/* Refusals first: they need no monitor. */
	snprintf(log2, sizeof(log2), "%s/refused.log", dir);
	r = wait_exit(spawn_display(argv[1], (char *[]){ "--vnc-listen", "0.0.0.0:0", NULL }, log2), 20000);
	CHECK(r == 1 && file_contains(log2, "loopback"), "0.0.0.0 accepted (exit %d)", r);
	r = wait_exit(spawn_display(argv[1], (char *[]){ "--name", "../x", NULL }, log2), 20000);
	CHECK(r == 1 && file_contains(log2, "not valid"), "bad name accepted (exit %d)", r);

	mon_start(&m);
	display_pid = spawn_display(argv[1], (char *[]){ "--vnc-listen", "127.0.0.1:0", NULL },
				    log_path);
	/* The socket answers at once; connections are served once the first
	 * frame is in. */
	for (uint64_t end = now_ms() + 20000; now_ms() < end; usleep(10000)) {
		int fd = connect_unix(vnc_path);

		if (fd >= 0) {
			close(fd);
			break;
		}
		CHECK(wait_exit(display_pid, 0) < 0, "porthole-display stopped");
	}
	vc_open(&v, "zrle raw");
	vc_wait(&v, all, 0, m.map, "first frame");
	printf("first frame: %dx%d, equal to the surface\n", v.c->width, v.c->height);
	CHECK(file_contains(log_path, "tcp:127.0.0.1:"), "no TCP endpoint announced");

	/* Damage goes out. */
	mon_fill(&m, box, 0x00ff8000);
	vc_wait(&v, box, 0x00ff8000, NULL, "after damage");
	printf("damage: the filled box reached the client\n");

	/* Input comes back. */
	SendKeyEvent(v.c, 'a', TRUE);
	SendKeyEvent(v.c, 'a', FALSE);
	SendKeyEvent(v.c, 0xff0d, TRUE);
	SendKeyEvent(v.c, 0xff0d, FALSE);
	SendPointerEvent(v.c, W - 1, H / 2, 1);
	SendPointerEvent(v.c, W - 1, H / 2, 0);
	SendPointerEvent(v.c, W - 1, H / 2, 8);
	SendPointerEvent(v.c, W - 1, H / 2, 0);
	for (uint64_t end = now_ms() + 10000; now_ms() < end; usleep(10000)) {
		pthread_mutex_lock(&m.lock);
		r = m.nkeys >= 2 && m.wheel_v == 1;
		pthread_mutex_unlock(&m.lock);
		if (r)
			break;
	}
	pthread_mutex_lock(&m.lock);
	CHECK(m.nkeys == 2 && m.keys[0] == KEY_A && m.keys[1] == KEY_ENTER,
	      "keys: %d (%d, %d)", m.nkeys, m.keys[0], m.keys[1]);
	CHECK(m.abs_x == 32767 && m.abs_y == (uint32_t)((H / 2 * 32767 + H - 2) / (H - 1)) &&
	      m.buttons == 0 && m.wheel_v == 1, "pointer %u,%u buttons %u wheel %d",
	      m.abs_x, m.abs_y, m.buttons, m.wheel_v);
	pthread_mutex_unlock(&m.lock);
	printf("input: keys, absolute pointer, buttons and wheel reached the monitor\n");

	/* A cursor shape becomes the client's rich cursor. */
	{
		struct surface_cursor_shape cs = { 8, 8, 0, 0 };
		uint32_t argb[64];

		for (int i = 0; i < 64; i++)
			argb[i] = 0xff00ff00;
		pthread_mutex_lock(&m.lock);
		mon_send(&m, SURFACE_CURSOR_SHAPE, 0, &cs, sizeof(cs), argb,
			 sizeof(argb), -1);
		pthread_mutex_unlock(&m.lock);
		for (uint64_t end = now_ms() + 10000; now_ms() < end && v.cursor_w != 8;)
			if (v.c->buffered > 0 || WaitForMessage(v.c, 100000) > 0)
				CHECK(HandleRFBServerMessage(v.c), "lost");
		CHECK(v.cursor_w == 8 && v.cursor_h == 8, "cursor %dx%d", v.cursor_w,
		      v.cursor_h);
		printf("cursor: the surface's shape reached the client\n");
	}

	/* A new mode: a desktop-size message, then the new surface. */
	{
		struct surface_rect all2 = { 0, 0, W / 2, H / 2 };

		v.surface2 = mon_mode(&m, W / 2, H / 2);
		vc_wait(&v, all2, 0, v.surface2, "after a mode change");
		printf("mode change: the client resized to %dx%d and shows the new surface\n",
		       v.c->width, v.c->height);
	}

	websocket();

	/* A second display for the same VM is refused. */
	r = wait_exit(spawn_display(argv[1], NULL, log2), 20000);
	CHECK(r == 1 && file_contains(log2, "another porthole-display"),
	      "second display: exit %d", r);

	/* The monitor restarts: the display reconnects and asks for FULL. */
	pthread_mutex_lock(&m.lock);
	close(m.conn);
	m.conn = -1;
	r = m.fulls;
	pthread_mutex_unlock(&m.lock);
	for (uint64_t end = now_ms() + 10000; now_ms() < end; usleep(10000)) {
		int done;

		pthread_mutex_lock(&m.lock);
		done = m.fulls > r && m.hellos >= 2;
		pthread_mutex_unlock(&m.lock);
		if (done)
			break;
	}
	CHECK(m.fulls > r && m.hellos >= 2, "no reconnect: %d HELLOs, %d FULLs",
	      m.hellos, m.fulls);
	mon_fill(&m, box, 0x000000ff);
	vc_wait(&v, box, 0x000000ff, NULL, "after the monitor came back");
	printf("monitor restart: HELLO and FULL again, damage flows again\n");
	vc_close(&v);

	/* SIGTERM: exit 0, the socket gone. */
	kill(display_pid, SIGTERM);
	r = wait_exit(display_pid, 20000);
	display_pid = 0;
	CHECK(r == 0, "exit status %d after SIGTERM", r);
	CHECK(access(vnc_path, F_OK) < 0, "%s left behind", vnc_path);
	atomic_store(&m.stop, 1);
	pthread_join(m.thread, NULL);
	printf("SIGTERM: exit 0, vnc.sock removed\n");
	return 0;
}
