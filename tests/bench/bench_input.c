// SPDX-License-Identifier: MIT
/*
 * Input latency: from the host API call (vmm_input_key/abs) to the demo
 * guest reporting the event on COM1. This includes the guest's polling
 * interval and the serial line back, so it is an upper bound of what a
 * guest driver woken by the interrupt would see.
 */
#include "harness.h"

#include <linux/input-event-codes.h>
#include <string.h>
#include <time.h>

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

#define N 200

/* The device's part: until the event sits in the guest's used ring. */
static void device_latency(struct harness *h)
{
	struct virtq *vq = &h->vm.input.kbd.vp.vq[0];
	double t[N];

	for (int i = 0; i < N; i++) {
		uint16_t idx = __atomic_load_n((uint16_t *)vq->used + 1,
					       __ATOMIC_ACQUIRE);
		double a = now_us(), b;

		vmm_input_key(&h->vm.input, KEY_B, i % 2 == 0);
		/* Two events (key, SYN) land in the used ring. */
		while ((uint16_t)(__atomic_load_n((uint16_t *)vq->used + 1,
						  __ATOMIC_ACQUIRE) - idx) < 2)
			if (now_us() - a > 1e6)
				CHECK(0, "event never reached the ring");
		b = now_us();
		t[i] = b - a;
		CHECK(h_wait_line(h, "input kbd 0 0 0", 2000), "no syn");
		h_sleep_ms(1 + i % 7);
	}
	qsort(t, N, sizeof(*t), cmp);
	printf("input key -> used ring  median %7.1f us  p90 %7.1f us  min %6.1f us  (n=%d, device + iothread)\n",
	       t[N / 2], t[N * 9 / 10], t[0], N);
}

int main(void)
{
	struct harness h;
	double t[N];

	h_require_kvm();
	h_start_demo(&h, 1024, 768, "porthole.anim=0 porthole.clock=0");
	device_latency(&h);
	for (int i = 0; i < N; i++) {
		double a = now_us();
		vmm_input_key(&h.vm.input, KEY_A, i % 2 == 0);
		CHECK(h_wait_line(&h, "input kbd 1 30", 2000), "no key echo");
		t[i] = now_us() - a;
		h_wait_line(&h, "input kbd 0 0 0", 2000);
		h_sleep_ms(1 + i % 7); /* don't phase-lock with the guest's tick */
	}
	qsort(t, N, sizeof(*t), cmp);
	printf("input key -> guest COM1 median %7.0f us  p90 %7.0f us  min %6.0f us  (n=%d)\n",
	       t[N / 2], t[N * 9 / 10], t[0], N);
	for (int i = 0; i < N; i++) {
		double a = now_us();
		vmm_input_abs(&h.vm.input, (i * 997) % 32768, (i * 331) % 32768);
		CHECK(h_wait_line(&h, "input tablet 0 0 0", 2000), "no abs echo");
		t[i] = now_us() - a;
		h_sleep_ms(1 + i % 7);
	}
	qsort(t, N, sizeof(*t), cmp);
	printf("pointer -> guest COM1   median %7.0f us  p90 %7.0f us  min %6.0f us  (n=%d)\n",
	       t[N / 2], t[N * 9 / 10], t[0], N);
	h_stop(&h);
	return 0;
}
