// SPDX-License-Identifier: MIT
/*
 * porthole-display's RDP server, end to end: the demo guest in a real
 * porthole-vmm, a real porthole-display serving RDP, a real
 * porthole-gateway whose auth service checks the logons (users made by the
 * porthole CLI), and a headless libfreerdp client (test_rdp_client.c) on
 * the display's rdp.sock, which is what the gateway relays to. One case
 * per run:
 *
 *   gfx       RDPGFX with AVC420: the desktop decoded by FreeRDP's own
 *             H.264 decoder matches the guest's screenshot (PSNR bound
 *             below), a fill arrives, the animated region moves, the
 *             pointer is the guest's (null system pointer), the
 *             display-control channel gets its caps and a resize request
 *             is logged
 *   fallback  a client without RDPGFX gets planar bitmap updates, one with
 *             RDPGFX but no H.264 gets RDPGFX planar: both exact
 *   input     scancodes (extended ones, Pause), Unicode keys, the pointer,
 *             buttons, both wheels, X1/X2, the synchronize event's Caps
 *             Lock, all as the guest reports them
 *   refuse    wrong password, unknown user, a VM not allowed, no password,
 *             a TOTP user: refused with a logon error and a log line; the
 *             right password still works afterwards
 *   stall     a client that stops reading delays no other client (its
 *             frames and a fill arrive, the display's memory stays put);
 *             it gets the current picture once it reads again
 *   xfreerdp  xfreerdp under Xvfb on --rdp-listen: a screenshot of its
 *             window shows the desktop (saved; RDP_SCREENSHOT=PATH copies
 *             it as PNG)
 *
 * The same through the gateway's port: test_rdp_gw.c; what both use:
 * test_rdp_harness.c.
 *
 * usage: test_rdp CASE VMM DISPLAY GATEWAY CLI
 */
#include "gwtest.h"
#include "test_rdp_harness.h"

#include <stdlib.h>
#include <string.h>

#include <freerdp/input.h>

#include "demo_layout.h"

#define W GW_W
#define H GW_H
#define PSNR_MIN RDPT_PSNR_MIN

#define FILL_X (DEMO_ANIM_X(W, H) + 24)
#define FILL_Y (DEMO_ANIM_Y(W, H) + DEMO_ANIM_H(W, H) + 24)

#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3

