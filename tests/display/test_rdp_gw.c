// SPDX-License-Identifier: MIT
/*
 * RDP through porthole-gateway's one port, end to end (docs/gateway.md,
 * "RDP"): the demo guest in a real porthole-vmm, a real porthole-display
 * serving RDP on rdp.sock, a real porthole-gateway routing to it and
 * checking the logons with its auth service, and clients that know only
 * the gateway's 127.0.0.1 port. TLS runs from the client to the display;
 * the gateway relays bytes. One case per run:
 *
 *   gw           the headless libfreerdp client (test_rdp_client.c) with
 *                the VM named each way the gateway takes: the mstshash
 *                cookie FreeRDP sends for its user name (alice has one
 *                VM), a ticket from `porthole ticket` in a preconnection
 *                PDU, the routing token `Cookie: msts=porthole:demo`. Each:
 *                the desktop within RDPT_PSNR_MIN, typed keys reach the
 *                guest (and its picture), the animated region moves, the
 *                gateway's session lines say protocol=rdp, alice, demo
 *   gw_refuse    wrong password, unknown user, bob (no access to demo) by
 *                cookie, token and ticket (which the CLI will not issue),
 *                an expired ticket, a replayed one, a good ticket with a
 *                wrong password: each refused where the rules say, by the
 *                gateway or at the display's logon; alice still logs on
 *   gw_xfreerdp  xfreerdp under Xvfb through the gateway, by user name and
 *                by the .rdp file `porthole ticket --rdp` writes: its window
 *                shows the desktop (PSNR, title bar and desktop colours);
 *                RDP_SCREENSHOT=PATH saves the first as PNG
 *
 * usage: test_rdp_gw CASE VMM DISPLAY GATEWAY CLI
 */
#include "auth.h"
#include "gwtest.h"
#include "test_rdp_harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo_layout.h"

#define W GW_W
#define H GW_H
#define WAIT_MS 10000

/* "porthole" and Enter, by scancode (set 1 = evdev for these keys). */
static const int word[] = { 25, 24, 19, 20, 35, 24, 38, 18, 28 };
#define WORD_N ((int)(sizeof(word) / sizeof(word[0])))

/* alice (or user) on the gateway's port, RDPGFX with H.264. */
static struct rc_opts via_gw(struct gw *g, const char *user, const char *password)
{
	struct rc_opts o = rdpt_opts(1, 1);

	o.host = "127.0.0.1";
	o.port = g->port;
	o.user = user;
	o.password = password;
	return o;
}

/* `porthole ticket demo --user USER --protocol rdp`: its status; the
 * ticket (first line) in out. */
static int cli_ticket(struct gw *g, const char *user, char *out, size_t len)
{
	int st = gw_cli(g, NULL, out, len, (const char *const[]){ "ticket", GW_VM,
			"--user", user, "--protocol", "rdp", NULL });

	out[strcspn(out, "\n")] = 0;
	return st;
}

static void log_expect(struct gw *g, size_t mark, const char *what, const char *a,
		       const char *b, const char *c, const char *d)
{
	char line[1024];

	CHECK(gw_log_find(g, mark, WAIT_MS, line, sizeof(line), a, b, c, d, NULL),
	      "%s: no gateway line with '%s' '%s' '%s' '%s'", what, a, b, c, d);
	printf("  gateway: %s\n", line);
}

/* Are the text area's pixels of a and b different? */
static int text_differs(const uint32_t *a, const uint32_t *b)
{
	for (int y = DEMO_TEXT_Y(W, H); y < DEMO_TEXT_Y(W, H) + DEMO_TEXT_H(W, H); y++)
		for (int x = DEMO_TEXT_X(W, H); x < DEMO_TEXT_X(W, H) + DEMO_TEXT_W(W, H); x++)
			if (a[y * W + x] != b[y * W + x])
				return 1;
	return 0;
}

/* One way of naming the VM, end to end. start_user: the session start
 * line's user (a ticket names it; cookie and token do not). */
