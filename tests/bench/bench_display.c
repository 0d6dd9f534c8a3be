// SPDX-License-Identifier: MIT
/*
 * Display benchmarks (issue 4): the same screen changes shown by Porthole
 * (demo guest + porthole-display), TigerVNC's Xvnc and QEMU's VNC, each
 * measured by the same libvncclient client (vnc_probe.c) over TCP
 * loopback, with Tight (JPEG quality 8) and with ZRLE, at 1920x1080:
 *
 * - typing: 8x16 cells painted at advancing positions, slow (~4/s) and
 *   fast (~30/s);
 * - motion: a 512x512 region repainted every frame at ~30 fps, with flat
 *   colours (the per-update overhead) and with the demo guest's pattern
 *   (gradients and noise: JPEG and ZRLE on content like a video's; Xvnc
 *   gets the same pixels with XPutImage);
 * - idle: nothing changes.
 *
 * Latency is from "the pixels changed in the source framebuffer" (each
 * source says how it knows) to the client's framebuffer showing them.
 * Bytes are what the client's socket received (TCP_INFO). Server CPU is
 * the server's threads' runtime (/proc/PID/task/TID/schedstat).
 *
 * usage: bench_display [--display PORTHOLE_DISPLAY] [--only NAME]
 * BENCH_DISPLAY_DUMP=DIR: also write what the client shows at the end of
 * each row as DIR/SERVER-ENCODING.ppm, to compare by eye.
 */
#include "display_src.h"
#include "vnc_probe.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_STEPS 64

enum { PH_SLOW, PH_FAST, PH_FLAT, PH_MOTION, PH_N };

struct workload {
	const char *title;
	int steps;
	int period_us;
	int overlap;
};

static const struct workload workloads[PH_N] = {
	[PH_SLOW] = { "typing, slow: 8x16 cells at ~4/s", 12, 250000, 0 },
	[PH_FAST] = { "typing, fast: 8x16 cells at ~30/s", 60, 33333, 0 },
	[PH_FLAT] = { "flat motion: a 512x512 region filled with one colour at ~30 fps",
		      60, 33333, 1 },
	[PH_MOTION] = { "full motion: a 512x512 region repainted at ~30 fps (pattern: gradients + noise)",
			60, 33333, 1 },
};

/* Where the typing goes (the demo's text area) and the motion region. */
#define TYPE_X0     40
#define TYPE_Y0     464
#define TYPE_COLS   112
#define MOTION_X    1296
#define MOTION_Y    544
#define MOTION_SIZE 512

#define IDLE_MS     3000
#define TAIL_MS     1500  /* after the last step, for the last updates */

struct phase_result {
	int ran, steps, seen, dropped;
	double p50, p90, max;   /* ms */
	uint64_t updates, bytes, cpu_ns, part_ns;
	double rate;            /* steps per second actually issued */
};

struct idle_result {
	int ran;
	uint64_t updates, bytes, cpu_ns, part_ns;
	uint64_t first_bytes;   /* the first full frame, with the handshake */
	double first_ms, init_ms; /* connect to first frame; of which the handshake */
};

struct row {
	const char *server, *enc;
	struct phase_result ph[PH_N];
	struct idle_result idle;
	char note[600];
};

struct bench {
	struct row rows[6];
	int nrows;
	int cell, frame;        /* the next typing cell, the next motion frame */
	uint32_t seed;          /* the next pattern frame's */
	struct vp_step steps[MAX_STEPS];
	uint64_t rng;
};

static const struct {
	const char *name, *label;
	int quality;
} encodings[] = {
	{ "tight", "tight q8", 8 },
	{ "zrle", "zrle", -1 },
};

/* Colours every pair of which, and each against the demo's backgrounds,
 * differ by at least 0x80 in some channel. */
static uint32_t color_of(int k)
{
	static const uint8_t level[3] = { 0x00, 0x80, 0xff };
	int i = (k * 7) % 26 + 1; /* 1..26: never black */

	return level[i % 3] << 16 | level[i / 3 % 3] << 8 | level[i / 9];
}

