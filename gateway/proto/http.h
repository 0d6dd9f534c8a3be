/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 requests on the gateway: Debian's http-parser (nodejs) with the
 * gateway's limits, and response formatting. Pure: bytes in, a request
 * out; no I/O. Fuzzed by tests/fuzz/fuzz_gw_http.c.
 */
#ifndef PORTHOLE_GW_HTTP_H
#define PORTHOLE_GW_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GW_HTTP_MAX_HEAD     8192   /* request line + headers; more: 431 */
#define GW_HTTP_MAX_HEADERS  48     /* more: 431 */
#define GW_HTTP_MAX_BODY     16384  /* more: 413 */
#define GW_HTTP_MAX_URL      2048   /* more: 414 */

struct gw_http_header {
	char *name, *value;            /* NUL-terminated, inside the request */
};

struct gw_http_req {
	char method[16];               /* "GET", "POST", "CONNECT", ... */
	char *url;                     /* as sent: "/api/vms?x=1", or "host:port" for CONNECT */
	char *path;                    /* url without query, percent-decoding not applied */
	char *query;                   /* after '?', or "" */
	struct gw_http_header headers[GW_HTTP_MAX_HEADERS];
	size_t n_headers;
	char *body;                    /* NUL-terminated; body_len bytes */
	size_t body_len;
	int http_minor;                /* 0 or 1 */
	int keep_alive;
	int upgrade;                   /* Upgrade requested, or CONNECT: the
					  bytes after the head are not HTTP */
};

struct gw_http_parser;

struct gw_http_parser *gw_http_parser_new(void);
void gw_http_parser_free(struct gw_http_parser *p);
/* Ready for the next request on a kept-alive connection. */
void gw_http_parser_reset(struct gw_http_parser *p);

/*
 * Feeds bytes. Returns how many it consumed (>= 0), and *done = 1 once a
 * whole request is in (*req points into the parser, valid until the next
 * feed or reset). Bytes after a complete request are not consumed: the
 * next pipelined request, or an upgrade's first frame. Returns -1 on a bad
 * or oversized request, with *status the HTTP status to answer (400, 405,
 * 413, 414, 431, 501 ...) before closing.
 */
ssize_t gw_http_feed(struct gw_http_parser *p, const uint8_t *buf, size_t len,
		     int *done, const struct gw_http_req **req, int *status);

/* A header's value (name compared case-insensitively), or NULL. The
 * parser refuses requests with two Host or Content-Length headers; for
 * other names this is the first one. */
const char *gw_http_header(const struct gw_http_req *r, const char *name);
/* 1 if the comma-separated list (a Connection, Upgrade or
 * Sec-WebSocket-Protocol value) holds token, compared case-insensitively. */
int gw_http_has_token(const char *list, const char *token);
/* The value of cookie NAME in the Cookie header(s), copied into out; 0 or -1
 * (absent, or longer than outlen - 1). Names are case-sensitive; a quoted
 * value loses its quotes. */
int gw_http_cookie(const struct gw_http_req *r, const char *name, char *out, size_t outlen);
/* Percent-decodes s[0, n) into out, NUL-terminated ('+' becomes a space
 * if plus_is_space: query strings, not paths). Its length, or -1 for a bad
 * escape, a %00, or no room. */
ssize_t gw_http_unescape(const char *s, size_t n, char *out, size_t outlen, int plus_is_space);
/* The value of query parameter NAME, percent-decoded into out ('+' is a
 * space, as browsers' URLSearchParams write it); 0 or -1 (absent, a bad
 * escape, a %00, or longer than outlen - 1). The first one wins. */
int gw_http_query(const struct gw_http_req *r, const char *name, char *out, size_t outlen);

/*
 * Formats a complete response into out: status line, Content-Type (when
 * body is not NULL), Content-Length, the extra header lines (each ending
 * in "\r\n", may be NULL), the security headers every answer carries
 * (Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options,
 * Referrer-Policy, Cache-Control: no-store for non-static answers), then
 * body. Returns the length, or -1 if out is too small.
 *
 * - A static, cacheable answer says so by carrying its own Cache-Control
 *   line in extra_headers ("Cache-Control: max-age=3600\r\n"); then
 *   no-store is left out.
 * - content_type text/html also gets GW_HTTP_CSP as Content-Security-Policy.
 * - body NULL with body_len > 0 answers a HEAD: Content-Length body_len,
 *   no Content-Type, no body bytes.
 * - 1xx, 204 and 304 carry no Content-Length (RFC 9110 8.6).
 */
#define GW_HTTP_CSP "default-src 'self'; connect-src 'self' wss: ; " \
	"img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'"

ssize_t gw_http_response(char *out, size_t outlen, int status, const char *content_type,
			 const char *extra_headers, const void *body, size_t body_len);
const char *gw_http_reason(int status);   /* "OK", "Not Found", ... */

#endif
