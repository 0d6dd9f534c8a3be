// SPDX-License-Identifier: MIT
/*
 * porthole-gateway end to end, the ways in that must work (docs/gateway.md):
 *
 *   vnc_native  libvncclient with VeNCrypt X509Plain (the gateway's
 *               certificate as CA) logs in as alice and as alice@demo and
 *               shows the guest's exact pixels; keys reach the guest;
 *               session start/end log lines; TLSPlain (anonymous TLS)
 *               works and --no-vnc-tlsplain withdraws it
 *   ws          the web client's way: log in, /api/me, /api/vms, a
 *               ticket, the WebSocket relay (dtest's libvncclient client
 *               through a bridge) shows the exact pixels, a fill and a
 *               key; session lines and metrics; log out
 *   api         cookie attributes, who sees which VMs, admin, security
 *               headers, JSON and Origin rules, static files (and no way
 *               out of --web-root), TOTP
 *   metrics     /metrics from loopback: every family of the doc; the
 *               counters move; from another address only for an admin
 *
 * usage: test_gateway CASE PORTHOLE_VMM PORTHOLE_DISPLAY PORTHOLE_GATEWAY PORTHOLE_CLI
 */
#include "gwtest.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_A 30

/* The session lines of docs/gateway.md for user: start, then end with
 * every field. */
static void expect_session_lines(struct gw *g, size_t mark, const char *user,
				 const char *protocol)
{
	char line[1024], u[64];

	snprintf(u, sizeof(u), "user=%s", user);
	CHECK(gw_log_find(g, mark, 10000, line, sizeof(line), "session start", u,
			  "vm=" GW_VM, protocol, "source=", NULL),
	      "no 'session start ... %s vm=%s %s source=' line in the "
	      "gateway's log", u, GW_VM, protocol);
	printf("log: %s\n", line);
	CHECK(gw_log_find(g, mark, 20000, line, sizeof(line), "session end", u,
			  "vm=" GW_VM, protocol, "bytes_in=", "bytes_out=",
			  "duration_ms=", "reason=", NULL),
	      "no 'session end ... %s vm=%s %s ... bytes_in= bytes_out= "
	      "duration_ms= reason=' line", u, GW_VM, protocol);
	printf("log: %s\n", line);
}

static void native_key(struct gw *g, rfbClient *c)
{
	const char *l;

	SendKeyEvent(c, XK_a, TRUE);
	SendKeyEvent(c, XK_a, FALSE);
	l = dt_wait_line(&g->dt, "input kbd 1 30 1", 10000);
	CHECK(l, "a key sent through the gateway did not reach the guest");
	CHECK(dt_wait_line(&g->dt, "input kbd 1 30 0", 10000), "no key release");
}

/* What the gateway offers a native client, and whether subtype works. */
static void native_raw(struct gw *g, SSL_CTX *ctx, uint32_t subtype,
		       const char *user, const char *pw, struct gc_vencrypt *v,
		       char *err, size_t errlen, int *rc)
{
	struct gc_conn *c = gc_wrap(gc_tcp("127.0.0.1", g->port, NULL),
				    "127.0.0.1", g->port);
	uint8_t types[255];
	int n = 0;

	CHECK(c->fd >= 0, "connect: %s", strerror(errno));
	CHECK(gc_vnc_hello(c, types, &n, err, errlen) == 0, "native VNC: %s", err);
	CHECK(n == 1 && types[0] == 19, "security types: %d offered, first %d; "
	      "want only VeNCrypt (19)", n, types[0]);
	*rc = gc_vencrypt(c, ctx, subtype, user, pw, v, err, errlen);
	if (*rc == 0 && v->result == 0) {
		struct gc_rfb_init si;

		CHECK(gc_rfb_init(c, &si, err, errlen) == 0, "after VeNCrypt: %s", err);
		CHECK(si.w == GW_W && si.h == GW_H, "ServerInit %ux%u", si.w, si.h);
	}
	gc_close(c);
}

