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
 * usage: test_rdp CASE VMM DISPLAY GATEWAY CLI
 */
#include "gwtest.h"
#include "test_rdp_client.h"
#include "test_rdp_util.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <freerdp/input.h>

#include "demo_layout.h"

#define W GW_W
#define H GW_H
/* H.264 at the encoder's quality (CRF 23, refined when the cap cut a frame
 * short) on the demo desktop, through FreeRDP's decoder and its BT.709
 * conversion of our full-range BT.601 (docs/encoder.md): measured about
 * 40 dB; below 34 something is wrong (a shifted or stale picture is far
 * lower). */
#define PSNR_MIN 34.0

#define FILL_X (DEMO_ANIM_X(W, H) + 24)
#define FILL_Y (DEMO_ANIM_Y(W, H) + DEMO_ANIM_H(W, H) + 24)

#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3

static char rdp_sock[192];
static char display_log[192];

static const char *const sanitizer_marks[] = {
	"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", NULL,
};

/* The display again, with RDP's certificate (the gateway's) and TCP. The
 * gateway runs already: its auth service checks the logons. */
static void start_display(struct gw *g)
{
	char *args[] = { "--name", GW_VM, "--state-dir", g->state,
			 "--rdp-listen", "127.0.0.1:0", NULL };

	rdpt_need_auth_service(g);
	if (g->dt.display > 0)
		dt_stop_display(&g->dt, SIGTERM, 10000);
	dt_start_display(&g->dt, args);
	snprintf(rdp_sock, sizeof(rdp_sock), "%s/rdp.sock", g->dt.run);
	snprintf(display_log, sizeof(display_log), "%s/display.%d.log",
		 g->dt.base, g->dt.display_starts);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return strdup("");
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			CHECK(buf, "out of memory");
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = 0;
	return buf;
}

/* The display's log gets a line containing want within ms; c (if not
 * NULL) is pumped meanwhile. */
static int logged_pumping(struct rc *c, const char *want, int ms)
{
	uint64_t end = dt_now_ms() + ms;

	for (;;) {
		char *log = slurp(display_log);
		int found = strstr(log, want) != NULL;

		free(log);
		if (found || dt_now_ms() >= end)
			return found;
		if (c)
			rc_pump(c, 50);
		else
			dt_sleep_ms(50);
	}
}

static int display_logged(const char *want, int ms)
{
	return logged_pumping(NULL, want, ms);
}

/* The RDP line's "tcp:127.0.0.1:PORT". */
static int rdp_port(void)
{
	char *log = NULL, *p = NULL;
	int port = 0;

	for (int i = 0; i < 400 && !p; i++) {
		free(log);
		log = slurp(display_log);
		p = strstr(log, "RDP on unix:");
		p = p ? strstr(p, "tcp:127.0.0.1:") : NULL;
		if (!p)
			dt_sleep_ms(50);
	}
	if (p)
		port = atoi(p + strlen("tcp:127.0.0.1:"));
	free(log);
	CHECK(port > 0, "no 'RDP on unix:..., tcp:127.0.0.1:PORT' line in %s",
	      display_log);
	return port;
}

/* SIGTERM: exit 0, rdp.sock gone, no sanitizer report in its log. */
static void stop_display(struct gw *g)
{
	int status = dt_stop_display(&g->dt, SIGTERM, 10000);
	char *log = slurp(display_log);

	for (int i = 0; sanitizer_marks[i]; i++) {
		char *p = strstr(log, sanitizer_marks[i]);

		if (p)
			fprintf(stderr, "%s\n", p > log + 2000 ? p - 2000 : log);
		CHECK(!p, "porthole-display's log has a sanitizer report (above)");
	}
	free(log);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "porthole-display: status 0x%x after SIGTERM", status);
	CHECK(access(rdp_sock, F_OK) < 0, "%s left behind", rdp_sock);
}

static struct rc_opts opts(int gfx, int h264)
{
	return (struct rc_opts){ .host = rdp_sock, .user = "alice",
				 .password = ALICE_PW, .gfx = gfx, .h264 = h264,
				 .disp = gfx, .w = 1024, .h = 768 };
}

