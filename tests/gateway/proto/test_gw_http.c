// SPDX-License-Identifier: MIT
/*
 * gw_http: requests whole and a byte at a time, pipelining, upgrades, every
 * limit and refusal in http.h, and the helpers (headers, cookies, query,
 * responses).
 */
#include "check.h"
#include "http.h"

#include <string.h>

struct result {
	ssize_t used;          /* bytes consumed in all, or -1 */
	int done, status;
	const struct gw_http_req *req;
};

/* Feeds s in pieces of step bytes (0: all at once) until a request is
 * complete, the parser fails, or the input ends. */
static struct result feed(struct gw_http_parser *p, const char *s, size_t len, size_t step)
{
	struct result r = { 0, 0, 0, NULL };
	size_t off = 0;

	while (off < len) {
		size_t n = step && step < len - off ? step : len - off;
		ssize_t u = gw_http_feed(p, (const uint8_t *)s + off, n, &r.done, &r.req,
					 &r.status);

		if (u < 0) {
			CHECK(r.status >= 400 && r.status <= 505, "status %d", r.status);
			r.used = -1;
			return r;
		}
		CHECK((size_t)u <= n, "consumed %zd of %zu", u, n);
		off += (size_t)u;
		if (r.done)
			break;
		CHECK((size_t)u == n, "stopped at %zd of %zu without a request", u, n);
	}
	r.used = (ssize_t)off;
	return r;
}

/* The status a request gets, fed whole and byte by byte (the same). */
static int status_of(const char *s)
{
	struct gw_http_parser *p = gw_http_parser_new();
	struct result whole, bytes;

	CHECK(p, "parser");
	whole = feed(p, s, strlen(s), 0);
	gw_http_parser_reset(p);
	bytes = feed(p, s, strlen(s), 1);
	gw_http_parser_free(p);
	CHECK(whole.status == bytes.status, "whole %d, byte by byte %d: %.60s", whole.status,
	      bytes.status, s);
	if (whole.used >= 0)
		CHECK(whole.done, "no request and no error: %.60s", s);
	return whole.used < 0 ? whole.status : 200;
}

static void test_get(void)
{
	static const char get[] =
		"GET /api/vms?x=1&y=%41#frag HTTP/1.1\r\n"
		"Host: gw.example:8443\r\n"
		"User-Agent: test  \r\n"
		"X-Empty:\r\n"
		"Accept: */*\r\n"
		"\r\n";
	struct gw_http_parser *p = gw_http_parser_new();
	size_t step;

	for (step = 0; step <= 7; step++) {
		struct result r;

		gw_http_parser_reset(p);
		r = feed(p, get, strlen(get), step);
		CHECK(r.done && r.used == (ssize_t)strlen(get), "step %zu: used %zd", step, r.used);
		CHECK(!strcmp(r.req->method, "GET"), "method %s", r.req->method);
		CHECK(!strcmp(r.req->url, "/api/vms?x=1&y=%41#frag"), "url %s", r.req->url);
		CHECK(!strcmp(r.req->path, "/api/vms"), "path %s", r.req->path);
		CHECK(!strcmp(r.req->query, "x=1&y=%41"), "query %s", r.req->query);
		CHECK(r.req->n_headers == 4, "%zu headers", r.req->n_headers);
		CHECK(!strcmp(gw_http_header(r.req, "host"), "gw.example:8443"), "host");
		CHECK(!strcmp(gw_http_header(r.req, "USER-AGENT"), "test"), "trailing blanks");
		CHECK(!strcmp(gw_http_header(r.req, "X-Empty"), ""), "empty value");
		CHECK(!gw_http_header(r.req, "Cookie"), "no cookie");
		CHECK(r.req->http_minor == 1 && r.req->keep_alive && !r.req->upgrade, "flags");
		CHECK(r.req->body_len == 0 && r.req->body[0] == '\0', "no body");
	}
	/* Fed again without a reset: nothing more taken, the same request. */
	{
		int done, status;
		const struct gw_http_req *req;

		CHECK(gw_http_feed(p, (const uint8_t *)"GET", 3, &done, &req, &status) == 0 &&
		      done && req, "feed after done");
	}
	gw_http_parser_free(p);
}