/* The gateway up, and the guest's screen still: what clients must show. */
static uint32_t *start_frozen(struct gw *g)
{
	gw_start(g, NULL);
	dt_freeze(&g->dt);
	return dt_screenshot(&g->dt);
}

static void case_vnc_native(struct gw *g)
{
	SSL_CTX *anon = gc_ctx_new(NULL, TLS1_2_VERSION, TLS1_2_VERSION,
				   "aNULL:!eNULL:@SECLEVEL=0");
	char *notls[] = { "--no-vnc-tlsplain", NULL }, err[512];
	struct gc_vencrypt v;
	uint32_t *shot;
	rfbClient *c;
	size_t mark;
	int rc;

	shot = start_frozen(g);

	mark = gw_log_mark(g);
	c = gw_vnc_native(g, "alice", ALICE_PW);
	CHECK(c, "alice: libvncclient's VeNCrypt X509Plain log-in through the "
	      "gateway failed (run with DTEST_VERBOSE=1 for libvncclient's log)");
	CHECK(c->width == GW_W && c->height == GW_H, "desktop %dx%d", c->width,
	      c->height);
	gw_vnc_wait_equal(c, shot, 20000);
	printf("alice (native, X509Plain): the guest's %dx%d pixels, exactly\n",
	       GW_W, GW_H);
	native_key(g, c);
	printf("a key through the native relay reached the guest\n");
	/* The guest typed it: the screen changed. */
	free(shot);
	shot = dt_screenshot(&g->dt);
	gw_vnc_native_close(c);
	expect_session_lines(g, mark, "alice", "");

	c = gw_vnc_native(g, "alice@" GW_VM, ALICE_PW);
	CHECK(c, "alice@demo: log-in refused");
	gw_vnc_wait_equal(c, shot, 20000);
	gw_vnc_native_close(c);
	printf("alice@demo: the same pixels\n");

	CHECK(!gw_vnc_native(g, "alice", "not alice's password"),
	      "native VNC with a wrong password was let in");
	printf("a wrong password: refused\n");

	/* The subtypes on offer, and TLSPlain (anonymous TLS) end to end. */
	native_raw(g, g->ctx, GW_X509PLAIN, "alice", ALICE_PW, &v, err, sizeof(err), &rc);
	CHECK(rc == 0 && v.result == 0, "raw X509Plain as alice: %s (result %d '%s')",
	      rc ? err : "", v.result, v.reason);
	CHECK(v.n_subtypes == 2 && v.subtypes[0] == GW_X509PLAIN &&
	      v.subtypes[1] == GW_TLSPLAIN, "VeNCrypt subtypes: %d (%u, %u); want "
	      "X509Plain (262) then TLSPlain (259)", v.n_subtypes, v.subtypes[0],
	      v.subtypes[1]);
	native_raw(g, anon, GW_TLSPLAIN, "alice", ALICE_PW, &v, err, sizeof(err), &rc);
	CHECK(rc == 0 && v.result == 0, "TLSPlain (anonymous TLS) as alice: %s "
	      "(result %d '%s')", rc ? err : "", v.result, v.reason);
	printf("subtypes offered: X509Plain, TLSPlain; TLSPlain works\n");
	gw_stop(g);

	gw_start(g, notls);
	native_raw(g, g->ctx, GW_X509PLAIN, "alice", ALICE_PW, &v, err, sizeof(err), &rc);
	CHECK(rc == 0 && v.result == 0, "X509Plain with --no-vnc-tlsplain: %s", err);
	CHECK(v.n_subtypes == 1 && v.subtypes[0] == GW_X509PLAIN,
	      "--no-vnc-tlsplain: %d subtypes offered (first %u), want X509Plain only",
	      v.n_subtypes, v.subtypes[0]);
	native_raw(g, anon, GW_TLSPLAIN, "alice", ALICE_PW, &v, err, sizeof(err), &rc);
	CHECK(rc < 0 || v.result != 0, "--no-vnc-tlsplain: TLSPlain still let alice in");
	printf("--no-vnc-tlsplain: X509Plain only; TLSPlain refused (%s)\n",
	       rc < 0 ? err : v.reason);
	gw_stop(g);
	SSL_CTX_free(anon);
	free(shot);
}

