// SPDX-License-Identifier: MIT
/*
 * gw_ws: the upgrade checks and accept key (RFC 6455's own example), and
 * the codec driven by frames this test builds and masks as a browser
 * does: whole and a byte at a time, fragments with control frames between
 * them, the close handshake both ways, and every refusal (unmasked,
 * oversize, bad UTF-8, reserved bits and opcodes, long control frames, a
 * peer that pings and never reads).
 */
#include "check.h"
#include "ws.h"

#include <stdlib.h>
#include <string.h>

/* ---- the upgrade ---- */

static struct gw_http_parser *parser;

static const struct gw_http_req *request(const char *head)
{
	int done, status;
	const struct gw_http_req *r;
	ssize_t n;

	gw_http_parser_reset(parser);
	n = gw_http_feed(parser, (const uint8_t *)head, strlen(head), &done, &r, &status);
	CHECK(n == (ssize_t)strlen(head) && done, "request did not parse (%d): %s", status, head);
	return r;
}

#define UPGRADE_HEAD(host, origin, extra)                                  \
	"GET /vnc/demo?ticket=T HTTP/1.1\r\n"                              \
	"Host: " host "\r\n"                                               \
	"Upgrade: websocket\r\n"                                           \
	"Connection: keep-alive, Upgrade\r\n"                              \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"                  \
	"Sec-WebSocket-Version: 13\r\n"                                    \
	origin extra "\r\n"

