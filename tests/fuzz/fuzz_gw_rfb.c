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

struct machine {
	int back, tlsplain, ok;
	struct gw_rfb_front f;
	struct gw_rfb_back b;
};

static void machine_init(struct machine *m, struct trace *t)
{
	if (m->back) {
		gw_rfb_back_init(&m->b);
	} else {
		gw_rfb_front_init(&m->f, m->tlsplain);
		collect(m->f.out, &m->f.out_len, sizeof(m->f.out), t);
	}
}

/* One feed, with each machine's own checks; CREDENTIALS get a verdict. */
static enum gw_rfb_event machine_feed(struct machine *m, const uint8_t *in, size_t n,
				      size_t *used, struct trace *t)
{
	enum gw_rfb_event ev;
	size_t i;

	if (m->back) {
		ev = gw_rfb_back_feed(&m->b, in, n, used);
		collect(m->b.out, &m->b.out_len, sizeof(m->b.out), t);
		if (ev == GW_RFB_START_TLS || ev == GW_RFB_CREDENTIALS ||
		    (ev == GW_RFB_ERROR && (!m->b.error || strlen(m->b.error) >= sizeof(m->b.reason) + 64)))
			abort();
		return ev;
	}
	ev = gw_rfb_front_feed(&m->f, in, n, used);
	collect(m->f.out, &m->f.out_len, sizeof(m->f.out), t);
	if (ev == GW_RFB_ERROR && !m->f.error)
		abort();
	if (ev == GW_RFB_CREDENTIALS) {
		if (strlen(m->f.user) > GW_RFB_CRED_MAX || strlen(m->f.password) > GW_RFB_CRED_MAX)
			abort();
		gw_rfb_front_result(&m->f, m->ok, NULL);
		for (i = 0; i < sizeof(m->f.password); i++)
			if (m->f.password[i])
				abort();
		collect(m->f.out, &m->f.out_len, sizeof(m->f.out), t);
	}
	return ev;
}

static void run(struct machine *m, const uint8_t *in, size_t len, size_t step, struct trace *t)
{
	size_t off = 0;

	memset(t, 0, sizeof(*t));
	machine_init(m, t);
	for (;;) {
		size_t n = step && step < len - off ? step : len - off, used = (size_t)-1;
		enum gw_rfb_event ev = machine_feed(m, in + off, n, &used, t);

		if (used > n)
			abort();
		off += used;
		if (ev != GW_RFB_NEED_MORE)
			t->events = t->events * 7 + (unsigned)ev;
		t->last = ev;
		if (ev == GW_RFB_NEED_MORE) {
			if (used != n)
				abort();
			if (off == len)
				break;
		} else if (ev == GW_RFB_READY || ev == GW_RFB_ERROR) {
			break;
		}
	}
	t->consumed = off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine m;
	struct trace a, b;
	size_t step;

	if (size < 2)
		return 0;
	step = data[1] % 17 + 1;
	m.back = data[0] & 1;
	m.tlsplain = data[0] & 2;
	m.ok = data[0] & 4;
	run(&m, data + 2, size - 2, step, &a);
	run(&m, data + 2, size - 2, 0, &b);
	if (a.last != b.last || a.events != b.events || a.consumed != b.consumed ||
	    a.out_len != b.out_len || memcmp(a.out, b.out, a.out_len))
		abort();
	return 0;
}
