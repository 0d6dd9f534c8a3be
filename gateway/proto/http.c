// SPDX-License-Identifier: MIT
/*
 * HTTP/1.1 request parsing on http-parser with the gateway's limits.
 *
 * http-parser hands out pieces of the input; the request's strings are
 * copied, NUL-terminated, into one bounded store inside the parser (the
 * caller's buffer may be gone by the time the request is complete). The
 * parser is paused at the end of the head, so the head's limits and
 * checks run before any body byte is read, and at the end of the message,
 * so pipelined requests and an upgrade's first bytes stay with the caller.
 *
 * What http-parser lets through and the gateway does not: obsolete line
 * folding (found by scanning the head's bytes: a line that starts with
 * SP or HT), names that are not tokens, control characters in values,
 * two Host headers, Transfer-Encoding other than "chunked", trailers,
 * methods outside the gateway's set, HTTP major versions other than 1.
 */
#include "http.h"

#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The head's strings with their NULs fit in the head's bytes (each came
 * with at least one separator byte); path and query are copies of parts
 * of the URL. */
#define STORE_MAX (GW_HTTP_MAX_HEAD + GW_HTTP_MAX_URL + 8)
/* A chunked body's framing may cost more than its data, but not without
 * limit (chunk extensions, endless empty chunks). */
#define BODY_RAW_MAX (GW_HTTP_MAX_BODY + GW_HTTP_MAX_HEAD)

enum phase { PH_HEAD, PH_BODY, PH_DONE, PH_FAILED };
enum piece { PC_NONE, PC_URL, PC_FIELD, PC_VALUE };

struct gw_http_parser {
	http_parser hp;
	enum phase phase;
	int status;                 /* the answer, once PH_FAILED */
	size_t head_read;           /* head bytes given to http-parser */
	size_t body_raw;            /* bytes given to it after the head */
	int last_lf;                /* the head's previous byte was LF */
	enum piece piece;           /* what the store's open string is */
	int n_host, n_te;
	struct gw_http_req req;
	size_t store_len;
	char store[STORE_MAX];
	char body[GW_HTTP_MAX_BODY + 1];
};

static int fail(struct gw_http_parser *p, int status)
{
	if (!p->status)
		p->status = status;
	return -1;
}

static struct gw_http_parser *of(http_parser *hp)
{
	return hp->data;
}

static int store_put(struct gw_http_parser *p, const char *at, size_t len)
{
	if (len >= sizeof(p->store) - p->store_len)
		return fail(p, 431);
	memcpy(p->store + p->store_len, at, len);
	p->store_len += len;
	return 0;
}

/* Terminates the open string; a header value loses trailing blanks. */
static int store_close(struct gw_http_parser *p)
{
	if (p->piece == PC_NONE)
		return 0;
	if (p->piece == PC_VALUE) {
		char *v = p->req.headers[p->req.n_headers - 1].value;
		char *end = p->store + p->store_len;

		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		p->store_len = (size_t)(end - p->store);
	}
	if (store_put(p, "", 1) < 0)
		return -1;
	p->piece = PC_NONE;
	return 0;
}

static char *store_open(struct gw_http_parser *p, enum piece kind)
{
	if (store_close(p) < 0)
		return NULL;
	p->piece = kind;
	return p->store + p->store_len;
}

/* A field with no value callback (an empty value) gets "". */
static int close_header(struct gw_http_parser *p)
{
	if (p->piece == PC_FIELD) {
		char *v = store_open(p, PC_VALUE);

		if (!v)
			return -1;
		p->req.headers[p->req.n_headers - 1].value = v;
	}
	return store_close(p);
}

static const char *const allowed_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT",
};

static int on_url(http_parser *hp, const char *at, size_t len)
{
	struct gw_http_parser *p = of(hp);

	if (p->piece != PC_URL) {
		const char *m = http_method_str(hp->method);
		size_t i, n = sizeof(allowed_methods) / sizeof(allowed_methods[0]);

		for (i = 0; i < n && strcmp(m, allowed_methods[i]); i++)
			;
		if (i == n)
			return fail(p, 405);
		strcpy(p->req.method, m);
		p->req.url = store_open(p, PC_URL);
		if (!p->req.url)
			return -1;
	}
	if ((size_t)(p->store + p->store_len - p->req.url) + len > GW_HTTP_MAX_URL)
		return fail(p, 414);
	return store_put(p, at, len);
}