static void test_accept(void)
{
	char out[512];
	int status;
	const char *reason;
	ssize_t n;

	n = gw_ws_accept(request(UPGRADE_HEAD("gw.example:8443",
					      "Origin: https://gw.example:8443\r\n", "")),
			 out, sizeof(out), &status, &reason);
	CHECK(n > 0 && status == 101, "accept: %d %s", status, reason);
	out[n] = '\0';
	CHECK(!strncmp(out, "HTTP/1.1 101 Switching Protocols\r\n", 34), "status line");
	CHECK(strstr(out, "\r\nUpgrade: websocket\r\n"), "upgrade");
	CHECK(strstr(out, "\r\nConnection: Upgrade\r\n"), "connection");
	CHECK(strstr(out, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
	      "RFC 6455's example key: %s", out);
	CHECK(!strstr(out, "Sec-WebSocket-Protocol"), "no subprotocol offered, none chosen");
	CHECK(!strcmp(out + n - 4, "\r\n\r\n"), "head ends");

	n = gw_ws_accept(request(UPGRADE_HEAD("gw.example", "Origin: https://GW.example\r\n",
					      "Sec-WebSocket-Protocol: chat, binary\r\n")),
			 out, sizeof(out), &status, &reason);
	CHECK(n > 0, "binary offered: %s", reason);
	out[n] = '\0';
	CHECK(strstr(out, "\r\nSec-WebSocket-Protocol: binary\r\n"), "binary echoed");

	n = gw_ws_accept(request(UPGRADE_HEAD("gw.example:443", "Origin: https://gw.example\r\n",
					      "Sec-WebSocket-Protocol: base64\r\n")),
			 out, sizeof(out), &status, &reason);
	CHECK(n > 0, "default port: %s", reason);
	out[n] = '\0';
	CHECK(!strstr(out, "Sec-WebSocket-Protocol"), "only binary is echoed");

	n = gw_ws_accept(request(UPGRADE_HEAD("[::1]:8443", "Origin: https://[::1]:8443\r\n", "")),
			 out, sizeof(out), &status, &reason);
	CHECK(n > 0, "IPv6 literal: %s", reason);

	n = gw_ws_accept(request(UPGRADE_HEAD("h", "Origin: https://h\r\n", "")), out, 100,
			 &status, &reason);
	CHECK(n == -1 && status == 500, "answer does not fit");
}

static void test_refusals(void)
{
	static const struct {
		const char *head;
		int status;
	} cases[] = {
		{ "POST / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\nUpgrade: websocket\r\n"
		  "Connection: upgrade\r\nSec-WebSocket-Version: 13\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\n\r\n", 426 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\nUpgrade: websocket\r\n"
		  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
		  400 },
		{ UPGRADE_HEAD("h", "Origin: https://h\r\n", "Sec-WebSocket-Version: 13\r\n"), 426 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\nUpgrade: websocket\r\n"
		  "Connection: upgrade\r\nSec-WebSocket-Version: 8\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 426 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\nUpgrade: websocket\r\n"
		  "Connection: upgrade\r\nSec-WebSocket-Version: 13\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\nUpgrade: websocket\r\n"
		  "Connection: upgrade\r\nSec-WebSocket-Version: 13\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=!\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nOrigin: https://h\r\nUpgrade: websocket\r\n"
		  "Connection: upgrade\r\nSec-WebSocket-Version: 13\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 400 },
		{ UPGRADE_HEAD("h", "", ""), 403 },
		{ UPGRADE_HEAD("h", "Origin: https://evil.example\r\n", ""), 403 },
		{ UPGRADE_HEAD("h:8443", "Origin: https://h:8444\r\n", ""), 403 },
		{ UPGRADE_HEAD("h:8443", "Origin: https://h\r\n", ""), 403 },
		{ UPGRADE_HEAD("h", "Origin: http://h\r\n", ""), 403 },
		{ UPGRADE_HEAD("h", "Origin: null\r\n", ""), 403 },
		{ UPGRADE_HEAD("h", "Origin: https://h/\r\n", ""), 403 },
		{ UPGRADE_HEAD("h", "Origin: https://user@h\r\n", ""), 403 },
		{ UPGRADE_HEAD("h", "Origin: https://h\r\nOrigin: https://h\r\n", ""), 403 },
		{ UPGRADE_HEAD("h.evil", "Origin: https://h\r\n", ""), 403 },
	};
	char out[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = 0;
		const char *reason = NULL;
		ssize_t n = gw_ws_accept(request(cases[i].head), out, sizeof(out), &status,
					 &reason);

		CHECK(n == -1 && status == cases[i].status && reason,
		      "case %zu: %zd, status %d (want %d)", i, n, status, cases[i].status);
	}
}

/* ---- the codec ---- */

static const uint8_t mask_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* A frame as a browser sends it (masked unless told otherwise). */
static size_t client_frame(uint8_t *out, int fin, int rsv, int opcode, const void *payload,
			   size_t len, int masked)
{
	const uint8_t *p = payload;
	size_t n = 0, i;

	out[n++] = (uint8_t)((fin ? 0x80 : 0) | rsv << 4 | opcode);
	if (len < 126) {
		out[n++] = (uint8_t)((masked ? 0x80 : 0) | len);
	} else if (len < 65536) {
		out[n++] = (uint8_t)((masked ? 0x80 : 0) | 126);
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
	} else {
		out[n++] = (uint8_t)((masked ? 0x80 : 0) | 127);
		for (i = 0; i < 8; i++)
			out[n++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	if (masked) {
		memcpy(out + n, mask_key, 4);
		n += 4;
	}
	for (i = 0; i < len; i++)
		out[n + i] = masked ? p[i] ^ mask_key[i % 4] : p[i];
	return n + len;
}

/* One server frame from buf: opcode, payload; its length, 0 if incomplete. */
static size_t server_frame(const uint8_t *buf, size_t len, int *opcode, const uint8_t **payload,
			   size_t *plen)
{
	size_t n = 2, i;
	uint64_t l;

	if (len < 2)
		return 0;
	CHECK(!(buf[1] & 0x80), "a server frame is never masked");
	CHECK(buf[0] & 0x80, "the server sends whole messages as single frames");
	*opcode = buf[0] & 0x0f;
	l = buf[1] & 0x7f;
	if (l == 126) {
		if (len < 4)
			return 0;
		l = (uint64_t)buf[2] << 8 | buf[3];
		n = 4;
	} else if (l == 127) {
		if (len < 10)
			return 0;
		for (l = 0, i = 0; i < 8; i++)
			l = l << 8 | buf[2 + i];
		n = 10;
	}
	if (len - n < l)
		return 0;
	*payload = buf + n;
	*plen = (size_t)l;
	return n + (size_t)l;
}

struct peer {
	struct gw_ws *ws;
	uint8_t msg[2 * 1024 * 1024];
	size_t msg_len;
	int messages;
	int stop_after;        /* the message handler says stop at this count */
	int closed;
	uint16_t code;
	uint8_t out[GW_WS_MAX_QUEUED];
	size_t out_len;
};

static int on_message(void *arg, const uint8_t *data, size_t len)
{
	struct peer *p = arg;

	CHECK(len <= GW_WS_MAX_MESSAGE, "message of %zu bytes", len);
	if (len)
		memcpy(p->msg, data, len);
	p->msg_len = len;
	p->messages++;
	return p->stop_after && p->messages >= p->stop_after;
}

static void on_closed(void *arg, uint16_t code)
{
	struct peer *p = arg;

	CHECK(!p->closed, "closed reported twice");
	p->closed = 1;
	p->code = code;
}

static const struct gw_ws_ops ops = { on_message, on_closed };

static struct peer *peer_new(void)
{
	struct peer *p = calloc(1, sizeof(*p));

	CHECK(p, "calloc");
	p->ws = gw_ws_new(&ops, p);
	CHECK(p->ws, "gw_ws_new");
	return p;
}

static void peer_free(struct peer *p)
{
	gw_ws_free(p->ws);
	free(p);
}

/* Feeds bytes in pieces of step (0: at once); all must be consumed. */
static void feed(struct peer *p, const uint8_t *b, size_t len, size_t step)
{
	size_t off = 0;

	while (off < len) {
		size_t n = step && step < len - off ? step : len - off;
		ssize_t u = gw_ws_feed(p->ws, b + off, n);

		CHECK(u == (ssize_t)n, "fed %zu, consumed %zd", n, u);
		off += n;
	}
}

/* Takes what the codec has for the peer. */
static void drain(struct peer *p)
{
	size_t n;

	do {
		n = gw_ws_pending(p->ws, p->out + p->out_len, 1000);
		p->out_len += n;
	} while (n);
	CHECK(gw_ws_queued(p->ws) == 0, "queued after draining");
}

/* The next frame the server sent; it must be there. */
static void next_frame(struct peer *p, size_t *at, int *opcode, const uint8_t **payload,
		       size_t *plen)
{
	size_t n = server_frame(p->out + *at, p->out_len - *at, opcode, payload, plen);

	CHECK(n, "no whole frame at %zu of %zu", *at, p->out_len);
	*at += n;
}

static void expect_close(struct peer *p, size_t *at, uint16_t code)
{
	int op;
	const uint8_t *pl;
	size_t len;

	drain(p);
	next_frame(p, at, &op, &pl, &len);
	CHECK(op == 8, "opcode %d, want close", op);
	if (code == 0) {
		CHECK(len == 0, "close with a code");
		return;
	}
	CHECK(len >= 2 && (pl[0] << 8 | pl[1]) == code, "close code %d, want %d",
	      len >= 2 ? pl[0] << 8 | pl[1] : -1, code);
}

static void test_messages(void)
{
	static uint8_t frames[300000], data[70000];
	size_t step, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (step = 0; step <= 3; step++) {
		struct peer *p = peer_new();
		size_t n = 0;

		n += client_frame(frames + n, 1, 0, 2, "RFB 003.008\n", 12, 1);
		n += client_frame(frames + n, 1, 0, 1, "text \xc3\xa9", 7, 1);
		n += client_frame(frames + n, 1, 0, 2, data, 300, 1);     /* 16-bit length */
		n += client_frame(frames + n, 1, 0, 2, data, 70000, 1);   /* 64-bit length */
		n += client_frame(frames + n, 1, 0, 2, "", 0, 1);
		feed(p, frames, n, step == 3 ? 4093 : step);
		CHECK(p->messages == 5, "%d messages", p->messages);
		CHECK(p->msg_len == 0, "last message empty");
		CHECK(!p->closed && !gw_ws_done(p->ws), "still open");
		drain(p);
		CHECK(p->out_len == 0, "nothing to answer");
		peer_free(p);
	}
	{
		struct peer *p = peer_new();
		size_t n = client_frame(frames, 1, 0, 2, data, 70000, 1);

		feed(p, frames, n, 0);
		CHECK(p->messages == 1 && p->msg_len == 70000 && !memcmp(p->msg, data, 70000),
		      "64-bit length payload");
		peer_free(p);
	}
}

/* A fragmented message with a ping and a pong between its frames. */
static void test_fragments(void)
{
	uint8_t frames[256];
	size_t step;

	for (step = 0; step <= 1; step++) {
		struct peer *p = peer_new();
		size_t n = 0, at = 0, len;
		int op;
		const uint8_t *pl;

		n += client_frame(frames + n, 0, 0, 2, "abc", 3, 1);
		n += client_frame(frames + n, 1, 0, 9, "ping!", 5, 1);
		n += client_frame(frames + n, 0, 0, 0, "def", 3, 1);
		n += client_frame(frames + n, 1, 0, 10, "pong", 4, 1);
		n += client_frame(frames + n, 1, 0, 0, "gh", 2, 1);
		feed(p, frames, n, step);
		CHECK(p->messages == 1 && p->msg_len == 8 && !memcmp(p->msg, "abcdefgh", 8),
		      "reassembled: %d messages, %zu bytes", p->messages, p->msg_len);
		drain(p);
		next_frame(p, &at, &op, &pl, &len);
		CHECK(op == 10 && len == 5 && !memcmp(pl, "ping!", 5), "pong echoes the ping");
		CHECK(at == p->out_len, "only the pong");
		peer_free(p);
	}
}

/* The server's own messages, drained in small pieces. */
static void test_send(void)
{
	static uint8_t data[70000];
	struct peer *p = peer_new();
	size_t at = 0, len, i;
	int op;
	const uint8_t *pl;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	CHECK(gw_ws_send(p->ws, (const uint8_t *)"hello", 5) == 0, "send");
	CHECK(gw_ws_send(p->ws, data, 200) == 0, "send 200");
	CHECK(gw_ws_send(p->ws, data, sizeof(data)) == 0, "send 70000");
	CHECK(gw_ws_queued(p->ws) >= 5 + 200 + sizeof(data), "queued %zu", gw_ws_queued(p->ws));
	while ((len = gw_ws_pending(p->ws, p->out + p->out_len, 7)) > 0)
		p->out_len += len;
	CHECK(gw_ws_queued(p->ws) == 0, "all taken");
	next_frame(p, &at, &op, &pl, &len);
	CHECK(op == 2 && len == 5 && !memcmp(pl, "hello", 5), "first");
	next_frame(p, &at, &op, &pl, &len);
	CHECK(op == 2 && len == 200 && !memcmp(pl, data, 200), "second");
	next_frame(p, &at, &op, &pl, &len);
	CHECK(op == 2 && len == sizeof(data) && !memcmp(pl, data, sizeof(data)), "third");
	CHECK(at == p->out_len, "nothing else");
	peer_free(p);
}

static void test_close_by_peer(void)
{
	uint8_t frames[64], code[2] = { 0x03, 0xe8 };   /* 1000 */
	struct peer *p = peer_new();
	size_t n = 0, at = 0;

	CHECK(gw_ws_send(p->ws, (const uint8_t *)"x", 1) == 0, "send before close");
	n += client_frame(frames + n, 1, 0, 8, code, 2, 1);
	n += client_frame(frames + n, 1, 0, 2, "late", 4, 1);   /* ignored */
	feed(p, frames, n, 0);
	CHECK(p->closed && p->code == 1000, "closed %d code %d", p->closed, p->code);
	CHECK(p->messages == 0, "data after close is ignored");
	CHECK(gw_ws_done(p->ws), "done once our close is out");
	drain(p);
	at = 3;   /* the data frame queued before */
	expect_close(p, &at, 1000);
	CHECK(gw_ws_send(p->ws, (const uint8_t *)"y", 1) == -1, "nothing after close");
	CHECK(gw_ws_feed(p->ws, frames, n) == (ssize_t)n, "later bytes are ignored");
	peer_free(p);

	/* A close without a code: 1005 for the caller, an empty close back. */
	p = peer_new();
	n = client_frame(frames, 1, 0, 8, "", 0, 1);
	feed(p, frames, n, 0);
	CHECK(p->closed && p->code == 1005, "no code: %d", p->code);
	at = 0;
	expect_close(p, &at, 0);
	peer_free(p);
}

static void test_close_by_server(void)
{
	uint8_t frames[64], code[2] = { 0x03, 0xe9 };   /* 1001 */
	struct peer *p = peer_new();
	size_t at = 0, n;

	gw_ws_close(p->ws, 1001);
	expect_close(p, &at, 1001);
	CHECK(!gw_ws_done(p->ws), "waits for the peer's close");
	CHECK(gw_ws_send(p->ws, (const uint8_t *)"y", 1) == -1, "nothing after close");
	n = client_frame(frames, 1, 0, 2, "still", 5, 1);
	feed(p, frames, n, 0);
	CHECK(p->messages == 1, "the peer may still send until its close");
	n = client_frame(frames, 1, 0, 8, code, 2, 1);
	feed(p, frames, n, 0);
	CHECK(p->closed && p->code == 1001 && gw_ws_done(p->ws), "handshake complete");
	drain(p);
	CHECK(p->out_len == at, "no second close frame");
	peer_free(p);
}

/* Each refusal: the code reported, and the close frame queued. */
static void refused(const uint8_t *frames, size_t n, uint16_t code, uint16_t wire_code,
		    const char *what)
{
	size_t step;

	for (step = 0; step <= 1; step++) {
		struct peer *p = peer_new();
		size_t at = 0;

		feed(p, frames, n, step);
		CHECK(p->closed && p->code == code, "%s: closed %d, code %d", what, p->closed,
		      p->code);
		CHECK(gw_ws_done(p->ws), "%s: done", what);
		expect_close(p, &at, wire_code);
		CHECK(p->messages == 0, "%s: no message", what);
		peer_free(p);
	}
}

static void test_protocol_errors(void)
{
	static uint8_t frames[GW_WS_MAX_MESSAGE + 64], big[GW_WS_MAX_MESSAGE + 1];
	uint8_t bad_code[2] = { 0x03, 0xed };   /* 1005 may not be sent */
	size_t n;

	n = client_frame(frames, 1, 0, 2, "unmasked", 8, 0);
	refused(frames, n, 1002, 1002, "unmasked");
	n = client_frame(frames, 1, 4, 2, "rsv1", 4, 1);
	refused(frames, n, 1002, 1002, "reserved bit");
	n = client_frame(frames, 1, 0, 3, "op3", 3, 1);
	refused(frames, n, 1002, 1002, "reserved opcode");
	n = client_frame(frames, 1, 0, 0, "cont", 4, 1);
	refused(frames, n, 1002, 1002, "continuation without a start");
	n = client_frame(frames, 0, 0, 2, "a", 1, 1);
	n += client_frame(frames + n, 1, 0, 2, "b", 1, 1);
	refused(frames, n, 1002, 1002, "new message inside a fragmented one");
	n = client_frame(frames, 1, 0, 1, "\xff\xfe", 2, 1);
	refused(frames, n, 1007, 1007, "invalid UTF-8");
	n = client_frame(frames, 1, 0, 8, bad_code, 2, 1);
	refused(frames, n, 1002, 1002, "close code 1005 on the wire");
	/* wslay's frame layer: its close carries no code; the caller hears 1002. */
	n = client_frame(frames, 1, 0, 9, big, 126, 1);
	refused(frames, n, 1002, 0, "ping over 125 bytes");
	n = client_frame(frames, 0, 0, 9, "p", 1, 1);
	refused(frames, n, 1002, 0, "fragmented ping");

	n = client_frame(frames, 1, 0, 2, big, GW_WS_MAX_MESSAGE + 1, 1);
	refused(frames, n, 1009, 1009, "oversize message");
	n = client_frame(frames, 0, 0, 2, big, GW_WS_MAX_MESSAGE, 1);
	n += client_frame(frames + n, 1, 0, 0, big, 1, 1);
	refused(frames, n, 1009, 1009, "oversize in fragments");
	/* A header that announces 2^62 bytes is refused at its first bytes. */
	memcpy(frames, "\x82\xff\x40\0\0\0\0\0\0\0" "abcd" "xyz", 17);
	refused(frames, 17, 1009, 1009, "huge length");
	/* 2^63 and up is no length at all (RFC 6455 5.2). */
	memcpy(frames, "\x82\xff\x80\0\0\0\0\0\0\0" "abcd" "xyz", 17);
	refused(frames, 17, 1002, 0, "length with the top bit");

	/* At the limit it passes. */
	{
		struct peer *p = peer_new();

		n = client_frame(frames, 1, 0, 2, big, GW_WS_MAX_MESSAGE, 1);
		feed(p, frames, n, 0);
		CHECK(p->messages == 1 && p->msg_len == GW_WS_MAX_MESSAGE && !p->closed,
		      "message at the limit");
		peer_free(p);
	}
}

/* The handler stops the codec: feed fails, and the codec is done. */
static void test_stop(void)
{
	uint8_t frames[64];
	struct peer *p = peer_new();
	size_t n = 0;

	p->stop_after = 1;
	n += client_frame(frames + n, 1, 0, 2, "one", 3, 1);
	n += client_frame(frames + n, 1, 0, 2, "two", 3, 1);
	CHECK(gw_ws_feed(p->ws, frames, n) == -1, "stopped");
	CHECK(p->messages == 1 && gw_ws_done(p->ws), "one message, then done");
	CHECK(gw_ws_feed(p->ws, frames, n) == -1, "stays stopped");
	peer_free(p);
}

/* Bounded: the caller's queue, and a peer that pings and never reads. */
static void test_bounds(void)
{
	static uint8_t chunk[1 << 20], frames[64 * 1024];
	struct peer *p = peer_new();
	uint8_t ping[125];
	size_t n = 0, sent = 0;
	int i;
	ssize_t r = 0;

	for (i = 0; i < 8 && gw_ws_send(p->ws, chunk, sizeof(chunk)) == 0; i++)
		sent++;
	CHECK(sent == 3, "%zu MiB queued before refusing", sent);
	CHECK(gw_ws_queued(p->ws) <= GW_WS_MAX_QUEUED, "queue bounded");
	peer_free(p);

	p = peer_new();
	memset(ping, 'p', sizeof(ping));
	while (n + 200 < sizeof(frames))
		n += client_frame(frames + n, 1, 0, 9, ping, sizeof(ping), 1);
	for (i = 0; i < 200 && r >= 0; i++) {
		r = gw_ws_feed(p->ws, frames, n);
		CHECK(gw_ws_queued(p->ws) <= GW_WS_MAX_QUEUED + 8192, "queue bounded: %zu",
		      gw_ws_queued(p->ws));
	}
	CHECK(r == -1 && gw_ws_done(p->ws), "a peer that never reads is dropped");
	peer_free(p);
}

int main(void)
{
	parser = gw_http_parser_new();
	CHECK(parser, "parser");
	test_accept();
	test_refusals();
	gw_http_parser_free(parser);
	test_messages();
	test_fragments();
	test_send();
	test_close_by_peer();
	test_close_by_server();
	test_protocol_errors();
	test_stop();
	test_bounds();
	printf("gw_proto_ws: ok\n");
	return 0;
}
