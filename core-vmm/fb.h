/* SPDX-License-Identifier: MIT */
/*
 * The guest framebuffer: a memfd (so a display process can map it later),
 * mapped into the guest at LAYOUT_FB_START as its own KVM memory slot with
 * dirty-page logging. Only this slot is logged, so tracking the screen costs
 * the rest of RAM nothing.
 */
#ifndef PORTHOLE_VMM_FB_H
#define PORTHOLE_VMM_FB_H

#include <stddef.h>
#include <stdint.h>

#include "damage.h"

#define FB_MIN_WIDTH  640
#define FB_MIN_HEIGHT 480
#define FB_MAX_DIM    8192

struct vmm_fb {
	int vm_fd;
	int slot;
	int memfd;
	uint8_t *pixels;     /* XRGB8888, `stride` bytes per row */
	uint64_t gpa, size;  /* size is page aligned */
	uint32_t width, height, stride;
	uint64_t *bitmap;
	struct damage damage;
};

/* Row pitch for a width: rounded up to whole pages, so that every page holds
 * pixels of one row at the same columns in every row (see damage.h). */
uint32_t fb_stride_for(uint32_t width);

/* Parse "WxH" and check the limits; -1 with a message on error. */
int fb_parse_size(const char *s, uint32_t *w, uint32_t *h, char *err,
		  size_t errlen);

int fb_create(struct vmm_fb *fb, int vm_fd, int slot, uint32_t width,
	      uint32_t height, char *err, size_t errlen);
void fb_destroy(struct vmm_fb *fb);

/* Damage since the previous call (the first call: since creation).
 * Returns the number of rectangles (0 when idle), or -errno. */
int fb_damage(struct vmm_fb *fb, struct fb_rect *out, int max);

#endif
