// SPDX-License-Identifier: MIT
/*
 * Cost of one damage query (fb_damage: KVM_GET_DIRTY_LOG + rectangles) on a
 * 1080p framebuffer, idle and after the guest rewrote every pixel; and the
 * rectangle pass alone for an all-dirty bitmap.
 */
#include "harness.h"

#include <string.h>
#include <time.h>

#define W 1920
#define H 1080

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n, const char *extra)
{
	qsort(t, n, sizeof(*t), cmp);
	printf("damage %-26s median %8.1f us  p90 %8.1f us  (n=%d)%s\n", what,
	       t[n / 2], t[n * 9 / 10], n, extra);
}

int main(void)
{
	struct harness h;
	struct fb_rect r[64];
	double t[1000];
	char extra[64];
	int n = 0;

	h_require_kvm();
	h_start_demo(&h, W, H, "porthole.anim=0 porthole.clock=0");
	fb_damage(&h.vm.fb, r, 64);

	for (int i = 0; i < 1000; i++) {
		double a = now_us();
		n = fb_damage(&h.vm.fb, r, 64);
		t[i] = now_us() - a;
		CHECK(n == 0, "not idle");
	}
	report("idle query", t, 1000, "");

	for (int i = 0; i < 30; i++) {
		h_command(&h, "fill 0 0 %d %d %06x", W, H, 0x101010 * (i % 15));
		double a = now_us();
		n = fb_damage(&h.vm.fb, r, 64);
		t[i] = now_us() - a;
	}
	snprintf(extra, sizeof(extra), "  -> %d rect %ux%u", n, r[0].w, r[0].h);
	report("full-screen change", t, 30, extra);

	{
		size_t words = (h.vm.fb.damage.npages + 63) / 64;
		uint64_t *bm = malloc(words * 8);
		for (int i = 0; i < 1000; i++) {
			memset(bm, 0xff, words * 8);
			double a = now_us();
			damage_from_bitmap(&h.vm.fb.damage, bm, r, 64);
			t[i] = now_us() - a;
		}
		report("rectangles only, all dirty", t, 1000, "");
		free(bm);
	}
	h_stop(&h);
	return 0;
}
