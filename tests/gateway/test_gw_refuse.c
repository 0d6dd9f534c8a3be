// SPDX-License-Identifier: MIT
/*
 * porthole-gateway: what must be refused (docs/gateway.md), each refusal
 * leaking nothing a prober could use, and logged with the peer's address
 * and port:
 *
 *   login      wrong password and unknown user: one answer, byte for byte;
 *              malformed and oversized log-ins
 *   tickets    a VM not allowed and a VM that does not exist: one 404;
 *              replayed, tampered, expired (issued by the auth library
 *              with an old clock), wrong VM, wrong protocol, missing
 *   vnc        native VNC without TLS (security None asked, RFB 3.3 and
 *              3.7), wrong password and unknown user (one reason), a user
 *              without the VM, garbage for a version
 *   origin     WebSocket upgrades from another Origin (or none): 403
 *   lockout    after repeated failures even the right password is refused
 *              (429) for the user, and for a source address
 *
 * usage: test_gw_refuse CASE PORTHOLE_VMM PORTHOLE_DISPLAY PORTHOLE_GATEWAY PORTHOLE_CLI
 */
#include "gwtest.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"

/* --- login --- */

static void case_login(struct gw *g)
{
	struct gc_resp *a = gw_resp_new(), *b = gw_resp_new();
	size_t mark;
	int st, pa, pb;
	char big[400], body[600];

	gw_start(g, NULL);
	mark = gw_log_mark(g);
	st = gw_login(g, "127.0.0.2", "alice", "not alice's password", NULL, a);
	pa = g->last_lport;
	CHECK(st == 401, "wrong password: %d %s, want 401", st, a->body);
	st = gw_login(g, "127.0.0.3", "nosuchuser", "not alice's password", NULL, b);
	pb = g->last_lport;
	CHECK(st == 401, "unknown user: %d %s, want 401", st, b->body);
	CHECK(a->body_len == b->body_len && !memcmp(a->body, b->body, a->body_len),
	      "wrong password and unknown user answer differently: '%s' / '%s'",
	      a->body, b->body);
	CHECK(strstr(a->body, "\"error\""), "401 without an error: %s", a->body);
	CHECK(!a->cookie[0] && !b->cookie[0], "a refused log-in set a cookie");
	CHECK(!strstr(a->body, "alice") && !strstr(b->body, "nosuchuser"),
	      "the answer names the user: %s", a->body);
	printf("wrong password / unknown user: both 401 %s\n", a->body);
	gw_expect_logged(g, mark, "127.0.0.2", pa, "bad_password", "wrong password");
	gw_expect_logged(g, mark, "127.0.0.3", pb, "unknown_user", "unknown user");

	/* Not JSON, fields missing, a password longer than auth takes. */
	{
		static const char *const bad[] = { "{", "[]", "{\"user\":\"alice\"}",
			"{\"user\":1,\"password\":2}", "", "{\"user\":\"alice\",\"password\":\"x\"" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct gc_conn *c = gw_connect(g, "127.0.0.4");

			CHECK(gc_http(c, "POST", "/api/login", NULL, NULL, bad[i], a) == 0,
			      "log-in with body '%s': no answer", bad[i]);
			CHECK(a->status == 400, "log-in with body '%s': %d, want 400",
			      bad[i], a->status);
			CHECK(!a->cookie[0], "a cookie for body '%s'", bad[i]);
			gc_close(c);
		}
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		snprintf(body, sizeof(body), "{\"user\":\"alice\",\"password\":\"%s\"}", big);
		{
			struct gc_conn *c = gw_connect(g, "127.0.0.4");

			CHECK(gc_http(c, "POST", "/api/login", NULL, NULL, body, a) == 0 &&
			      (a->status == 400 || a->status == 401) && !a->cookie[0],
			      "a %zu-byte password: %d", strlen(big), a->status);
			gc_close(c);
		}
		printf("malformed log-ins: 400, no cookie; a %zu-byte password: %d\n",
		       strlen(big), a->status);
	}
	st = gw_login(g, "127.0.0.5", "alice", ALICE_PW, NULL, a);
	CHECK(st == 200, "alice's right password after one failure: %d %s", st, a->body);
	gw_stop(g);
	free(a);
	free(b);
}

