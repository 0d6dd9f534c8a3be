// SPDX-License-Identifier: MIT
/*
 * Pacing, with real x264 and the real decoder.
 *   idle:   nothing changed, nothing encoded: enc_encode returns 0 and
 *           counts it, any number of times; a change encodes again.
 *   pacing: while the client has max_in_flight frames unacknowledged, new
 *           damage waits (no frame made, none queued); after the ack the
 *           next frame carries the latest pixels and all the damage since;
 *           acks for frames never sent open nothing; the limit can change
 *           (2, none).
 *   threads: damage, questions and keyframe requests from another thread
 *            while frames are encoded, decoded and acked.
 */
#include "tenc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int encode(struct enc *e, const struct scene *s, int64_t t,
		  struct enc_frame *f)
{
	char err[256] = "";
	int r = enc_encode(e, s->fb, s->stride, t * 16667, f, err, sizeof(err));

	CHECK(r >= 0, "enc_encode: %s", err);
	return r;
}

static int test_idle(void)
{
	struct enc_config cfg = { .width = 640, .height = 480 };
	struct enc *e = tenc_open(&cfg, NULL);
	struct scene s;
	struct enc_frame f;
	struct enc_stats st;
	struct enc_rect dmg[2];
	int settled;

	CHECK(scene_init(&s, cfg.width, cfg.height) == 0, "setup");
	CHECK(enc_wants_frame(e), "a new encoder wants its first frame");
	CHECK(encode(e, &s, 0, &f) == 1 && f.keyframe, "the first frame");
	enc_frame_acked(e, f.id);
	settled = tenc_settle(e, &s, NULL, 1, NULL);
	for (int k = 1; k <= 50; k++) {
		CHECK(!enc_wants_frame(e), "wants a frame with nothing changed");
		CHECK(encode(e, &s, k, &f) == 0, "encoded an unchanged "
		      "picture at call %d", k);
	}
	enc_get_stats(e, &st);
	CHECK(st.frames == 1 + (uint64_t)settled && st.idle == 50 && st.held == 0,
	      "frames %llu idle %llu held %llu", (unsigned long long)st.frames,
	      (unsigned long long)st.idle, (unsigned long long)st.held);

	enc_damage(e, dmg, scene_step(&s, SCENE_TYPING, 1, dmg));
	CHECK(enc_wants_frame(e), "a typed glyph wants a frame");
	CHECK(encode(e, &s, 51, &f) == 1 && !f.keyframe, "the glyph's frame");
	CHECK(f.nrects == 1 && f.rects[0].w <= 10 && f.rects[0].h <= 18,
	      "the glyph's frame says %zu rects, first %ux%u", f.nrects,
	      f.rects[0].w, f.rects[0].h);
	enc_get_stats(e, &st);
	CHECK(st.px_converted - (uint64_t)640 * 480 <= 16 * 18,
	      "converted %llu pixels for a glyph",
	      (unsigned long long)st.px_converted - (uint64_t)640 * 480);
	printf("idle: %d refinement frames, then 50 calls and no encode; a "
	       "glyph: %zu bytes\n", settled, f.len);
	scene_free(&s);
	enc_close(e);
	return 0;
}

static int inside(const struct enc_frame *f, uint32_t x, uint32_t y)
{
	for (size_t i = 0; i < f->nrects; i++)
		if (x >= f->rects[i].x && x < f->rects[i].x + f->rects[i].w &&
		    y >= f->rects[i].y && y < f->rects[i].y + f->rects[i].h)
			return 1;
	return 0;
}

static double psnr_against(const struct h264pic *pic, const uint8_t *fb,
			   const struct scene *s)
{
	uint8_t *ref = h264_ref_i420(fb, s->stride, s->w, s->h);
	double p;

	CHECK(ref, "out of memory");
	p = h264_psnr(pic, ref, s->w, s->h);
	free(ref);
	return p;
}

