// SPDX-License-Identifier: MIT
/*
 * porthole-gateway under load: 50 active VNC sessions through the gateway
 * (half native VeNCrypt, half WebSocket) on the demo guest's animated
 * desktop, then 500 idle TLS connections on top, all held together without
 * an error; then porthole-display is killed (SIGKILL) under the sessions:
 * each ends cleanly with a session end line saying why, and the gateway
 * goes on serving (a log-in, a new session once the display is back).
 *
 * usage: test_gw_load load PORTHOLE_VMM PORTHOLE_DISPLAY PORTHOLE_GATEWAY PORTHOLE_CLI
 */
#include "gwtest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ACTIVE 50
#define IDLE   500
#define HEAD_DEADLINE_MS 10000  /* the gateway may cut an idle connection then */

static const int32_t encodings[] = { 16 /* ZRLE */, 0 /* raw */ };

struct sess {
	struct gc_conn *c;
	int ws;
	int ended;
	uint64_t mark;          /* bytes_in at the start of a window */
};

static void open_native(struct gw *g, struct sess *s, char *err, size_t errlen)
{
	struct gc_vencrypt v;
	struct gc_rfb_init si;
	uint8_t types[255];
	int n, fd = gc_tcp("127.0.0.1", g->port, NULL);

	CHECK(fd >= 0, "connect: %s", strerror(errno));
	s->c = gc_wrap(fd, "127.0.0.1", g->port);
	CHECK(gc_vnc_hello(s->c, types, &n, err, errlen) == 0 &&
	      gc_vencrypt(s->c, g->ctx, GW_X509PLAIN, "alice", ALICE_PW, &v, err,
			  errlen) == 0, "native session: %s", err);
	CHECK(v.result == 0, "native session: refused '%s'", v.reason);
	CHECK(gc_rfb_init(s->c, &si, err, errlen) == 0, "native session: %s", err);
}

static void open_ws(struct gw *g, struct sess *s, const char *cookie,
		    struct gc_conn *api, char *err, size_t errlen)
{
	char t[GC_TICKET_MAX];
	struct gc_rfb_init si;