static void test_http10(void)
{
	struct gw_http_parser *p = gw_http_parser_new();
	struct result r = feed(p, "GET / HTTP/1.0\r\n\r\n", 18, 0);

	CHECK(r.done && r.req->http_minor == 0 && !r.req->keep_alive, "1.0 closes");
	CHECK(!strcmp(r.req->query, ""), "empty query");
	gw_http_parser_reset(p);
	r = feed(p, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 42, 0);
	CHECK(r.done && r.req->keep_alive, "1.0 keep-alive");
	gw_http_parser_reset(p);
	r = feed(p, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 46, 0);
	CHECK(r.done && !r.req->keep_alive, "1.1 close");
	gw_http_parser_reset(p);
	r = feed(p, "GET / HTTP/1.4\r\nHost: a\r\n\r\n", 27, 0);
	CHECK(r.done && r.req->http_minor == 1, "1.4 is taken as 1.1");
	gw_http_parser_free(p);
}

static void test_bodies(void)
{
	static const char post[] =
		"POST /api/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
		"Content-Length: 17\r\n\r\n{\"user\":\"alice\"}\n";
	static const char chunked[] =
		"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n";
	struct gw_http_parser *p = gw_http_parser_new();
	size_t step;

	for (step = 0; step <= 3; step++) {
		struct result r;

		gw_http_parser_reset(p);
		r = feed(p, post, strlen(post), step);
		CHECK(r.done && r.used == (ssize_t)strlen(post), "post step %zu", step);
		CHECK(r.req->body_len == 17 && !strcmp(r.req->body, "{\"user\":\"alice\"}\n"),
		      "body %s", r.req->body);
		gw_http_parser_reset(p);
		r = feed(p, chunked, strlen(chunked), step);
		CHECK(r.done && r.used == (ssize_t)strlen(chunked), "chunked step %zu", step);
		CHECK(!strcmp(r.req->body, "hello world"), "chunked body %s", r.req->body);
	}
	gw_http_parser_free(p);
}

/* Two requests in one buffer: the first leaves the second alone. */
static void test_pipelined(void)
{
	static const char two[] =
		"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
		"GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	size_t first = strlen(two) - strlen("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
	struct gw_http_parser *p = gw_http_parser_new();
	struct result r = feed(p, two, strlen(two), 0);

	CHECK(r.done && r.used == (ssize_t)first, "first took %zd, want %zu", r.used, first);
	CHECK(!strcmp(r.req->path, "/a") && !strcmp(r.req->body, "abc"), "first request");
	gw_http_parser_reset(p);
	r = feed(p, two + first, strlen(two) - first, 0);
	CHECK(r.done && r.used == (ssize_t)(strlen(two) - first), "second took %zd", r.used);
	CHECK(!strcmp(r.req->path, "/b") && r.req->body_len == 0, "second request");
	gw_http_parser_free(p);
}

/* An upgrade's head is the request; the frame after it is not consumed. */
static void test_upgrade(void)
{
	static const char ws[] =
		"GET /vnc/demo?ticket=T HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n\x82\x85XXXX";
	static const char connect[] = "CONNECT demo:5900 HTTP/1.1\r\nHost: demo:5900\r\n\r\nREDQ";
	size_t head = strlen(ws) - 6, chead = strlen(connect) - 4;
	struct gw_http_parser *p = gw_http_parser_new();
	size_t step;

	for (step = 0; step <= 1; step++) {
		struct result r;

		gw_http_parser_reset(p);
		r = feed(p, ws, strlen(ws), step);
		CHECK(r.done && r.used == (ssize_t)head, "ws head took %zd, want %zu", r.used,
		      head);
		CHECK(r.req->upgrade, "upgrade flag");
		gw_http_parser_reset(p);
		r = feed(p, connect, strlen(connect), step);
		CHECK(r.done && r.used == (ssize_t)chead, "connect took %zd, want %zu", r.used,
		      chead);
		CHECK(r.req->upgrade && !strcmp(r.req->method, "CONNECT"), "connect upgrade");
		CHECK(!strcmp(r.req->url, "demo:5900") && !strcmp(r.req->path, "demo:5900"),
		      "connect url %s", r.req->url);
	}
	gw_http_parser_free(p);
}

static char big[64 * 1024];

/* "GET / HTTP/1.1\r\nHost: a\r\nX: vvv...\r\n\r\n" of exactly n bytes. */
static const char *head_of(size_t n)
{
	static const char pre[] = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
	size_t fixed = strlen(pre) + 4;

	CHECK(n > fixed && n < sizeof(big), "head size");
	memcpy(big, pre, strlen(pre));
	memset(big + strlen(pre), 'v', n - fixed);
	memcpy(big + n - 4, "\r\n\r\n", 5);
	return big;
}

