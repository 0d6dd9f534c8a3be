// SPDX-License-Identifier: MIT
/*
 * The encoder (encoder/enc.h, x264 backend) on synthetic desktop sequences
 * at 1080p and 720p, beside x264's own command line on the same frames.
 *
 * Like for like: every frame of a sequence is drawn into memory first
 * (XRGB, with its damage), and the .y4m x264's command line reads is
 * converted from those same buffers; only enc_damage + enc_encode are
 * timed. Per frame, from the encoder's own counters: the conversion
 * (libyuv, damage only), x264_encoder_encode ("the x264 part"), and the
 * whole call; p50/p95/p99 of each after the keyframe. The x264 part is
 * what compares with the command line, which is x264 alone on I420.
 * x264 reports its settings in the stream (an SEI "options:" string): the
 * bench reads ours from our keyframe and the command line's from a
 * one-frame run and prints any setting that differs.
 *
 * usage: bench_encoder [--frames N] [--repeat R] [--threads T]
 *                      [--x264 PATH] [--tmp DIR]
 * Each side runs R times (3), alternating, and its fastest run counts.
 * --threads T: both sides get T sliced threads (0: x264 picks on both).
 * Figures only: no thresholds (tests/bench/run.sh, docs/encoder.md).
 */
#include "enc.h"
#include "h264dec.h"
#include "scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x264.h>

#define FPS 60

struct opts {
	int frames, repeat, threads;
	const char *x264, *tmp;
};

/* A sequence drawn ahead of time: frame k and the damage that made it. */
struct seq {
	uint32_t w, h, stride;
	int n;                      /* frames after the first */
	uint8_t **fb;               /* n + 1 pictures */
	uint8_t **i420;             /* the same, converted (a full conversion) */
	struct enc_rect (*dmg)[2];
	size_t *ndmg;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* p50/p95/p99 in ms of v[0..n), sorted in place. */
static void pcts(uint64_t *v, int n, double out[3])
{
	static const double q[3] = { 0.5, 0.95, 0.99 };

	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	for (int i = 0; i < 3; i++)
		out[i] = v[(int)(q[i] * (n - 1) + 0.5)] / 1e6;
}

static void seq_free(struct seq *q)
{
	for (int k = 0; q->fb && k <= q->n; k++)
		free(q->fb[k]);
	for (int k = 0; q->i420 && k <= q->n; k++)
		free(q->i420[k]);
	free(q->fb);
	free(q->i420);
	free(q->dmg);
	free(q->ndmg);
}

static int seq_make(struct seq *q, uint32_t w, uint32_t h,
		    enum scene_kind kind, int n)
{
	struct scene s;
	size_t sz;

