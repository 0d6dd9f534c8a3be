// SPDX-License-Identifier: MIT
/*
 * RDP end to end: a change on the guest's screen to the picture decoded in
 * a headless libfreerdp client (FreeRDP's own H.264 decoder, RDPGFX
 * AVC420), and the bits on the way, at 1280x720 and 1920x1080:
 *
 * - Porthole: the demo guest in porthole-vmm, porthole-display's RDP
 *   server (logons checked by a real porthole-gateway), the client on
 *   rdp.sock. "Changed" is the guest's "ok" for the drawing command (it
 *   answers after drawing; its serial line adds well under a millisecond).
 * - FreeRDP's shadow server (freerdp-shadow-cli, X11) on an Xvfb display
 *   showing the same desktop and the same changes drawn with Xlib; the
 *   client on TCP. "Changed" is when XSync returned.
 *
 * Workloads: typing (8x16 cells), scrolling (a line appended to a text
 * area that scrolls), full motion (a 512x512 region repainted with the demo
 * guest's photo-like pattern), and idle. Each step waits until the client
 * shows the previous one (latency is per step, never queued behind
 * another); the rate actually reached is printed. Bits are what the
 * client's RDP layer received.
 *
 * usage: bench_rdp VMM DISPLAY GATEWAY CLI [--only porthole|shadow]
 *        [--sizes WxH[,WxH...]]
 */
#include "gwtest.h"
#include "test_rdp_client.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include "demo_layout.h"

#define STEPS     60
#define MOTION    512
#define IDLE_MS   2000
#define TIMEOUT_MS 3000

enum kind { FILL, PATTERN, LINE };

struct step {
	enum kind kind;
	int x, y, w, h;
	uint32_t color, seed;
	uint64_t t_src;              /* ns: the source shows it */
	_Atomic uint64_t t_cli;      /* ns: the client shows it */
};

struct workload {
	const char *name;
	enum kind kind;
	int steps, period_ms;
};

static const struct workload workloads[] = {
	{ "typing", FILL, STEPS, 33 },
	{ "scrolling", LINE, STEPS / 2, 66 },
	{ "full motion", PATTERN, STEPS, 33 },
};
#define NWORK (sizeof(workloads) / sizeof(workloads[0]))

/* The client, pumped by a thread of its own; it notes when the step in
 * progress shows. */
struct probe {
	struct rc *c;
	pthread_t thread;
	atomic_int stop, closed;
	_Atomic(struct step *) cur;
};

struct source {
	const char *name;
	uint32_t w, h;
	int (*paint)(struct source *s, struct step *st);
	pid_t server;
	struct gw *g;                /* Porthole */
	Display *x;                  /* shadow */
	GC gc;
	pid_t xvfb;
	char host[256];
	int port;
};