static struct rc *connect_ok(const struct rc_opts *o, const char *label)
{
	char err[512];
	struct rc *c = rc_open(o, err, sizeof(err));

	CHECK(c, "%s: connection refused: %s", label, err);
	return c;
}

static void pump(struct rc *c, int ms)
{
	uint64_t end = dt_now_ms() + ms;

	while (dt_now_ms() < end)
		CHECK(rc_pump(c, 20) == 0, "the connection closed");
}

/* Pumps until the picture is within PSNR_MIN of shot (lossy) or equal
 * (lossless); returns the PSNR reached. */
static double wait_picture(struct rc *c, const uint32_t *shot, int exact,
			   const char *what, int ms)
{
	uint64_t end = dt_now_ms() + ms;
	double psnr = 0;

	for (;;) {
		psnr = rc_psnr(c, shot, W, H);
		if (exact ? rc_diff(c, shot, W, H, 0) == 0 : psnr >= PSNR_MIN)
			return psnr;
		if (dt_now_ms() >= end) {
			const char *path = "test_rdp-client.ppm";

			rc_save_ppm(c, path);
			CHECK(0, "%s: the client's %ux%u picture is not the guest's "
			      "%ux%u after %d ms: PSNR %.2f dB, %llu pixels differ "
			      "(saved to %s)", what, rc_width(c), rc_height(c), W, H,
			      ms, psnr, (unsigned long long)rc_diff(c, shot, W, H, 0),
			      path);
		}
		CHECK(rc_pump(c, 20) == 0, "%s: the connection closed", what);
	}
}

/* The mean difference of the animated region between two moments. */
static int anim_moved(struct rc *c, int ms)
{
	uint32_t x0 = DEMO_ANIM_X(W, H), y0 = DEMO_ANIM_Y(W, H);
	uint32_t w = DEMO_ANIM_W(W, H), h = DEMO_ANIM_H(W, H), *before;
	uint64_t changed = 0;

	before = malloc((size_t)w * h * 4);
	CHECK(before, "out of memory");
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			before[y * w + x] = rc_pixel(c, x0 + x, y0 + y);
	pump(c, ms);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			changed += rc_pixel(c, x0 + x, y0 + y) != before[y * w + x];
	free(before);
	return changed > 100;
}

static void case_gfx(struct gw *g)
{
	struct rc_opts o = opts(1, 1);
	const struct rc_stats *st;
	uint64_t frames;
	uint32_t *shot;
	struct rc *c;
	double psnr;

	gw_start(g, NULL);
	start_display(g);
	dt_freeze(&g->dt);
	c = connect_ok(&o, "gfx client");
	shot = dt_screenshot(&g->dt);
	psnr = wait_picture(c, shot, 0, "first picture", 20000);
	pump(c, 1000);  /* refinement, if any */
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
	pump(c, 1500);
	CHECK(rc_stats(c)->gfx_frames == frames,
	      "a frozen desktop cost %llu frames in 1.5 s",
	      (unsigned long long)(rc_stats(c)->gfx_frames - frames));
	dt_cmd(&g->dt, "fill %d %d 160 100 ff8000", FILL_X, FILL_Y);
	shot = dt_screenshot(&g->dt);
	wait_picture(c, shot, 0, "after a fill", 10000);
	free(shot);
	printf("still screen: no frames; a fill arrived\n");

	/* Minimised (Suppress Output): nothing comes; shown again, the
	 * change that happened meanwhile does. */
	rc_suppress(c, 0);
	pump(c, 300);
	frames = rc_stats(c)->gfx_frames;
	dt_cmd(&g->dt, "fill %d %d 160 100 0080ff", FILL_X, FILL_Y);
	pump(c, 1000);
	CHECK(rc_stats(c)->gfx_frames == frames, "a minimised client got %llu "
	      "frames", (unsigned long long)(rc_stats(c)->gfx_frames - frames));
	rc_suppress(c, 1);
	shot = dt_screenshot(&g->dt);
	wait_picture(c, shot, 0, "shown again after Suppress Output", 10000);
	free(shot);
	printf("suppress output: nothing while minimised, the change once shown\n");

	dt_cmd(&g->dt, "anim on");
	CHECK(anim_moved(c, 700), "the animated region did not move in the client");
	printf("animation: the animated region moves in the client\n");

	for (uint64_t end = dt_now_ms() + 10000; !rc_stats(c)->disp_caps &&
	     dt_now_ms() < end;)
		pump(c, 50);
	CHECK(rc_stats(c)->disp_caps, "no display-control caps from the server");
	CHECK(rc_layout(c, 1280, 720) == 0, "SendMonitorLayout");
	CHECK(logged_pumping(c, "asks for a 1280x720 desktop", 10000),
	      "the resize request is not in the display's log");
	printf("display control: caps received, a 1280x720 request logged\n");
	rc_close(c);
	CHECK(display_logged("alice left", 10000), "no 'alice left' line");
	stop_display(g);
}

