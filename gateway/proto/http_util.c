// SPDX-License-Identifier: MIT
/*
 * What the gateway reads out of a parsed request (headers, cookies, query
 * parameters) and how it writes its answers.
 */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *gw_http_header(const struct gw_http_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_headers; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int gw_http_has_token(const char *list, const char *token)
{
	size_t tlen = strlen(token);

	while (list && *list) {
		size_t n;

		while (is_blank(*list) || *list == ',')
			list++;
		n = strcspn(list, ",");
		while (n > 0 && is_blank(list[n - 1]))
			n--;
		if (n == tlen && !strncasecmp(list, token, n))
			return 1;
		list += strcspn(list, ",");
	}
	return 0;
}

static int copy_out(const char *s, size_t n, char *out, size_t outlen)
{
	if (outlen == 0 || n > outlen - 1)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* RFC 6265 5.4: "a=1; b=2", one or more Cookie headers. */
int gw_http_cookie(const struct gw_http_req *r, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name), i;

	for (i = 0; i < r->n_headers; i++) {
		const char *c = r->headers[i].value;

		if (strcasecmp(r->headers[i].name, "Cookie"))
			continue;
		while (*c) {
			size_t n, vlen;
			const char *v;

			while (is_blank(*c) || *c == ';')
				c++;
			n = strcspn(c, ";");
			v = memchr(c, '=', n);
			if (v && (size_t)(v - c) == nlen && !memcmp(c, name, nlen)) {
				v++;
				vlen = n - (size_t)(v - c);
				while (vlen > 0 && is_blank(v[vlen - 1]))
					vlen--;
				if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
					v++;
					vlen -= 2;
				}
				return copy_out(v, vlen, out, outlen);
			}
			c += n;
		}
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t gw_http_unescape(const char *s, size_t n, char *out, size_t outlen, int plus_is_space)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return (ssize_t)o;
}

int gw_http_query(const struct gw_http_req *r, const char *name, char *out, size_t outlen)
{
	const char *q = r->query;

	while (q && *q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);
		size_t klen = eq ? (size_t)(eq - q) : n;
		char key[128];

		if (gw_http_unescape(q, klen, key, sizeof(key), 1) >= 0 && !strcmp(key, name)) {
			if (!eq)
				return copy_out("", 0, out, outlen);
			return gw_http_unescape(eq + 1, n - klen - 1, out, outlen, 1) < 0 ? -1 : 0;
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return -1;
}

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 101, "Switching Protocols" }, { 200, "OK" }, { 201, "Created" },
	{ 204, "No Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 303, "See Other" }, { 304, "Not Modified" },
	{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 408, "Request Timeout" }, { 409, "Conflict" },
	{ 411, "Length Required" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 426, "Upgrade Required" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

const char *gw_http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

struct outbuf {
	char *p;
	size_t len, cap;
	int overflow;
};

static void __attribute__((format(printf, 2, 3))) put(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = 1;
	else
		o->len += (size_t)n;
}

/* Whether the caller's extra header lines carry a Cache-Control of their own. */
static int has_cache_control(const char *h)
{
	static const char name[] = "Cache-Control:";

	while (h && *h) {
		if (!strncasecmp(h, name, sizeof(name) - 1))
			return 1;
		h = strchr(h, '\n');
		if (h)
			h++;
	}
	return 0;
}

ssize_t gw_http_response(char *out, size_t outlen, int status, const char *content_type,
			 const char *extra_headers, const void *body, size_t body_len)
{
	struct outbuf o = { out, 0, outlen, outlen == 0 };
	int no_length = status < 200 || status == 204 || status == 304;

	put(&o, "HTTP/1.1 %d %s\r\n", status, gw_http_reason(status));
	if (body)
		put(&o, "Content-Type: %s\r\n",
		    content_type ? content_type : "application/octet-stream");
	if (!no_length)
		put(&o, "Content-Length: %zu\r\n", body_len);
	if (extra_headers)
		put(&o, "%s", extra_headers);
	put(&o, "Strict-Transport-Security: max-age=31536000\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n");
	if (!has_cache_control(extra_headers))
		put(&o, "Cache-Control: no-store\r\n");
	if (body && content_type && !strncasecmp(content_type, "text/html", 9))
		put(&o, "Content-Security-Policy: %s\r\n", GW_HTTP_CSP);
	put(&o, "\r\n");
	if (o.overflow || (body && body_len > o.cap - o.len))
		return -1;
	if (body && body_len) {
		memcpy(out + o.len, body, body_len);
		o.len += body_len;
	}
	return (ssize_t)o.len;
}
