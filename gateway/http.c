// SPDX-License-Identifier: MIT
/*
 * HTTP/1.1 on a connection: requests one at a time (pipelined ones wait in
 * the input buffer), answers queued in chunks so a big file respects
 * back-pressure, a deadline for each request (GW_HTTP_HEAD_MS, from its
 * first byte: slowloris) and for idle keep-alive (GW_HTTP_IDLE_MS). Inside
 * TLS, api.c answers; outside, every request is sent to https://.
 */
#include "gw.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Reading pauses above IN_PAUSE, so one more read fits under IN_MAX. */
#define IN_PAUSE (GW_HTTP_MAX_HEAD + GW_HTTP_MAX_BODY)
#define IN_MAX   (IN_PAUSE + GW_READ_BUF)
#define CHUNK    65536

struct gw_http {
	struct gw_http_parser *p;
	uint8_t *in;
	size_t in_len, in_cap;
	int plain;
	int busy;            /* a request is being answered */
	int in_request;      /* part of the next one is in: its deadline runs */
	int looping;         /* inside process(): it picks up the next request */
	int keep_alive;      /* of the request being answered */
	int head_only;
	uint8_t *resp;
	size_t resp_len, resp_off;
};

void gw_http_free(struct gw_http *h)
{
	if (!h)
		return;
	gw_http_parser_free(h->p);
	free(h->in);
	free(h->resp);
	free(h);
}

static void process(struct gw_conn *c);

static void on_idle(uv_timer_t *t)
{
	gw_conn_end(t->data, NULL);
}

static void on_deadline(uv_timer_t *t)
{
	struct gw_conn *c = t->data;
	struct gw_http *h = c->http;

	if (h->busy || (!h->plain && !c->client.tls_up)) {
		gw_conn_close(c);
		return;
	}
	h->busy = 1;
	h->keep_alive = 0;
	gw_http_error(c, 408, "The request took too long.", 0);
}

static void request_done(struct gw_conn *c)
{
	struct gw_http *h = c->http;

	free(h->resp);
	h->resp = NULL;
	h->busy = 0;
	gw_http_parser_reset(h->p);
	if (!h->keep_alive) {
		gw_conn_end(c, NULL);
		return;
	}
	gw_stream_read(&c->client, 1);
	if (h->in_len) {
		h->in_request = 1;
		gw_conn_timer(c, GW_HTTP_HEAD_MS, on_deadline);
		process(c);
	} else {
		gw_conn_timer(c, GW_HTTP_IDLE_MS, on_idle);
	}
}

static void send_more(struct gw_conn *c)
{
	struct gw_http *h = c->http;
	const char *why;

	while (h->resp_off < h->resp_len && gw_stream_unsent(&c->client) <= GW_HIGH_WATER) {
		size_t n = h->resp_len - h->resp_off;

		if (n > CHUNK)
			n = CHUNK;
		if (gw_stream_send(&c->client, h->resp + h->resp_off, n, &why)) {
			gw_conn_close(c);
			return;
		}
		h->resp_off += n;
	}
	if (h->resp_off == h->resp_len)
		request_done(c);
}

static void on_delay(uv_timer_t *t)
{
	send_more(t->data);
}

void gw_http_no_keep_alive(struct gw_conn *c)
{
	c->http->keep_alive = 0;
}

void gw_http_reply(struct gw_conn *c, int status, const char *ctype,
		   const char *extra, const void *body, size_t len, unsigned delay_ms)
{
	struct gw_http *h = c->http;
	char headers[1024];
	size_t cap;
	ssize_t n;

	snprintf(headers, sizeof(headers), "%s%s", extra ? extra : "",
		 h->keep_alive ? "" : "Connection: close\r\n");
	cap = len + strlen(headers) + 2048;
	free(h->resp);
	h->resp = malloc(cap);
	n = h->resp ? gw_http_response((char *)h->resp, cap, status, ctype, headers,
				       body, len) : -1;
	if (n < 0) {
		gw_log("connection id=%llu: cannot format an HTTP answer",
		       (unsigned long long)c->id);
		gw_conn_close(c);
		return;
	}
	h->resp_len = (size_t)n - (h->head_only ? len : 0);
	h->resp_off = 0;
	if (delay_ms)
		gw_conn_timer(c, delay_ms, on_delay);
	else
		send_more(c);
}

void gw_http_error(struct gw_conn *c, int status, const char *msg, unsigned delay_ms)
{
	json_t *j = json_pack("{s:s}", "error", msg);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!body) {
		gw_conn_close(c);
		return;
	}
	gw_http_reply(c, status, "application/json", NULL, body, strlen(body), delay_ms);
	free(body);
}

const uint8_t *gw_http_leftover(struct gw_conn *c, size_t *len)
{
	struct gw_http *h = c->http;

	*len = h->in_len;
	h->in_len = 0;
	return h->in;
}

