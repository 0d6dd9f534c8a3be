// SPDX-License-Identifier: MIT
/*
 * gw_http on an arbitrary client stream: pipelined requests until one
 * fails, upgrades, or the bytes end. Bytes 0-1 pick where the stream is
 * cut in two (as TCP might); the stream is parsed cut and whole.
 * Invariants: consumed <= given; a request's strings within the limits
 * and NUL-terminated; the helpers (headers, cookie, query, WebSocket
 * accept, response) stay in their buffers; and both runs see the same
 * requests and the same outcome (the refusal's status may differ: which
 * of two faults is seen first depends on the cut).
 */
#include "http.h"
#include "ws.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct summary {
	unsigned long hash;
	int requests, failed;
	size_t consumed;
};

static void mix(unsigned long *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		*h = *h * 1099511628211ul ^ *b++;
}

static void mix_str(unsigned long *h, const char *s)
{
	mix(h, s, strlen(s) + 1);
}

static void check_request(const struct gw_http_req *r, struct summary *s)
{
	static char out[4096];
	char small[64];
	const char *type, *reason;
	int status;
	ssize_t n;
	size_t i;

	if (strlen(r->url) > GW_HTTP_MAX_URL || r->n_headers > GW_HTTP_MAX_HEADERS ||
	    r->body_len > GW_HTTP_MAX_BODY || r->body[r->body_len] != '\0' ||
	    strlen(r->path) > strlen(r->url) || strlen(r->query) > strlen(r->url) ||
	    !r->method[0] || r->http_minor > 1)
		abort();
	mix_str(&s->hash, r->method);
	mix_str(&s->hash, r->url);
	mix_str(&s->hash, r->path);
	mix_str(&s->hash, r->query);
	for (i = 0; i < r->n_headers; i++) {
		mix_str(&s->hash, r->headers[i].name);
		mix_str(&s->hash, r->headers[i].value);
	}
	mix(&s->hash, r->body, r->body_len);
	mix(&s->hash, &r->upgrade, sizeof(r->upgrade));
	mix(&s->hash, &r->keep_alive, sizeof(r->keep_alive));

	if (gw_http_cookie(r, "porthole_session", small, sizeof(small)) == 0 &&
	    strlen(small) >= sizeof(small))
		abort();
	if (gw_http_query(r, "ticket", small, sizeof(small)) == 0 && strlen(small) >= sizeof(small))
		abort();
	n = gw_ws_accept(r, out, 512, &status, &reason);
	if (n >= 512 || (n > 0 && (status != 101 || memcmp(out, "HTTP/1.1 101 ", 13))) ||
	    (n < 0 && (!reason || status < 400)))
		abort();
	type = gw_http_header(r, "Content-Type");
	n = gw_http_response(out, sizeof(out), 200, type ? type : "text/html", gw_http_header(r, "X-Extra"),
			     r->path, strlen(r->path));
	if (n > (ssize_t)sizeof(out))
		abort();
}

/* The stream arrives in two pieces: [0, cut) then the rest. */
static void run(struct gw_http_parser *p, const uint8_t *d, size_t len, size_t cut,
		struct summary *s)
{
	size_t off = 0, arrived = cut;

	gw_http_parser_reset(p);
	memset(s, 0, sizeof(*s));
	for (;;) {
		int done, status;
		const struct gw_http_req *r;
		ssize_t n = gw_http_feed(p, d + off, arrived - off, &done, &r, &status);

		if (n < 0) {
			if (status < 400 || status > 505)
				abort();
			s->failed = 1;
			break;
		}
		if ((size_t)n > arrived - off || (!done && (size_t)n != arrived - off))
			abort();
		off += (size_t)n;
		if (done) {
			s->requests++;
			check_request(r, s);
			if (r->upgrade)
				break;   /* what follows is not HTTP */
			gw_http_parser_reset(p);
			continue;
		}
		if (arrived == len)
			break;
		arrived = len;
	}
	s->consumed = off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_http_parser *p;
	struct summary whole, cut;
	size_t at;

	if (size < 2)
		return 0;
	p = gw_http_parser_new();
	if (!p)
		abort();
	at = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	run(p, data + 2, size - 2, size - 2, &whole);
	run(p, data + 2, size - 2, at, &cut);
	if (whole.requests != cut.requests || whole.hash != cut.hash ||
	    whole.failed != cut.failed || (!whole.failed && whole.consumed != cut.consumed))
		abort();
	gw_http_parser_free(p);
	return 0;
}
