/* SPDX-License-Identifier: MIT */
/* What the encoder tests share: open, encode a picture, decode it, judge. */
#ifndef PORTHOLE_TEST_TENC_H
#define PORTHOLE_TEST_TENC_H

#include "check.h"
#include "enc.h"
#include "h264dec.h"
#include "scene.h"

#define TENC_LOG 2048

/* Open with the tests' defaults (backend x264); log lines are shown and,
 * when log is not NULL, kept there (TENC_LOG bytes, the latest ones). */
struct enc *tenc_open(struct enc_config *cfg, char *log);

/* enc_encode that must produce a frame (time: the frame number). */
void tenc_encode(struct enc *e, const struct scene *s, int64_t t,
		 struct enc_frame *f);
/* Decode f with d (a picture must come out) and return the PSNR of the
 * visible picture against s's pixels; checks the decoded size. */
double tenc_decode(struct h264dec *d, const struct enc_frame *f,
		   const struct scene *s, struct h264pic *pic);

/* Encode, decode (d may be NULL) and ack while the encoder wants frames
 * with nothing changing: the refinement of a still picture. Returns how
 * many frames that took; the last decoded PSNR goes to *psnr. */
int tenc_settle(struct enc *e, const struct scene *s, struct h264dec *d,
		int64_t t, double *psnr);

/* A test program's cases: main runs the one named by argv[1]. run returns
 * 0 (passed; "NAME: ok" is printed) or 77 (skipped, having said why). */
struct tenc_case {
	const char *name;
	int (*run)(void);
};
int tenc_main(int argc, char **argv, const struct tenc_case *cases, size_t n);

#endif