static void case_gfx(struct gw *g)
{
	struct rc_opts o = rdpt_opts(1, 1);
	const struct rc_stats *st;
	uint64_t frames;
	uint32_t *shot;
	struct rc *c;
	double psnr;

	gw_start(g, NULL);
	rdpt_start_display(g);
	dt_freeze(&g->dt);
	c = rdpt_connect_ok(&o, "gfx client");
	shot = dt_screenshot(&g->dt);
	psnr = rdpt_wait_picture(c, shot, 0, "first picture", 20000);
	rdpt_pump(c, 1000);  /* refinement, if any */
	psnr = rc_psnr(c, shot, W, H);
	free(shot);
	st = rc_stats(c);
	CHECK(st->avc420 > 0 && st->planar == 0 && st->bitmaps == 0,
	      "want AVC420 only: %llu AVC420, %llu planar, %llu bitmap updates",
	      (unsigned long long)st->avc420, (unsigned long long)st->planar,
	      (unsigned long long)st->bitmaps);
	printf("RDPGFX AVC420: %ux%u desktop, %.2f dB against the guest's "
	       "screenshot (bound %.0f), %llu frames\n", rc_width(c),
	       rc_height(c), psnr, PSNR_MIN, (unsigned long long)st->gfx_frames);
	CHECK(st->pointer_null >= 1 && st->pointer_new == 0,
	      "the pointer: %llu null, %llu shapes (the guest draws its own: "
	      "want the null pointer)", (unsigned long long)st->pointer_null,
	      (unsigned long long)st->pointer_new);

	/* A still screen costs nothing, a change arrives. */
	frames = rc_stats(c)->gfx_frames;
	rdpt_pump(c, 1500);
	CHECK(rc_stats(c)->gfx_frames == frames,
	      "a frozen desktop cost %llu frames in 1.5 s",
	      (unsigned long long)(rc_stats(c)->gfx_frames - frames));
	dt_cmd(&g->dt, "fill %d %d 160 100 ff8000", FILL_X, FILL_Y);
	shot = dt_screenshot(&g->dt);
	rdpt_wait_picture(c, shot, 0, "after a fill", 10000);
	free(shot);
	printf("still screen: no frames; a fill arrived\n");

	/* Minimised (Suppress Output): nothing comes; shown again, the
	 * change that happened meanwhile does. */
	rc_suppress(c, 0);
	rdpt_pump(c, 300);
	frames = rc_stats(c)->gfx_frames;
	dt_cmd(&g->dt, "fill %d %d 160 100 0080ff", FILL_X, FILL_Y);
	rdpt_pump(c, 1000);
	CHECK(rc_stats(c)->gfx_frames == frames, "a minimised client got %llu "
	      "frames", (unsigned long long)(rc_stats(c)->gfx_frames - frames));
	rc_suppress(c, 1);
	shot = dt_screenshot(&g->dt);
	rdpt_wait_picture(c, shot, 0, "shown again after Suppress Output", 10000);
	free(shot);
	printf("suppress output: nothing while minimised, the change once shown\n");

	dt_cmd(&g->dt, "anim on");
	CHECK(rdpt_anim_moved(c, 700), "the animated region did not move in the client");
	printf("animation: the animated region moves in the client\n");

	for (uint64_t end = dt_now_ms() + 10000; !rc_stats(c)->disp_caps &&
	     dt_now_ms() < end;)
		rdpt_pump(c, 50);
	CHECK(rc_stats(c)->disp_caps, "no display-control caps from the server");
	CHECK(rc_layout(c, 1280, 720) == 0, "SendMonitorLayout");
	CHECK(rdpt_logged_pumping(c, "asks for a 1280x720 desktop", 10000),
	      "the resize request is not in the display's log");
	printf("display control: caps received, a 1280x720 request logged\n");
	rc_close(c);
	CHECK(rdpt_display_logged("alice left", 10000), "no 'alice left' line");
	rdpt_stop_display(g);
}

static void case_fallback(struct gw *g)
{
	struct rc_opts o1 = rdpt_opts(0, 0), o2 = rdpt_opts(1, 0);
	struct rc *c1, *c2;
	uint32_t *shot;

	gw_start(g, NULL);
	rdpt_start_display(g);
	dt_freeze(&g->dt);
	c1 = rdpt_connect_ok(&o1, "client without RDPGFX");
	c2 = rdpt_connect_ok(&o2, "client with RDPGFX, no H.264");
	shot = dt_screenshot(&g->dt);
	rdpt_wait_picture(c1, shot, 1, "no RDPGFX", 20000);
	rdpt_wait_picture(c2, shot, 1, "RDPGFX without H.264", 20000);
	free(shot);
	dt_cmd(&g->dt, "fill %d %d 160 100 3366cc", FILL_X, FILL_Y);
	dt_cmd(&g->dt, "text fallback, exact");
	shot = dt_screenshot(&g->dt);
	for (uint64_t end = dt_now_ms() + 10000; dt_now_ms() < end &&
	     (rc_diff(c1, shot, W, H, 0) || rc_diff(c2, shot, W, H, 0));) {
		CHECK(rc_pump(c1, 10) == 0 && rc_pump(c2, 10) == 0, "closed");
	}
	rdpt_wait_picture(c1, shot, 1, "no RDPGFX, after a fill", 1000);
	rdpt_wait_picture(c2, shot, 1, "RDPGFX without H.264, after a fill", 1000);
	free(shot);
	CHECK(rc_stats(c1)->bitmaps > 0 && rc_stats(c1)->avc420 == 0,
	      "no RDPGFX: %llu bitmap updates", (unsigned long long)rc_stats(c1)->bitmaps);
	CHECK(rc_stats(c2)->planar > 0 && rc_stats(c2)->avc420 == 0 &&
	      rc_stats(c2)->bitmaps == 0, "RDPGFX without H.264: %llu planar, "
	      "%llu AVC420, %llu bitmap updates",
	      (unsigned long long)rc_stats(c2)->planar,
	      (unsigned long long)rc_stats(c2)->avc420,
	      (unsigned long long)rc_stats(c2)->bitmaps);
	CHECK(rdpt_display_logged("planar bitmap updates (no RDPGFX)", 1000) &&
	      rdpt_display_logged("RDPGFX, planar", 1000), "the display did not log "
	      "both fallback paths");
	printf("no RDPGFX: planar bitmap updates; RDPGFX without H.264: planar; "
	       "both equal the guest's pixels exactly, also after a change\n");
	rc_close(c1);
	rc_close(c2);
	rdpt_stop_display(g);
}

