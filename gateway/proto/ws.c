// SPDX-License-Identifier: MIT
/*
 * RFC 6455 frames, server side, on wslay's event API driven by buffers:
 * wslay's recv callback reads from the bytes of the current gw_ws_feed,
 * its send callback appends to one bounded output queue that
 * gw_ws_pending drains. After every call wslay's own send queue is
 * flushed into ours, so there is one place that holds bytes for the peer
 * and one number (gw_ws_queued) for the relay's back-pressure.
 *
 * wslay checks what the peer sends: masking, reserved bits and opcodes,
 * control frame rules, UTF-8 in text and close frames, the message size;
 * it answers pings and closes by itself. This file reports what happened
 * to the caller through gw_ws_ops.
 *
 * Known wslay 1.1 quirk (found by fuzz_gw_ws): the UTF-8 check of a close
 * frame's reason starts at byte 2 of each piece wslay reads, not of the
 * payload, so a close whose reason arrives in two reads may be answered
 * with 1007, or a bad reason let through. The connection closes either
 * way; only the code differs.
 */
#include "ws.h"

#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

/* Room kept free for pongs and the close frame when the caller queues. */
#define CTRL_RESERVE 1024
#define FRAME_HEADER_MAX 10   /* a server frame: 2 bytes + 64-bit length */

struct gw_ws {
	wslay_event_context_ptr ctx;
	const struct gw_ws_ops *ops;
	void *arg;
	const uint8_t *in;          /* the bytes of the current gw_ws_feed */
	size_t in_len, in_off;
	uint8_t *out;               /* frames for the peer: out[head, head + len) */
	size_t out_head, out_len, out_cap;
	uint16_t peer_code;         /* the code of the peer's close frame */
	int in_recv;                /* inside wslay_event_recv */
	int stopped;                /* a message handler said stop */
	int failed;                 /* out of memory, or the queue overflowed */
	int close_reported;
};

static ssize_t ws_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
		       int flags, void *user)
{
	struct gw_ws *ws = user;
	size_t n = ws->in_len - ws->in_off;

	/* Pongs pile up while the peer pings and does not read: stop reading
	 * it once its queue is full (gw_ws_feed then fails). */
	if (gw_ws_queued(ws) >= GW_WS_MAX_QUEUED)
		ws->failed = 1;
	if (ws->stopped || ws->failed || n == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, ws->in + ws->in_off, n);
	ws->in_off += n;
	return (ssize_t)n;
}

/* Makes room for n more bytes at the end of the queue; 0 or -1. */
static int out_reserve(struct gw_ws *ws, size_t n)
{
	size_t want;
	uint8_t *p;

	if (ws->out_head + ws->out_len + n <= ws->out_cap)
		return 0;
	if (ws->out_head) {
		memmove(ws->out, ws->out + ws->out_head, ws->out_len);
		ws->out_head = 0;
		if (ws->out_len + n <= ws->out_cap)
			return 0;
	}
	want = ws->out_cap ? ws->out_cap : 4096;
	while (want < ws->out_len + n)
		want *= 2;
	if (want > GW_WS_MAX_QUEUED)
		want = GW_WS_MAX_QUEUED;
	p = realloc(ws->out, want);
	if (!p)
		return -1;
	ws->out = p;
	ws->out_cap = want;
	return 0;
}

