// SPDX-License-Identifier: MIT
/*
 * What a client decodes, with libavcodec's H.264 decoder.
 *   quality:  desktop sequences (typing, scrolling, a moving block, full
 *             motion) decode close to the source (PSNR bounds per kind),
 *             one picture per frame, one IDR only: the first.
 *   sizes:    odd and non-multiple-of-16 sizes decode to the source size
 *             (rounded up to even where H.264 4:2:0 must) and match it.
 *   keyframe: enc_request_keyframe gives an IDR with SPS and PPS in front
 *             that a fresh decoder starts from, and the stream goes on.
 *   refresh:  with periodic intra refresh no IDR follows the first (but
 *             the one asked for), yet a decoder that joins mid-stream gets
 *             a correct picture within one refresh period.
 *   refine:   motion cut short by a tight cap is sharpened once it stops,
 *             in a few frames, and then nothing more is sent.
 */
#include "tenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAL_IDR (1u << 5)
#define NAL_SPS (1u << 7)
#define NAL_PPS (1u << 8)

/* Bounds in dB over Y, U and V: far below what x264 reaches (see the
 * printed figures), far above what a wrong picture would give. */
static const double min_psnr[] = {
	[SCENE_TYPING] = 40, [SCENE_SCROLL] = 40, [SCENE_BLOCK] = 40,
	[SCENE_MOTION] = 34,
};

static int test_quality(void)
{
	for (int kind = SCENE_TYPING; kind <= SCENE_MOTION; kind++) {
		struct enc_config cfg = { .width = 1280, .height = 720 };
		struct enc *e = tenc_open(&cfg, NULL);
		struct h264dec *d = h264dec_open();
		struct scene s;
		struct enc_frame f;
		struct h264pic pic;
		struct enc_rect dmg[2];
		double lo = 99, sum = 0;
		size_t bytes = 0;
		const int frames = 30;

		CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
		for (int k = 0; k <= frames; k++) {
			double p;

			if (k)
				enc_damage(e, dmg, scene_step(&s, kind, (uint32_t)k, dmg));
			tenc_encode(e, &s, k, &f);
			CHECK(f.keyframe == (k == 0) &&
			      !!(h264_nal_types(f.data, f.len) & NAL_IDR) == (k == 0),
			      "%s frame %d: keyframe %d", scene_name(kind), k,
			      f.keyframe);
			p = tenc_decode(d, &f, &s, &pic);
			CHECK(p >= min_psnr[kind], "%s frame %d: PSNR %.1f dB, "
			      "want >= %.0f", scene_name(kind), k, p, min_psnr[kind]);
			lo = p < lo ? p : lo;
			sum += p;
			bytes += k ? f.len : 0;
			enc_frame_acked(e, f.id);
		}
		printf("%-12s 1280x720: PSNR mean %.1f dB, lowest %.1f; "
		       "%zu bytes a frame after the first\n", scene_name(kind),
		       sum / (frames + 1), lo, bytes / frames);
		scene_free(&s);
		h264dec_close(d);
		enc_close(e);
	}
	return 0;
}

/* Tiny pictures: gradients that move, and one sharp pixel. */
static void fill_small(struct scene *s, uint32_t k)
{
	for (uint32_t y = 0; y < s->h; y++)
		for (uint32_t x = 0; x < s->w; x++)
			((uint32_t *)(s->fb + (size_t)y * s->stride))[x] =
				((x * 4 + k * 8) & 0xff) << 16 |
				((y * 6 + k * 5) & 0xff) << 8 | 0x60;
	((uint32_t *)s->fb)[k % s->w] = 0xffffff;
}