/* --- input --- */

/* The next "input DEV TYPE CODE VALUE" of that type and code. */
static int guest_event(struct gw *g, const char *dev, int type, int code)
{
	char prefix[64];
	const char *l;

	snprintf(prefix, sizeof(prefix), "input %s %d %d ", dev, type, code);
	l = dt_wait_line(&g->dt, prefix, 10000);
	CHECK(l, "no '%s...' line from the guest", prefix);
	return atoi(l + strlen(prefix));
}

static void keys(struct gw *g, struct rc *c)
{
	/* "Hi 0!" + Return by scancode, as a US keyboard types it; then
	 * extended keys: Up, Right Ctrl, keypad Enter, Delete, left Windows;
	 * Pause (0xe1 0x1d 0x45). */
	static const int want[] = { 42, 35, 23, 57, 11, 42, 2, 28, 103, 97, 96,
				    111, 125, 119 };
	uint32_t *shot;

	rc_key(c, KBD_FLAGS_DOWN, 0x2a);
	rdpt_tap(c, 0, 0x23);
	rc_key(c, KBD_FLAGS_RELEASE, 0x2a);
	rdpt_tap(c, 0, 0x17);
	rdpt_tap(c, 0, 0x39);
	rdpt_tap(c, 0, 0x0b);
	rc_key(c, KBD_FLAGS_DOWN, 0x2a);
	rdpt_tap(c, 0, 0x02);
	rc_key(c, KBD_FLAGS_RELEASE, 0x2a);
	rdpt_tap(c, 0, 0x1c);
	rdpt_tap(c, KBD_FLAGS_EXTENDED, 0x48);
	rdpt_tap(c, KBD_FLAGS_EXTENDED, 0x1d);
	rdpt_tap(c, KBD_FLAGS_EXTENDED, 0x1c);
	rdpt_tap(c, KBD_FLAGS_EXTENDED, 0x53);
	rdpt_tap(c, KBD_FLAGS_EXTENDED, 0x5b);
	rc_key(c, KBD_FLAGS_EXTENDED1 | KBD_FLAGS_DOWN, 0x1d);
	rc_key(c, KBD_FLAGS_DOWN, 0x45);
	rc_key(c, KBD_FLAGS_EXTENDED1 | KBD_FLAGS_RELEASE, 0x1d);
	rc_key(c, KBD_FLAGS_RELEASE, 0x45);
	rdpt_expect_keys(g, want, sizeof(want) / sizeof(want[0]), "scancodes");
	printf("scancodes: 'Hi 0!' + Return, extended keys and Pause reached "
	       "the guest as the right evdev codes\n");
	/* What was typed shows in the client too. */
	dt_cmd(&g->dt, "ping");
	shot = dt_screenshot(&g->dt);
	rdpt_wait_picture(c, shot, 0, "after typing", 10000);
	free(shot);

	/* Unicode: 'a', 'A' (Shift added), 'é' (AltGr+e on US altgr-intl). */
	{
		static const int uwant[] = { 30, 42, 30, 100, 18 };
		static const uint16_t chars[] = { 'a', 'A', 0xe9 };

		for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
			rc_unicode(c, 0, chars[i]);
			rc_unicode(c, KBD_FLAGS_RELEASE, chars[i]);
		}
		rdpt_expect_keys(g, uwant, 5, "unicode");
		printf("unicode: a, A, é -> the keys of a US (altgr-intl) keyboard\n");
	}

	/* Synchronize: Caps Lock on is a Caps Lock tap; the same state again
	 * taps nothing, off taps it again. */
	{
		static const int caps[] = { 58 };

		rc_sync(c, KBD_SYNC_CAPS_LOCK);
		rdpt_expect_keys(g, caps, 1, "sync caps on");
		rc_sync(c, KBD_SYNC_CAPS_LOCK);
		rc_sync(c, 0);
		rdpt_expect_keys(g, caps, 1, "sync caps off");
		rc_key(c, KBD_FLAGS_DOWN, 0x1e);
		rc_key(c, KBD_FLAGS_RELEASE, 0x1e);
		rdpt_expect_keys(g, (const int[]){ 30 }, 1, "after sync");
		printf("synchronize: Caps Lock set and cleared by one tap each, "
		       "a repeated state taps nothing\n");
	}
}