static int on_header_field(http_parser *hp, const char *at, size_t len)
{
	struct gw_http_parser *p = of(hp);

	if (p->phase != PH_HEAD)
		return fail(p, 400);   /* a chunked body's trailer */
	if (p->piece != PC_FIELD) {
		char *f;

		if (close_header(p) < 0)
			return -1;
		if (p->req.n_headers == GW_HTTP_MAX_HEADERS)
			return fail(p, 431);
		f = store_open(p, PC_FIELD);
		if (!f)
			return -1;
		p->req.headers[p->req.n_headers++] = (struct gw_http_header){ f, NULL };
	}
	return store_put(p, at, len);
}

static int on_header_value(http_parser *hp, const char *at, size_t len)
{
	struct gw_http_parser *p = of(hp);

	if (p->phase != PH_HEAD)
		return fail(p, 400);
	if (p->piece != PC_VALUE) {
		char *v = store_open(p, PC_VALUE);

		if (!v)
			return -1;
		p->req.headers[p->req.n_headers - 1].value = v;
	}
	return store_put(p, at, len);
}

/* path and query as copies of the URL's parts, in the store. */
static int split_url(struct gw_http_parser *p)
{
	struct gw_http_req *r = &p->req;
	size_t plen = strcspn(r->url, "?#"), qlen = 0;
	const char *q = "";

	if (r->url[plen] == '?') {
		q = r->url + plen + 1;
		qlen = strcspn(q, "#");
	}
	r->path = store_open(p, PC_URL);
	if (!r->path || store_put(p, r->url, plen) < 0 || store_close(p) < 0)
		return -1;
	r->query = store_open(p, PC_URL);
	if (!r->query || store_put(p, q, qlen) < 0)
		return -1;
	return store_close(p);
}

#define TCHARS "!#$%&'*+-.^_`|~0123456789" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

static int check_head(struct gw_http_parser *p)
{
	struct gw_http_req *r = &p->req;
	const char *te = NULL;
	size_t i;

	if (p->hp.http_major != 1)
		return fail(p, 505);
	for (i = 0; i < r->n_headers; i++) {
		const unsigned char *c;

		/* RFC 9110 5.1, 5.5: a name is a token; no control characters
		 * but HT in a value. */
		if (!r->headers[i].name[0] ||
		    r->headers[i].name[strspn(r->headers[i].name, TCHARS)])
			return fail(p, 400);
		for (c = (const unsigned char *)r->headers[i].value; *c; c++)
			if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
				return fail(p, 400);
		if (!strcasecmp(r->headers[i].name, "Host"))
			p->n_host++;
		if (!strcasecmp(r->headers[i].name, "Transfer-Encoding")) {
			p->n_te++;
			te = r->headers[i].value;
		}
	}
	if (p->n_host > 1 || (p->n_host == 0 && p->hp.http_minor >= 1))
		return fail(p, 400);
	if (p->n_te > 1)
		return fail(p, 400);
	if (te && strcasecmp(te, "chunked"))
		return fail(p, 501);
	if ((p->hp.flags & F_CONTENTLENGTH) && p->hp.content_length > GW_HTTP_MAX_BODY)
		return fail(p, 413);
	return 0;
}

static int on_headers_complete(http_parser *hp)
{
	struct gw_http_parser *p = of(hp);

	if (close_header(p) < 0 || !p->req.url || split_url(p) < 0 || check_head(p) < 0)
		return fail(p, 400);
	p->req.http_minor = hp->http_minor > 1 ? 1 : hp->http_minor;   /* 1.2+: as 1.1 */
	p->phase = PH_BODY;
	http_parser_pause(hp, 1);
	return 0;
}

static int on_body(http_parser *hp, const char *at, size_t len)
{
	struct gw_http_parser *p = of(hp);

	if (len > GW_HTTP_MAX_BODY - p->req.body_len)
		return fail(p, 413);
	memcpy(p->body + p->req.body_len, at, len);
	p->req.body_len += len;
	p->body[p->req.body_len] = '\0';
	return 0;
}