struct result {
	int ran, seen, steps;
	double p50, p99, max, rate, kbps, cpu;
	uint64_t frames;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int near(uint32_t a, uint32_t b, int tol)
{
	for (int s = 0; s < 24; s += 8)
		if (abs((int)((a >> s) & 255) - (int)((b >> s) & 255)) > tol)
			return 0;
	return 1;
}

/* Sum of channel differences over the 8x8 block at the corner a pattern
 * command paints last, against the pattern of seed. */
static long pattern_distance(const struct rc *c, const struct step *st,
			     uint32_t seed)
{
	long d = 0;

	for (int j = st->h - 8; j < st->h; j++)
		for (int i = st->w - 8; i < st->w; i++) {
			uint32_t a = rc_pixel(c, (uint32_t)(st->x + i), (uint32_t)(st->y + j));
			uint32_t b = demo_pattern_pixel(seed, (uint32_t)i, (uint32_t)j);

			for (int s = 0; s < 24; s += 8)
				d += abs((int)((a >> s) & 255) - (int)((b >> s) & 255));
		}
	return d;
}

/*
 * H.264 is lossy, and RDP clients decode it with BT.709 weights where the
 * encoder used BT.601 (docs/encoder.md): saturated colours come out a
 * little off, greys exactly. So the fills are greys, and a pattern shows
 * when the block is nearer this step's pattern than the last one's (they
 * differ by 0x40 or more at every pixel) and near it at all.
 */
static int shows(const struct rc *c, const struct step *st)
{
	if (st->kind == FILL)
		return near(rc_pixel(c, st->x + st->w - 1, st->y + st->h - 1), st->color, 24) &&
		       near(rc_pixel(c, st->x + st->w / 2, st->y + st->h / 2), st->color, 24);
	if (st->kind == PATTERN) {
		long d = pattern_distance(c, st, st->seed);

		return d < 64 * 3 * 32 && d < pattern_distance(c, st, st->seed - 1);
	}
	return 1;
}

static void *probe_main(void *arg)
{
	struct probe *p = arg;

	while (!atomic_load(&p->stop)) {
		struct step *st;

		if (rc_pump(p->c, 1) < 0) {
			atomic_store(&p->closed, 1);
			break;
		}
		st = atomic_load(&p->cur);
		if (st && !atomic_load(&st->t_cli) && shows(p->c, st))
			atomic_store(&st->t_cli, now_ns());
	}
	return NULL;
}

static long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return 0;
	return (long)(ut + st);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Where a workload's step i goes on a w x h screen. */
static void place(const struct workload *wl, int i, uint32_t w, uint32_t h,
		  struct step *st)
{
	memset(st, 0, sizeof(*st));
	st->kind = wl->kind;
	switch (wl->kind) {
	case FILL:      /* along a row of the text area */
		st->x = DEMO_TEXT_X(w, h) + DEMO_TEXT_PAD + 8 * (i % 40);
		st->y = DEMO_TEXT_Y(w, h) + DEMO_TEXT_PAD + 16 * (i / 40);
		st->w = 8;
		st->h = 16;
		st->color = (uint32_t)(0x40 + i * 37 % 0xa0) * 0x010101u;
		break;
	case PATTERN:   /* the right half, where the demo animates */
		st->x = (int)w / 2 + 16;
		st->y = 72;
		st->w = st->h = MOTION;
		st->seed = (uint32_t)i + 1;
		break;
	case LINE:
		break;
	}
}

static void run_workload(struct source *s, struct probe *pr,
			 const struct workload *wl, struct result *r)
{
	double lat[STEPS];
	uint64_t b0 = rc_bytes_in(pr->c), f0 = rc_stats(pr->c)->gfx_frames;
	uint64_t t0 = now_ns(), t1;
	long c0 = cpu_ticks(s->server);
	struct step steps[STEPS];

	r->ran = 1;
	r->steps = wl->steps;
	for (int i = 0; i < wl->steps; i++) {
		uint64_t next = now_ns() + (uint64_t)wl->period_ms * 1000000;

		place(wl, i, s->w, s->h, &steps[i]);
		CHECK(s->paint(s, &steps[i]) == 0, "%s: painting failed", s->name);
		atomic_store(&pr->cur, &steps[i]);
		while (wl->kind != LINE && !atomic_load(&steps[i].t_cli) &&
		       now_ns() < steps[i].t_src + TIMEOUT_MS * 1000000ULL)
			usleep(200);
		atomic_store(&pr->cur, NULL);
		if (wl->kind != LINE && atomic_load(&steps[i].t_cli))
			lat[r->seen++] = (double)(atomic_load(&steps[i].t_cli) -
						  steps[i].t_src) / 1e6;
		while (now_ns() < next)
			usleep(500);
	}
	t1 = now_ns();
	usleep(1000000);        /* what is still on its way */
	r->rate = wl->steps / ((double)(t1 - t0) / 1e9);
	r->kbps = (double)(rc_bytes_in(pr->c) - b0) * 8 / ((double)(now_ns() - t0) / 1e6);
	r->frames = rc_stats(pr->c)->gfx_frames - f0;
	r->cpu = (double)(cpu_ticks(s->server) - c0) * 100 /
		 sysconf(_SC_CLK_TCK) / ((double)(now_ns() - t0) / 1e9);
	qsort(lat, (size_t)r->seen, sizeof(double), cmp_double);
	if (r->seen) {
		r->p50 = lat[r->seen / 2];
		r->p99 = lat[(r->seen * 99) / 100 < r->seen ? (r->seen * 99) / 100 : r->seen - 1];
		r->max = lat[r->seen - 1];
	}
}

static void measure(struct source *s, const char *user, const char *password,
		    struct result *res, struct result *idle, double *first_ms)
{
	struct rc_opts o = { .host = s->host, .port = s->port, .user = user,
			     .password = password, .gfx = 1, .h264 = 1,
			     .w = s->w, .h = s->h };
	struct probe pr = { 0 };
	char err[512];
	uint64_t t0 = now_ns(), b0, f0;

