// SPDX-License-Identifier: MIT
/*
 * gw_ws on an arbitrary client byte stream. Bytes 0-1 pick where the
 * stream is cut in two (as TCP might), byte 2 whether the message handler
 * echoes each message back (gw_ws_send from inside gw_ws_feed) and how
 * much the caller takes from gw_ws_pending at a time. The stream is run
 * cut and whole. Invariants: gw_ws_feed takes all it is given or fails;
 * messages within GW_WS_MAX_MESSAGE; the queue within its bound; what the
 * codec sends parses as unmasked, whole server frames of the kinds it may
 * send; the close is reported once; and both runs see the same messages
 * and the same close. One allowance: wslay 1.1 checks the UTF-8 of a
 * close frame's reason from byte 2 of each piece it reads rather than of
 * the payload, so when TCP cuts a close inside its reason, a good reason
 * may be answered 1007 and a bad one let through: where either run says
 * 1007 the closes are not compared (the messages still are; reading
 * stops at the close frame either way).
 */
#include "ws.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct gw_ws *ws;
	int echo;
	size_t take;
	unsigned long hash;
	int messages, closed, failed;
	uint16_t code;
	uint8_t out[1 << 18];
	size_t out_len, parsed;
};

static int on_message(void *arg, const uint8_t *d, size_t len)
{
	struct run *r = arg;
	size_t i;

	if (len > GW_WS_MAX_MESSAGE)
		abort();
	for (i = 0; i < len; i++)
		r->hash = r->hash * 1099511628211ul ^ d[i];
	r->hash = r->hash * 31 + len;
	r->messages++;
	if (r->echo)
		gw_ws_send(r->ws, d, len);
	return 0;
}

static void on_closed(void *arg, uint16_t code)
{
	struct run *r = arg;

	if (r->closed)
		abort();
	r->closed = 1;
	r->code = code;
}

static const struct gw_ws_ops ops = { on_message, on_closed };

/* Checks each whole server frame taken so far, then forgets it. */
static void check_frames(struct run *r)
{
	for (;;) {
		const uint8_t *b = r->out + r->parsed;
		size_t avail = r->out_len - r->parsed, hdr = 2;
		uint64_t len;
		int op;

		if (avail < 2)
			break;
		op = b[0] & 0x0f;
		if ((b[0] & 0xf0) != 0x80 || (b[1] & 0x80) ||
		    (op != 2 && op != 8 && op != 10))
			abort();
		len = b[1] & 0x7f;
		if (len == 126) {
			if (avail < 4)
				break;
			len = (uint64_t)b[2] << 8 | b[3];
			hdr = 4;
		} else if (len == 127) {
			size_t i;

			if (avail < 10)
				break;
			for (len = 0, i = 0; i < 8; i++)
				len = len << 8 | b[2 + i];
			hdr = 10;
		}
		if (op != 2 && len > 125)
			abort();
		if (len > GW_WS_MAX_MESSAGE)
			abort();
		if (avail - hdr < len)
			break;
		r->parsed += hdr + (size_t)len;
	}
	memmove(r->out, r->out + r->parsed, r->out_len - r->parsed);
	r->out_len -= r->parsed;
	r->parsed = 0;
}

static void drain(struct run *r)
{
	size_t n;

	do {
		size_t room = sizeof(r->out) - r->out_len;

		n = gw_ws_pending(r->ws, r->out + r->out_len, r->take < room ? r->take : room);
		r->out_len += n;
		check_frames(r);
	} while (n);
	if (gw_ws_queued(r->ws) > GW_WS_MAX_QUEUED + 8192)
		abort();
}

static void feed(struct run *r, const uint8_t *d, size_t len)
{
	ssize_t n;

	if (r->failed)
		return;
	n = gw_ws_feed(r->ws, d, len);
	if (n < 0)
		r->failed = 1;
	else if ((size_t)n != len)
		abort();
	drain(r);
}

static void play(struct run *r, const uint8_t *d, size_t len, size_t cut, int echo, size_t take)
{
	r->hash = 0;
	r->messages = r->closed = r->failed = 0;
	r->code = 0;
	r->out_len = r->parsed = 0;
	r->echo = echo;
	r->take = take;
	r->ws = gw_ws_new(&ops, r);
	if (!r->ws)
		abort();
	feed(r, d, cut);
	feed(r, d + cut, len - cut);
	if (r->closed && !gw_ws_done(r->ws))
		abort();
	gw_ws_close(r->ws, 1000);
	drain(r);
	gw_ws_free(r->ws);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run *a, *b;
	size_t at, take;
	int echo;

	if (size < 3)
		return 0;
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (!a || !b)
		abort();
	at = ((size_t)data[0] << 8 | data[1]) % (size - 2);
	echo = data[2] & 1;
	take = (size_t)(data[2] >> 1) * 97 + 1;
	play(a, data + 3, size - 3, at, echo, take);
	play(b, data + 3, size - 3, size - 3, echo, take);
	if (a->messages != b->messages || a->hash != b->hash || a->failed != b->failed)
		abort();
	if (a->code != 1007 && b->code != 1007 && (a->closed != b->closed || a->code != b->code))
		abort();
	free(a);
	free(b);
	return 0;
}