static int on_message_complete(http_parser *hp)
{
	struct gw_http_parser *p = of(hp);

	p->req.keep_alive = http_should_keep_alive(hp);
	p->req.upgrade = hp->upgrade || hp->method == HTTP_CONNECT;
	p->phase = PH_DONE;
	http_parser_pause(hp, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

struct gw_http_parser *gw_http_parser_new(void)
{
	struct gw_http_parser *p = malloc(sizeof(*p));

	if (p)
		gw_http_parser_reset(p);
	return p;
}

void gw_http_parser_free(struct gw_http_parser *p)
{
	free(p);
}

void gw_http_parser_reset(struct gw_http_parser *p)
{
	http_parser_init(&p->hp, HTTP_REQUEST);
	p->hp.data = p;
	p->phase = PH_HEAD;
	p->status = 0;
	p->head_read = p->body_raw = 0;
	p->last_lf = 0;
	p->piece = PC_NONE;
	p->n_host = p->n_te = 0;
	memset(&p->req, 0, sizeof(p->req));
	p->req.body = p->body;
	p->body[0] = '\0';
	p->store_len = 0;
}

/* A head line that starts with SP or HT: obsolete folding (RFC 9112 5.2). */
static int has_fold(struct gw_http_parser *p, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p->last_lf && (b[i] == ' ' || b[i] == '\t'))
			return 1;
		p->last_lf = b[i] == '\n';
	}
	return 0;
}

static int parser_status(struct gw_http_parser *p)
{
	if (p->status)
		return p->status;
	switch (HTTP_PARSER_ERRNO(&p->hp)) {
	case HPE_INVALID_TRANSFER_ENCODING:
		return 501;
	case HPE_HEADER_OVERFLOW:
		return 431;
	case HPE_INVALID_VERSION:
		return 505;
	default:
		return 400;
	}
}

/* One http_parser_execute: the bytes it took; *err set on a refusal. */
static size_t run(struct gw_http_parser *p, const uint8_t *buf, size_t len, int *err)
{
	size_t n;
	enum http_errno e;

	http_parser_pause(&p->hp, 0);
	n = http_parser_execute(&p->hp, &settings, (const char *)buf, len);
	e = HTTP_PARSER_ERRNO(&p->hp);
	*err = (e != HPE_OK && e != HPE_PAUSED) || p->status;
	return n;
}

ssize_t gw_http_feed(struct gw_http_parser *p, const uint8_t *buf, size_t len,
		     int *done, const struct gw_http_req **req, int *status)
{
	size_t off = 0, n;
	int err;

	*done = 0;
	*req = NULL;
	*status = 0;
	while (p->phase == PH_HEAD && off < len) {
		size_t room = GW_HTTP_MAX_HEAD - p->head_read;

		n = run(p, buf + off, len - off < room ? len - off : room, &err);
		/* A fold before whatever stopped the parser is what is wrong. */
		if (has_fold(p, buf + off, n))
			p->status = 400;
		if (err || p->status)
			goto failed;
		p->head_read += n;
		off += n;
		if (p->phase == PH_HEAD && p->head_read >= GW_HTTP_MAX_HEAD) {
			fail(p, 431);
			goto failed;
		}
		if (n == 0 && p->phase == PH_HEAD)
			break;   /* not expected from http-parser; never spin */
	}
	while (p->phase == PH_BODY && off < len) {
		size_t chunk = len - off;

		if (chunk > BODY_RAW_MAX - p->body_raw)
			chunk = BODY_RAW_MAX - p->body_raw;
		n = run(p, buf + off, chunk, &err);
		if (err)
			goto failed;
		p->body_raw += n;
		off += n;
		if (p->phase != PH_DONE && p->body_raw >= BODY_RAW_MAX) {
			fail(p, 413);
			goto failed;
		}
		if (n == 0)
			break;   /* not expected from http-parser; never spin */
	}
	if (p->phase == PH_FAILED)
		goto failed;
	if (p->phase == PH_DONE) {
		*done = 1;
		*req = &p->req;
	}
	return (ssize_t)off;

failed:
	p->status = parser_status(p);
	p->phase = PH_FAILED;
	*status = p->status;
	return -1;
}