static void pointer(struct gw *g, struct rc *c)
{
	int x = 333, y = 457;
	int ax = (x * DEMO_ABS_MAX + W - 2) / (W - 1);
	int ay = (y * DEMO_ABS_MAX + H - 2) / (H - 1);
	static const struct { uint16_t flags; int x; int code; } buttons[] = {
		{ PTR_FLAGS_BUTTON1, 0, 0x110 }, { PTR_FLAGS_BUTTON2, 0, 0x111 },
		{ PTR_FLAGS_BUTTON3, 0, 0x112 }, { PTR_XFLAGS_BUTTON1, 1, 0x113 },
		{ PTR_XFLAGS_BUTTON2, 1, 0x114 },
	};

	rc_mouse(c, PTR_FLAGS_MOVE, (uint16_t)x, (uint16_t)y);
	CHECK(guest_event(g, "tablet", EV_ABS, 0) == ax, "ABS_X for x=%d", x);
	CHECK(guest_event(g, "tablet", EV_ABS, 1) == ay, "ABS_Y for y=%d", y);
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
		if (buttons[i].x) {
			rc_xmouse(c, buttons[i].flags | PTR_XFLAGS_DOWN, (uint16_t)x, (uint16_t)y);
			rc_xmouse(c, buttons[i].flags, (uint16_t)x, (uint16_t)y);
		} else {
			rc_mouse(c, buttons[i].flags | PTR_FLAGS_DOWN, (uint16_t)x, (uint16_t)y);
			rc_mouse(c, buttons[i].flags, (uint16_t)x, (uint16_t)y);
		}
		CHECK(guest_event(g, "tablet", EV_KEY, buttons[i].code) == 1 &&
		      guest_event(g, "tablet", EV_KEY, buttons[i].code) == 0,
		      "button %zu: code 0x%x down and up", i, buttons[i].code);
	}
	/* 120 a notch; half notches add up. */
	rc_mouse(c, PTR_FLAGS_WHEEL | 120, 0, 0);
	CHECK(guest_event(g, "tablet", EV_REL, 8) == 1, "wheel up: +1");
	rc_mouse(c, PTR_FLAGS_WHEEL | PTR_FLAGS_WHEEL_NEGATIVE | (0x200 - 60), 0, 0);
	rc_mouse(c, PTR_FLAGS_WHEEL | PTR_FLAGS_WHEEL_NEGATIVE | (0x200 - 60), 0, 0);
	CHECK(guest_event(g, "tablet", EV_REL, 8) == -1, "wheel down (2 x 60): -1");
	rc_mouse(c, PTR_FLAGS_HWHEEL | 120, 0, 0);
	CHECK(guest_event(g, "tablet", EV_REL, 6) == 1, "wheel right: +1");
	rc_mouse(c, PTR_FLAGS_HWHEEL | PTR_FLAGS_WHEEL_NEGATIVE | (0x200 - 120), 0, 0);
	CHECK(guest_event(g, "tablet", EV_REL, 6) == -1, "wheel left: -1");
	printf("pointer: position (%d,%d) exact, left/right/middle, X1 -> side, "
	       "X2 -> extra, wheel and horizontal wheel\n", x, y);

	/* A client that leaves holding a button releases it. */
	rc_mouse(c, PTR_FLAGS_BUTTON1 | PTR_FLAGS_DOWN, (uint16_t)x, (uint16_t)y);
	CHECK(guest_event(g, "tablet", EV_KEY, 0x110) == 1, "held left button");
}