	CHECK(gw_ticket(g, api, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
	s->c = gw_ws_vnc(g, GW_VM, t);
	s->ws = 1;
	CHECK(gc_rfb_none(s->c, &si, err, errlen) == 0, "WebSocket session: %s", err);
}

/* Reads whatever the sessions have for ms, asking each for an update
 * every 500 ms. Returns how many sessions ended so far. */
static int pump(struct sess *s, int n, int ms)
{
	struct pollfd p[ACTIVE];
	uint64_t end = gc_now_ms() + ms, next_req = 0;
	int ended = 0;

	do {
		int ready = 0;

		if (gc_now_ms() >= next_req) {
			for (int i = 0; i < n; i++)
				if (!s[i].ended && gc_rfb_request(s[i].c, NULL, 0, 1,
								  GW_W, GW_H) < 0)
					s[i].ended = 1;
			next_req = gc_now_ms() + 500;
		}
		for (int i = 0; i < n; i++) {
			p[i] = (struct pollfd){ s[i].ended ? -1 : s[i].c->fd, POLLIN, 0 };
			ready |= !s[i].ended && SSL_pending(s[i].c->ssl);
		}
		if (!ready)
			poll(p, n, 50);
		for (int i = 0; i < n; i++) {
			if (s[i].ended || (!p[i].revents && !SSL_pending(s[i].c->ssl)))
				continue;
			if (gc_drain(s[i].c, 0) < 0 || s[i].c->close_code)
				s[i].ended = 1;
		}
	} while (gc_now_ms() < end);
	for (int i = 0; i < n; i++)
		ended += s[i].ended;
	return ended;
}

/* Each session got bytes since its mark and is still open. */
static void expect_flowing(struct sess *s, int n, const char *when)
{
	for (int i = 0; i < n; i++) {
		CHECK(!s[i].ended, "%s: session %d (%s) ended (%s)", when, i,
		      s[i].ws ? "WebSocket" : "native",
		      s[i].c->close_code ? "close frame" : "closed");
		CHECK(s[i].c->bytes_in > s[i].mark, "%s: session %d (%s) received "
		      "nothing for seconds", when, i, s[i].ws ? "WebSocket" : "native");
		s[i].mark = s[i].c->bytes_in;
	}
}

static void case_load(struct gw *g)
{
	static struct sess s[ACTIVE];
	struct gc_conn **idle = calloc(IDLE, sizeof(*idle));
	uint64_t *born = calloc(IDLE, sizeof(*born)), total = 0, t0;
	char cookie[128], err[512], line[1024];
	int failed = 0, answered = 0, cut = 0, errors = 0, ends;
	struct gc_conn *api;
	size_t mark;
	long rss0;

	CHECK(idle && born, "out of memory");
	gw_start(g, NULL);
	gw_session(g, "alice", ALICE_PW, cookie, sizeof(cookie));
	api = gw_connect(g, NULL);
	t0 = gc_now_ms();
	for (int i = 0; i < ACTIVE; i++) {
		if (i % 2)
			open_ws(g, &s[i], cookie, api, err, sizeof(err));
		else
			open_native(g, &s[i], err, sizeof(err));
		CHECK(gc_rfb_request(s[i].c, encodings, 2, 0, GW_W, GW_H) == 0,
		      "session %d: update request", i);
		pump(s, i + 1, 0);
	}
	gc_close(api);
	printf("%d sessions (%d native, %d WebSocket) up in %llu ms\n", ACTIVE,
	       (ACTIVE + 1) / 2, ACTIVE / 2, (unsigned long long)(gc_now_ms() - t0));
	CHECK(pump(s, ACTIVE, 3000) == 0, "a session ended while starting");
	expect_flowing(s, ACTIVE, "after start");

	rss0 = gw_rss_kib(g);
	t0 = gc_now_ms();
	for (int i = 0; i < IDLE; i++) {
		born[i] = gc_now_ms();
		idle[i] = gc_open(g->ctx, g->port, NULL, err, sizeof(err));
		if (!idle[i]) {
			if (!failed++)
				printf("idle connection %d: %s\n", i, err);
		}
		if (i % 25 == 24)
			pump(s, ACTIVE, 0);
	}
	printf("%d idle TLS connections in %llu ms (%d failed); gateway RSS %ld -> "
	       "%ld KiB, %d fds\n", IDLE, (unsigned long long)(gc_now_ms() - t0),
	       failed, rss0, gw_rss_kib(g), gw_fds(g));
	CHECK(!failed, "%d of %d TLS handshakes failed with %d sessions running",
	      failed, IDLE, ACTIVE);
	printf("metrics: connections_active %.0f, sessions_active %.0f\n",
	       gw_metric(g, "porthole_gateway_connections_active", NULL),
	       gw_metric(g, "porthole_gateway_sessions_active", NULL));
	CHECK(gw_metric(g, "porthole_gateway_sessions_active", NULL) == ACTIVE,
	      "sessions_active is not %d", ACTIVE);
	CHECK(pump(s, ACTIVE, 5000) == 0, "a session ended beside %d idle connections",
	      IDLE);
	expect_flowing(s, ACTIVE, "with the idle connections");
	for (int i = 0; i < ACTIVE; i++)
		total += s[i].c->bytes_in;
	printf("all %d sessions received updates beside %d idle connections (%llu "
	       "bytes in all)\n", ACTIVE, IDLE, (unsigned long long)total);

	/* Each idle connection answers a request, unless the gateway cut it
	 * at its head deadline. */
	for (int i = 0; i < IDLE; i++) {
		struct gc_resp *r = malloc(sizeof(*r));

		CHECK(r, "out of memory");
		if (gc_http(idle[i], "GET", "/api/me", NULL, NULL, NULL, r) == 0 &&
		    r->status == 401)
			answered++;
		else if (gc_now_ms() - born[i] >= HEAD_DEADLINE_MS && idle[i]->eof)
			cut++;
		else if (!errors++)
			printf("idle connection %d, %llu ms old: status %d, %s\n", i,
			       (unsigned long long)(gc_now_ms() - born[i]), r->status,
			       idle[i]->eof ? "closed" : "open");
		free(r);
		if (i % 25 == 24)
			pump(s, ACTIVE, 0);
	}
	printf("idle connections: %d answered, %d cut at the head deadline, %d errors\n",
	       answered, cut, errors);
	CHECK(!errors, "%d idle connections failed otherwise", errors);

	/* The display dies under the sessions. */
	mark = gw_log_mark(g);
	t0 = gc_now_ms();
	dt_stop_display(&g->dt, SIGKILL, 10000);
	for (int i = 0; i < 60 && pump(s, ACTIVE, 500) < ACTIVE; i++)
		;
	for (int i = 0; i < ACTIVE; i++)
		CHECK(s[i].ended, "session %d (%s) still open 30 s after the display died",
		      i, s[i].ws ? "WebSocket" : "native");
	printf("display killed: all %d sessions closed within %llu ms\n", ACTIVE,
	       (unsigned long long)(gc_now_ms() - t0));
	for (int i = 0; i < 200 && (ends = gw_log_count(g, mark, "session end")) < ACTIVE; i++)
		dt_sleep_ms(100);
	CHECK(ends == ACTIVE, "%d session end lines for %d sessions", ends, ACTIVE);
	CHECK(gw_log_find(g, mark, 1000, line, sizeof(line), "session end", "reason=", NULL),
	      "session end lines without reason=");
	/* A killed display's socket may reset what it had not read. */
	ends = gw_log_count(g, mark, "reason=vm-closed") +
	       gw_log_count(g, mark, "reason=vm-error");
	CHECK(ends == ACTIVE, "%d of %d session end lines say reason=vm-closed or "
	      "vm-error", ends, ACTIVE);
	for (int i = 1; i < ACTIVE; i += 2)
		CHECK(s[i].c->close_code, "WebSocket session %d ended without a close "
		      "frame (docs/gateway.md: the client gets one)", i);
	printf("%d reason=vm-closed, %d reason=vm-error; every WebSocket got a close "
	       "frame\n", gw_log_count(g, mark, "reason=vm-closed"),
	       gw_log_count(g, mark, "reason=vm-error"));
	printf("log: %s\n", line);
	gw_alive(g);
	gw_session(g, "alice", ALICE_PW, cookie, sizeof(cookie));
	for (int i = 0; i < 100 && gw_metric(g, "porthole_gateway_sessions_active", NULL); i++)
		dt_sleep_ms(100);
	CHECK(gw_metric(g, "porthole_gateway_sessions_active", NULL) == 0,
	      "sessions_active is not 0 after the display died");
	printf("the gateway serves on: a log-in works, sessions_active 0\n");

	/* No display: the browser gets 503, a VNC client "not running". */
	{
		struct gc_resp *r = gw_resp_new();
		struct gc_vencrypt v;
		uint8_t types[255];
		char t[GC_TICKET_MAX], path[600], origin[96];
		struct gc_conn *w;
		int n;

		api = gw_connect(g, NULL);
		CHECK(gw_ticket(g, api, cookie, GW_VM, t, sizeof(t)) == 200, "ticket");
		gc_close(api);
		w = gw_connect(g, NULL);
		snprintf(path, sizeof(path), "/vnc/" GW_VM "?ticket=%s", t);
		snprintf(origin, sizeof(origin), "https://%s", w->host);
		n = gc_ws_upgrade(w, path, origin, r);
		CHECK(n == 503, "a WebSocket upgrade with the display gone: %d, want 503", n);
		gc_close(w);
		w = gw_plain(g, NULL);
		CHECK(gc_vnc_hello(w, types, &n, err, sizeof(err)) == 0 &&
		      gc_vencrypt(w, g->ctx, GW_X509PLAIN, "alice", ALICE_PW, &v, err,
				  sizeof(err)) == 0, "%s", err);
		CHECK(v.result && strstr(v.reason, "not running"), "native VNC with the "
		      "display gone: result %u '%s', want 'the VM is not running'",
		      v.result, v.reason);
		gc_close(w);
		free(r);
		printf("display gone: WebSocket 503, native VNC '%s'\n", v.reason);
	}

	/* The display back: a new session works. */
	{
		char *disp[] = { "--name", GW_VM, NULL };
		struct sess n = { 0 };

		dt_start_display(&g->dt, disp);
		api = gw_connect(g, NULL);
		open_ws(g, &n, cookie, api, err, sizeof(err));
		gc_close(api);
		gc_close(n.c);
		printf("display restarted: a new WebSocket session works\n");
	}
	for (int i = 0; i < ACTIVE; i++)
		gc_close(s[i].c);
	for (int i = 0; i < IDLE; i++)
		gc_close(idle[i]);
	gw_stop(g);
	free(idle);
	free(born);
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = { { "load", case_load, GW_WITH_VM } };

	return gw_main(argc, argv, cases, 1);
}