	pr.c = rc_open(&o, err, sizeof(err));
	CHECK(pr.c, "%s: %s", s->name, err);
	CHECK(pthread_create(&pr.thread, NULL, probe_main, &pr) == 0, "thread");
	/* The first picture: something drawn, and then quiet for a while. */
	while (!rc_stats(pr.c)->gfx_frames && now_ns() - t0 < 20000000000ULL)
		usleep(1000);
	*first_ms = (double)(now_ns() - t0) / 1e6;
	usleep(1500000);
	b0 = rc_bytes_in(pr.c);
	f0 = rc_stats(pr.c)->gfx_frames;
	usleep(IDLE_MS * 1000);
	idle->ran = 1;
	idle->kbps = (double)(rc_bytes_in(pr.c) - b0) * 8 / IDLE_MS;
	idle->frames = rc_stats(pr.c)->gfx_frames - f0;
	for (size_t i = 0; i < NWORK; i++) {
		CHECK(!atomic_load(&pr.closed), "%s: the connection closed", s->name);
		run_workload(s, &pr, &workloads[i], &res[i]);
	}
	atomic_store(&pr.stop, 1);
	pthread_join(pr.thread, NULL);
	rc_close(pr.c);
}

/* --- Porthole --- */

static int porthole_paint(struct source *s, struct step *st)
{
	static unsigned line;

	if (st->kind == FILL)
		dt_cmd(&s->g->dt, "fill %d %d %d %d %06x", st->x, st->y, st->w, st->h,
		       st->color);
	else if (st->kind == PATTERN)
		dt_cmd(&s->g->dt, "pattern %d %d %d %d %u", st->x, st->y, st->w,
		       st->h, st->seed);
	else
		dt_cmd(&s->g->dt, "text line %u of a text that scrolls up, "
		       "one row at a time", ++line);
	st->t_src = now_ns();
	return 0;
}

/* The demo guest at w x h (a VM called "vm", which alice may reach), its
 * text area full so that each line scrolls it. */
static void porthole_start(struct source *s, struct gw *g, uint32_t w, uint32_t h)
{
	char *args[] = { "--state-dir", g->state, NULL };
	int rows = (DEMO_TEXT_H(w, h) - 2 * DEMO_TEXT_PAD) / DEMO_FONT_H;

	if (g->dt.display > 0)
		dt_stop_display(&g->dt, SIGTERM, 10000);
	if (g->dt.vmm > 0)
		dt_stop_vm(&g->dt);
	snprintf(g->dt.run, sizeof(g->dt.run), "%s/vm", g->dt.base);
	snprintf(g->dt.vnc_path, sizeof(g->dt.vnc_path), "%s/vnc.sock", g->dt.run);
	dt_start_vm(&g->dt, w, h);
	dt_freeze(&g->dt);
	for (int i = 0; i < rows; i++)
		dt_cmd(&g->dt, "text filler row %d", i);
	dt_start_display(&g->dt, args);
	*s = (struct source){ .name = "Porthole", .w = w, .h = h,
			      .paint = porthole_paint, .server = g->dt.display,
			      .g = g };
	snprintf(s->host, sizeof(s->host), "%s/rdp.sock", g->dt.run);
}

/* "making a frame: p50 X ms, p99 Y ms" from the display's last client. */
static void porthole_encode_line(struct gw *g, char *out, size_t len)
{
	char path[192], line[512];
	FILE *f;

	out[0] = 0;
	snprintf(path, sizeof(path), "%s/display.%d.log", g->dt.base,
		 g->dt.display_starts);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "making a frame: ");

		if (p) {
			p[strcspn(p, ")\n")] = 0;
			snprintf(out, len, "%s", p + strlen("making a frame: "));
		}
	}
	if (f)
		fclose(f);
}

/* --- FreeRDP's shadow server --- */