static void route(struct gw *g, const struct rc_opts *o, const char *how,
		  const char *start_user)
{
	uint32_t *before, *after;
	size_t mark = gw_log_mark(g);
	struct rc *c;
	double psnr;

	printf("%s:\n", how);
	dt_freeze(&g->dt);
	c = rdpt_connect_ok(o, how);
	before = dt_screenshot(&g->dt);
	psnr = rdpt_wait_picture(c, before, 0, how, 20000);
	CHECK(rc_stats(c)->avc420 > 0, "%s: no AVC420 frame", how);
	printf("  the desktop, %ux%u, %.2f dB against the guest's screenshot "
	       "(bound %.0f)\n", rc_width(c), rc_height(c), psnr, RDPT_PSNR_MIN);
	log_expect(g, mark, how, "session start", start_user, "vm=" GW_VM, "protocol=rdp");
	log_expect(g, mark, how, "login ok user=alice", "source=127.0.0.1:",
		   "protocol=rdp", "vm=" GW_VM);

	for (int i = 0; i < WORD_N; i++)
		rdpt_tap(c, 0, (uint16_t)word[i]);
	rdpt_expect_keys(g, word, WORD_N, how);
	dt_cmd(&g->dt, "ping");
	after = dt_screenshot(&g->dt);
	CHECK(text_differs(before, after), "%s: the typed keys changed nothing in "
	      "the guest's text area", how);
	rdpt_wait_picture(c, after, 0, how, WAIT_MS);
	free(before);
	free(after);
	printf("  typed 'porthole' + Enter: the guest got the keys, the client "
	       "shows the text\n");

	dt_cmd(&g->dt, "anim on");
	CHECK(rdpt_anim_moved(c, 700), "%s: the animated region did not move", how);
	printf("  the animated region moves\n");
	rc_close(c);
	log_expect(g, mark, how, "session end", "user=alice", "vm=" GW_VM, "protocol=rdp");
}

static void case_gw(struct gw *g)
{
	struct rc_opts o;
	char ticket[1024], err[512];
	size_t mark;

	gw_start(g, NULL);
	rdpt_start_display(g);
	o = via_gw(g, "alice", ALICE_PW);
	route(g, &o, "mstshash cookie (user name alice)", "user=-");

	CHECK(cli_ticket(g, "alice", ticket, sizeof(ticket)) == 0 &&
	      strncmp(ticket, "p1.", 3) == 0, "porthole ticket printed '%s'", ticket);
	o.ticket = ticket;
	route(g, &o, "ticket in a preconnection PDU", "user=alice");
	CHECK(gw_metric(g, "porthole_gateway_classified_total", "protocol=\"rdp-pcb\"") == 1,
	      "the ticket's connection was not classified rdp-pcb");

	o.ticket = NULL;
	o.routing_token = "Cookie: msts=porthole:" GW_VM;
	route(g, &o, "routing token Cookie: msts=porthole:" GW_VM, "user=-");
	/* The token is what FreeRDP sent, not alice's cookie: another VM's
	 * token goes there (and finds it not running). */
	mark = gw_log_mark(g);
	o.routing_token = "Cookie: msts=porthole:nosuchvm";
	CHECK(!rc_open(&o, err, sizeof(err)), "a token for nosuchvm was served");
	log_expect(g, mark, "a token for nosuchvm", "rdp: ", "vm=nosuchvm", "", "");

	CHECK(gw_metric(g, "porthole_gateway_sessions_total", "protocol=\"rdp\"") == 3,
	      "want 3 RDP sessions in the gateway's metrics");
	CHECK(rdpt_display_logged("alice left", WAIT_MS), "no 'alice left' line");
	rdpt_stop_display(g);
}

/* --- refusals --- */

/* Refused by the display's logon (the gateway routed it): the client gets
 * a logon error, the auth service logs the real client's address. */
static void refused_logon(struct gw *g, const struct rc_opts *o, const char *what,
			  const char *display_line)
{
	char err[512], user[80];
	size_t mark = gw_log_mark(g);

	CHECK(!rc_open(o, err, sizeof(err)), "%s: the logon was accepted", what);
	CHECK(strstr(err, "logon error LOGON_FAILED"), "%s: no logon error for the "
	      "client (%s)", what, err);
	printf("%s: refused at the logon (%s)\n", what, err);
	snprintf(user, sizeof(user), "user=%s ", o->user);
	log_expect(g, mark, what, "login failed", user, "source=127.0.0.1:", "vm=" GW_VM);
	CHECK(rdpt_display_logged(display_line, WAIT_MS), "%s: no '%s' line in the "
	      "display's log", what, display_line);
}