static void case_input(struct gw *g)
{
	struct rc_opts o = rdpt_opts(1, 1);
	struct rc *c;

	gw_start(g, NULL);
	rdpt_start_display(g);
	dt_freeze(&g->dt);
	c = rdpt_connect_ok(&o, "client");
	rdpt_pump(c, 500);
	keys(g, c);
	pointer(g, c);
	rc_close(c);
	CHECK(guest_event(g, "tablet", EV_KEY, 0x110) == 0,
	      "the held button was not released when the client left");
	printf("a client that leaves releases what it held\n");
	rdpt_stop_display(g);
}

/* --- refusals --- */

static void refused(const char *user, const char *password, const char *why,
		    const char *logged)
{
	struct rc_opts o = rdpt_opts(1, 1);
	char err[512];
	struct rc *c;

	o.user = user;
	o.password = password;
	c = rc_open(&o, err, sizeof(err));
	CHECK(!c, "%s: the logon was accepted", why);
	CHECK(strstr(err, "logon error LOGON_FAILED"), "%s: no logon error for the "
	      "client (%s)", why, err);
	CHECK(rdpt_display_logged(logged, 10000), "%s: no '%s' line in the display's log",
	      why, logged);
	printf("%s: refused (%s)\n", why, err);
}

static void case_refuse(struct gw *g)
{
	struct rc_opts o = rdpt_opts(1, 1);
	char err[512];
	struct rc *c;

	gw_start(g, NULL);
	rdpt_start_display(g);
	refused("alice", "not alice's password", "wrong password",
		"refused alice: wrong user name or password");
	refused("mallory", "whatever 123", "unknown user",
		"refused mallory: wrong user name or password");
	refused("bob", BOB_PW, "bob may not reach " GW_VM,
		"refused bob: wrong user name or password, or no access");
	refused("alice", "", "no password", "the client sent no password");
	refused("carol", CAROL_PW, "TOTP user", "refused carol: the user has a one-time code");
	refused("alice\nporthole-display: forged", "x", "a user name with a newline",
		"refused alice?porthole-display:?forged: wrong user name");
	CHECK(!rdpt_display_logged("\nporthole-display: forged", 100),
	      "a user name forged a log line");
	o.security = RC_NLA_ONLY;
	CHECK(!rc_open(&o, err, sizeof(err)), "an NLA-only client was served");
	o.security = RC_RDP_ONLY;
	CHECK(!rc_open(&o, err, sizeof(err)), "an RDP-security-only client was served");
	CHECK(rdpt_display_logged("closed before logging on (RDP clients need TLS", 5000),
	      "no line for the clients refused at negotiation");
	printf("NLA-only and RDP-security-only clients: refused at negotiation, "
	       "logged\n");
	o.security = 0;
	c = rdpt_connect_ok(&o, "alice afterwards");
	rdpt_pump(c, 500);
	CHECK(rdpt_display_logged("alice logged on", 5000), "no logon line for alice");
	printf("alice with her password still logs on\n");
	rc_close(c);
	rdpt_stop_display(g);
}

/* --- a stalled client --- */

/* Does the client show colour c (a grey: H.264 keeps greys exact) around
 * the corners and the middle of the fill rectangle? */
static int shows_fill(struct rc *c, uint32_t color)
{
	static const int at[][2] = { { 2, 2 }, { 157, 2 }, { 80, 50 }, { 2, 97 },
				     { 157, 97 } };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		uint32_t p = rc_pixel(c, FILL_X + at[i][0], FILL_Y + at[i][1]);

		for (int s = 0; s < 24; s += 8)
			if (abs((int)((p >> s) & 255) - (int)((color >> s) & 255)) > 8)
				return 0;
	}
	return 1;
}