/* --- tickets --- */

/* A WebSocket upgrade with ticket t: the status, and the answer in r. */
static int try_ticket(struct gw *g, const char *vm, const char *t,
		      struct gc_resp *r, int *lport)
{
	struct gc_conn *c = gw_connect(g, NULL);
	char path[600], origin[96];
	int st;

	snprintf(path, sizeof(path), "/vnc/%s%s%s", vm, t ? "?ticket=" : "", t ? t : "");
	snprintf(origin, sizeof(origin), "https://%s", c->host);
	*lport = c->lport;
	st = gc_ws_upgrade(c, path, origin, r);
	if (st == 101) {
		struct gc_rfb_init si;
		char err[256];

		CHECK(gc_rfb_none(c, &si, err, sizeof(err)) == 0,
		      "RFB through the WebSocket relay: %s", err);
		CHECK(si.w == GW_W && si.h == GW_H, "ServerInit %ux%u", si.w, si.h);
	}
	gc_close(c);
	return st;
}

struct refusal {
	const char *what, *word;
	int status;
	char body[256];
};

static void refused(struct gw *g, const char *vm, const char *t,
		    struct refusal *f, const char *what, const char *word)
{
	struct gc_resp *r = gw_resp_new();
	size_t mark = gw_log_mark(g);
	int lport;

	f->what = what;
	f->word = word;
	f->status = try_ticket(g, vm, t, r, &lport);
	CHECK(f->status == 403, "%s ticket: %d, want 403", what, f->status);
	snprintf(f->body, sizeof(f->body), "%.255s", r->body);
	printf("%-16s %d %s\n", what, f->status, r->body);
	if (word)
		gw_expect_logged(g, mark, "127.0.0.1", lport, word, what);
	free(r);
}

/* auth_failures_total{reason="ticket_*"}: one per refusal above. */
static void ticket_metrics(struct gw *g)
{
	static const char *const reasons[] = { "ticket_replayed", "ticket_expired",
		"ticket_wrong_vm", "ticket_wrong_protocol" };
	char *text = gw_metrics_now(g), label[64];
	double bad;

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		snprintf(label, sizeof(label), "reason=\"%s\"", reasons[i]);
		CHECK(gw_metric_in(text, "porthole_gateway_auth_failures_total", label) >= 1,
		      "auth_failures_total{%s} did not count its refusal", label);
	}
	bad = gw_metric_in(text, "porthole_gateway_auth_failures_total",
			   "reason=\"ticket_malformed\"") +
	      gw_metric_in(text, "porthole_gateway_auth_failures_total",
			   "reason=\"ticket_bad_signature\"");
	CHECK(bad >= 2, "auth_failures_total{reason=\"ticket_malformed\" or "
	      "\"ticket_bad_signature\"}: %.0f, want the tampered and the malformed "
	      "ticket", bad);
	free(text);
	printf("auth_failures_total counts each ticket refusal by its reason\n");
}

/* The CLI's edits reach the running gateway (docs/gateway.md: within a
 * second): a new user logs in; alice, denied, loses the VM, and the
 * ticket she holds with it. */