static void test_limits(void)
{
	char *s;
	size_t i, off;

	CHECK(status_of(head_of(GW_HTTP_MAX_HEAD)) == 200, "head at the limit");
	CHECK(status_of(head_of(GW_HTTP_MAX_HEAD + 1)) == 431, "head over the limit");
	CHECK(status_of(head_of(30000)) == 431, "huge head");

	/* 48 headers pass, 49 do not (Host is one of them). */
	off = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < GW_HTTP_MAX_HEADERS; i++)
		off += (size_t)sprintf(big + off, "H%zu: v\r\n", i);
	strcpy(big + off, "\r\n");
	CHECK(status_of(big) == 200, "%d headers", GW_HTTP_MAX_HEADERS);
	off += (size_t)sprintf(big + off, "Hlast: v\r\n");
	strcpy(big + off, "\r\n");
	CHECK(status_of(big) == 431, "one header too many");

	/* The URL: 2048 bytes pass, 2049 do not. */
	s = big;
	off = (size_t)sprintf(s, "GET /");
	memset(s + off, 'u', GW_HTTP_MAX_URL - 1);
	off += GW_HTTP_MAX_URL - 1;
	strcpy(s + off, " HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(status_of(s) == 200, "url at the limit");
	memmove(s + 6, s + 5, strlen(s + 5) + 1);
	CHECK(status_of(s) == 414, "url over the limit");

	/* Bodies: declared too big (refused before it arrives), and chunked. */
	sprintf(big, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n",
		GW_HTTP_MAX_BODY + 1);
	CHECK(status_of(big) == 413, "content-length over the limit");
	off = (size_t)sprintf(big, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n",
			      GW_HTTP_MAX_BODY);
	memset(big + off, 'b', GW_HTTP_MAX_BODY);
	big[off + GW_HTTP_MAX_BODY] = '\0';
	CHECK(status_of(big) == 200, "body at the limit");
	off = (size_t)sprintf(big, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < 5; i++)
		off += (size_t)sprintf(big + off, "1000\r\n%4096d\r\n", 0);
	strcpy(big + off, "0\r\n\r\n");
	CHECK(status_of(big) == 413, "chunked over the limit");
	/* Endless tiny chunks: framing has a limit of its own. */
	off = (size_t)sprintf(big, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
	while (off < 40000)
		off += (size_t)sprintf(big + off, "1;xxxxxxxxxxxxxxxx\r\nb\r\n");
	strcpy(big + off, "0\r\n\r\n");
	CHECK(status_of(big) == 413, "chunk framing over the limit");
}

static void test_refusals(void)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400 },       /* obs-fold */
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n\r\n", 400 },                                    /* no Host */
		{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		  "Content-Length: 5\r\n\r\n0\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "0\r\nX-Trailer: 1\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", 400 },
		{ "PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", 405 },
		{ "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 405 },
		{ "get / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
		{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nBad Name: v\r\n\r\n", 400 },
		{ "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
		{ "\x16\x03\x01\x02\x00\x01", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 200 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 200 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = status_of(cases[i].req);

		CHECK(st == cases[i].status, "case %zu: %d, want %d", i, st, cases[i].status);
	}
}

/* After a refusal the parser stays refused until reset. */
static void test_sticky_error(void)
{
	struct gw_http_parser *p = gw_http_parser_new();
	int done, status;
	const struct gw_http_req *req;

	CHECK(gw_http_feed(p, (const uint8_t *)"BLAH", 4, &done, &req, &status) == -1 &&
	      status == 400, "garbage");
	CHECK(gw_http_feed(p, (const uint8_t *)"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, &done,
			   &req, &status) == -1 && status == 400 && !done, "still refused");
	gw_http_parser_reset(p);
	CHECK(gw_http_feed(p, (const uint8_t *)"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, &done,
			   &req, &status) == 27 && done, "fresh after reset");
	gw_http_parser_free(p);
}

static const struct gw_http_req *parse(struct gw_http_parser *p, const char *s)
{
	struct result r;

	gw_http_parser_reset(p);
	r = feed(p, s, strlen(s), 0);
	CHECK(r.done, "parse %.40s", s);
	return r.req;
}

static void test_cookies_and_query(void)
{
	struct gw_http_parser *p = gw_http_parser_new();
	const struct gw_http_req *r;
	char out[64], tiny[4];

	r = parse(p, "GET /?ticket=ab%2Fc%3D&x=a+b&empty=&bare&ticket=second&bad=%zz&nul=%00"
		     "&long=0123456789&k%65y=v HTTP/1.1\r\nHost: a\r\n"
		     "Cookie: a=1; porthole_session=tok123;b=\"quoted\"\r\n"
		     "Cookie: c=3\r\n\r\n");
	CHECK(gw_http_query(r, "ticket", out, sizeof(out)) == 0 && !strcmp(out, "ab/c="),
	      "ticket %s", out);
	CHECK(gw_http_query(r, "x", out, sizeof(out)) == 0 && !strcmp(out, "a b"), "plus");
	CHECK(gw_http_query(r, "empty", out, sizeof(out)) == 0 && !strcmp(out, ""), "empty");
	CHECK(gw_http_query(r, "bare", out, sizeof(out)) == 0 && !strcmp(out, ""), "bare");
	CHECK(gw_http_query(r, "bad", out, sizeof(out)) == -1, "bad escape");
	CHECK(gw_http_query(r, "nul", out, sizeof(out)) == -1, "%%00");
	CHECK(gw_http_query(r, "missing", out, sizeof(out)) == -1, "missing");
	CHECK(gw_http_query(r, "key", out, sizeof(out)) == 0 && !strcmp(out, "v"), "encoded key");
	CHECK(gw_http_query(r, "long", tiny, sizeof(tiny)) == -1, "too long");
	CHECK(gw_http_query(r, "long", out, 11) == 0 && !strcmp(out, "0123456789"), "fits");
	CHECK(gw_http_query(r, "long", out, 10) == -1, "one short");

	CHECK(gw_http_cookie(r, "porthole_session", out, sizeof(out)) == 0 &&
	      !strcmp(out, "tok123"), "session %s", out);
	CHECK(gw_http_cookie(r, "a", out, sizeof(out)) == 0 && !strcmp(out, "1"), "a");
	CHECK(gw_http_cookie(r, "b", out, sizeof(out)) == 0 && !strcmp(out, "quoted"), "quoted");
	CHECK(gw_http_cookie(r, "c", out, sizeof(out)) == 0 && !strcmp(out, "3"), "second header");
	CHECK(gw_http_cookie(r, "A", out, sizeof(out)) == -1, "names are case-sensitive");
	CHECK(gw_http_cookie(r, "porthole", out, sizeof(out)) == -1, "prefix of a name");
	CHECK(gw_http_cookie(r, "porthole_session", tiny, sizeof(tiny)) == -1, "too long");

	r = parse(p, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(gw_http_query(r, "x", out, sizeof(out)) == -1, "no query");
	CHECK(gw_http_cookie(r, "x", out, sizeof(out)) == -1, "no cookie");
	gw_http_parser_free(p);
}

static void test_unescape(void)
{
	char out[16];

	CHECK(gw_http_unescape("/a%20b+c", 8, out, sizeof(out), 0) == 6 &&
	      !strcmp(out, "/a b+c"), "path: %s", out);
	CHECK(gw_http_unescape("a+b%2B", 6, out, sizeof(out), 1) == 4 && !strcmp(out, "a b+"),
	      "query: %s", out);
	CHECK(gw_http_unescape("%4", 2, out, sizeof(out), 0) == -1, "short escape");
	CHECK(gw_http_unescape("%g0", 3, out, sizeof(out), 0) == -1, "not hex");
	CHECK(gw_http_unescape("%00", 3, out, sizeof(out), 0) == -1, "NUL");
	CHECK(gw_http_unescape("abcd", 4, out, 4, 0) == -1, "no room for the NUL");
	CHECK(gw_http_unescape("abcd", 2, out, 4, 0) == 2 && !strcmp(out, "ab"), "n bounds");
	CHECK(gw_http_unescape("", 0, out, 1, 0) == 0 && !out[0], "empty");
	CHECK(gw_http_unescape("", 0, out, 0, 0) == -1, "no room at all");
}

static void test_tokens(void)
{
	CHECK(gw_http_has_token("keep-alive, Upgrade", "upgrade"), "list");
	CHECK(gw_http_has_token("Upgrade", "upgrade"), "single");
	CHECK(gw_http_has_token(" websocket ,x", "websocket"), "blanks");
	CHECK(!gw_http_has_token("upgrades", "upgrade"), "longer token");
	CHECK(!gw_http_has_token("keep-alive", "upgrade"), "absent");
	CHECK(!gw_http_has_token("", "upgrade") && !gw_http_has_token(NULL, "x"), "empty");
	CHECK(gw_http_has_token(",,a,,", "a"), "empty elements");
}

static void test_response(void)
{
	char out[2048];
	ssize_t n;

	n = gw_http_response(out, sizeof(out), 200, "application/json", NULL, "{}", 2);
	CHECK(n > 0 && (size_t)n < sizeof(out), "json answer");
	out[n] = '\0';
	CHECK(!strncmp(out, "HTTP/1.1 200 OK\r\n", 17), "status line");
	CHECK(strstr(out, "Content-Type: application/json\r\n"), "type");
	CHECK(strstr(out, "Content-Length: 2\r\n"), "length");
	CHECK(strstr(out, "Strict-Transport-Security: max-age=31536000\r\n"), "hsts");
	CHECK(strstr(out, "X-Content-Type-Options: nosniff\r\n"), "nosniff");
	CHECK(strstr(out, "X-Frame-Options: DENY\r\n"), "frame");
	CHECK(strstr(out, "Referrer-Policy: no-referrer\r\n"), "referrer");
	CHECK(strstr(out, "Cache-Control: no-store\r\n"), "no-store");
	CHECK(!strstr(out, "Content-Security-Policy"), "csp only for html");
	CHECK(!strcmp(out + n - 6, "\r\n\r\n{}"), "body last");

	n = gw_http_response(out, sizeof(out), 200, "text/html; charset=utf-8",
			     "Cache-Control: max-age=3600\r\nETag: \"x\"\r\n", "<p>", 3);
	CHECK(n > 0, "html answer");
	out[n] = '\0';
	CHECK(strstr(out, "Content-Security-Policy: default-src 'self'; connect-src 'self' wss: ; "
			  "img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'\r\n"),
	      "csp");
	CHECK(strstr(out, "Cache-Control: max-age=3600\r\n") && !strstr(out, "no-store"),
	      "cacheable static answer");
	CHECK(strstr(out, "ETag: \"x\"\r\n"), "extra header");

	n = gw_http_response(out, sizeof(out), 204, NULL, "Set-Cookie: a=; Max-Age=0\r\n", NULL, 0);
	out[n] = '\0';
	CHECK(!strncmp(out, "HTTP/1.1 204 No Content\r\n", 25), "204");
	CHECK(!strstr(out, "\nContent-Length:") && !strstr(out, "\nContent-Type:"), "204 bare");
	CHECK(!strcmp(out + n - 4, "\r\n\r\n"), "204 ends with the head");

	n = gw_http_response(out, sizeof(out), 200, "text/html", NULL, NULL, 1234);
	out[n] = '\0';
	CHECK(strstr(out, "Content-Length: 1234\r\n") && !strstr(out, "\nContent-Type:"), "HEAD");
	CHECK(!strcmp(out + n - 4, "\r\n\r\n"), "HEAD has no body");

	n = gw_http_response(out, sizeof(out), 404, "application/json", NULL, "{}", 2);
	out[n] = '\0';
	CHECK(!strncmp(out, "HTTP/1.1 404 Not Found\r\n", 24), "404");

	n = gw_http_response(out, 100, 200, "text/plain", NULL, "x", 1);
	CHECK(n == -1, "head does not fit");
	n = gw_http_response(out, sizeof(out), 200, "text/plain", NULL, "x", 1);
	CHECK(gw_http_response(out, (size_t)n - 1, 200, "text/plain", NULL, "x", 1) == -1,
	      "one byte short");
	CHECK(gw_http_response(out, (size_t)n, 200, "text/plain", NULL, "x", 1) == n,
	      "exact fit");
	CHECK(!strcmp(gw_http_reason(431), "Request Header Fields Too Large"), "431");
	CHECK(!strcmp(gw_http_reason(799), "Unknown"), "unknown status");
}

int main(void)
{
	test_get();
	test_http10();
	test_bodies();
	test_pipelined();
	test_upgrade();
	test_limits();
	test_refusals();
	test_sticky_error();
	test_cookies_and_query();
	test_unescape();
	test_tokens();
	test_response();
	printf("gw_proto_http: ok\n");
	return 0;
}