static int test_pacing(void)
{
	struct enc_config cfg = { .width = 640, .height = 360 };
	struct enc *e = tenc_open(&cfg, NULL);
	struct h264dec *d = h264dec_open();
	struct scene s;
	struct enc_frame f;
	struct h264pic pic;
	struct enc_stats st;
	struct enc_rect dmg[2], seen[6];
	size_t nseen = 0, pic_bytes;
	uint8_t *middle;
	double p_last, p_mid;

	CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
	pic_bytes = (size_t)s.stride * s.h;
	middle = malloc(pic_bytes);
	CHECK(middle, "out of memory");
	CHECK(encode(e, &s, 0, &f) == 1 && f.id == 1, "frame 1");
	tenc_decode(d, &f, &s, &pic);

	/* Not acked: three changes, no frames. */
	for (uint32_t k = 1; k <= 3; k++) {
		size_t n = scene_step(&s, SCENE_BLOCK, k * 9, dmg);

		enc_damage(e, dmg, n);
		memcpy(seen + nseen, dmg, n * sizeof(dmg[0]));
		nseen += n;
		if (k == 2)
			memcpy(middle, s.fb, pic_bytes);
		CHECK(!enc_wants_frame(e), "wants a frame while unacked");
		CHECK(encode(e, &s, k, &f) == 0, "encoded while unacked");
	}
	enc_frame_acked(e, 7);   /* never sent */
	enc_frame_acked(e, 0);
	CHECK(encode(e, &s, 4, &f) == 0, "a bogus ack opened the gate");
	enc_get_stats(e, &st);
	CHECK(st.frames == 1 && st.held == 4, "frames %llu held %llu",
	      (unsigned long long)st.frames, (unsigned long long)st.held);

	enc_frame_acked(e, 1);
	CHECK(enc_wants_frame(e), "acked, with damage: wants a frame");
	CHECK(encode(e, &s, 5, &f) == 1 && f.id == 2, "frame 2 after the ack");
	for (size_t i = 0; i < nseen; i++)
		for (uint32_t y = seen[i].y; y < seen[i].y + seen[i].h; y++)
			for (uint32_t x = seen[i].x; x < seen[i].x + seen[i].w; x++)
				CHECK(inside(&f, x, y), "damage at %u,%u while "
				      "unacked is not in frame 2's rects", x, y);
	p_last = tenc_decode(d, &f, &s, &pic);
	p_mid = psnr_against(&pic, middle, &s);
	CHECK(p_last >= 34 && p_mid < p_last - 6, "frame 2 is not the latest "
	      "picture: PSNR %.1f dB against it, %.1f against an earlier one",
	      p_last, p_mid);
	printf("pacing: after the ack, PSNR %.1f dB against the latest "
	       "picture, %.1f against the skipped one\n", p_last, p_mid);

	/* Two in flight: the third waits. */
	enc_set_max_in_flight(e, 2);
	enc_frame_acked(e, 2);
	for (uint32_t k = 10; k < 13; k++) {
		enc_damage(e, dmg, scene_step(&s, SCENE_BLOCK, k * 9, dmg));
		CHECK(encode(e, &s, k, &f) == (k < 12), "max 2 in flight: "
		      "call %u", k - 9);
		if (k < 12)
			tenc_decode(d, &f, &s, &pic);
	}
	enc_frame_acked(e, 3);
	CHECK(encode(e, &s, 13, &f) == 1 && f.id == 5, "one acked, one more");
	tenc_decode(d, &f, &s, &pic);

	/* No limit: a client that never acks. */
	enc_set_max_in_flight(e, 0);
	for (uint32_t k = 20; k < 25; k++) {
		enc_damage(e, dmg, scene_step(&s, SCENE_BLOCK, k * 9, dmg));
		CHECK(encode(e, &s, k, &f) == 1, "no limit: frame %u", k);
		tenc_decode(d, &f, &s, &pic);
	}
	free(middle);
	h264dec_close(d);
	scene_free(&s);
	enc_close(e);
	return 0;
}

struct poker {
	struct enc *e;
	const struct scene *s;
	atomic_int stop;
	int calls;
};

/* Another thread marks damage and asks, as the display's main thread
 * does while a client's thread encodes. */
static void *poke(void *opaque)
{
	struct poker *p = opaque;
	struct enc_stats st;

	while (!atomic_load(&p->stop)) {
		struct enc_rect r = { (uint32_t)p->calls * 7 % p->s->w,
				      (uint32_t)p->calls * 3 % p->s->h, 9, 9 };

		enc_damage(p->e, &r, 1);
		enc_wants_frame(p->e);
		enc_get_stats(p->e, &st);
		if (p->calls++ % 50 == 0)
			enc_request_keyframe(p->e);
	}
	return NULL;
}

static int test_threads(void)
{
	struct enc_config cfg = { .width = 320, .height = 240 };
	struct enc *e = tenc_open(&cfg, NULL);
	struct h264dec *d = h264dec_open();
	struct scene s;
	struct enc_frame f;
	struct h264pic pic;
	struct poker pk = { .e = e, .s = &s };
	pthread_t th;
	int frames = 0;

	CHECK(d && scene_init(&s, cfg.width, cfg.height) == 0, "setup");
	CHECK(pthread_create(&th, NULL, poke, &pk) == 0, "thread");
	for (int k = 0; k < 200 || frames < 20; k++) {
		if (encode(e, &s, k, &f) == 1) {
			tenc_decode(d, &f, &s, &pic);
			enc_frame_acked(e, f.id);
			frames++;
		}
	}
	atomic_store(&pk.stop, 1);
	pthread_join(th, NULL);
	printf("threads: %d frames while another thread made %d calls\n",
	       frames, pk.calls);
	scene_free(&s);
	h264dec_close(d);
	enc_close(e);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tenc_case cases[] = {
		{ "idle", test_idle },
		{ "pacing", test_pacing },
		{ "threads", test_threads },
	};

	return tenc_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