static void case_stall(struct gw *g)
{
	struct rc_opts o = rdpt_opts(1, 1);
	struct rc *slow, *fast;
	uint64_t before, slow_frames;
	uint32_t *shot;
	long rss0, rss1;

	gw_start(g, NULL);
	rdpt_start_display(g);
	slow = rdpt_connect_ok(&o, "stalled client");
	fast = rdpt_connect_ok(&o, "client");
	rdpt_pump(slow, 1000);
	rc_stall(slow, 1);
	slow_frames = rc_stats(slow)->gfx_frames;
	before = rc_stats(fast)->gfx_frames;
	rss0 = dt_rss_kib(g->dt.display);
	/* The animation runs: 5 s of frames for one, nothing read by the
	 * other. */
	rdpt_pump(fast, 5000);
	CHECK(rc_stats(fast)->gfx_frames > before, "no frame at all beside a "
	      "stalled client");
	printf("beside a client that reads nothing: %llu frames in 5 s\n",
	       (unsigned long long)(rc_stats(fast)->gfx_frames - before));
	dt_cmd(&g->dt, "fill %d %d 160 100 a0a0a0", FILL_X, FILL_Y);
	for (uint64_t end = dt_now_ms() + 10000; !shows_fill(fast, 0xa0a0a0);) {
		CHECK(dt_now_ms() < end, "the fill did not reach the other client");
		rdpt_pump(fast, 20);
	}
	rss1 = dt_rss_kib(g->dt.display);
	printf("the fill reached the other client; display RSS %ld KiB at the "
	       "stall's start, %ld KiB after\n", rss0, rss1);
	CHECK(rss1 - rss0 < 64 * 1024, "the display's memory grew by %ld KiB while "
	      "a client did not read", rss1 - rss0);
	dt_vm_alive(&g->dt);
	dt_cmd(&g->dt, "ping");
	/* It reads again: it catches up to the picture as it is now. */
	rc_stall(slow, 0);
	dt_freeze(&g->dt);
	shot = dt_screenshot(&g->dt);
	rdpt_wait_picture(slow, shot, 0, "stalled client, reading again", 20000);
	rdpt_wait_picture(fast, shot, 0, "the other client", 10000);
	free(shot);
	CHECK(rc_stats(slow)->gfx_frames > slow_frames, "no frames after the stall");
	printf("the stalled client reads again and shows the current picture\n");
	rc_close(slow);
	rc_close(fast);
	rdpt_stop_display(g);
}

/* --- xfreerdp --- */

static void case_xfreerdp(struct gw *g)
{
	char port[32];
	uint32_t *shot, *screen;
	double psnr;

	rdpt_need_xfreerdp();
	gw_start(g, NULL);
	rdpt_start_display(g);
	dt_freeze(&g->dt);
	snprintf(port, sizeof(port), "/v:127.0.0.1:%d", rdpt_rdp_port());
	shot = dt_screenshot(&g->dt);
	psnr = rdpt_xfreerdp(g, (char *[]){ port, "/u:alice", "/p:" ALICE_PW,
					    "/cert:ignore", "/sec:tls", NULL },
			     shot, getenv("RDP_SCREENSHOT"), "xfreerdp.log", &screen);
	CHECK(psnr >= PSNR_MIN, "xfreerdp's window does not show the desktop: "
	      "%.2f dB against the guest's screenshot", psnr);
	printf("xfreerdp (AVC420) under Xvfb shows the desktop: %.2f dB\n", psnr);
	free(shot);
	free(screen);
	CHECK(rdpt_display_logged("alice left", 10000), "no 'alice left' line");
	rdpt_stop_display(g);
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = {
		{ "gfx", case_gfx, GW_WITH_VM },
		{ "fallback", case_fallback, GW_WITH_VM },
		{ "input", case_input, GW_WITH_VM },
		{ "refuse", case_refuse, GW_WITH_VM },
		{ "stall", case_stall, GW_WITH_VM },
		{ "xfreerdp", case_xfreerdp, GW_WITH_VM },
	};

	return gw_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