static int shadow_paint(struct source *s, struct step *st)
{
	Window root = DefaultRootWindow(s->x);
	static unsigned line;

	if (st->kind == FILL) {
		XSetForeground(s->x, s->gc, st->color);
		XFillRectangle(s->x, root, s->gc, st->x, st->y, (unsigned)st->w,
			       (unsigned)st->h);
	} else if (st->kind == PATTERN) {
		uint32_t *px = malloc((size_t)st->w * st->h * 4);
		XImage *img;

		if (!px)
			return -1;
		for (int j = 0; j < st->h; j++)
			for (int i = 0; i < st->w; i++)
				px[j * st->w + i] = demo_pattern_pixel(st->seed, i, j);
		img = XCreateImage(s->x, DefaultVisual(s->x, 0), 24, ZPixmap, 0,
				   (char *)px, (unsigned)st->w, (unsigned)st->h, 32, 0);
		XPutImage(s->x, root, s->gc, img, 0, 0, st->x, st->y,
			  (unsigned)st->w, (unsigned)st->h);
		XDestroyImage(img);     /* frees px */
	} else {
		/* The demo's text area scrolled by a row, a new row below. */
		int x = DEMO_TEXT_X(s->w, s->h), y = DEMO_TEXT_Y(s->w, s->h);
		int w = DEMO_TEXT_W(s->w, s->h), h = DEMO_TEXT_H(s->w, s->h);
		char text[80];

		XCopyArea(s->x, root, root, s->gc, x, y + DEMO_FONT_H, (unsigned)w,
			  (unsigned)(h - DEMO_FONT_H), x, y);
		XSetForeground(s->x, s->gc, DEMO_COLOR_TEXT_BG);
		XFillRectangle(s->x, root, s->gc, x, y + h - DEMO_FONT_H, (unsigned)w,
			       DEMO_FONT_H);
		XSetForeground(s->x, s->gc, DEMO_COLOR_TEXT_FG);
		snprintf(text, sizeof(text), "text line %u of a text that scrolls up, "
			 "one row at a time", ++line);
		XDrawString(s->x, root, s->gc, x + DEMO_TEXT_PAD, y + h - 4, text,
			    (int)strlen(text));
	}
	XSync(s->x, False);
	st->t_src = now_ns();
	return 0;
}

static int have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* Xvfb at w x h showing desktop, and freerdp-shadow-cli on it. */
static int shadow_start(struct source *s, const char *base, uint32_t w,
			uint32_t h, const uint32_t *desktop)
{
	char xd[16], geo[32], port[32], xlog[192], slog[192];
	uint32_t *copy;
	XImage *img;

	*s = (struct source){ .name = "FreeRDP shadow", .w = w, .h = h,
			      .paint = shadow_paint };
	snprintf(xd, sizeof(xd), ":%d", 100 + getpid() % 800);
	snprintf(geo, sizeof(geo), "%ux%ux24", w, h);
	snprintf(xlog, sizeof(xlog), "%s/xvfb-%u.log", base, w);
	snprintf(slog, sizeof(slog), "%s/shadow-%u.log", base, w);
	s->xvfb = dt_spawn((char *[]){ "Xvfb", xd, "-screen", "0", geo, "-nolisten",
				       "tcp", NULL }, xlog);
	for (int i = 0; i < 100 && !(s->x = XOpenDisplay(xd)); i++)
		usleep(50000);
	if (!s->x)
		return -1;
	s->gc = XCreateGC(s->x, DefaultRootWindow(s->x), 0, NULL);
	copy = malloc((size_t)w * h * 4);
	CHECK(copy, "out of memory");
	memcpy(copy, desktop, (size_t)w * h * 4);
	img = XCreateImage(s->x, DefaultVisual(s->x, 0), 24, ZPixmap, 0,
			   (char *)copy, w, h, 32, 0);
	XPutImage(s->x, DefaultRootWindow(s->x), s->gc, img, 0, 0, 0, 0, w, h);
	XDestroyImage(img);
	XSync(s->x, False);
	s->port = 34000 + getpid() % 20000;
	snprintf(port, sizeof(port), "/port:%d", s->port);
	setenv("DISPLAY", xd, 1);
	s->server = dt_spawn((char *[]){ "freerdp-shadow-cli", port, "-auth",
					 "/sec:tls", "-may-interact", NULL }, slog);
	snprintf(s->host, sizeof(s->host), "127.0.0.1");
	usleep(2000000);
	return 0;
}

static void shadow_stop(struct source *s)
{
	kill(s->server, SIGTERM);
	waitpid(s->server, NULL, 0);
	if (s->x)
		XCloseDisplay(s->x);
	kill(s->xvfb, SIGTERM);
	waitpid(s->xvfb, NULL, 0);
}