static void case_ws(struct gw *g)
{
	struct gc_resp *r = gw_resp_new();
	char cookie[128], ticket[GC_TICKET_MAX], url[512], *path;
	struct vc v, *vp = &v;
	struct vc_opts o = { .encodings = "zrle", .jpeg_quality = -1, .direct = 1 };
	struct gc_conn *c, *ws;
	uint32_t *shot;
	size_t mark;
	double before;

	shot = start_frozen(g);
	gw_session(g, "alice", ALICE_PW, cookie, sizeof(cookie));
	c = gw_connect(g, NULL);
	CHECK(gc_http(c, "GET", "/api/vms", cookie, NULL, NULL, r) == 0 &&
	      r->status == 200, "GET /api/vms: %d %s", r->status, r->body);
	CHECK(strstr(r->body, "\"" GW_VM "\"") && strstr(r->body, "\"running\"") &&
	      strstr(r->body, "\"vnc\""), "GET /api/vms for alice: %s; want demo, "
	      "running, vnc", r->body);
	printf("/api/vms: %s\n", r->body);

	CHECK(gc_http(c, "POST", "/api/vms/" GW_VM "/ticket", cookie, NULL,
		      "{\"protocol\":\"vnc\"}", r) == 0 && r->status == 200,
	      "ticket: %d %s", r->status, r->body);
	CHECK(gc_json_str(r->body, "ticket", ticket, sizeof(ticket)) &&
	      gc_json_str(r->body, "url", url, sizeof(url)),
	      "ticket answer without ticket or url: %s", r->body);
	CHECK(strstr(r->body, "\"expires_in\":60") || strstr(r->body, "\"expires_in\": 60"),
	      "ticket answer without expires_in 60: %s", r->body);
	CHECK(!strncmp(url, "/vnc/" GW_VM "?ticket=", 16) && strstr(url, ticket),
	      "ticket url '%s'", url);
	gc_close(c);

	before = gw_metric(g, "porthole_gateway_sessions_total", "protocol=\"vnc-ws\"");
	mark = gw_log_mark(g);
	ws = gw_ws_vnc(g, GW_VM, ticket);
	path = gw_ws_bridge(g, ws);
	vc_open(&v, path, "ws", &o, GW_W, GW_H);
	vc_wait_full(&v, 20000);
	vc_wait_equal(&vp, 1, shot, 10000);
	printf("WebSocket relay: the guest's %dx%d pixels, exactly\n", GW_W, GW_H);
	free(shot);
	dt_cmd(&g->dt, "fill 40 40 64 48 %06x", 0x3366cc);
	shot = dt_screenshot(&g->dt);
	vc_wait_equal(&vp, 1, shot, 10000);
	printf("a fill in the guest arrived through the relay\n");
	SendKeyEvent(v.c, XK_a, TRUE);
	SendKeyEvent(v.c, XK_a, FALSE);
	CHECK(dt_wait_line(&g->dt, "input kbd 1 30 1", 10000),
	      "a key through the WebSocket relay did not reach the guest");
	CHECK(gw_metric(g, "porthole_gateway_sessions_active", "protocol=\"vnc-ws\"") == 1,
	      "sessions_active{protocol=\"vnc-ws\"} is not 1 during the session");
	vc_close(&v);
	free(path);
	expect_session_lines(g, mark, "alice", "protocol=vnc-ws");
	CHECK(gw_metric(g, "porthole_gateway_sessions_total", "protocol=\"vnc-ws\"") ==
	      before + 1, "sessions_total{protocol=\"vnc-ws\"} did not count the session");
	CHECK(gw_metric(g, "porthole_gateway_bytes_total", "protocol=\"vnc-ws\"") > 0,
	      "bytes_total{protocol=\"vnc-ws\",...} is 0 after a session");
	for (int i = 0; i < 100 && gw_metric(g, "porthole_gateway_sessions_active",
					     "protocol=\"vnc-ws\"") != 0; i++)
		dt_sleep_ms(100);
	CHECK(gw_metric(g, "porthole_gateway_sessions_active", "protocol=\"vnc-ws\"") == 0,
	      "sessions_active{protocol=\"vnc-ws\"} stays above 0 after the session");

	/* A session left open when the gateway stops: reason=shutdown. */
	c = gw_connect(g, NULL);
	CHECK(gw_ticket(g, c, cookie, GW_VM, ticket, sizeof(ticket)) == 200, "ticket");
	ws = gw_ws_vnc(g, GW_VM, ticket);
	{
		struct gc_rfb_init si;
		char err[256];

		CHECK(gc_rfb_none(ws, &si, err, sizeof(err)) == 0, "%s", err);
	}

	CHECK(gc_http(c, "POST", "/api/logout", cookie, NULL, "{}", r) == 0 &&
	      r->status == 204, "POST /api/logout: %d %s", r->status, r->body);
	CHECK(strstr(r->set_cookie, "Max-Age=0"), "logout's Set-Cookie '%s': want "
	      "Max-Age=0 (docs/gateway.md)", r->set_cookie);
	printf("logout: 204, Set-Cookie: %s\n", r->set_cookie);
	CHECK(gc_http(c, "GET", "/api/me", cookie, NULL, NULL, r) == 0 &&
	      r->status == 401, "GET /api/me after logout: %d", r->status);
	printf("the old session is gone (401)\n");
	gc_close(c);
	mark = gw_log_mark(g);
	gw_stop(g);
	{
		char line[1024];

		CHECK(gw_log_find(g, mark, 1000, line, sizeof(line), "session end",
				  "reason=shutdown", NULL),
		      "SIGTERM with a session open: no session end line with "
		      "reason=shutdown");
		printf("log: %s\n", line);
	}
	CHECK(gc_wait_closed(ws, 5000), "the session stays open after the "
	      "gateway stopped");
	/* docs/gateway.md promises a close frame when a side closes; for a
	 * shutdown it says only that connections are closed. */
	printf("the gateway's shutdown closed the session %s a WebSocket close "
	       "frame\n", ws->close_code ? "with" : "without");
	gc_close(ws);
	free(shot);
	free(r);
}