static int test_sizes(void)
{
	static const uint32_t sizes[][2] = {
		{ 1366, 768 }, { 1023, 767 }, { 800, 601 }, { 33, 17 },
		{ 2, 2 }, { 1, 1 },
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct enc_config cfg = { .width = sizes[i][0], .height = sizes[i][1] };
		struct enc *e = tenc_open(&cfg, NULL);
		struct h264dec *d = h264dec_open();
		struct scene s;
		struct enc_frame f;
		struct h264pic pic;
		int big = cfg.width >= 512;
		double p = 0;

		CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
		for (int k = 0; k < 4; k++) {
			struct enc_rect dmg[2];

			if (k && big) {
				enc_damage(e, dmg, scene_step(&s, SCENE_BLOCK,
							      (uint32_t)k, dmg));
			} else if (k) {
				fill_small(&s, (uint32_t)k);
				enc_damage_all(e);
			}
			tenc_encode(e, &s, k, &f);
			p = tenc_decode(d, &f, &s, &pic);
			/* In a picture of a few pixels each error weighs a
			 * lot: the bound is for "the right picture" there. */
			CHECK(p >= (s.w * s.h >= 64 ? 34 : 20), "%ux%u frame %d: "
			      "PSNR %.1f dB", s.w, s.h, k, p);
			enc_frame_acked(e, f.id);
		}
		printf("%ux%u: decoded %dx%d, PSNR %.1f dB\n", s.w, s.h,
		       pic.width, pic.height, p);
		scene_free(&s);
		h264dec_close(d);
		enc_close(e);
	}
	return 0;
}

static int test_keyframe(void)
{
	struct enc_config cfg = { .width = 640, .height = 360 };
	struct enc *e = tenc_open(&cfg, NULL);
	struct h264dec *d = h264dec_open(), *late = NULL;
	struct scene s;
	struct enc_frame f;
	struct h264pic pic;
	struct enc_rect dmg[2];
	struct enc_stats st;
	double p;
	int settled;

	CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
	for (int k = 0; k < 40; k++) {
		uint32_t nal;

		if (k)
			enc_damage(e, dmg, scene_step(&s, SCENE_BLOCK, (uint32_t)k, dmg));
		if (k == 20 || k == 30)
			enc_request_keyframe(e);
		tenc_encode(e, &s, k, &f);
		nal = h264_nal_types(f.data, f.len);
		if (k == 0 || k == 20 || k == 30) {
			CHECK(f.keyframe && (nal & (NAL_IDR | NAL_SPS | NAL_PPS)) ==
			      (NAL_IDR | NAL_SPS | NAL_PPS), "frame %d: keyframe "
			      "%d, NAL types %#x", k, f.keyframe, nal);
			CHECK(f.nrects == 1 && f.rects[0].w == s.w &&
			      f.rects[0].h == s.h, "a keyframe covers everything");
		} else {
			CHECK(!f.keyframe && !(nal & NAL_IDR), "frame %d: an IDR "
			      "nobody asked for", k);
		}
		if (k == 10) {
			/* A decoder joining at a P-frame has nothing to show. */
			struct h264dec *lost = h264dec_open();

			CHECK(lost && h264dec_decode(lost, f.data, f.len, &pic) != 1,
			      "a P-frame alone decoded to a picture");
			h264dec_close(lost);
		}
		if (k == 20) {
			late = h264dec_open();
			CHECK(late, "decoder");
		}
		p = tenc_decode(d, &f, &s, &pic);
		CHECK(p >= 34, "frame %d: PSNR %.1f dB", k, p);
		if (late) {
			p = tenc_decode(late, &f, &s, &pic);
			CHECK(p >= 34, "frame %d, decoder started at the "
			      "requested keyframe: PSNR %.1f dB", k, p);
		}
		enc_frame_acked(e, f.id);
	}
	/* A keyframe asked for on a still screen is still sent. */
	settled = tenc_settle(e, &s, d, 40, &p);
	CHECK(!enc_wants_frame(e), "a still screen wants no frame");
	enc_request_keyframe(e);
	CHECK(enc_wants_frame(e), "a keyframe request wants a frame");
	tenc_encode(e, &s, 60, &f);
	CHECK(f.keyframe, "the requested keyframe");
	enc_get_stats(e, &st);
	CHECK(st.keyframes == 4 && st.frames == 41 + (uint64_t)settled,
	      "%llu keyframes in %llu frames", (unsigned long long)st.keyframes,
	      (unsigned long long)st.frames);
	h264dec_close(late);
	h264dec_close(d);
	scene_free(&s);
	enc_close(e);
	return 0;
}