	memset(q, 0, sizeof(*q));
	if (scene_init(&s, w, h) < 0)
		return -1;
	q->w = w;
	q->h = h;
	q->n = n;
	q->stride = s.stride;
	sz = (size_t)s.stride * h;
	q->fb = calloc((size_t)n + 1, sizeof(*q->fb));
	q->i420 = calloc((size_t)n + 1, sizeof(*q->i420));
	q->dmg = calloc((size_t)n + 1, sizeof(*q->dmg));
	q->ndmg = calloc((size_t)n + 1, sizeof(*q->ndmg));
	for (int k = 0; q->fb && q->i420 && q->dmg && q->ndmg && k <= n; k++) {
		if (k)
			q->ndmg[k] = scene_step(&s, kind, (uint32_t)k, q->dmg[k]);
		if (!(q->fb[k] = malloc(sz)))
			break;
		memcpy(q->fb[k], s.fb, sz);
		if (!(q->i420[k] = h264_ref_i420(s.fb, s.stride, w, h)))
			break;
	}
	scene_free(&s);
	if (!q->fb || !q->i420 || !q->dmg || !q->ndmg || !q->i420[n]) {
		seq_free(q);
		return -1;
	}
	return 0;
}

/* The sequence as x264's command line reads it: the I420 our conversion
 * makes (a full conversion equals the damage-only one byte for byte:
 * encoder_convert), converted from the same buffers. 0 or -1. */
static int write_y4m(const char *path, const struct seq *q)
{
	size_t sz = (size_t)q->w * q->h * 3 / 2;
	FILE *f = fopen(path, "w");
	int ok = f && fprintf(f, "YUV4MPEG2 W%u H%u F%d:1 Ip A1:1 C420mpeg2\n",
			      q->w, q->h, FPS) > 0;

	for (int k = 0; ok && k <= q->n; k++)
		ok = fputs("FRAME\n", f) >= 0 &&
		     fwrite(q->i420[k], 1, sz, f) == sz;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* x264's settings as it writes them into the stream ("options: ..."),
 * into out; "" when not found. */
static void x264_options(const uint8_t *p, size_t len, char *out, size_t n)
{
	static const char key[] = "options: ";
	size_t i, j;

	*out = 0;
	for (i = 0; i + sizeof(key) < len; i++)
		if (!memcmp(p + i, key, sizeof(key) - 1))
			break;
	if (i + sizeof(key) >= len)
		return;
	i += sizeof(key) - 1;
	for (j = 0; j + 1 < n && i + j < len && p[i + j] >= ' ' &&
		    p[i + j] < 127; j++)
		out[j] = (char)p[i + j];
	out[j] = 0;
}

static int cli_command(char *cmd, size_t n, const struct opts *o,
		       const struct enc_config *c, const char *extra,
		       const char *y4m)
{
	char thr[32] = "";

	if (o->threads > 0)
		snprintf(thr, sizeof(thr), "--threads %d ", o->threads);
	return snprintf(cmd, n, "%s --preset ultrafast --tune zerolatency %s"
			"--crf %d --vbv-maxrate %u --vbv-bufsize %u --keyint "
			"infinite --scenecut 0 --no-progress %s %s 2>&1",
			o->x264, thr, c->crf, c->max_kbps,
			c->max_kbps * c->vbv_ms / 1000, extra, y4m);
}

/* x264's command line on the .y4m: its frame rate and bits per frame. */
static int run_x264(const struct opts *o, const char *y4m,
		    const struct enc_config *c, double *fps, double *kbps)
{
	char cmd[1200], line[1200], *p;
	FILE *f;

	*fps = *kbps = 0;
	cli_command(cmd, sizeof(cmd), o, c, "-o /dev/null", y4m);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if ((p = strstr(line, "encoded ")) && (p = strchr(p, ',')))
			sscanf(p + 1, "%lf fps, %lf kb/s", fps, kbps);
	return pclose(f) == 0 && *fps > 0 ? 0 : -1;
}

/* The command line's settings: one frame, untimed, into a file. */
static void cli_options(const struct opts *o, const char *y4m,
			const struct enc_config *c, char *out, size_t n)
{
	char cmd[1200], h264[600], extra[640];
	uint8_t buf[4096];
	size_t len = 0;
	FILE *f;

	*out = 0;
	snprintf(h264, sizeof(h264), "%s/opts.264", o->tmp);
	snprintf(extra, sizeof(extra), "--frames 1 -o %s", h264);
	cli_command(cmd, sizeof(cmd), o, c, extra, y4m);
	f = popen(cmd, "r");
	if (!f)
		return;
	while (fread(buf, 1, sizeof(buf), f) > 0)
		;
	if (pclose(f) != 0 || !(f = fopen(h264, "rb")))
		return;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	remove(h264);
	x264_options(buf, len, out, n);
}

/* Settings in a but not in b, space-separated, into out. */
static void options_diff(const char *a, const char *b, char *out, size_t n)
{
	char tmp[2048], *save = NULL;
	size_t used = 0;

	*out = 0;
	snprintf(tmp, sizeof(tmp), "%s", a);
	for (char *t = strtok_r(tmp, " ", &save); t;
	     t = strtok_r(NULL, " ", &save)) {
		size_t tl = strlen(t);
		const char *h = b;
		int found = 0;

		while (!found && (h = strstr(h, t))) {
			found = (h == b || h[-1] == ' ') &&
				(h[tl] == ' ' || !h[tl]);
			h += tl;
		}
		if (!found && used + tl + 2 < n)
			used += (size_t)snprintf(out + used, n - used, "%s%s",
						 used ? " " : "", t);
	}
}

/*
 * libx264 called directly on the I420 in memory, set up as the command
 * line sets it up (the same preset, tune and options through
 * x264_param_parse, its 1/fps timebase): x264 alone in this process,
 * nothing between the calls. Total seconds of x264_encoder_encode, or -1.
 */
static double run_api(const struct opts *o, const struct enc_config *c,
		      const struct seq *q)
{
	char vbv[16], crf[16], thr[16];
	const char *args[][2] = {
		{ "crf", crf }, { "vbv-maxrate", vbv + 8 },
		{ "vbv-bufsize", vbv }, { "keyint", "infinite" },
		{ "scenecut", "0" }, { "threads", thr },
	};
	size_t ysz = (size_t)q->w * q->h, csz = ysz / 4;
	x264_picture_t pic, out;
	x264_param_t x;
	x264_nal_t *nal;
	uint64_t total = 0;
	int nnal, ok = 1;
	x264_t *h;

	snprintf(crf, sizeof(crf), "%d", c->crf);
	snprintf(vbv, 8, "%u", c->max_kbps * c->vbv_ms / 1000);
	snprintf(vbv + 8, 8, "%u", c->max_kbps);
	snprintf(thr, sizeof(thr), "%s", o->threads ? "" : "auto");
	if (o->threads)
		snprintf(thr, sizeof(thr), "%d", o->threads);
	if (x264_param_default_preset(&x, "ultrafast", "zerolatency") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		if (x264_param_parse(&x, args[i][0], args[i][1]) < 0)
			return -1;
	x.i_width = (int)q->w;
	x.i_height = (int)q->h;
	x.i_csp = X264_CSP_I420;
	x.i_fps_num = FPS;
	x.i_fps_den = 1;
	x.i_timebase_num = 1;
	x.i_timebase_den = FPS;
	x.i_log_level = X264_LOG_WARNING;
	h = x264_encoder_open(&x);
	if (!h)
		return -1;
	x264_picture_init(&pic);
	pic.img.i_csp = X264_CSP_I420;
	pic.img.i_plane = 3;
	pic.img.i_stride[0] = (int)q->w;
	pic.img.i_stride[1] = pic.img.i_stride[2] = (int)q->w / 2;
	for (int k = 0; ok && k <= q->n; k++) {
		uint64_t t0;

		pic.img.plane[0] = q->i420[k];
		pic.img.plane[1] = q->i420[k] + ysz;
		pic.img.plane[2] = q->i420[k] + ysz + csz;
		pic.i_pts = k;
		t0 = now_ns();
		ok = x264_encoder_encode(h, &nal, &nnal, &pic, &out) > 0;
		total += now_ns() - t0;
	}
	x264_encoder_close(h);
	return ok ? total / 1e9 : -1;
}

/* One pass of the sequence through a fresh encoder; per frame: the whole
 * call, the conversion, x264. Index 0 is the keyframe. */
struct run {
	uint64_t *t, *conv, *x264;
	uint64_t total, total_x264, bits;   /* bits after the keyframe */
	size_t key_bytes;
	char options[1024];
};

static int run_ours(const struct enc_config *cfg, const struct seq *q,
		    struct run *r, char *err, size_t errlen)
{
	struct enc_stats a, b;
	struct enc_frame f;
	struct enc *e;
	int ret = -1;

	r->total = r->total_x264 = r->bits = 0;
	if (enc_open(&e, cfg, err, errlen) < 0)
		return -1;
	enc_get_stats(e, &a);
	for (int k = 0; k <= q->n; k++) {
		uint64_t t0 = now_ns();

		enc_damage(e, q->dmg[k], q->ndmg[k]);
		if (enc_encode(e, q->fb[k], q->stride,
			       (int64_t)k * 1000000 / FPS, &f, err,
			       errlen) != 1)
			goto out;
		r->t[k] = now_ns() - t0;
		enc_get_stats(e, &b);
		r->conv[k] = b.convert_ns - a.convert_ns;
		r->x264[k] = b.encode_ns - a.encode_ns;
		a = b;
		r->total += r->t[k];
		r->total_x264 += r->x264[k];
		r->bits += k ? f.len * 8 : 0;
		if (!k) {
			r->key_bytes = f.len;
			x264_options(f.data, f.len, r->options,
				     sizeof(r->options));
		}
		enc_frame_acked(e, f.id);
	}
	ret = 0;
out:
	enc_close(e);
	return ret;
}

static int run_alloc(struct run *r, int n)
{
	r->t = calloc((size_t)n + 1, sizeof(uint64_t));
	r->conv = calloc((size_t)n + 1, sizeof(uint64_t));
	r->x264 = calloc((size_t)n + 1, sizeof(uint64_t));
	return r->t && r->conv && r->x264 ? 0 : -1;
}

static void run_free(struct run *r)
{
	free(r->t);
	free(r->conv);
	free(r->x264);
}

static void print_ours(const struct seq *q, const char *name, struct run *r)
{
	int n = q->n;
	double t[3], c[3], x[3];

	pcts(r->t + 1, n, t);
	pcts(r->conv + 1, n, c);
	pcts(r->x264 + 1, n, x);
	printf("%-11s %4ux%-4u | %5.2f %5.2f %5.2f | %4.2f %4.2f %4.2f | "
	       "%5.2f %5.2f %5.2f | %5.1f %5.1f | %7.0f\n", name, q->w, q->h,
	       t[0], t[1], t[2], c[0], c[1], c[2], x[0], x[1], x[2],
	       (n + 1) / (r->total / 1e9), (n + 1) / (r->total_x264 / 1e9),
	       (double)r->bits / n);
}

/* Each side runs o->repeat times, alternating; the fastest run of each
 * counts (the machine is shared: the fastest is the least disturbed). */
static int bench(const struct opts *o, uint32_t w, uint32_t h,
		 enum scene_kind kind)
{
	struct enc_config cfg = {
		.width = w, .height = h, .backend = "x264", .crf = 23,
		.max_kbps = w * h * FPS / 10000, .vbv_ms = 1000, .fps = FPS,
		.threads = o->threads,
	};
	struct run best = { 0 }, cur = { 0 };
	char err[256] = "out of memory", y4m[512], cli[1024] = "", d[1024];
	int n = o->frames, have_y4m = 0, ret = -1;
	double fps = 0, kbps = 0, ours, ours_x264, api = -1;
	struct seq q;

	if (seq_make(&q, w, h, kind, n) < 0) {
		fprintf(stderr, "bench_encoder: out of memory\n");
		return -1;
	}
	snprintf(y4m, sizeof(y4m), "%s/bench-%ux%u-%d.y4m", o->tmp, w, h,
		 (int)kind);
	if (o->x264 && write_y4m(y4m, &q) == 0) {
		have_y4m = 1;
		cli_options(o, y4m, &cfg, cli, sizeof(cli));
	}
	if (run_alloc(&best, n) < 0 || run_alloc(&cur, n) < 0)
		goto out;
	for (int i = 0; i < o->repeat; i++) {
		double f1, k1, a1;

		if (run_ours(&cfg, &q, &cur, err, sizeof(err)) < 0)
			goto out;
		if (!i || cur.total < best.total) {
			struct run keep = best;

			best = cur;
			cur = keep;
		}
		a1 = run_api(o, &cfg, &q);
		if (a1 > 0 && (api < 0 || a1 < api))
			api = a1;
		if (have_y4m && run_x264(o, y4m, &cfg, &f1, &k1) == 0 &&
		    f1 > fps) {
			fps = f1;
			kbps = k1;
		}
	}
	ours = (n + 1) / (best.total / 1e9);
	ours_x264 = (n + 1) / (best.total_x264 / 1e9);
	print_ours(&q, scene_name(kind), &best);
	printf("%-11s %4ux%-4u   keyframe %.1f ms, %zu B", "", w, h,
	       best.t[0] / 1e6, best.key_bytes);
	if (fps > 0)
		printf(" | x264 CLI %5.1f fps, %7.0f bits/frame all told (ours "
		       "%.0f) | ours/CLI %.2fx, x264 part/CLI %.2fx\n", fps,
		       kbps * 1000 / FPS,
		       (best.bits + best.key_bytes * 8.0) / (n + 1),
		       ours / fps, ours_x264 / fps);
	else
		printf(o->x264 ? " | x264 CLI: no figure\n" : "\n");
	if (api > 0) {
		printf("%-11s %4ux%-4u   libx264 alone on the I420 in memory: "
		       "%5.1f fps | x264 part/it %.2fx", "", w, h,
		       (n + 1) / api, ours_x264 * api / (n + 1));
		if (fps > 0)
			printf(", it/CLI %.2fx", (n + 1) / api / fps);
		printf("\n");
	}
	if (*cli) {
		const char *thr = strstr(best.options, " threads=");
		char d2[1024];

		options_diff(best.options, cli, d, sizeof(d));
		options_diff(cli, best.options, d2, sizeof(d2));
		if (!*d && !*d2)
			printf("%-11s %4ux%-4u   x264's settings: the CLI's, "
			       "option for option (%.55s)\n", "", w, h,
			       thr ? thr + 1 : "");
		else
			printf("%-11s %4ux%-4u   x264's settings differ: ours "
			       "%s; the CLI's %s\n", "", w, h, d, d2);
	}
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "bench_encoder: %ux%u %s: %s\n", w, h,
			scene_name(kind), err);
	if (have_y4m)
		remove(y4m);
	run_free(&best);
	run_free(&cur);
	seq_free(&q);
	return ret;
}
/* A still screen: calls that find nothing to do, and what they cost. */
static void bench_static(void)
{
	struct enc_config cfg = { .width = 1920, .height = 1080, .backend = "x264" };
	struct enc_frame f;
	struct enc_stats st, after;
	struct scene s;
	struct enc *e;
	char err[256];
	uint64_t t0, dt;

	if (scene_init(&s, 1920, 1080) < 0 || enc_open(&e, &cfg, err, sizeof(err)) < 0)
		return;
	enc_encode(e, s.fb, s.stride, 0, &f, err, sizeof(err));
	enc_frame_acked(e, f.id);
	while (enc_wants_frame(e) && enc_encode(e, s.fb, s.stride, 1, &f, err,
						sizeof(err)) == 1)
		enc_frame_acked(e, f.id);
	enc_get_stats(e, &st);
	t0 = now_ns();
	for (int i = 0; i < 10000; i++)
		enc_encode(e, s.fb, s.stride, 2 + i, &f, err, sizeof(err));
	dt = now_ns() - t0;
	enc_get_stats(e, &after);
	printf("static       1920x1080  10000 calls on an unchanged screen: %llu "
	       "frames encoded, %.0f ns a call (after %llu refinement frames)\n",
	       (unsigned long long)(after.frames - st.frames), dt / 1e4,
	       (unsigned long long)st.refines);
	enc_close(e);
	scene_free(&s);
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[][2] = { { 1920, 1080 }, { 1280, 720 } };
	static const enum scene_kind kinds[] = { SCENE_TYPING, SCENE_SCROLL,
						 SCENE_MOTION };
	struct opts o = { .frames = 240, .repeat = 3, .tmp = "/tmp" };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			o.frames = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			o.repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			o.threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--x264") && i + 1 < argc)
			o.x264 = argv[++i];
		else if (!strcmp(argv[i], "--tmp") && i + 1 < argc)
			o.tmp = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--frames N] [--repeat R] "
				"[--threads T] [--x264 PATH] [--tmp DIR]\n",
				argv[0]);
			return 2;
		}
	}
	if (o.frames < 10)
		o.frames = 10;
	if (o.repeat < 1)
		o.repeat = 1;
	if (o.threads < 0)
		o.threads = 0;
	printf("== encoder: %d frames a sequence drawn ahead, enc_damage + "
	       "enc_encode timed (x264 ultrafast,\n   zerolatency, CRF 23, cap "
	       "0.1 bit/pixel/frame at %d fps, 1 s buffer, threads %s);\n   "
	       "x264's CLI on the same I420; fastest of %d runs each; ms after "
	       "the keyframe ==\n", o.frames, FPS,
	       o.threads ? "as --threads" : "x264's choice", o.repeat);
	printf("%-11s %-9s | %-17s | %-14s | %-17s | %-11s | %s\n", "sequence",
	       "size", "call p50 p95 p99", "convert 50/95/99", "x264 p50 p95 "
	       "p99", "fps all/x264", "bits/frame");
	if (!o.x264)
		printf("(no --x264: no x264 command line figures)\n");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (bench(&o, sizes[i][0], sizes[i][1], kinds[k]) < 0)
				return 1;
	bench_static();
	return 0;
}