static ssize_t ws_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
		       int flags, void *user)
{
	struct gw_ws *ws = user;
	size_t room = GW_WS_MAX_QUEUED - ws->out_len;

	if (room == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (len > room)
		len = room;
	if (out_reserve(ws, len) < 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	memcpy(ws->out + ws->out_head + ws->out_len, data, len);
	ws->out_len += len;
	return (ssize_t)len;
}

static void ws_on_msg(wslay_event_context_ptr ctx,
		      const struct wslay_event_on_msg_recv_arg *m, void *user)
{
	struct gw_ws *ws = user;

	if (ws->stopped)
		return;
	if (m->opcode == WSLAY_CONNECTION_CLOSE) {
		ws->peer_code = m->status_code ? m->status_code : WSLAY_CODE_NO_STATUS_RCVD;
		return;
	}
	if (m->opcode != WSLAY_BINARY_FRAME && m->opcode != WSLAY_TEXT_FRAME)
		return;   /* pings are answered by wslay, pongs need nothing */
	if (ws->ops->message && ws->ops->message(ws->arg, m->msg, m->msg_length))
		ws->stopped = 1;
}

static const struct wslay_event_callbacks callbacks = {
	.recv_callback = ws_recv,
	.send_callback = ws_send,
	.on_msg_recv_callback = ws_on_msg,
};

struct gw_ws *gw_ws_new(const struct gw_ws_ops *ops, void *arg)
{
	struct gw_ws *ws = calloc(1, sizeof(*ws));

	if (!ws)
		return NULL;
	if (wslay_event_context_server_init(&ws->ctx, &callbacks, ws) != 0) {
		free(ws);
		return NULL;
	}
	wslay_event_config_set_max_recv_msg_length(ws->ctx, GW_WS_MAX_MESSAGE);
	ws->ops = ops;
	ws->arg = arg;
	return ws;
}

void gw_ws_free(struct gw_ws *ws)
{
	if (!ws)
		return;
	wslay_event_context_free(ws->ctx);
	free(ws->out);
	free(ws);
}

/* Moves what wslay has queued into our queue. Whatever does not fit stays
 * with wslay only when the queue is full: then the peer is not reading. */
static void flush(struct gw_ws *ws)
{
	if (ws->in_recv || ws->failed)
		return;
	if (wslay_event_send(ws->ctx) != 0)
		ws->failed = 1;
	else if (wslay_event_want_write(ws->ctx) && ws->out_len >= GW_WS_MAX_QUEUED)
		ws->failed = 1;
}

ssize_t gw_ws_feed(struct gw_ws *ws, const uint8_t *buf, size_t len)
{
	int r;

	if (ws->failed || ws->stopped)
		return -1;
	ws->in = buf;
	ws->in_len = len;
	ws->in_off = 0;
	ws->in_recv = 1;
	r = wslay_event_recv(ws->ctx);
	ws->in_recv = 0;
	ws->in = NULL;
	if (r == WSLAY_ERR_NOMEM)
		ws->failed = 1;
	/* Any other error is a frame wslay's frame layer refused (a control
	 * frame over 125 bytes or fragmented, a 64-bit length with the top
	 * bit set): it has queued a close frame, without a status code. */
	if (ws->stopped || ws->failed)
		return -1;
	flush(ws);
	if (ws->failed)
		return -1;
	if (!wslay_event_get_read_enabled(ws->ctx) && !ws->close_reported) {
		uint16_t code = WSLAY_CODE_PROTOCOL_ERROR;

		if (ws->peer_code)
			code = ws->peer_code;
		else if (r == 0 && wslay_event_get_close_sent(ws->ctx))
			code = wslay_event_get_status_code_sent(ws->ctx);
		ws->close_reported = 1;
		if (ws->ops->closed)
			ws->ops->closed(ws->arg, code);
	}
	/* After a close, what the peer sends is ignored (RFC 6455 5.5.1). */
	return (ssize_t)len;
}

int gw_ws_send(struct gw_ws *ws, const uint8_t *data, size_t len)
{
	struct wslay_event_msg m = { WSLAY_BINARY_FRAME, data, len };
	size_t queued = gw_ws_queued(ws);
	size_t cap = GW_WS_MAX_QUEUED - CTRL_RESERVE - FRAME_HEADER_MAX;

	if (ws->failed || queued > cap || len > cap - queued)
		return -1;
	if (wslay_event_queue_msg(ws->ctx, &m) != 0)
		return -1;
	flush(ws);
	return ws->failed ? -1 : 0;
}

size_t gw_ws_pending(struct gw_ws *ws, uint8_t *out, size_t outlen)
{
	size_t n = ws->out_len < outlen ? ws->out_len : outlen;

	if (n)
		memcpy(out, ws->out + ws->out_head, n);
	ws->out_head += n;
	ws->out_len -= n;
	if (ws->out_len == 0)
		ws->out_head = 0;
	flush(ws);
	return n;
}

size_t gw_ws_queued(const struct gw_ws *ws)
{
	return ws->out_len + wslay_event_get_queued_msg_length(ws->ctx);
}

void gw_ws_close(struct gw_ws *ws, uint16_t code)
{
	if (wslay_event_queue_close(ws->ctx, code, NULL, 0) == 0)
		flush(ws);
}

int gw_ws_done(const struct gw_ws *ws)
{
	if (ws->failed || ws->stopped)
		return 1;
	return !wslay_event_get_read_enabled(ws->ctx) &&
	       wslay_event_get_close_sent(ws->ctx);
}