static int test_refresh(void)
{
	const uint32_t period = 20;
	struct enc_config cfg = { .width = 640, .height = 360,
				  .intra_refresh = period };
	struct enc *e = tenc_open(&cfg, NULL);
	struct h264dec *d = h264dec_open(), *late = NULL;
	struct scene s;
	struct enc_frame f;
	struct h264pic pic;
	struct enc_rect dmg[2];
	int idrs = 0, joined = -1, first_pic = -1;

	CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
	for (int k = 0; k < 100; k++) {
		uint32_t nal;
		double p;

		if (k)
			enc_damage(e, dmg, scene_step(&s, SCENE_BLOCK, (uint32_t)k, dmg));
		if (k == 90)
			enc_request_keyframe(e);
		tenc_encode(e, &s, k, &f);
		nal = h264_nal_types(f.data, f.len);
		idrs += !!(nal & NAL_IDR);
		CHECK(!!(nal & NAL_IDR) == (k == 0 || k == 90) &&
		      f.keyframe == (k == 0 || k == 90), "frame %d: IDR %d, "
		      "keyframe %d", k, !!(nal & NAL_IDR), f.keyframe);
		p = tenc_decode(d, &f, &s, &pic);
		CHECK(p >= 34, "frame %d: PSNR %.1f dB", k, p);
		/* Join at the first headers after frame 25 (x264 repeats
		 * them where each refresh wave starts). */
		if (!late && k > 25 && (nal & NAL_SPS)) {
			late = h264dec_open();
			joined = k;
		}
		if (late) {
			int r = h264dec_decode(late, f.data, f.len, &pic);

			if (r == 1 && first_pic < 0)
				first_pic = k;
			if (r == 1 && k >= joined + (int)period) {
				uint8_t *ref = h264_ref_i420(s.fb, s.stride, s.w, s.h);

				p = h264_psnr(&pic, ref, s.w, s.h);
				free(ref);
				CHECK(p >= 34, "frame %d, decoder joined at %d: "
				      "PSNR %.1f dB", k, joined, p);
			}
		}
		enc_frame_acked(e, f.id);
	}
	CHECK(idrs == 2, "%d IDRs with intra refresh (want the first and the "
	      "one asked for)", idrs);
	CHECK(joined > 0 && first_pic >= 0 && first_pic <= joined + (int)period,
	      "joined at %d, first picture at %d (period %u)", joined,
	      first_pic, period);
	printf("joined at frame %d, first picture at %d, refresh period %u\n",
	       joined, first_pic, period);
	h264dec_close(late);
	h264dec_close(d);
	scene_free(&s);
	enc_close(e);
	return 0;
}

/* A cap too tight for the motion: when it stops, the still picture is
 * refined to what the quality setting asks for, then nothing is sent. */
static int test_refine(void)
{
	struct enc_config cfg = { .width = 1280, .height = 720,
				  .max_kbps = 2000, .vbv_ms = 100 };
	struct enc *e = tenc_open(&cfg, NULL);
	struct h264dec *d = h264dec_open();
	struct scene s;
	struct enc_frame f;
	struct h264pic pic;
	struct enc_rect dmg[2];
	struct enc_stats st;
	double cut = 0, sharp = 0;
	int n;

	CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
	for (int k = 0; k < 10; k++) {
		if (k)
			enc_damage(e, dmg, scene_step(&s, SCENE_MOTION, (uint32_t)k, dmg));
		tenc_encode(e, &s, k, &f);
		CHECK(!f.refine, "frame %d with new pixels marked refine", k);
		cut = tenc_decode(d, &f, &s, &pic);
		enc_frame_acked(e, f.id);
	}
	CHECK(f.qp > 23 + 2, "the cap did not cut the motion short (QP %d): "
	      "nothing to refine", f.qp);
	n = tenc_settle(e, &s, d, 10, &sharp);
	CHECK(n >= 1 && sharp > cut + 3, "%d refinement frames took PSNR "
	      "from %.1f to %.1f dB", n, cut, sharp);
	CHECK(enc_encode(e, s.fb, s.stride, 0, &f, NULL, 0) == 0,
	      "refined, yet still encoding");
	enc_get_stats(e, &st);
	CHECK(st.refines == (uint64_t)n, "stats say %llu refinements",
	      (unsigned long long)st.refines);
	printf("refine: after motion at QP %d, %d frames took PSNR from %.1f "
	       "to %.1f dB\n", f.qp, n, cut, sharp);
	scene_free(&s);
	h264dec_close(d);
	enc_close(e);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tenc_case cases[] = {
		{ "quality", test_quality },
		{ "sizes", test_sizes },
		{ "keyframe", test_keyframe },
		{ "refresh", test_refresh },
		{ "refine", test_refine },
	};

	return tenc_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