static void live_edits(struct gw *g, const char *cookie)
{
	struct gc_resp *r = gw_resp_new();
	char t[GC_TICKET_MAX], out[1024];
	struct gc_conn *c;
	size_t mark;
	int st = 0, lport;

	CHECK(gw_cli(g, "dave's password\n", out, sizeof(out), (const char *const[]){
		"user", "add", "dave", "--password-stdin", NULL }) == 0, "user add dave");
	/* Few tries: each failure counts towards dave's lockout. */
	for (int i = 0; i < 3 && st != 200; i++) {
		dt_sleep_ms(1200);
		st = gw_login(g, "127.0.0.20", "dave", "dave's password", NULL, r);
	}
	CHECK(st == 200, "dave, added by the CLI, cannot log in 4 s later: %d", st);
	c = gw_connect(g, NULL);
	CHECK(gw_ticket(g, c, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
	CHECK(gw_cli(g, NULL, out, sizeof(out), (const char *const[]){
		"vm", "deny", GW_VM, "alice", NULL }) == 0, "vm deny demo alice");
	for (int i = 0; i < 50 && (st = gw_ticket(g, c, cookie, GW_VM, out,
						  sizeof(out))) == 200; i++)
		dt_sleep_ms(100);
	CHECK(st == 404, "alice, denied demo by the CLI, still gets tickets 5 s later");
	gc_close(c);
	mark = gw_log_mark(g);
	st = try_ticket(g, GW_VM, t, r, &lport);
	CHECK(st == 403, "a ticket issued before alice lost demo: %d, want 403", st);
	gw_expect_logged(g, mark, "127.0.0.1", lport,
			 auth_ticket_result_name(AUTH_TICKET_NOT_ALLOWED),
			 "a ticket of a user who lost access");
	printf("the CLI's edits: dave logs in, alice loses demo and her ticket\n");
	free(r);
}

static void case_tickets(struct gw *g)
{
	struct gc_resp *r = gw_resp_new(), *r2 = gw_resp_new();
	char alice[128], bob[128], t[GC_TICKET_MAX], t2[GC_TICKET_MAX];
	char lib[AUTH_TICKET_MAX], err[AUTH_ERR_MAX], line[1024];
	struct refusal f[8];
	size_t mark;
	int n = 0, st, lport;
	struct gc_conn *c;
	struct auth *a;
	uint64_t now = (uint64_t)time(NULL);

	gw_start(g, NULL);
	gw_session(g, "alice", ALICE_PW, alice, sizeof(alice));
	gw_session(g, "bob", BOB_PW, bob, sizeof(bob));
	c = gw_connect(g, NULL);
	CHECK(gc_http(c, "POST", "/api/vms/" GW_VM "/ticket", NULL, NULL,
		      "{\"protocol\":\"vnc\"}", r) == 0 && r->status == 401,
	      "a ticket without a session: %d", r->status);
	CHECK(gc_http(c, "POST", "/api/vms/" GW_VM "/ticket", bob, NULL,
		      "{\"protocol\":\"vnc\"}", r) == 0, "no answer");
	CHECK(gc_http(c, "POST", "/api/vms/nosuchvm/ticket", alice, NULL,
		      "{\"protocol\":\"vnc\"}", r2) == 0, "no answer");
	CHECK(r->status == 404 && r2->status == 404, "a ticket for a VM not "
	      "allowed: %d, for one that does not exist: %d; want 404 both",
	      r->status, r2->status);
	CHECK(r->body_len == r2->body_len && !memcmp(r->body, r2->body, r->body_len),
	      "not allowed and not existing answer differently: '%s' / '%s'",
	      r->body, r2->body);
	CHECK(!strstr(r->body, "ticket\""), "404 with a ticket: %s", r->body);
	printf("not allowed / no such VM: both 404 %s\n", r->body);
	gc_close(c);

	/* Good once, then a replay. */
	c = gw_connect(g, NULL);
	CHECK(gw_ticket(g, c, alice, GW_VM, t, sizeof(t)) == 200, "alice's ticket");
	CHECK(gw_ticket(g, c, alice, GW_VM, t2, sizeof(t2)) == 200, "alice's ticket");
	gc_close(c);
	mark = gw_log_mark(g);
	st = try_ticket(g, GW_VM, t, r, &lport);
	CHECK(st == 101, "alice's fresh ticket: %d %s", st, r->body);
	/* Our RFB: version 12, security 1, ClientInit 1 byte. */
	CHECK(gw_log_find(g, mark, 10000, line, sizeof(line), "session end",
			  "bytes_in=14 ", "reason=client-closed", NULL),
	      "no session end line with bytes_in=14 (the 14 bytes we sent) and "
	      "reason=client-closed");
	printf("a fresh ticket: 101, RFB through the relay\n  log: %s\n", line);
	refused(g, GW_VM, t, &f[n++], "replayed", "replayed");

	/* One character changed, in the middle of the ticket. */
	{
		size_t i = strlen(t2) / 2;

		t2[i] = t2[i] == 'A' ? 'B' : 'A';
		refused(g, GW_VM, t2, &f[n++], "tampered", "ticket refused");
	}

	/* Issued by the auth library on the gateway's state directory. */
	a = auth_open(g->state, err, sizeof(err));
	CHECK(a, "auth_open %s: %s", g->state, err);
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_VNC, now, lib) == 0,
	      "auth_ticket_issue");
	st = try_ticket(g, GW_VM, lib, r, &lport);
	CHECK(st == 101, "a ticket from auth_ticket_issue, now: %d %s (the same "
	      "key: the crafted ones below are refused for what they are)",
	      st, r->body);
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_VNC,
				now - AUTH_TICKET_TTL_S - 2, lib) == 0, "issue");
	refused(g, GW_VM, lib, &f[n++], "expired",
		auth_ticket_result_name(AUTH_TICKET_EXPIRED));
	CHECK(auth_ticket_issue(a, "admin", "othervm", AUTH_PROTO_VNC, now, lib) == 0,
	      "issue for othervm");
	refused(g, GW_VM, lib, &f[n++], "another VM's",
		auth_ticket_result_name(AUTH_TICKET_WRONG_VM));
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_RDP, now, lib) == 0,
	      "issue for rdp");
	refused(g, GW_VM, lib, &f[n++], "an RDP",
		auth_ticket_result_name(AUTH_TICKET_WRONG_PROTOCOL));
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_VNC, now, lib) == 0,
	      "issue");
	refused(g, "nosuchvm", lib, &f[n++], "demo's for nosuchvm", "ticket refused");
	auth_close(a);
	refused(g, GW_VM, NULL, &f[n++], "no", NULL);
	refused(g, GW_VM, "x", &f[n++], "a malformed", NULL);
	for (int i = 1; i < n; i++)
		if (f[i].status != f[0].status || strcmp(f[i].body, f[0].body))
			printf("note: the %s ticket's answer (%d %s) differs from the "
			       "%s one's (%d %s)\n", f[i].what, f[i].status, f[i].body,
			       f[0].what, f[0].status, f[0].body);
	ticket_metrics(g);
	live_edits(g, alice);
	gw_stop(g);
	free(r);
	free(r2);
}