static void case_fallback(struct gw *g)
{
	struct rc_opts o1 = opts(0, 0), o2 = opts(1, 0);
	struct rc *c1, *c2;
	uint32_t *shot;

	gw_start(g, NULL);
	start_display(g);
	dt_freeze(&g->dt);
	c1 = connect_ok(&o1, "client without RDPGFX");
	c2 = connect_ok(&o2, "client with RDPGFX, no H.264");
	shot = dt_screenshot(&g->dt);
	wait_picture(c1, shot, 1, "no RDPGFX", 20000);
	wait_picture(c2, shot, 1, "RDPGFX without H.264", 20000);
	free(shot);
	dt_cmd(&g->dt, "fill %d %d 160 100 3366cc", FILL_X, FILL_Y);
	dt_cmd(&g->dt, "text fallback, exact");
	shot = dt_screenshot(&g->dt);
	for (uint64_t end = dt_now_ms() + 10000; dt_now_ms() < end &&
	     (rc_diff(c1, shot, W, H, 0) || rc_diff(c2, shot, W, H, 0));) {
		CHECK(rc_pump(c1, 10) == 0 && rc_pump(c2, 10) == 0, "closed");
	}
	wait_picture(c1, shot, 1, "no RDPGFX, after a fill", 1000);
	wait_picture(c2, shot, 1, "RDPGFX without H.264, after a fill", 1000);
	free(shot);
	CHECK(rc_stats(c1)->bitmaps > 0 && rc_stats(c1)->avc420 == 0,
	      "no RDPGFX: %llu bitmap updates", (unsigned long long)rc_stats(c1)->bitmaps);
	CHECK(rc_stats(c2)->planar > 0 && rc_stats(c2)->avc420 == 0 &&
	      rc_stats(c2)->bitmaps == 0, "RDPGFX without H.264: %llu planar, "
	      "%llu AVC420, %llu bitmap updates",
	      (unsigned long long)rc_stats(c2)->planar,
	      (unsigned long long)rc_stats(c2)->avc420,
	      (unsigned long long)rc_stats(c2)->bitmaps);
	CHECK(display_logged("planar bitmap updates (no RDPGFX)", 1000) &&
	      display_logged("RDPGFX, planar", 1000), "the display did not log "
	      "both fallback paths");
	printf("no RDPGFX: planar bitmap updates; RDPGFX without H.264: planar; "
	       "both equal the guest's pixels exactly, also after a change\n");
	rc_close(c1);
	rc_close(c2);
	stop_display(g);
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

/* The guest's key presses, in order, until n of them came (releases are
 * checked to follow). */
static void expect_keys(struct gw *g, const int *want, int n, const char *what)
{
	int held = 0, got = 0, down[256] = { 0 };

	while (got < n || held) {
		const char *l = dt_wait_line(&g->dt, "input kbd 1 ", 10000);
		int code, value;

		CHECK(l, "%s: after %d of %d presses (%d held), no more keys",
		      what, got, n, held);
		CHECK(sscanf(l, "input kbd 1 %d %d", &code, &value) == 2 &&
		      code >= 0 && code < 256, "bad line '%s'", l);
		if (value) {
			CHECK(got < n && code == want[got], "%s: press %d is key %d, "
			      "want %d", what, got, code, got < n ? want[got] : -1);
			got++;
		} else {
			CHECK(down[code], "%s: key %d released, never pressed", what, code);
		}
		held += value ? 1 : -1;
		down[code] = value;
	}
}

static void tap(struct rc *c, uint16_t flags, uint16_t code)
{
	rc_key(c, flags | KBD_FLAGS_DOWN, code);
	rc_key(c, flags | KBD_FLAGS_RELEASE, code);
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
	tap(c, 0, 0x23);
	rc_key(c, KBD_FLAGS_RELEASE, 0x2a);
	tap(c, 0, 0x17);
	tap(c, 0, 0x39);
	tap(c, 0, 0x0b);
	rc_key(c, KBD_FLAGS_DOWN, 0x2a);
	tap(c, 0, 0x02);
	rc_key(c, KBD_FLAGS_RELEASE, 0x2a);
	tap(c, 0, 0x1c);
	tap(c, KBD_FLAGS_EXTENDED, 0x48);
	tap(c, KBD_FLAGS_EXTENDED, 0x1d);
	tap(c, KBD_FLAGS_EXTENDED, 0x1c);
	tap(c, KBD_FLAGS_EXTENDED, 0x53);
	tap(c, KBD_FLAGS_EXTENDED, 0x5b);
	rc_key(c, KBD_FLAGS_EXTENDED1 | KBD_FLAGS_DOWN, 0x1d);
	rc_key(c, KBD_FLAGS_DOWN, 0x45);
	rc_key(c, KBD_FLAGS_EXTENDED1 | KBD_FLAGS_RELEASE, 0x1d);
	rc_key(c, KBD_FLAGS_RELEASE, 0x45);
	expect_keys(g, want, sizeof(want) / sizeof(want[0]), "scancodes");
	printf("scancodes: 'Hi 0!' + Return, extended keys and Pause reached "
	       "the guest as the right evdev codes\n");
	/* What was typed shows in the client too. */
	dt_cmd(&g->dt, "ping");
	shot = dt_screenshot(&g->dt);
	wait_picture(c, shot, 0, "after typing", 10000);
	free(shot);

	/* Unicode: 'a', 'A' (Shift added), 'é' (AltGr+e on US altgr-intl). */
	{
		static const int uwant[] = { 30, 42, 30, 100, 18 };
		static const uint16_t chars[] = { 'a', 'A', 0xe9 };

		for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
			rc_unicode(c, 0, chars[i]);
			rc_unicode(c, KBD_FLAGS_RELEASE, chars[i]);
		}
		expect_keys(g, uwant, 5, "unicode");
		printf("unicode: a, A, é -> the keys of a US (altgr-intl) keyboard\n");
	}

	/* Synchronize: Caps Lock on is a Caps Lock tap; the same state again
	 * taps nothing, off taps it again. */
	{
		static const int caps[] = { 58 };

		rc_sync(c, KBD_SYNC_CAPS_LOCK);
		expect_keys(g, caps, 1, "sync caps on");
		rc_sync(c, KBD_SYNC_CAPS_LOCK);
		rc_sync(c, 0);
		expect_keys(g, caps, 1, "sync caps off");
		rc_key(c, KBD_FLAGS_DOWN, 0x1e);
		rc_key(c, KBD_FLAGS_RELEASE, 0x1e);
		expect_keys(g, (const int[]){ 30 }, 1, "after sync");
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
	struct rc_opts o = opts(1, 1);
	struct rc *c;

	gw_start(g, NULL);
	start_display(g);
	dt_freeze(&g->dt);
	c = connect_ok(&o, "client");
	pump(c, 500);
	keys(g, c);
	pointer(g, c);
	rc_close(c);
	CHECK(guest_event(g, "tablet", EV_KEY, 0x110) == 0,
	      "the held button was not released when the client left");
	printf("a client that leaves releases what it held\n");
	stop_display(g);
}

/* --- refusals --- */

static void refused(const char *user, const char *password, const char *why,
		    const char *logged)
{
	struct rc_opts o = opts(1, 1);
	char err[512];
	struct rc *c;

	o.user = user;
	o.password = password;
	c = rc_open(&o, err, sizeof(err));
	CHECK(!c, "%s: the logon was accepted", why);
	CHECK(strstr(err, "logon error LOGON_FAILED"), "%s: no logon error for the "
	      "client (%s)", why, err);
	CHECK(display_logged(logged, 10000), "%s: no '%s' line in the display's log",
	      why, logged);
	printf("%s: refused (%s)\n", why, err);
}

static void case_refuse(struct gw *g)
{
	struct rc_opts o = opts(1, 1);
	char err[512];
	struct rc *c;

	gw_start(g, NULL);
	start_display(g);
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
	CHECK(!display_logged("\nporthole-display: forged", 100),
	      "a user name forged a log line");
	o.security = RC_NLA_ONLY;
	CHECK(!rc_open(&o, err, sizeof(err)), "an NLA-only client was served");
	o.security = RC_RDP_ONLY;
	CHECK(!rc_open(&o, err, sizeof(err)), "an RDP-security-only client was served");
	CHECK(display_logged("closed before logging on (RDP clients need TLS", 5000),
	      "no line for the clients refused at negotiation");
	printf("NLA-only and RDP-security-only clients: refused at negotiation, "
	       "logged\n");
	o.security = 0;
	c = connect_ok(&o, "alice afterwards");
	pump(c, 500);
	CHECK(display_logged("alice logged on", 5000), "no logon line for alice");
	printf("alice with her password still logs on\n");
	rc_close(c);
	stop_display(g);
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
	struct rc_opts o = opts(1, 1);
	struct rc *slow, *fast;
	uint64_t before, slow_frames;
	uint32_t *shot;
	long rss0, rss1;

	gw_start(g, NULL);
	start_display(g);
	slow = connect_ok(&o, "stalled client");
	fast = connect_ok(&o, "client");
	pump(slow, 1000);
	rc_stall(slow, 1);
	slow_frames = rc_stats(slow)->gfx_frames;
	before = rc_stats(fast)->gfx_frames;
	rss0 = dt_rss_kib(g->dt.display);
	/* The animation runs: 5 s of frames for one, nothing read by the
	 * other. */
	pump(fast, 5000);
	CHECK(rc_stats(fast)->gfx_frames > before, "no frame at all beside a "
	      "stalled client");
	printf("beside a client that reads nothing: %llu frames in 5 s\n",
	       (unsigned long long)(rc_stats(fast)->gfx_frames - before));
	dt_cmd(&g->dt, "fill %d %d 160 100 a0a0a0", FILL_X, FILL_Y);
	for (uint64_t end = dt_now_ms() + 10000; !shows_fill(fast, 0xa0a0a0);) {
		CHECK(dt_now_ms() < end, "the fill did not reach the other client");
		pump(fast, 20);
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
	wait_picture(slow, shot, 0, "stalled client, reading again", 20000);
	wait_picture(fast, shot, 0, "the other client", 10000);
	free(shot);
	CHECK(rc_stats(slow)->gfx_frames > slow_frames, "no frames after the stall");
	printf("the stalled client reads again and shows the current picture\n");
	rc_close(slow);
	rc_close(fast);
	stop_display(g);
}

/* --- xfreerdp --- */

static int have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* The root window of an X display as 0x00RRGGBB (w x h at its top left),
 * through ImageMagick's import; NULL if it failed. */
static uint32_t *grab(const char *xdisplay, const char *ppm, uint32_t w, uint32_t h)
{
	char cmd[512];
	unsigned pw, ph, max;
	uint32_t *px;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "import -display %s -window root -depth 8 %s 2>/dev/null",
		 xdisplay, ppm);
	if (system(cmd) != 0 || !(f = fopen(ppm, "rb")))
		return NULL;
	if (fscanf(f, "P6 %u %u %u", &pw, &ph, &max) != 3 || fgetc(f) != '\n' ||
	    pw < w || ph < h || max != 255) {
		fclose(f);
		return NULL;
	}
	px = calloc((size_t)w * h, 4);
	CHECK(px, "out of memory");
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < pw; x++) {
			int r = fgetc(f), gr = fgetc(f), b = fgetc(f);

			if (x < w)
				px[(size_t)y * w + x] = (uint32_t)r << 16 | (uint32_t)gr << 8 | (uint32_t)b;
		}
	}
	fclose(f);
	return px;
}