int gw_http_origin_ok(const struct gw_http_req *r)
{
	const char *origin = gw_http_header(r, "Origin");
	const char *host = gw_http_header(r, "Host");

	if (!origin)
		return 1;
	return host && strncasecmp(origin, "https://", 8) == 0 &&
	       strcasecmp(origin + 8, host) == 0;
}

static int host_ok(const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || n > 255)
		return 0;
	return strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789.-:[]") == n;
}

/* Outside TLS: the same URL on https://, or 501 for CONNECT (SPICE's
 * proxies: a later issue). */
static void redirect(struct gw_conn *c, const struct gw_http_req *r)
{
	const char *host = gw_http_header(r, "Host");
	const char *path = r->url[0] == '/' ? r->url : "/";
	char extra[GW_HTTP_MAX_URL + 320];

	c->http->keep_alive = 0;
	if (strcmp(r->method, "CONNECT") == 0) {
		gw_http_error(c, 501, "CONNECT is not served yet.", 0);
		return;
	}
	if (!host || !host_ok(host)) {
		gw_http_error(c, 400, "A Host header is needed.", 0);
		return;
	}
	snprintf(extra, sizeof(extra), "Location: https://%s%s\r\n", host, path);
	gw_http_reply(c, 308, NULL, extra, NULL, 0, 0);
}

static void process(struct gw_conn *c)
{
	struct gw_http *h = c->http;

	if (h->looping)
		return;
	h->looping = 1;
	while (!h->busy && h->in_len > 0 && !c->ending && !c->closing) {
		const struct gw_http_req *r = NULL;
		int done = 0, status = 400;
		ssize_t n = gw_http_feed(h->p, h->in, h->in_len, &done, &r, &status);

		if (n < 0) {
			h->busy = 1;
			h->keep_alive = 0;
			h->in_len = 0;
			gw_http_error(c, status, gw_http_reason(status), 0);
			break;
		}
		memmove(h->in, h->in + n, h->in_len - (size_t)n);
		h->in_len -= (size_t)n;
		if (!done)
			break;
		h->busy = 1;
		h->in_request = 0;
		gw_conn_timer(c, 0, NULL);
		h->keep_alive = r->keep_alive && !r->upgrade;
		h->head_only = strcmp(r->method, "HEAD") == 0;
		c->gw->m.http_requests++;
		if (h->plain)
			redirect(c, r);
		else
			gw_api_handle(c, r);
	}
	h->looping = 0;
	if (!c->ending && !c->closing && h->in_len <= IN_PAUSE)
		gw_stream_read(&c->client, 1);
}

static void http_data(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	struct gw_conn *c = s->conn;
	struct gw_http *h = c->http;

	if (h->in_len + len > h->in_cap) {
		size_t cap = h->in_cap ? h->in_cap : 4096;
		uint8_t *in;

		while (cap < h->in_len + len)
			cap *= 2;
		if (cap > IN_MAX || !(in = realloc(h->in, cap))) {
			gw_conn_close(c);
			return;
		}
		h->in = in;
		h->in_cap = cap;
	}
	memcpy(h->in + h->in_len, buf, len);
	/* From a request's first byte (the parser consumes a partial head,
	 * so in_len says nothing about that). */
	if (!h->in_request && !h->busy) {
		h->in_request = 1;
		gw_conn_timer(c, GW_HTTP_HEAD_MS, on_deadline);
	}
	h->in_len += len;
	if (h->in_len > IN_PAUSE)
		gw_stream_read(s, 0);
	process(c);
}

static void http_tls_done(struct gw_stream *s, const char *err)
{
	struct gw_conn *c = s->conn;

	if (err) {
		c->gw->m.tls_failed++;
		gw_conn_close(c);
		return;
	}
	c->gw->m.tls_ok++;
}

static void http_drain(struct gw_stream *s)
{
	struct gw_conn *c = s->conn;

	if (c->http->resp && c->http->resp_off < c->http->resp_len &&
	    !uv_is_active((uv_handle_t *)&c->timer))
		send_more(c);
}

static void http_end(struct gw_stream *s, const char *err)
{
	gw_conn_close(s->conn);
}

static const struct gw_stream_ops http_ops = {
	.data = http_data,
	.tls_done = http_tls_done,
	.drain = http_drain,
	.end = http_end,
};

int gw_http_start(struct gw_conn *c, int plain)
{
	struct gw_http *h = calloc(1, sizeof(*h));
	const char *why;

	if (!h)
		return -1;
	c->http = h;
	h->plain = plain;
	h->p = gw_http_parser_new();
	if (!h->p)
		return -1;
	if (!plain && gw_stream_start_tls(&c->client, c->gw->tls_ctx, &why))
		return -1;
	c->stage = plain ? GW_ST_HTTP : GW_ST_HTTPS;
	c->client.ops = &http_ops;
	gw_conn_timer(c, GW_HTTP_HEAD_MS, on_deadline);
	return 0;
}