static void print_rows(const struct source *s, const struct result *res,
		       const struct result *idle, double first_ms,
		       const char *encode)
{
	printf("%s, %ux%u: first picture %.0f ms after connecting; idle %.1f kbit/s, "
	       "%llu frames in %d s%s%s\n", s->name, s->w, s->h, first_ms,
	       idle->kbps, (unsigned long long)idle->frames, IDLE_MS / 1000,
	       encode && *encode ? "; server making a frame: " : "",
	       encode ? encode : "");
	for (size_t i = 0; i < NWORK; i++) {
		const struct result *r = &res[i];

		if (workloads[i].kind == LINE)
			printf("  %-12s %5.1f steps/s                                  "
			       "%6llu frames %8.0f kbit/s  server CPU %3.0f%%\n",
			       workloads[i].name, r->rate, (unsigned long long)r->frames,
			       r->kbps, r->cpu);
		else
			printf("  %-12s %5.1f steps/s  latency p50 %6.1f p99 %6.1f max "
			       "%6.1f ms (%d/%d seen) %6llu frames %8.0f kbit/s  server "
			       "CPU %3.0f%%\n", workloads[i].name, r->rate, r->p50, r->p99,
			       r->max, r->seen, r->steps, (unsigned long long)r->frames,
			       r->kbps, r->cpu);
	}
}

int main(int argc, char **argv)
{
	static struct gw g;
	uint32_t sizes[4][2] = { { 1280, 720 }, { 1920, 1080 } };
	int nsizes = 2, porthole = 1, shadow = 1;
	char *gargv[7];

	if (argc < 5) {
		fprintf(stderr, "usage: bench_rdp VMM DISPLAY GATEWAY CLI "
			"[--only porthole|shadow] [--sizes WxH[,WxH...]]\n");
		return 2;
	}
	for (int i = 5; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--only")) {
			porthole = !strcmp(argv[i + 1], "porthole");
			shadow = !strcmp(argv[i + 1], "shadow");
		} else if (!strcmp(argv[i], "--sizes")) {
			char *p = argv[i + 1];

			for (nsizes = 0; nsizes < 4 && *p; nsizes++) {
				if (sscanf(p, "%ux%u", &sizes[nsizes][0], &sizes[nsizes][1]) != 2)
					break;
				p += strcspn(p, ",");
				p += *p == ',';
			}
		}
	}
	if (shadow && (!have("Xvfb") || !have("freerdp-shadow-cli"))) {
		printf("FreeRDP's shadow server: not run (needs Xvfb and "
		       "freerdp-shadow-cli: xvfb, freerdp2-shadow-x11)\n");
		shadow = 0;
	}
	gargv[0] = argv[0];
	gargv[1] = "bench";
	for (int i = 1; i <= 4; i++)
		gargv[i + 1] = argv[i];
	gargv[6] = NULL;
	gw_init(&g, 6, gargv, GW_WITH_VM);
	gw_start(&g, NULL);
	{
		char out[512];

		CHECK(gw_cli(&g, NULL, out, sizeof(out), (const char *const[]){
			"vm", "allow", "vm", "alice", NULL }) == 0, "vm allow");
	}
	printf("== RDP: guest change to the picture decoded in a libfreerdp client "
	       "(RDPGFX AVC420) ==\n");
	for (int i = 0; i < nsizes; i++) {
		struct result res[NWORK] = { 0 }, idle = { 0 };
		struct source s;
		uint32_t *desktop;
		char encode[128];
		double first;

		porthole_start(&s, &g, sizes[i][0], sizes[i][1]);
		desktop = dt_screenshot(&g.dt);
		if (porthole) {
			measure(&s, "alice", ALICE_PW, res, &idle, &first);
			usleep(500000);
			porthole_encode_line(&g, encode, sizeof(encode));
			print_rows(&s, res, &idle, first, encode);
		}
		if (shadow) {
			memset(res, 0, sizeof(res));
			if (shadow_start(&s, g.base, sizes[i][0], sizes[i][1], desktop) == 0) {
				measure(&s, "bench", "bench", res, &idle, &first);
				print_rows(&s, res, &idle, first, NULL);
			} else {
				printf("FreeRDP shadow, %ux%u: Xvfb did not start\n",
				       sizes[i][0], sizes[i][1]);
			}
			shadow_stop(&s);
		}
		free(desktop);
	}
	gw_done(&g);
	return 0;
}