/* --- api --- */

static void expect_status(struct gc_conn *c, const char *method, const char *path,
			  const char *cookie, const char *extra, const char *body,
			  int want, struct gc_resp *r)
{
	CHECK(gc_http(c, method, path, cookie, extra, body, r) == 0,
	      "%s %s: no answer", method, path);
	CHECK(r->status == want, "%s %s: %d %s, want %d", method, path,
	      r->status, r->body, want);
}

static void security_headers(const struct gc_resp *r, const char *what)
{
	static const char *const names[] = { "Strict-Transport-Security",
		"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy" };
	char v[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(gc_header(r, names[i], v, sizeof(v)), "%s: no %s header "
		      "(gateway/proto/http.h: every answer carries it)", what, names[i]);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "write %s", path);
}

static void case_api(struct gw *g)
{
	struct gc_resp *r = gw_resp_new();
	char web[128], file[160], cookie[128], admin[128], extra[256], code[7];
	char *webargs[] = { "--web-root", web, NULL };
	struct gc_conn *c;
	int st;

	snprintf(web, sizeof(web), "%s/web", g->base);
	CHECK(mkdir(web, 0755) == 0, "mkdir %s", web);
	snprintf(file, sizeof(file), "%s/index.html", web);
	write_file(file, "<!doctype html><title>porthole test</title>\n");
	gw_start(g, webargs);

	st = gw_login(g, NULL, "alice", ALICE_PW, NULL, r);
	CHECK(st == 200, "alice's log-in: %d %s", st, r->body);
	CHECK(strstr(r->body, "\"alice\"") && strstr(r->body, "\"admin\":false"),
	      "log-in answer %s; want user alice, admin false", r->body);
	CHECK(strstr(r->set_cookie, "HttpOnly") && strstr(r->set_cookie, "Secure") &&
	      strstr(r->set_cookie, "SameSite=Strict") && strstr(r->set_cookie, "Path=/"),
	      "Set-Cookie '%s': want HttpOnly; Secure; SameSite=Strict; Path=/",
	      r->set_cookie);
	security_headers(r, "POST /api/login");
	snprintf(cookie, sizeof(cookie), "%s", r->cookie);
	printf("log-in: %s\nSet-Cookie: %s\n", r->body, r->set_cookie);

	c = gw_connect(g, NULL);
	expect_status(c, "GET", "/api/me", NULL, NULL, NULL, 401, r);
	expect_status(c, "GET", "/api/me", cookie, NULL, NULL, 200, r);
	CHECK(strstr(r->body, "\"alice\""), "/api/me: %s", r->body);
	expect_status(c, "GET", "/api/vms", NULL, NULL, NULL, 401, r);
	expect_status(c, "GET", "/api/vms", cookie, NULL, NULL, 200, r);
	CHECK(strstr(r->body, "\"" GW_VM "\"") && strstr(r->body, "\"stopped\""),
	      "/api/vms for alice, no display running: %s; want demo, stopped",
	      r->body);
	security_headers(r, "GET /api/vms");
	expect_status(c, "GET", "/api/nothing-here", cookie, NULL, NULL, 404, r);
	expect_status(c, "GET", "/index.html", NULL, NULL, NULL, 200, r);
	CHECK(strstr(r->body, "porthole test"), "/index.html from --web-root: %s", r->body);
	expect_status(c, "GET", "/", NULL, NULL, NULL, 200, r);
	{
		char v[128];

		CHECK(strstr(r->body, "porthole test"), "/ is not index.html: %s", r->body);
		CHECK(gc_header(r, "Content-Type", v, sizeof(v)) && strstr(v, "text/html"),
		      "/: Content-Type '%s'", gc_header(r, "Content-Type", v, sizeof(v)) ?
		      v : "");
		CHECK(gc_header(r, "Cache-Control", v, sizeof(v)) && strstr(v, "no-cache"),
		      "/: Cache-Control '%s', want no-cache", gc_header(r, "Cache-Control",
									 v, sizeof(v)) ? v : "");
		c->head_only = 1;
		expect_status(c, "HEAD", "/index.html", NULL, NULL, NULL, 200, r);
		CHECK(gc_header(r, "Content-Length", v, sizeof(v)) && atoi(v) == 44,
		      "HEAD /index.html: Content-Length '%s', want 44", v);
	}
	expect_status(c, "GET", "/nothing.html", NULL, NULL, NULL, 404, r);
	printf("keep-alive: 12 requests on one connection; / is index.html; HEAD works\n");
	gc_close(c);

	/* No way out of --web-root: the state directory is next to it. */
	{
		static const char *const escapes[] = { "/../state/users.json",
			"/%2e%2e/state/users.json", "/..%2fstate/users.json",
			"/%2e%2e%2fstate%2fusers.json", "//../state/users.json",
			"/..\\state/users.json", "/%5c..%5cstate/users.json",
			"/index.html%00.png", "/./index.html" };

		for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
			c = gw_connect(g, NULL);
			if (gc_http(c, "GET", escapes[i], NULL, NULL, NULL, r) == 0)
				CHECK(r->status != 200 && !strstr(r->body, "argon2"),
				      "GET %s: %d, the body has %zu bytes: out of "
				      "--web-root", escapes[i], r->status, r->body_len);
			gc_close(c);
		}
		printf("no file outside --web-root is served\n");
	}

	c = gw_connect(g, NULL);
	/* State-changing requests: JSON only, and a foreign Origin refused. */
	CHECK(gc_http(c, "POST", "/api/vms/" GW_VM "/ticket", cookie,
		      "Origin: https://evil.example\r\n", "{\"protocol\":\"vnc\"}", r) == 0,
	      "no answer");
	CHECK(r->status == 403 && !strstr(r->body, "ticket\""),
	      "a ticket asked with Origin https://evil.example: %d %s, want 403",
	      r->status, r->body);
	printf("POST with a foreign Origin: %d\n", r->status);
	gc_close(c);
	c = gw_connect(g, NULL);
	snprintf(extra, sizeof(extra), "Origin: https://%s\r\n", c->host);
	expect_status(c, "POST", "/api/vms/" GW_VM "/ticket", cookie, extra,
		      "{\"protocol\":\"vnc\"}", 200, r);
	{
		char req[512];
		int n = snprintf(req, sizeof(req), "POST /api/vms/" GW_VM "/ticket "
				 "HTTP/1.1\r\nHost: %s\r\nCookie: porthole_session=%s\r\n"
				 "Content-Type: text/plain\r\nContent-Length: 18\r\n\r\n"
				 "{\"protocol\":\"vnc\"}", c->host, cookie);

		CHECK(gc_send(c, req, n) == 0, "send");
	}
	CHECK(gc_read_resp(c, r, GC_TIMEOUT_MS) == 0 && r->status == 415,
	      "a ticket asked with Content-Type text/plain: %d %s, want 415",
	      r->status, r->body);
	printf("POST with Content-Type text/plain: %d\n", r->status);
	gc_close(c);
	c = gw_connect(g, NULL);
	{
		char allow[64];

		CHECK(gc_http(c, "GET", "/api/login", NULL, NULL, NULL, r) == 0 &&
		      r->status == 405 && !r->cookie[0], "GET /api/login: %d, want 405",
		      r->status);
		CHECK(gc_header(r, "Allow", allow, sizeof(allow)) && strstr(allow, "POST"),
		      "405 without Allow: POST");
	}
	expect_status(c, "POST", "/api/vms/" GW_VM "/ticket", cookie, NULL,
		      "{\"protocol\":\"rdp\"}", 400, r);
	gc_close(c);
	printf("GET /api/login: 405 with Allow; a ticket for rdp: 400\n");

	/* Who sees what. */
	gw_session(g, "bob", BOB_PW, admin, sizeof(admin));
	c = gw_connect(g, NULL);
	expect_status(c, "GET", "/api/vms", admin, NULL, NULL, 200, r);
	CHECK(!strstr(r->body, GW_VM), "bob may reach nothing; /api/vms: %s", r->body);
	gc_close(c);
	gw_session(g, "admin", ADMIN_PW, admin, sizeof(admin));
	c = gw_connect(g, NULL);
	expect_status(c, "GET", "/api/me", admin, NULL, NULL, 200, r);
	CHECK(strstr(r->body, "\"admin\":true"), "admin's /api/me: %s", r->body);
	expect_status(c, "GET", "/api/vms", admin, NULL, NULL, 200, r);
	CHECK(strstr(r->body, GW_VM), "admin's /api/vms: %s", r->body);
	gc_close(c);
	printf("bob sees no VM; admin is admin and sees demo\n");

	/* TOTP. */
	st = gw_login(g, NULL, "carol", CAROL_PW, NULL, r);
	CHECK(st == 401 && strstr(r->body, "\"totp_required\":true") && !r->cookie[0],
	      "carol without a code: %d %s; want 401 with totp_required", st, r->body);
	gw_totp(g, 0, code);
	code[5] = code[5] == '9' ? '0' : code[5] + 1;
	st = gw_login(g, NULL, "carol", CAROL_PW, code, r);
	CHECK(st == 401 && !r->cookie[0], "carol with a wrong code: %d %s", st, r->body);
	CHECK(strstr(r->body, "\"totp_required\":true"), "carol, password right, "
	      "code wrong: %s; docs/gateway.md: totp_required (code missing or wrong)",
	      r->body);
	gw_totp(g, 0, code);
	st = gw_login(g, NULL, "carol", CAROL_PW, code, r);
	CHECK(st == 200 && r->cookie[0], "carol with the right code %s: %d %s", code,
	      st, r->body);
	printf("TOTP: no code and a wrong code refused (totp_required), the right one in\n");
	gw_stop(g);
	free(r);
}