/* Refused by the gateway before any byte reached the display. */
static void refused_gw(struct gw *g, const struct rc_opts *o, const char *what,
		       const char *why)
{
	char err[512];
	size_t mark = gw_log_mark(g);

	CHECK(!rc_open(o, err, sizeof(err)), "%s: the connection was served", what);
	CHECK(!strstr(err, "logon error"), "%s: a logon error, so the display "
	      "served it (%s)", what, err);
	printf("%s: refused by the gateway (%s)\n", what, err);
	log_expect(g, mark, what, "rdp: ", why, "", "");
}

static void case_gw_refuse(struct gw *g)
{
	const char *token = "Cookie: msts=porthole:" GW_VM;
	char ticket[1024], out[1024], err[AUTH_ERR_MAX];
	struct rc_opts o;
	struct auth *a;
	struct rc *c;

	gw_start(g, NULL);
	rdpt_start_display(g);

	o = via_gw(g, "alice", "not alice's password");
	refused_logon(g, &o, "wrong password", "refused alice: wrong user name or password");

	o = via_gw(g, "mallory", "whatever 123");
	refused_gw(g, &o, "unknown user, by cookie", "user=mallory (mstshash) has 0 VMs");
	o.routing_token = token;
	refused_logon(g, &o, "unknown user, by token",
		      "refused mallory: wrong user name or password");

	o = via_gw(g, "bob", BOB_PW);
	refused_gw(g, &o, "bob (no VM), by cookie", "user=bob (mstshash) has 0 VMs");
	o.routing_token = token;
	refused_logon(g, &o, "bob (demo not allowed), by token",
		      "refused bob: wrong user name or password, or no access");
	CHECK(cli_ticket(g, "bob", out, sizeof(out)) != 0, "porthole ticket issued "
	      "bob a ticket for " GW_VM ": '%s'", out);
	printf("bob: `porthole ticket " GW_VM " --user bob` refuses (its message "
	       "above)\n");

	/* Issued by the auth library on the gateway's state, 62 s ago. */
	a = auth_open(g->state, err, sizeof(err));
	CHECK(a, "auth_open %s: %s", g->state, err);
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_RDP,
				(uint64_t)time(NULL) - AUTH_TICKET_TTL_S - 2, ticket) == 0,
	      "auth_ticket_issue");
	auth_close(a);
	o = via_gw(g, "alice", ALICE_PW);
	o.ticket = ticket;
	refused_gw(g, &o, "an expired ticket", "ticket refused (expired)");

	/* A good ticket opens one connection; again, it is refused. */
	CHECK(cli_ticket(g, "alice", ticket, sizeof(ticket)) == 0, "porthole ticket");
	c = rdpt_connect_ok(&o, "alice's ticket");
	rdpt_pump(c, 500);
	rc_close(c);
	printf("alice's ticket: served once\n");
	refused_gw(g, &o, "the ticket replayed", "ticket refused (replayed)");

	/* A ticket chooses the VM; the password is still checked. */
	CHECK(cli_ticket(g, "alice", ticket, sizeof(ticket)) == 0, "porthole ticket");
	o.password = "not alice's password";
	refused_logon(g, &o, "a good ticket, a wrong password",
		      "refused alice: wrong user name or password");

	o = via_gw(g, "alice", ALICE_PW);
	c = rdpt_connect_ok(&o, "alice afterwards");
	rdpt_pump(c, 500);
	rc_close(c);
	printf("alice with her password still logs on through the gateway\n");
	rdpt_stop_display(g);
}

/* --- xfreerdp --- */

/* Within tol of want in every channel. */
static int near(uint32_t got, uint32_t want, int tol)
{
	for (int s = 0; s < 24; s += 8)
		if (abs((int)((got >> s) & 255) - (int)((want >> s) & 255)) > tol)
			return 0;
	return 1;
}

