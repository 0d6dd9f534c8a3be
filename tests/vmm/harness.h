/* SPDX-License-Identifier: MIT */
/*
 * Test harness: a demo-guest VM in the test process, driven through the
 * monitor's API (vmm.h) and COM1 — the same paths porthole-vmm uses.
 */
#ifndef PORTHOLE_TEST_HARNESS_H
#define PORTHOLE_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm.h"

#define SKIP 77

#include "check.h"

struct harness {
	struct vmm vm;
	char out[1 << 16];     /* everything the guest printed */
	size_t out_len;
	size_t seen;           /* h_wait_line() consumed up to here */
	uint32_t w, h;
};

/* Skips the test (exit 77, saying why) when there is no usable /dev/kvm. */
void h_require_kvm(void);

/* Boot the demo guest with a WxH framebuffer; extra is appended to its
 * command line (e.g. "porthole.anim=0"). Waits for "ready". */
void h_start_demo(struct harness *h, uint32_t w, uint32_t hgt,
		  const char *extra);

struct h_options {
	const char *disk;          /* raw image for a virtio-blk disk */
	int disk_ro;
	const char *agent_socket;  /* host end of the agent port */
	int no_input;
};

void h_start_demo_opts(struct harness *h, uint32_t w, uint32_t hgt,
		       const char *extra, const struct h_options *o);
void h_stop(struct harness *h);

/* Send one command line; waits for "ok <first word>" (CHECKs it). */
void h_command(struct harness *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Wait until a line starting with prefix is printed after the last match;
 * returns it (static buffer) or NULL after timeout_ms. */
const char *h_wait_line(struct harness *h, const char *prefix, int timeout_ms);

static inline uint32_t h_pixel(const struct harness *h, uint32_t x, uint32_t y)
{
	return *(const uint32_t *)(h->vm.fb.pixels + (size_t)y * h->vm.fb.stride +
				   (size_t)x * 4) & 0x00ffffff;
}

/* Snapshot of the visible pixels (w*h, caller frees). */
uint32_t *h_snapshot(const struct harness *h);

uint64_t h_now_ms(void);
void h_sleep_ms(int ms);

#endif