/* --- native VNC --- */

/* The server's answer to a client that asks for security type want
 * (after version ver): 1 let in, 0 refused. */
static int vnc_asks(struct gw *g, const char *ver, int want, char *why,
		    size_t whylen, int *lport)
{
	struct gc_conn *c = gw_plain(g, NULL);
	uint8_t greet[12], n, types[255], res[4];
	int in = 0;

	*lport = c->lport;
	snprintf(why, whylen, "closed");
	CHECK(gc_read(c, greet, 12, GC_TIMEOUT_MS) == 0 &&
	      !memcmp(greet, "RFB 003.008\n", 12), "no RFB 3.8 greeting from a "
	      "silent connection");
	CHECK(gc_send(c, ver, 12) == 0, "send");
	if (!strncmp(ver, "RFB 003.003", 11)) {
		/* 3.3: the server picks; 1 would be None. */
		if (gc_read(c, res, 4, 10000) == 0) {
			uint32_t t = (uint32_t)res[0] << 24 | res[1] << 16 | res[2] << 8 | res[3];

			snprintf(why, whylen, "3.3 security type %u", t);
			in = t == 1;
		}
		gc_close(c);
		return in;
	}
	if (gc_read(c, &n, 1, 10000) == 0 && n && gc_read(c, types, n, 10000) == 0) {
		for (int i = 0; i < n; i++)
			CHECK(types[i] != 1 && types[i] != 2, "security type %d offered "
			      "to a %.11s client", types[i], ver);
		if (gc_send(c, (uint8_t[]){ want }, 1) == 0 &&
		    gc_read(c, res, 4, 10000) == 0) {
			in = !res[0] && !res[1] && !res[2] && !res[3];
			snprintf(why, whylen, "SecurityResult %s", in ? "OK" : "failed");
		}
	}
	gc_close(c);
	return in;
}