/* The title bar (left of the clock, right of the title text, above and
 * below both) and bare desktop are their colours. 12 of tolerance: AVC420
 * as FreeRDP converts it shifts saturated colours a little (docs/rdp.md:
 * 0x204a87 arrives as 0x1f4989). */
static void check_colours(const uint32_t *s, const char *what)
{
	static const int title[][2] = { { W / 2, 2 }, { W / 2, 20 }, { W / 2, 38 },
					{ 4, 38 }, { W - 4, 2 } };
	static const int desktop[][2] = { { W / 2, 56 }, { 8, H - 8 },
					  { W - 8, H - 8 }, { W / 2, H - 16 } };

	for (size_t i = 0; i < sizeof(title) / sizeof(title[0]); i++) {
		uint32_t p = s[title[i][1] * W + title[i][0]];

		CHECK(near(p, DEMO_COLOR_TITLE, 12), "%s: (%d,%d) is %06x, not the "
		      "title bar's %06x", what, title[i][0], title[i][1], p,
		      DEMO_COLOR_TITLE);
	}
	for (size_t i = 0; i < sizeof(desktop) / sizeof(desktop[0]); i++) {
		uint32_t p = s[desktop[i][1] * W + desktop[i][0]];

		CHECK(near(p, DEMO_COLOR_DESKTOP, 12), "%s: (%d,%d) is %06x, not the "
		      "desktop's %06x", what, desktop[i][0], desktop[i][1], p,
		      DEMO_COLOR_DESKTOP);
	}
}

static void xfreerdp_shows(struct gw *g, char *const *args, const uint32_t *shot,
			   const char *save, const char *what, const char *start_user)
{
	size_t mark = gw_log_mark(g);
	uint32_t *screen;
	double psnr;

	psnr = rdpt_xfreerdp(g, args, shot, save, "xfreerdp.log", &screen);
	CHECK(psnr >= RDPT_PSNR_MIN, "%s: xfreerdp's window does not show the "
	      "desktop: %.2f dB against the guest's screenshot", what, psnr);
	check_colours(screen, what);
	free(screen);
	printf("xfreerdp (AVC420) through the gateway, %s: the desktop, %.2f dB, "
	       "title bar and desktop colours\n", what, psnr);
	log_expect(g, mark, what, "session start", start_user, "vm=" GW_VM, "protocol=rdp");
	log_expect(g, mark, what, "session end", "user=alice", "vm=" GW_VM, "protocol=rdp");
}

static void case_gw_xfreerdp(struct gw *g)
{
	char port[32], file[160], file_arg[32], out[1024];
	uint32_t *shot;

	rdpt_need_xfreerdp();
	gw_start(g, NULL);
	rdpt_start_display(g);
	dt_freeze(&g->dt);
	shot = dt_screenshot(&g->dt);
	snprintf(port, sizeof(port), "/v:127.0.0.1:%d", g->port);
	xfreerdp_shows(g, (char *[]){ port, "/u:alice", "/p:" ALICE_PW, "/cert:ignore",
				      NULL }, shot, getenv("RDP_SCREENSHOT"),
		       "/u:alice (mstshash cookie)", "user=-");

	/* The .rdp file: its ticket in the preconnection PDU, alice's name. */
	snprintf(file, sizeof(file), "%s/" GW_VM ".rdp", g->base);
	snprintf(file_arg, sizeof(file_arg), "%d", g->port);
	CHECK(gw_cli(g, NULL, out, sizeof(out), (const char *const[]){ "ticket", GW_VM,
		     "--user", "alice", "--protocol", "rdp", "--rdp", file, "--host",
		     "127.0.0.1", "--port", file_arg, NULL }) == 0, "porthole ticket --rdp");
	xfreerdp_shows(g, (char *[]){ file, "/p:" ALICE_PW, "/cert:ignore", NULL }, shot,
		       NULL, "the .rdp file (its ticket)", "user=alice");
	free(shot);
	CHECK(rdpt_display_logged("alice left", WAIT_MS), "no 'alice left' line");
	rdpt_stop_display(g);
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = {
		{ "gw", case_gw, GW_WITH_VM },
		{ "gw_refuse", case_gw_refuse, GW_WITH_VM },
		{ "gw_xfreerdp", case_gw_xfreerdp, GW_WITH_VM },
	};

	return gw_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