/* --- metrics --- */

static void case_metrics(struct gw *g)
{
	static const char *const families[] = {
		"porthole_gateway_connections_active",
		"porthole_gateway_classified_total",
		"porthole_gateway_sessions_total",
		"porthole_gateway_sessions_active",
		"porthole_gateway_tls_handshakes_total",
		"porthole_gateway_auth_failures_total",
		"porthole_gateway_bytes_total",
	};
	struct gc_resp *r = gw_resp_new();
	char cookie[128], admin[128], err[256];
	SSL_CTX *any = gc_ctx_new(NULL, TLS1_2_VERSION, 0, NULL), *old;
	struct gc_conn *c;
	double bad, unknown, tls, hs_ok, hs_all, hs_fail, http;
	char *text;
	int st;

	gw_start(g, NULL);
	old = gc_ctx_new(g->cert, TLS1_VERSION, TLS1_1_VERSION, "DEFAULT:@SECLEVEL=0");
	c = gw_connect(g, NULL);
	text = gw_metrics_text(g, c, NULL, &st);
	CHECK(st == 200, "GET /metrics from 127.0.0.1: %d", st);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		CHECK(strstr(text, families[i]), "/metrics has no %s:\n%s", families[i],
		      text);
	printf("/metrics from loopback: %zu bytes, every family of the doc\n",
	       strlen(text));
	free(text);
	gc_close(c);
	CHECK(gw_metric(g, "porthole_gateway_connections_active", NULL) >= 1,
	      "connections_active is 0 while we are connected");

	bad = gw_metric(g, "porthole_gateway_auth_failures_total", "reason=\"bad_password\"");
	unknown = gw_metric(g, "porthole_gateway_auth_failures_total", "reason=\"unknown_user\"");
	tls = gw_metric(g, "porthole_gateway_classified_total", "protocol=\"tls\"");
	http = gw_metric(g, "porthole_gateway_classified_total", "protocol=\"http\"");
	hs_ok = gw_metric(g, "porthole_gateway_tls_handshakes_total", "result=\"ok\"");
	hs_all = gw_metric(g, "porthole_gateway_tls_handshakes_total", NULL);
	st = gw_login(g, "127.0.0.2", "alice", "wrong", NULL, r);
	CHECK(st == 401, "wrong password: %d", st);
	st = gw_login(g, "127.0.0.3", "mallory", "wrong", NULL, r);
	CHECK(st == 401, "unknown user: %d", st);
	CHECK(gw_metric(g, "porthole_gateway_auth_failures_total",
			"reason=\"bad_password\"") == bad + 1,
	      "auth_failures_total{reason=\"bad_password\"} did not count 1 wrong password");
	CHECK(gw_metric(g, "porthole_gateway_auth_failures_total",
			"reason=\"unknown_user\"") == unknown + 1,
	      "auth_failures_total{reason=\"unknown_user\"} did not count 1 unknown user");
	/* Two log-ins and three /metrics so far, each a new TLS connection. */
	CHECK(gw_metric(g, "porthole_gateway_classified_total", "protocol=\"tls\"") >= tls + 5,
	      "classified_total{protocol=\"tls\"} did not count new connections");
	CHECK(gw_metric(g, "porthole_gateway_tls_handshakes_total", "result=\"ok\"") >= hs_ok + 5,
	      "tls_handshakes_total{result=\"ok\"} did not count handshakes");
	text = gw_metrics_now(g);
	hs_fail = gw_metric_in(text, "porthole_gateway_tls_handshakes_total", NULL) -
		  gw_metric_in(text, "porthole_gateway_tls_handshakes_total", "result=\"ok\"");
	free(text);
	c = gc_open(old, g->port, NULL, err, sizeof(err));
	CHECK(!c, "a TLS 1.1 client got through the handshake");
	/* The gateway may count after its alert is out: a moment. */
	for (int i = 0; i < 50; i++) {
		text = gw_metrics_now(g);
		hs_all = gw_metric_in(text, "porthole_gateway_tls_handshakes_total", NULL) -
			 gw_metric_in(text, "porthole_gateway_tls_handshakes_total",
				      "result=\"ok\"");
		free(text);
		if (hs_all > hs_fail)
			break;
		dt_sleep_ms(100);
	}
	CHECK(hs_all == hs_fail + 1, "a failed TLS handshake: tls_handshakes_total "
	      "other than result=\"ok\" went from %.0f to %.0f, want +1", hs_fail, hs_all);
	c = gc_wrap(gc_tcp("127.0.0.1", g->port, NULL), "127.0.0.1", g->port);
	expect_status(c, "GET", "/", NULL, NULL, NULL, 308, r);
	gc_close(c);
	CHECK(gw_metric(g, "porthole_gateway_classified_total", "protocol=\"http\"") == http + 1,
	      "classified_total{protocol=\"http\"} did not count a plain HTTP request");
	printf("counters moved: auth failures by reason, classified, handshakes\n");

	if (!g->ext_port) {
		printf("no non-loopback address here: /metrics from elsewhere not tested\n");
	} else {
		const char *who[] = { NULL, "alice", "admin" };

		gw_session(g, "alice", ALICE_PW, cookie, sizeof(cookie));
		gw_session(g, "admin", ADMIN_PW, admin, sizeof(admin));
		for (int i = 0; i < 3; i++) {
			struct gc_conn *e;
			int fd = gc_tcp(g->ext_ip, g->ext_port, g->ext_ip);

			CHECK(fd >= 0, "connect %s:%d: %s", g->ext_ip, g->ext_port,
			      strerror(errno));
			e = gc_wrap(fd, g->ext_ip, g->ext_port);
			/* The certificate names loopback and the host name,
			 * not this address: no verification here. */
			CHECK(gc_tls(e, any, err, sizeof(err)) == 0, "TLS from %s: %s",
			      g->ext_ip, err);
			text = gw_metrics_text(g, e, i == 0 ? NULL : i == 1 ? cookie : admin,
					       &st);
			CHECK(st == (i == 2 ? 200 : 404), "GET /metrics from %s as %s: %d, "
			      "want %d", g->ext_ip, who[i] ? who[i] : "nobody", st,
			      i == 2 ? 200 : 404);
			CHECK(i < 2 || strstr(text, families[0]), "admin's /metrics: %s", text);
			free(text);
			gc_close(e);
		}
		printf("/metrics from %s: 404 for nobody and alice, 200 for admin\n",
		       g->ext_ip);
	}
	gw_stop(g);
	SSL_CTX_free(any);
	SSL_CTX_free(old);
	free(r);
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = {
		{ "vnc_native", case_vnc_native, GW_WITH_VM },
		{ "ws", case_ws, GW_WITH_VM },
		{ "api", case_api, 0 },
		{ "metrics", case_metrics, GW_EXT },
	};

	return gw_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