static void native_login(struct gw *g, const char *user, const char *pw,
			 struct gc_vencrypt *v, int *lport)
{
	struct gc_conn *c = gw_plain(g, NULL);
	uint8_t types[255];
	char err[256];
	int n;

	*lport = c->lport;
	CHECK(gc_vnc_hello(c, types, &n, err, sizeof(err)) == 0, "%s", err);
	CHECK(gc_vencrypt(c, g->ctx, GW_X509PLAIN, user, pw, v, err, sizeof(err)) == 0,
	      "VeNCrypt as %s: %s", user, err);
	gc_close(c);
}

static void case_vnc(struct gw *g)
{
	static const char *const vers[] = { "RFB 003.008\n", "RFB 003.007\n",
					    "RFB 003.003\n" };
	struct gc_vencrypt a, b, c;
	char why[128];
	size_t mark;
	int lport, lb;

	gw_start(g, NULL);
	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		mark = gw_log_mark(g);
		CHECK(!vnc_asks(g, vers[i], 1, why, sizeof(why), &lport),
		      "a %.11s client asking for security None was let in: plaintext "
		      "VNC where TLS is required", vers[i]);
		printf("%.11s client asking for None: refused (%s)\n", vers[i], why);
		gw_expect_logged(g, mark, "127.0.0.1", lport, NULL, "security None");
	}
	{
		struct gc_conn *k = gw_plain(g, NULL);
		uint8_t greet[12];

		CHECK(gc_read(k, greet, 12, GC_TIMEOUT_MS) == 0, "no greeting");
		CHECK(gc_send(k, "HELLO THERE\n", 12) == 0, "send");
		CHECK(gc_wait_closed(k, 10000), "garbage for a version: not closed in 10 s");
		gc_close(k);
		printf("garbage for a version: closed\n");
	}

	mark = gw_log_mark(g);
	native_login(g, "alice", "not alice's password", &a, &lport);
	native_login(g, "nosuchuser", "not alice's password", &b, &lb);
	CHECK(a.result && b.result, "native VNC let in a wrong password (%d) or an "
	      "unknown user (%d)", !a.result, !b.result);
	CHECK(!strcmp(a.reason, b.reason), "the reasons differ: wrong password "
	      "'%s', unknown user '%s'", a.reason, b.reason);
	printf("native wrong password / unknown user: refused, both '%s'\n", a.reason);
	gw_expect_logged(g, mark, "127.0.0.1", lport, "bad_password", "native wrong password");
	gw_expect_logged(g, mark, "127.0.0.1", lb, "unknown_user", "native unknown user");

	mark = gw_log_mark(g);
	native_login(g, "bob", BOB_PW, &c, &lport);
	CHECK(c.result, "native VNC let bob in, who may reach no VM");
	printf("bob (no VM allowed): refused '%s'\n", c.reason);
	gw_expect_logged(g, mark, "127.0.0.1", lport, NULL, "bob without a VM");
	native_login(g, "alice@nosuchvm", ALICE_PW, &c, &lport);
	CHECK(c.result && !strcmp(c.reason, a.reason), "alice@nosuchvm: result %u "
	      "'%s', want refused '%s'", c.result, c.reason, a.reason);
	native_login(g, "bob@" GW_VM, BOB_PW, &c, &lport);
	CHECK(c.result && !strcmp(c.reason, a.reason), "bob@demo (not allowed): "
	      "result %u '%s', want refused '%s'", c.result, c.reason, a.reason);
	native_login(g, "carol", CAROL_PW, &c, &lport);
	CHECK(c.result && !strcmp(c.reason, a.reason), "carol (TOTP, no room for "
	      "the code in VNC): result %u '%s', want refused '%s'", c.result,
	      c.reason, a.reason);
	printf("alice@nosuchvm, bob@demo, carol (TOTP): refused '%s'\n", a.reason);
	native_login(g, "alice", ALICE_PW, &c, &lport);
	CHECK(!c.result, "alice's right password after the failures: '%s'", c.reason);
	printf("alice@nosuchvm refused; alice's right password still works\n");
	gw_stop(g);
}

