// SPDX-License-Identifier: MIT
/*
 * gw_rfb_front and gw_rfb_back on arbitrary peers. Byte 0 picks the
 * machine (bit 0: back), TLSPlain (bit 1), the verdict on credentials
 * (bit 2); byte 1 the piece size. The rest is what the peer sends, fed
 * once in pieces and once whole. Invariants: *used <= len; a machine that
 * waits for more took everything; out[] within bounds; credentials
 * NUL-terminated and within GW_RFB_CRED_MAX; the password wiped after the
 * verdict; and the two runs agree byte for byte (same events, same bytes
 * consumed, same output): the machines do not depend on how TCP cuts the
 * stream.
 */
#include "rfb_auth.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
	uint8_t out[8192];
	size_t out_len, consumed;
	unsigned events;       /* a fingerprint of the event sequence */
	int last;
};

static void collect(uint8_t *out, size_t *out_len, size_t cap, struct trace *t)
{
	if (*out_len > cap)
		abort();
	if (t->out_len + *out_len <= sizeof(t->out)) {
		memcpy(t->out + t->out_len, out, *out_len);
		t->out_len += *out_len;
	}
	*out_len = 0;
}

static void run_front(const uint8_t *in, size_t len, size_t step, int tlsplain, int ok,
		      struct trace *t)
{
	struct gw_rfb_front f;
	size_t off = 0;

	gw_rfb_front_init(&f, tlsplain);
	collect(f.out, &f.out_len, sizeof(f.out), t);
	for (;;) {
		size_t n = step && step < len - off ? step : len - off, used = (size_t)-1, i;
		enum gw_rfb_event ev = gw_rfb_front_feed(&f, in + off, n, &used);

		if (used > n)
			abort();
		off += used;
		collect(f.out, &f.out_len, sizeof(f.out), t);
		if (ev != GW_RFB_NEED_MORE)
			t->events = t->events * 7 + (unsigned)ev;
		t->last = ev;
		if (ev == GW_RFB_NEED_MORE) {
			if (used != n)
				abort();
			if (off == len)
				break;
		} else if (ev == GW_RFB_CREDENTIALS) {
			if (strlen(f.user) > GW_RFB_CRED_MAX || strlen(f.password) > GW_RFB_CRED_MAX)
				abort();
			gw_rfb_front_result(&f, ok, NULL);
			for (i = 0; i < sizeof(f.password); i++)
				if (f.password[i])
					abort();
			collect(f.out, &f.out_len, sizeof(f.out), t);
		} else if (ev == GW_RFB_READY || ev == GW_RFB_ERROR) {
			if (ev == GW_RFB_ERROR && !f.error)
				abort();
			break;
		} else if (ev != GW_RFB_START_TLS) {
			abort();
		}
	}
	t->consumed = off;
}

static void run_back(const uint8_t *in, size_t len, size_t step, struct trace *t)
{
	struct gw_rfb_back b;
	size_t off = 0;

	gw_rfb_back_init(&b);
	for (;;) {
		size_t n = step && step < len - off ? step : len - off, used = (size_t)-1;
		enum gw_rfb_event ev = gw_rfb_back_feed(&b, in + off, n, &used);

		if (used > n)
			abort();
		off += used;
		collect(b.out, &b.out_len, sizeof(b.out), t);
		if (ev != GW_RFB_NEED_MORE)
			t->events = t->events * 7 + (unsigned)ev;
		t->last = ev;
		if (ev == GW_RFB_NEED_MORE) {
			if (used != n)
				abort();
			if (off == len)
				break;
		} else if (ev == GW_RFB_READY) {
			break;
		} else if (ev == GW_RFB_ERROR) {
			if (!b.error || strlen(b.error) >= sizeof(b.reason) + 64)
				abort();
			break;
		} else {
			abort();
		}
	}
	t->consumed = off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace a, b;
	size_t step;

	if (size < 2)
		return 0;
	step = data[1] % 17 + 1;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (data[0] & 1) {
		run_back(data + 2, size - 2, step, &a);
		run_back(data + 2, size - 2, 0, &b);
	} else {
		run_front(data + 2, size - 2, step, data[0] & 2, data[0] & 4, &a);
		run_front(data + 2, size - 2, 0, data[0] & 2, data[0] & 4, &b);
	}
	if (a.last != b.last || a.events != b.events || a.consumed != b.consumed ||
	    a.out_len != b.out_len ||
	    memcmp(a.out, b.out, a.out_len))
		abort();
	return 0;
}