static uint64_t rnd(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

static int cmp_double(const void *a, const void *c)
{
	double x = *(const double *)a, y = *(const double *)c;

	return x < y ? -1 : x > y;
}

static uint64_t cpu_part(struct dsrc *src)
{
	return src->cpu_part_ns ? src->cpu_part_ns(src) : 0;
}

static void place(struct bench *b, int phase, struct vp_step *s)
{
	if (phase == PH_FLAT) {
		*s = (struct vp_step){ .x = MOTION_X, .y = MOTION_Y,
				       .w = MOTION_SIZE, .h = MOTION_SIZE,
				       .color = color_of(b->frame++) };
		return;
	}
	if (phase == PH_MOTION) {
		*s = (struct vp_step){ .x = MOTION_X, .y = MOTION_Y,
				       .w = MOTION_SIZE, .h = MOTION_SIZE,
				       .pattern = 1, .seed = b->seed++ };
		return;
	}
	*s = (struct vp_step){ .x = TYPE_X0 + 8 * (b->cell % TYPE_COLS),
			       .y = TYPE_Y0 + 16 * (b->cell / TYPE_COLS),
			       .w = 8, .h = 16, .color = color_of(b->cell) };
	b->cell++;
}

static void run_phase(struct bench *b, struct dsrc *src, struct vnc_probe *vp,
		      int phase, struct phase_result *r)
{
	const struct workload *w = &workloads[phase];
	struct vp_step *steps = b->steps;
	struct vp_phase ph = { .steps = steps, .overlap = w->overlap };
	uint64_t t0, bytes0, cpu0, part0, upd0, deadline;
	double lat[MAX_STEPS];
	int n = 0;

	memset(r, 0, sizeof(*r));
	vp_begin(vp, &ph);
	bytes0 = vp_bytes(vp);
	cpu0 = src->cpu_ns(src);
	part0 = cpu_part(src);
	upd0 = atomic_load(&vp->updates);
	t0 = bd_now_ns();
	for (int k = 0; k < w->steps; k++) {
		/* Jittered, so as not to lock onto a server's or the
		 * guest's fixed ticks. */
		uint64_t at = t0 + (uint64_t)k * w->period_us * 1000 +
			      rnd(b) % (w->period_us / 3) * 1000;
		uint64_t now = bd_now_ns();

		if (at > now)
			bd_sleep_us((at - now) / 1000);
		place(b, phase, &steps[k]);
		atomic_store_explicit(&ph.issued, k + 1, memory_order_release);
		steps[k].t_src = src->paint(src, &steps[k]);
	}
	r->rate = w->steps / ((bd_now_ns() - t0) / 1e9);
	deadline = bd_now_ns() + TAIL_MS * 1000000ULL;
	while (bd_now_ns() < deadline) {
		int pending = 0;

		for (int k = 0; k < w->steps; k++)
			pending |= !atomic_load(&steps[k].t_cli) && !steps[k].dropped;
		if (!pending)
			break;
		bd_sleep_us(1000);
	}
	vp_end(vp);
	r->cpu_ns = src->cpu_ns(src) - cpu0;
	r->part_ns = cpu_part(src) - part0;
	r->bytes = vp_bytes(vp) - bytes0;
	r->updates = atomic_load(&vp->updates) - upd0;
	r->steps = w->steps;
	for (int k = 0; k < w->steps; k++) {
		uint64_t tc = atomic_load(&steps[k].t_cli);

		if (steps[k].dropped)
			r->dropped++;
		if (!tc || !steps[k].t_src)
			continue;
		r->seen++;
		lat[n++] = tc > steps[k].t_src ? (tc - steps[k].t_src) / 1e6 : 0;
	}
	if (n) {
		qsort(lat, n, sizeof(lat[0]), cmp_double);
		r->p50 = lat[n / 2];
		r->p90 = lat[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1];
		r->max = lat[n - 1];
	}
	r->ran = 1;
}

static void run_idle(struct dsrc *src, struct vnc_probe *vp,
		     struct idle_result *r)
{
	uint64_t bytes0, cpu0, part0, upd0;

	/* Let whatever the connection stirred up settle first. */
	bd_sleep_us(500000);
	bytes0 = vp_bytes(vp);
	cpu0 = src->cpu_ns(src);
	part0 = cpu_part(src);
	upd0 = atomic_load(&vp->updates);
	bd_sleep_us(IDLE_MS * 1000);
	r->cpu_ns = src->cpu_ns(src) - cpu0;
	r->part_ns = cpu_part(src) - part0;
	r->bytes = vp_bytes(vp) - bytes0;
	r->updates = atomic_load(&vp->updates) - upd0;
	r->ran = 1;
}

static void measure(struct bench *b, struct dsrc *src)
{
	/* Every server gets the same sequence of rectangles. */
	b->cell = b->frame = 0;
	b->seed = 1;
	b->rng = 0x9e3779b97f4a7c15ULL;
	for (size_t e = 0; e < sizeof(encodings) / sizeof(encodings[0]); e++) {
		struct row *row = &b->rows[b->nrows++];
		struct vnc_probe vp;
		char err[512];

		row->server = src->name;
		row->enc = encodings[e].label;
		if (vp_connect(&vp, src->port, encodings[e].name,
			       encodings[e].quality, 10000, err, sizeof(err))) {
			snprintf(row->note, sizeof(row->note), "%s", err);
			continue;
		}
		row->idle.first_bytes = vp.first_bytes;
		row->idle.first_ms = (vp.t_first - vp.t_connect) / 1e6;
		row->idle.init_ms = (vp.t_init - vp.t_connect) / 1e6;
		run_idle(src, &vp, &row->idle);
		for (int p = 0; p < PH_N; p++)
			run_phase(b, src, &vp, p, &row->ph[p]);
		/* Flat again, so that the next row's first frame is the
		 * same as this one's. */
		src->paint(src, &(struct vp_step){ .x = MOTION_X, .y = MOTION_Y,
						   .w = MOTION_SIZE,
						   .h = MOTION_SIZE,
						   .color = color_of(0) });
		if (getenv("BENCH_DISPLAY_DUMP")) {
			char path[600];

			snprintf(path, sizeof(path), "%s/%s-%s.ppm",
				 getenv("BENCH_DISPLAY_DUMP"), src->name,
				 encodings[e].name);
			vp_dump(&vp, path);
		}
		if (atomic_load(&vp.failed))
			snprintf(row->note, sizeof(row->note),
				 "the connection failed during the run");
		vp_close(&vp);
	}
}

static void skip_rows(struct bench *b, const char *server, const char *why)
{
	for (size_t e = 0; e < sizeof(encodings) / sizeof(encodings[0]); e++) {
		struct row *row = &b->rows[b->nrows++];

		row->server = server;
		row->enc = encodings[e].label;
		snprintf(row->note, sizeof(row->note), "not run: %s", why);
	}
}

static const struct row *find(const struct bench *b, const char *server,
			      const char *enc)
{
	for (int i = 0; i < b->nrows; i++)
		if (!strcmp(b->rows[i].server, server) &&
		    !strcmp(b->rows[i].enc, enc) && !b->rows[i].note[0])
			return &b->rows[i];
	return NULL;
}

static void print_ratio(const char *what, double a, double c)
{
	if (c > 0 && a >= 0)
		printf("  %s %.2fx", what, a / c);
	else if (c == 0 && a > 0)
		printf("  %s inf (peer 0)", what);
	else
		printf("  %s -", what);
}

static void print_ratios(const struct bench *b, int phase)
{
	static const char *const peers[] = { "Xvnc", "QEMU" };

	for (size_t e = 0; e < sizeof(encodings) / sizeof(encodings[0]); e++) {
		const struct row *po = find(b, "Porthole", encodings[e].label);

		for (int k = 0; po && k < 2; k++) {
			const struct row *pe = find(b, peers[k], encodings[e].label);
			const struct phase_result *a, *c;

			if (!pe)
				continue;
			printf("ratio Porthole/%-4s %-8s", peers[k], encodings[e].label);
			if (phase < 0) {
				print_ratio("idle CPU", po->idle.cpu_ns, pe->idle.cpu_ns);
				print_ratio("idle bytes", po->idle.bytes, pe->idle.bytes);
				print_ratio("first frame bytes", po->idle.first_bytes,
					    pe->idle.first_bytes);
				print_ratio("ms", po->idle.first_ms, pe->idle.first_ms);
				printf("\n");
				continue;
			}
			a = &po->ph[phase];
			c = &pe->ph[phase];
			print_ratio("latency p50", a->p50, c->p50);
			print_ratio("p90", a->p90, c->p90);
			print_ratio("bytes", a->bytes, c->bytes);
			print_ratio("CPU/frame", a->seen ? (double)a->cpu_ns / a->seen : -1,
				    c->seen ? (double)c->cpu_ns / c->seen : 0);
			printf("\n");
		}
	}
}

static void print_phase(const struct bench *b, int p)
{
	const struct workload *w = &workloads[p];

	printf("\n-- %s, %d steps --\n", w->title, w->steps);
	printf("%-9s %-8s %6s %7s %7s %7s %7s %7s %9s %9s %9s %8s %8s\n",
	       "server", "enc", "rate/s", "p50 ms", "p90 ms", "max ms", "shown",
	       "updates", "B/update", "B/change", "total KiB", "CPU ms/f",
	       "monitor");
	for (int i = 0; i < b->nrows; i++) {
		const struct row *row = &b->rows[i];
		const struct phase_result *r = &row->ph[p];

		if (row->note[0] && !r->ran) {
			printf("%-9s %-8s %s\n", row->server, row->enc, row->note);
			continue;
		}
		printf("%-9s %-8s %6.1f %7.1f %7.1f %7.1f %3d/%-3d %7llu %9.0f %9.0f %9.1f %8.2f",
		       row->server, row->enc, r->rate, r->p50, r->p90, r->max,
		       r->seen, r->steps, (unsigned long long)r->updates,
		       r->updates ? (double)r->bytes / r->updates : 0,
		       (double)r->bytes / r->steps, r->bytes / 1024.0,
		       r->seen ? r->cpu_ns / 1e6 / r->seen : 0);
		if (r->part_ns && r->seen)
			printf(" %8.2f", r->part_ns / 1e6 / r->seen);
		printf("\n");
		if (row->note[0])
			printf("          (%s)\n", row->note);
	}
	print_ratios(b, p);
}

static void print_idle(const struct bench *b)
{
	printf("\n-- idle: %d s with nothing changing; and the first full frame --\n",
	       IDLE_MS / 1000);
	printf("%-9s %-8s %9s %9s %11s %9s %12s %13s %11s\n", "server", "enc",
	       "updates", "bytes", "CPU ms/s", "monitor", "first KiB",
	       "first ms", "handshake");
	for (int i = 0; i < b->nrows; i++) {
		const struct row *row = &b->rows[i];
		const struct idle_result *r = &row->idle;

		if (!r->ran) {
			printf("%-9s %-8s %s\n", row->server, row->enc, row->note);
			continue;
		}
		printf("%-9s %-8s %9llu %9llu %11.2f ", row->server, row->enc,
		       (unsigned long long)r->updates, (unsigned long long)r->bytes,
		       r->cpu_ns / 1e6 / (IDLE_MS / 1000.0));
		if (r->part_ns)
			printf("%9.2f", r->part_ns / 1e6 / (IDLE_MS / 1000.0));
		else
			printf("%9s", "");
		printf(" %12.1f %13.1f %11.1f\n", r->first_bytes / 1024.0,
		       r->first_ms, r->init_ms);
	}
	print_ratios(b, -1);
}

/* The machine may be shared: say how busy it was. */
static void print_load(const char *when)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/loadavg", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	printf("(load average %s: %s; %ld CPUs)\n", when, buf,
	       sysconf(_SC_NPROCESSORS_ONLN));
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	remove(path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *display_bin = NULL, *only = NULL;
	char tmp[] = "/tmp/porthole-bench-display.XXXXXX", err[512];
	static struct bench b = { .rng = 0x9e3779b97f4a7c15ULL };
	struct dsrc *po = NULL, *src;
	const char *changed[3] = { 0 };
	uint64_t t0 = bd_now_ns();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--display") && i + 1 < argc)
			display_bin = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: bench_display [--display PORTHOLE_DISPLAY] [--only Porthole|Xvnc|QEMU]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}

	printf("== display: update latency, bytes and server CPU at %dx%d; one libvncclient client over TCP loopback for all ==\n",
	       BD_W, BD_H);
	print_load("before");
	/* The VM first: its desktop is what Xvnc shows too. */
	po = porthole_boot(err, sizeof(err));
	if (!po)
		printf("Porthole: %s\n", err);

	if (!only || !strcmp(only, "Xvnc")) {
		src = xvnc_start(tmp, po ? porthole_desktop(po) : NULL, err,
				 sizeof(err));
		if (src) {
			changed[1] = src->changed;
			measure(&b, src);
			src->stop(src);
		} else {
			skip_rows(&b, "Xvnc", err);
		}
	}
	if (!only || !strcmp(only, "QEMU")) {
		src = qemu_start(tmp, PORTHOLE_DEMO_ELF, err, sizeof(err));
		if (src) {
			changed[2] = src->changed;
			measure(&b, src);
			src->stop(src);
		} else {
			skip_rows(&b, "QEMU", err);
		}
	}
	if (!only || !strcmp(only, "Porthole")) {
		if (!po)
			skip_rows(&b, "Porthole", "the VM did not start");
		else if (!display_bin)
			skip_rows(&b, "Porthole", "no --display given");
		else if (porthole_serve(po, display_bin, tmp, err, sizeof(err)))
			skip_rows(&b, "Porthole", err);
		else {
			changed[0] = po->changed;
			measure(&b, po);
		}
	}
	if (po)
		po->stop(po);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	print_idle(&b);
	for (int p = 0; p < PH_N; p++)
		print_phase(&b, p);

	printf("\nLatency: from the pixels changing in the source to the client's framebuffer showing\n");
	printf("them (the rectangle's corners and centre, checked after each decoded rectangle).\n");
	printf("\"Changed\" is, for\n");
	for (int i = 0; i < 3; i++)
		if (changed[i])
			printf("  %-8s %s\n", i == 0 ? "Porthole" : i == 1 ? "Xvnc" : "QEMU",
			       changed[i]);
	printf("first ms: from connect() to the client's first full frame; handshake: of which until\n");
	printf("ServerInit (libvncclient's rfbInitClient returned).\n");
	printf("shown: steps the client showed; a motion frame that the next one replaced before a\n");
	printf("server sent it is not shown. B/change: bytes per step issued.\n");
	printf("CPU ms/f: server CPU per step shown (idle: per second), from /proc/PID/task/*/schedstat.\n");
	printf("  Porthole = porthole-display + the monitor's loop thread (dirty log, surface socket);\n");
	printf("  monitor = that thread's part. Xvnc = the Xvnc process (which also draws).\n");
	printf("  QEMU = all its threads but the vCPU's (main loop with the VNC server, vnc_worker).\n");
	printf("QEMU runs -vnc ...,lossy=on so that Tight may use JPEG as for the others; Xvnc runs\n");
	printf("with its defaults (DeferUpdate 1 ms, FrameRate 60).\n");
	printf("Typing cells and flat motion frames are solid fills: they measure the path and the\n");
	printf("per-update overhead. Full-motion frames are the demo guest's pattern (demo_layout.h:\n");
	printf("gradients and per-pixel noise, a new base colour each frame): JPEG and ZRLE on\n");
	printf("content like a video's; the guest draws them row by row in a few ms.\n");
	printf("Anchors: QEMU's VNC polls its dirty log every 30 ms, backing off to 3 s when idle;\n");
	printf("kvmtool sends the whole screen every 30 ms.\n");
	print_load("after");
	printf("(display benchmarks took %.0f s)\n", (bd_now_ns() - t0) / 1e9);
	return 0;
}
