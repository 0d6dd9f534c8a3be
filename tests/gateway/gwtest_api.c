// SPDX-License-Identifier: MIT
/* The gateway's HTTP API and /metrics as the tests use them (gwtest.h). */
#include "gwtest.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>

/* --- HTTP API --- */

struct gc_resp *gw_resp_new(void)
{
	struct gc_resp *r = malloc(sizeof(*r));

	CHECK(r, "out of memory");
	return r;
}

struct gc_conn *gw_plain(struct gw *g, const char *src)
{
	int fd = gc_tcp("127.0.0.1", g->port, src);

	CHECK(fd >= 0, "connect to 127.0.0.1:%d: %s", g->port, strerror(errno));
	return gc_wrap(fd, "127.0.0.1", g->port);
}

struct gc_conn *gw_connect(struct gw *g, const char *src)
{
	char err[512];
	struct gc_conn *c = gc_open(g->ctx, g->port, src ? src : "127.0.0.1",
				    err, sizeof(err));

	CHECK(c, "TLS connection to the gateway: %s", err);
	return c;
}

int gw_login(struct gw *g, const char *src, const char *user,
	     const char *password, const char *totp, struct gc_resp *r)
{
	struct gc_conn *c = gw_connect(g, src);
	char body[1024];

	if (totp)
		snprintf(body, sizeof(body), "{\"user\":\"%s\",\"password\":\"%s\","
			 "\"totp\":\"%s\"}", user, password, totp);
	else
		snprintf(body, sizeof(body), "{\"user\":\"%s\",\"password\":\"%s\"}",
			 user, password);
	g->last_lport = c->lport;
	CHECK(gc_http(c, "POST", "/api/login", NULL, NULL, body, r) == 0,
	      "POST /api/login as %s: no answer", user);
	gc_close(c);
	return r->status;
}

void gw_session(struct gw *g, const char *user, const char *password,
		char *cookie, size_t len)
{
	struct gc_resp *r = malloc(sizeof(*r));
	int st;

	CHECK(r, "out of memory");
	st = gw_login(g, NULL, user, password, NULL, r);
	CHECK(st == 200, "log-in as %s: %d %s", user, st, r->body);
	CHECK(r->cookie[0], "log-in as %s: 200 without a porthole_session "
	      "cookie", user);
	snprintf(cookie, len, "%s", r->cookie);
	free(r);
}

int gw_ticket(struct gw *g, struct gc_conn *c, const char *cookie,
	      const char *vm, char *out, size_t outlen)
{
	struct gc_resp *r = malloc(sizeof(*r));
	char path[128];
	int st;

	CHECK(r, "out of memory");
	snprintf(path, sizeof(path), "/api/vms/%s/ticket", vm);
	CHECK(gc_http(c, "POST", path, cookie, NULL, "{\"protocol\":\"vnc\"}", r) == 0,
	      "POST %s: no answer", path);
	st = r->status;
	if (st == 200)
		CHECK(gc_json_str(r->body, "ticket", out, outlen),
		      "200 without a ticket: %s", r->body);
	free(r);
	return st;
}

struct gc_conn *gw_ws_vnc(struct gw *g, const char *vm, const char *ticket)
{
	struct gc_conn *c = gw_connect(g, NULL);
	struct gc_resp *r = malloc(sizeof(*r));
	char path[512], origin[96];
	int st;

	CHECK(r, "out of memory");
	snprintf(path, sizeof(path), "/vnc/%s?ticket=%s", vm, ticket);
	snprintf(origin, sizeof(origin), "https://%s", c->host);
	st = gc_ws_upgrade(c, path, origin, r);
	CHECK(st == 101, "WebSocket upgrade of %s: %d %s", path, st, r->body);
	free(r);
	return c;
}

char *gw_metrics_text(struct gw *g, struct gc_conn *c, const char *cookie,
		      int *status)
{
	struct gc_resp *r = malloc(sizeof(*r));
	char *text;

	CHECK(r, "out of memory");
	CHECK(gc_http(c, "GET", "/metrics", cookie, NULL, NULL, r) == 0,
	      "GET /metrics: no answer");
	*status = r->status;
	text = strdup(r->body);
	free(r);
	return text;
}

double gw_metric_in(const char *text, const char *name, const char *labels)
{
	char *copy = strdup(text), *line, *save = NULL;
	size_t nl = strlen(name);
	double sum = 0;

	CHECK(copy, "out of memory");
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *lb = line + nl, *val, want[256], *w, *wsave = NULL;
		int ok = 1;

		if (line[0] == '#' || strncmp(line, name, nl) ||
		    (*lb != '{' && *lb != ' '))
			continue;
		val = *lb == '{' ? strchr(lb, '}') : lb;
		if (!val)
			continue;
		snprintf(want, sizeof(want), "%s", labels ? labels : "");
		for (w = strtok_r(want, ",", &wsave); w && ok;
		     w = strtok_r(NULL, ",", &wsave))
			ok = *lb == '{' && memmem(lb, val - lb, w, strlen(w));
		if (ok)
			sum += strtod(val + 1, NULL);
	}
	free(copy);
	return sum;
}

char *gw_metrics_now(struct gw *g)
{
	struct gc_conn *c = gw_connect(g, NULL);
	int st;
	char *text = gw_metrics_text(g, c, NULL, &st);

	gc_close(c);
	CHECK(st == 200, "GET /metrics from 127.0.0.1: %d", st);
	return text;
}

double gw_metric(struct gw *g, const char *name, const char *labels)
{
	char *text = gw_metrics_now(g);
	double v = gw_metric_in(text, name, labels);

	free(text);
	return v;
}

void gw_totp(struct gw *g, long offset_steps, char code[7])
{
	char *secret = NULL;
	size_t len = 0;
	int rc;

	CHECK(oath_init() == OATH_OK, "oath_init");
	rc = oath_base32_decode(g->totp_secret, strlen(g->totp_secret), &secret, &len);
	CHECK(rc == OATH_OK, "carol's secret '%s' is not base32: %s",
	      g->totp_secret, oath_strerror(rc));
	rc = oath_totp_generate(secret, len, time(NULL) + offset_steps * 30, 30, 0,
				6, code);
	CHECK(rc == OATH_OK, "oath_totp_generate: %s", oath_strerror(rc));
	free(secret);
	oath_done();
}