static double psnr_of(const uint32_t *a, const uint32_t *b, size_t n)
{
	double se = 0;

	for (size_t i = 0; i < n; i++)
		for (int s = 0; s < 24; s += 8) {
			double d = (double)((a[i] >> s) & 255) - ((b[i] >> s) & 255);

			se += d * d;
		}
	return se ? 10 * log10(255.0 * 255.0 / (se / ((double)n * 3))) : INFINITY;
}

static void case_xfreerdp(struct gw *g)
{
	char xdisplay[16], port[32], ppm[160], cmd[512], xlog[160], flog[160];
	const char *save = getenv("RDP_SCREENSHOT");
	uint32_t *shot, *screen = NULL;
	double psnr = 0;
	pid_t xvfb, xf;

	if (!have("Xvfb") || !have("xfreerdp") || !have("import")) {
		printf("skipped: needs Xvfb, xfreerdp and ImageMagick's import "
		       "(xvfb, freerdp2-x11, imagemagick)\n");
		exit(SKIP);
	}
	gw_start(g, NULL);
	start_display(g);
	dt_freeze(&g->dt);
	snprintf(port, sizeof(port), "/v:127.0.0.1:%d", rdp_port());
	snprintf(xdisplay, sizeof(xdisplay), ":%d", 100 + getpid() % 800);
	snprintf(xlog, sizeof(xlog), "%s/xvfb.log", g->base);
	snprintf(flog, sizeof(flog), "%s/xfreerdp.log", g->base);
	snprintf(ppm, sizeof(ppm), "%s/xfreerdp.ppm", g->base);
	xvfb = dt_spawn((char *[]){ "Xvfb", xdisplay, "-screen", "0", "1024x768x24",
				    "-nolisten", "tcp", NULL }, xlog);
	dt_sleep_ms(1000);
	setenv("DISPLAY", xdisplay, 1);
	xf = dt_spawn((char *[]){ "xfreerdp", port, "/u:alice", "/p:" ALICE_PW,
				  "/cert:ignore", "/sec:tls", "/gfx:AVC420",
				  "/size:1024x768", NULL }, flog);
	shot = dt_screenshot(&g->dt);
	for (uint64_t end = dt_now_ms() + 30000; dt_now_ms() < end; dt_sleep_ms(500)) {
		free(screen);
		screen = grab(xdisplay, ppm, W, H);
		psnr = screen ? psnr_of(screen, shot, (size_t)W * H) : 0;
		if (psnr >= PSNR_MIN)
			break;
	}
	if (save && *save) {
		snprintf(cmd, sizeof(cmd), "convert %s -crop %dx%d+0+0 %s", ppm, W, H, save);
		if (system(cmd) == 0)
			printf("screenshot saved to %s\n", save);
	}
	kill(xf, SIGTERM);
	kill(xvfb, SIGTERM);
	waitpid(xf, NULL, 0);
	waitpid(xvfb, NULL, 0);
	CHECK(psnr >= PSNR_MIN, "xfreerdp's window does not show the desktop: "
	      "%.2f dB against the guest's screenshot (xfreerdp's log: %s)",
	      psnr, flog);
	printf("xfreerdp (AVC420) under Xvfb shows the desktop: %.2f dB\n", psnr);
	free(shot);
	free(screen);
	CHECK(display_logged("alice left", 10000), "no 'alice left' line");
	stop_display(g);
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
