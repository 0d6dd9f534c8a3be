// SPDX-License-Identifier: MIT
#include "tenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keep_log(void *opaque, const char *line)
{
	char *log = opaque;
	size_t n;

	fprintf(stderr, "encoder: %s\n", line);
	if (!log)
		return;
	n = strlen(log);
	if (n > TENC_LOG / 2)
		n = 0;
	snprintf(log + n, TENC_LOG - n, "%s\n", line);
}

struct enc *tenc_open(struct enc_config *cfg, char *log)
{
	struct enc *e;
	char err[256];

	if (!cfg->backend)
		cfg->backend = "x264";
	cfg->log = keep_log;
	cfg->log_opaque = log;
	CHECK(enc_open(&e, cfg, err, sizeof(err)) == 0, "enc_open %ux%u: %s",
	      cfg->width, cfg->height, err);
	return e;
}

void tenc_encode(struct enc *e, const struct scene *s, int64_t t,
		 struct enc_frame *f)
{
	char err[256] = "";
	int r = enc_encode(e, s->fb, s->stride, t * 16667, f, err, sizeof(err));

	CHECK(r == 1, "enc_encode at %lld: %d (%s)", (long long)t, r, err);
	CHECK(f->len > 0 && f->data, "an empty frame");
}

double tenc_decode(struct h264dec *d, const struct enc_frame *f,
		   const struct scene *s, struct h264pic *pic)
{
	uint8_t *ref;
	double psnr;
	int r = h264dec_decode(d, f->data, f->len, pic);

	CHECK(r == 1, "frame %llu (%zu bytes): decoder gave %d",
	      (unsigned long long)f->id, f->len, r);
	CHECK((uint32_t)pic->width == f->coded_w &&
	      (uint32_t)pic->height == f->coded_h,
	      "decoded %dx%d, the encoder said %ux%u", pic->width,
	      pic->height, f->coded_w, f->coded_h);
	CHECK(f->width == s->w && f->height == s->h && f->coded_w ==
	      ((s->w + 1) & ~1u) && f->coded_h == ((s->h + 1) & ~1u),
	      "frame sizes %ux%u coded %ux%u for a %ux%u source", f->width,
	      f->height, f->coded_w, f->coded_h, s->w, s->h);
	ref = h264_ref_i420(s->fb, s->stride, s->w, s->h);
	CHECK(ref, "out of memory");
	psnr = h264_psnr(pic, ref, s->w, s->h);
	free(ref);
	return psnr;
}

int tenc_settle(struct enc *e, const struct scene *s, struct h264dec *d,
		int64_t t, double *psnr)
{
	struct enc_frame f;
	struct h264pic pic;
	int n = 0;

	while (enc_wants_frame(e)) {
		tenc_encode(e, s, t + n, &f);
		CHECK(f.refine && !f.keyframe && f.nrects == 1 &&
		      f.rects[0].w == s->w && f.rects[0].h == s->h,
		      "a frame on a still picture: refine %d keyframe %d, "
		      "%zu rects", f.refine, f.keyframe, f.nrects);
		if (d && psnr)
			*psnr = tenc_decode(d, &f, s, &pic);
		enc_frame_acked(e, f.id);
		CHECK(++n <= ENC_REFINE_MAX, "more than %d refinement frames",
		      ENC_REFINE_MAX);
	}
	return n;
}

int tenc_main(int argc, char **argv, const struct tenc_case *cases, size_t n)
{
	for (size_t i = 0; argc == 2 && i < n; i++) {
		int r;

		if (strcmp(argv[1], cases[i].name))
			continue;
		r = cases[i].run();
		if (r == 0)
			printf("%s: ok\n", cases[i].name);
		return r;
	}
	fprintf(stderr, "usage: %s CASE (", argv[0]);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", cases[i].name);
	fprintf(stderr, ")\n");
	return 2;
}
