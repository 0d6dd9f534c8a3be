// SPDX-License-Identifier: MIT
/*
 * Choosing an encoder, and refusing bad settings.
 *   hw:  "vaapi" and "nvenc" open where the host has the device (then they
 *        encode a short sequence that the decoder checks) and fail with a
 *        plain reason where it has not; "auto" falls back to x264 and logs
 *        why. Skips (77) when no hardware encoder could be exercised,
 *        saying why: the reasons are still checked.
 *   api: bad sizes, settings and strides are refused with a message.
 */
#include "tenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RENDER_NODE "/dev/dri/renderD128"
#define NVIDIA_CTL  "/dev/nvidiactl"

/* Encode and decode a few frames: the backend's contract. */
static void exercise(struct enc *e, uint32_t w, uint32_t h)
{
	struct h264dec *d = h264dec_open();
	struct scene s;
	struct enc_frame f;
	struct h264pic pic;
	struct enc_rect dmg[2];
	double p = 0;

	CHECK(d && scene_init(&s, w, h) == 0, "setup");
	for (int k = 0; k < 20; k++) {
		if (k)
			enc_damage(e, dmg, scene_step(&s, SCENE_BLOCK, (uint32_t)k, dmg));
		if (k == 10)
			enc_request_keyframe(e);
		tenc_encode(e, &s, k, &f);
		CHECK(f.keyframe == (k == 0 || k == 10), "%s frame %d: "
		      "keyframe %d", enc_backend_name(e), k, f.keyframe);
		p = tenc_decode(d, &f, &s, &pic);
		CHECK(p >= 30, "%s frame %d: PSNR %.1f dB", enc_backend_name(e),
		      k, p);
		enc_frame_acked(e, f.id);
	}
	printf("%s: 20 frames decoded, PSNR %.1f dB at the last\n",
	       enc_backend_name(e), p);
	scene_free(&s);
	h264dec_close(d);
}

/* 1 when the backend ran, 0 when the host cannot run it (reason in why). */
static int try_backend(const char *name, const char *dev, char *why,
		       size_t len)
{
	struct enc_config cfg = { .width = 640, .height = 360, .backend = name,
				  .log = NULL };
	struct enc *e;
	char err[256];
	int have = access(dev, F_OK) == 0;

	if (enc_open(&e, &cfg, err, sizeof(err)) < 0) {
		if (!have)
			CHECK(strstr(err, dev) && strstr(err, "missing"),
			      "%s without %s: the message does not say so: %s",
			      name, dev, err);
		snprintf(why, len, "%s", err);
		printf("%s: %s\n", name, err);
		return 0;
	}
	CHECK(have, "%s opened without %s", name, dev);
	CHECK(!strcmp(enc_backend_name(e), name), "asked for %s, got %s",
	      name, enc_backend_name(e));
	exercise(e, cfg.width, cfg.height);
	enc_close(e);
	return 1;
}

static int test_hw(void)
{
	struct enc_config cfg = { .width = 640, .height = 360, .backend = "auto" };
	char log[TENC_LOG] = "", va[256] = "", nv[256] = "";
	int ran = try_backend("vaapi", RENDER_NODE, va, sizeof(va)) +
		  try_backend("nvenc", NVIDIA_CTL, nv, sizeof(nv));
	struct enc *e = tenc_open(&cfg, log);

	printf("auto: %s (%s)\n", enc_backend_name(e), enc_backend_note(e));
	if (!strcmp(enc_backend_name(e), "x264")) {
		CHECK(strstr(enc_backend_note(e), va) &&
		      strstr(enc_backend_note(e), nv), "auto's note leaves out "
		      "a reason: %s", enc_backend_note(e));
		CHECK(strstr(log, "using x264, hardware not used") &&
		      strstr(log, va), "auto did not log why: %s", log);
	}
	exercise(e, cfg.width, cfg.height);
	enc_close(e);
	if (!ran) {
		printf("SKIP: no hardware H.264 encoder on this host (VA-API: "
		       "%s; NVENC: %s); their refusals and auto's fallback to "
		       "x264 were checked\n", va, nv);
		return 77;
	}
	return 0;
}

static void refused(struct enc_config cfg, const char *want)
{
	struct enc *e;
	char err[256] = "";

	cfg.log = NULL;
	CHECK(enc_open(&e, &cfg, err, sizeof(err)) < 0, "opened: %ux%u "
	      "backend %s preset %s crf %d", cfg.width, cfg.height,
	      cfg.backend, cfg.preset, cfg.crf);
	CHECK(strstr(err, want), "message '%s' does not say '%s'", err, want);
}

static int test_api(void)
{
	struct enc_config ok = { .width = 64, .height = 64, .backend = "x264" };
	struct enc_config c;
	struct enc *e;
	struct enc_frame f;
	uint8_t px[64 * 64 * 4] = { 0 };
	char err[256];

	c = ok; c.width = 0;
	refused(c, "0x64");
	c = ok; c.height = ENC_MAX_DIM + 1;
	refused(c, "must be 1..8192");
	c = ok; c.backend = "h265";
	refused(c, "unknown encoder 'h265'");
	c = ok; c.crf = 60;
	refused(c, "crf 60");
	c = ok; c.preset = "warp";
	refused(c, "unknown preset 'warp'");

	c = ok;
	e = tenc_open(&c, NULL);
	CHECK(enc_encode(e, px, 64 * 4 - 4, 0, &f, err, sizeof(err)) < 0 &&
	      strstr(err, "stride"), "a short stride: %s", err);
	CHECK(enc_encode(e, px, 64 * 4, 0, &f, err, sizeof(err)) == 1 &&
	      f.keyframe, "the first frame after a refused one: %s", err);
	CHECK(!strcmp(enc_backend_note(e), ""), "a named backend has a note");
	enc_close(e);
	enc_close(NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tenc_case cases[] = {
		{ "hw", test_hw },
		{ "api", test_api },
	};

	return tenc_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