/* --- origin --- */

static void case_origin(struct gw *g)
{
	struct gc_resp *r = gw_resp_new();
	char cookie[128], t[GC_TICKET_MAX], right[96], extra[512], path[600];
	const char *bad[] = { "https://evil.example", NULL, "http://%s",
			      "https://%s.evil.example", "null", "https://127.0.0.2:%s" };
	struct gc_conn *c;
	size_t mark;
	int st;

	gw_start(g, NULL);
	gw_session(g, "alice", ALICE_PW, cookie, sizeof(cookie));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char origin[128];

		c = gw_connect(g, NULL);
		CHECK(gw_ticket(g, c, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
		gc_close(c);
		c = gw_connect(g, NULL);
		if (bad[i] && strstr(bad[i], "127.0.0.2"))
			snprintf(origin, sizeof(origin), "https://127.0.0.2:%d", g->port);
		else if (bad[i])
			snprintf(origin, sizeof(origin), bad[i], c->host);
		snprintf(path, sizeof(path), "/vnc/" GW_VM "?ticket=%s", t);
		mark = gw_log_mark(g);
		st = gc_ws_upgrade(c, path, bad[i] ? origin : NULL, r);
		CHECK(st == 403, "a WebSocket upgrade with %s%s: %d, want 403",
		      bad[i] ? "Origin " : "no Origin", bad[i] ? origin : "", st);
		printf("Origin %-32s 403\n", bad[i] ? origin : "(none)");
		if (i == 0)
			gw_expect_logged(g, mark, "127.0.0.1", c->lport, NULL, "a foreign Origin");
		gc_close(c);
	}
	/* The rest of the upgrade checked too. */
	c = gw_connect(g, NULL);
	CHECK(gw_ticket(g, c, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
	snprintf(right, sizeof(right), "https://%s", c->host);
	snprintf(path, sizeof(path), "/vnc/" GW_VM "?ticket=%s", t);
	snprintf(extra, sizeof(extra), "Origin: %s\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 8\r\n", right);
	CHECK(gc_http(c, "GET", path, NULL, extra, NULL, r) == 0 &&
	      (r->status == 426 || r->status == 400), "Sec-WebSocket-Version 8: %d, "
	      "want 426 (or 400)", r->status);
	printf("Sec-WebSocket-Version 8: %d\n", r->status);
	gc_close(c);
	c = gw_connect(g, NULL);
	CHECK(gw_ticket(g, c, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
	snprintf(path, sizeof(path), "/vnc/" GW_VM "?ticket=%s", t);
	snprintf(extra, sizeof(extra), "Origin: %s\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", right);
	CHECK(gc_http(c, "GET", path, NULL, extra, NULL, r) == 0 && r->status == 400,
	      "an upgrade without Sec-WebSocket-Key: %d, want 400", r->status);
	gc_close(c);
	c = gw_connect(g, NULL);
	CHECK(gw_ticket(g, c, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
	gc_close(c);
	c = gw_ws_vnc(g, GW_VM, t);
	gc_close(c);
	printf("the right Origin: 101\n");
	gw_stop(g);
	free(r);
}

/* --- lockout --- */

/* Sends one log-in on each of n connections from src at once, then reads
 * every answer: the failures' delays run side by side. Counts by status. */
static void logins_at_once(struct gw *g, const char *src, int n, const char *user_fmt,
			   const char *pw, int *n401, int *n429)
{
	struct gc_conn **c = calloc(n, sizeof(*c));
	struct gc_resp *r = gw_resp_new();

	CHECK(c, "out of memory");
	*n401 = *n429 = 0;
	for (int i = 0; i < n; i++) {
		char user[64], body[256], req[512];
		int len;

		c[i] = gw_connect(g, src);
		snprintf(user, sizeof(user), user_fmt, i);
		snprintf(body, sizeof(body), "{\"user\":\"%s\",\"password\":\"%s\"}",
			 user, pw);
		len = snprintf(req, sizeof(req), "POST /api/login HTTP/1.1\r\nHost: %s\r\n"
			       "Content-Type: application/json\r\nContent-Length: %zu"
			       "\r\n\r\n%s", c[i]->host, strlen(body), body);
		CHECK(gc_send(c[i], req, len) == 0, "send");
	}
	for (int i = 0; i < n; i++) {
		CHECK(gc_read_resp(c[i], r, 60000) == 0, "log-in %d: no answer", i);
		CHECK(r->status == 401 || r->status == 429, "log-in %d: %d", i, r->status);
		*n401 += r->status == 401;
		*n429 += r->status == 429;
		gc_close(c[i]);
	}
	free(c);
	free(r);
}

static void case_lockout(struct gw *g)
{
	struct gc_resp *r = gw_resp_new();
	int tries = 0, st = 0, n401, n429;
	size_t mark;

	gw_start(g, NULL);
	mark = gw_log_mark(g);
	while (tries < 12) {
		st = gw_login(g, "127.0.0.10", "alice", "guess", NULL, r);
		tries++;
		if (st == 429)
			break;
		CHECK(st == 401, "wrong password %d: %d %s", tries, st, r->body);
	}
	CHECK(st == 429, "%d wrong passwords for alice and no 429", tries);
	CHECK(strstr(r->body, "Too many failed attempts"), "429 body: %s", r->body);
	printf("alice: 429 after %d wrong passwords: %s\n", tries - 1, r->body);
	st = gw_login(g, "127.0.0.11", "alice", ALICE_PW, NULL, r);
	CHECK(st == 429 && !r->cookie[0], "alice's RIGHT password from another "
	      "address while locked out: %d %s; want 429", st, r->body);
	printf("alice's right password, from another address: 429\n");
	gw_expect_logged(g, mark, "127.0.0.11", g->last_lport, "locked",
		      "a locked user's log-in");
	st = gw_login(g, "127.0.0.11", "bob", BOB_PW, NULL, r);
	CHECK(st == 200, "bob, while alice is locked out: %d", st);

	/* A source address trying many names. */
	mark = gw_log_mark(g);
	logins_at_once(g, "127.0.0.12", 40, "nobody%d", "guess", &n401, &n429);
	printf("40 unknown users at once from 127.0.0.12: %d x 401, %d x 429\n",
	       n401, n429);
	if (!n429)
		logins_at_once(g, "127.0.0.12", 5, "nobodyelse%d", "guess", &n401, &n429);
	CHECK(n429 > 0, "no 429 for a source that failed %d times", 40 + n401);
	st = gw_login(g, "127.0.0.12", "admin", ADMIN_PW, NULL, r);
	CHECK(st == 429, "admin's right password from the locked address: %d", st);
	st = gw_login(g, "127.0.0.13", "admin", ADMIN_PW, NULL, r);
	CHECK(st == 200, "admin from another address: %d", st);
	printf("the locked address is refused even admin's right password; "
	       "another address is not\n");
	gw_stop(g);
	free(r);
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = {
		{ "login", case_login, 0 },
		{ "tickets", case_tickets, GW_WITH_VM },
		{ "vnc", case_vnc, GW_WITH_VM },
		{ "origin", case_origin, GW_WITH_VM },
		{ "lockout", case_lockout, 0 },
	};

	return gw_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
