// SPDX-License-Identifier: MIT
/*
 * porthole-display's VNC server, end to end: porthole-vmm running the demo
 * guest, porthole-display on its surface, libvncclient clients on the
 * display's unix endpoint. One case per run:
 *
 *   pixels   each encoding's first full frame equals the guest's pixels
 *            (exactly, or within a PSNR bound for Tight/JPEG), and so does
 *            the frame after a `fill`
 *   input    VNC key events reach the guest as the right evdev codes and
 *            type text; QEMU extended key events use their scancodes;
 *            pointer position, buttons and wheels
 *   idle     a frozen desktop costs zero bytes
 *   many     20 clients at once get the full frame, then a `fill`
 *   slow     a client that stops reading delays no other client, and the
 *            display's memory stays bounded
 *   hostile  raw clients send malformed message streams (each one a crash
 *            or hang found in libvncserver by fuzzing); the display lives
 *            on and a real client still gets the exact frame
 *   restart  porthole-display killed (SIGTERM, SIGKILL) and started again:
 *            clients reconnect to a full frame; the VM never notices
 *
 * usage: test_vnc CASE PORTHOLE_VMM PORTHOLE_DISPLAY
 */
#include "dtest.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "demo_layout.h"

#define W 800
#define H 600
#define MIB 1024

/* A rectangle of plain desktop, away from text, clock and animation. */
#define FILL_X (DEMO_ANIM_X(W, H) + 24)
#define FILL_Y (DEMO_ANIM_Y(W, H) + DEMO_ANIM_H(W, H) + 24)
#define FILL_W 160
#define FILL_H 100

static struct vc_opts enc(const char *e)
{
	return (struct vc_opts){ .encodings = e, .jpeg_quality = -1 };
}

/* Fills the test rectangle through the guest; returns its new pixels. */
static uint32_t *fill(struct dt *t, uint32_t color)
{
	dt_cmd(t, "fill %d %d %d %d %06x", FILL_X, FILL_Y, FILL_W, FILL_H,
	       color);
	return dt_screenshot(t);
}

/* Pumps the clients until each shows the fill colour in the rectangle. */
static void wait_fill(struct vc **vs, int n, uint32_t color, int timeout_ms)
{
	uint64_t end = dt_now_ms() + timeout_ms;

	for (int i = 0; i < n; i++)
		while (!vc_rect_is(vs[i], FILL_X, FILL_Y, FILL_W, FILL_H, color)) {
			CHECK(!vs[i]->closed, "%s: connection closed", vs[i]->label);
			CHECK(dt_now_ms() < end, "%s: the fill of %06x did not arrive "
			      "within %d ms", vs[i]->label, color, timeout_ms);
			vc_pump(vs, n, 20);
		}
}

static void expect_exact(const struct vc *v, const uint32_t *shot, const char *when)
{
	uint64_t first, d = vc_diff(v, shot, &first);

	CHECK(d == 0, "%s: %s: %llu pixels differ from the guest's; first at "
	      "(%llu,%llu): client 0x%06x, guest 0x%06x", v->label, when,
	      (unsigned long long)d, (unsigned long long)(first % v->w),
	      (unsigned long long)(first / v->w),
	      vc_pixel(v, first % v->w, first / v->w), shot[first]);
}

/* SIGTERM: exit status 0, and its socket is gone with it. */
static void stop_display_cleanly(struct dt *t)
{
	int status = dt_stop_display(t, SIGTERM, 10000);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "porthole-display: status 0x%x after SIGTERM, want exit status 0",
	      status);
	CHECK(access(t->vnc_path, F_OK) < 0 && errno == ENOENT,
	      "porthole-display left %s behind after SIGTERM", t->vnc_path);
}

/* --- pixels --- */

/* 16x16 cells of 8x8 pixels, each another colour; returns the screen. */
static uint32_t *gradient(struct dt *t)
{
	for (int j = 0; j < 16; j++)
		for (int i = 0; i < 16; i++)
			dt_cmd(t, "fill %d %d 8 8 %02x%02x%02x", FILL_X + i * 8,
			       FILL_Y + FILL_H + 8 + j * 8, i * 16, j * 16,
			       (i * j) & 255);
	return dt_screenshot(t);
}

static void case_pixels(struct dt *t)
{
	static const struct {
		const char *name, *encodings;
		int jpeg;               /* quality level, or -1: lossless */
	} encs[] = {
		{ "raw", "raw", -1 },
		{ "zlib", "zlib", -1 },
		{ "hextile", "hextile", -1 },
		{ "zrle", "zrle", -1 },
		{ "tight", "tight", -1 },
		{ "tight+jpeg", "tight", 6 },
	};
	const double min_psnr = 30.0;
	uint32_t *shot;

	dt_start_vm(t, W, H);
	dt_freeze(t);
	shot = dt_screenshot(t);
	dt_start_display(t, NULL);
	for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		struct vc_opts o = { .encodings = encs[i].encodings,
				     .jpeg_quality = encs[i].jpeg };
		uint32_t color = 0x102030u * (uint32_t)(i + 1) ^ 0xc04080u;
		struct vc v, *vp = &v;
		uint64_t bytes;
		double psnr;

		if (encs[i].jpeg >= 0) {
			/* A patch of many colours, where JPEG pays off. */
			free(shot);
			shot = gradient(t);
		}
		vc_open(&v, t->vnc_path, encs[i].name, &o, W, H);
		vc_wait_full(&v, 10000);
		bytes = atomic_load(&v.bytes);
		psnr = vc_psnr(&v, shot);
		if (encs[i].jpeg < 0)
			expect_exact(&v, shot, "first full frame");
		else
			CHECK(psnr >= min_psnr, "%s: PSNR %.1f dB, want >= %.1f",
			      encs[i].name, psnr, min_psnr);
		/* A server falling back to Raw would send 4 bytes a pixel. */
		if (!strcmp(encs[i].encodings, "raw"))
			CHECK(bytes >= (uint64_t)W * H * 4, "raw: %llu bytes",
			      (unsigned long long)bytes);
		else
			CHECK(bytes < (uint64_t)W * H, "%s: %llu bytes for a "
			      "mostly flat desktop: not encoded as asked?",
			      encs[i].name, (unsigned long long)bytes);
		printf("%-10s first frame: %llu bytes in %llu update(s), %llu rects, "
		       "PSNR %.1f dB\n", encs[i].name, (unsigned long long)bytes,
		       (unsigned long long)v.full_at, (unsigned long long)v.rects,
		       psnr);

		/* The same encoding for an incremental update. */
		free(shot);
		shot = fill(t, color);
		wait_fill(&vp, 1, color, 5000);
		if (encs[i].jpeg < 0) {
			vc_wait_equal(&vp, 1, shot, 5000);
		} else {
			vc_pump(&vp, 1, 200);
			psnr = vc_psnr(&v, shot);
			CHECK(psnr >= min_psnr, "%s after fill: PSNR %.1f dB",
			      encs[i].name, psnr);
		}
		printf("%-10s after fill: %llu bytes for the update\n", encs[i].name,
		       (unsigned long long)(atomic_load(&v.bytes) - bytes));
		vc_close(&v);
	}
	free(shot);
	stop_display_cleanly(t);
	dt_stop_vm(t);
}

/* --- input --- */

#define KEY_LEFTSHIFT 42
#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3
#define REL_HWHEEL 6
#define REL_WHEEL 8
#define BTN_LEFT 0x110
#define BTN_RIGHT 0x111

/* What a US-layout client sends for a character: keysym and shift. */
struct key {
	char ch;
	uint32_t keysym;
	int shift;
	int code;               /* the evdev code the guest must see */
};

static const struct key typed[] = {
	{ 'H', XK_H, 1, 35 }, { 'e', XK_e, 0, 18 }, { 'l', XK_l, 0, 38 },
	{ 'l', XK_l, 0, 38 }, { 'o', XK_o, 0, 24 }, { ',', XK_comma, 0, 51 },
	{ ' ', XK_space, 0, 57 }, { 'W', XK_W, 1, 17 }, { '0', XK_0, 0, 11 },
	{ 'r', XK_r, 0, 19 }, { 'l', XK_l, 0, 38 }, { 'd', XK_d, 0, 32 },
	{ '!', XK_exclam, 1, 2 }, { '?', XK_question, 1, 53 },
	{ '\n', XK_Return, 0, 28 },
};
#define TYPED_TEXT "Hello, W0rld!?"

/* Key presses and releases the guest reports, in order, until every key
 * is up again; presses are returned in codes[]. */
static int read_keys(struct dt *t, int want, int *codes)
{
	int down[256] = { 0 }, n = 0, held = 0;

	while (n < want || held) {
		const char *l = dt_wait_line(t, "input kbd 1 ", 10000);
		int code, value;

		CHECK(l, "after %d of %d key presses (%d held), no more key events",
		      n, want, held);
		CHECK(sscanf(l, "input kbd 1 %d %d", &code, &value) == 2 &&
		      code >= 0 && code < 256, "bad line '%s'", l);
		if (value == 1) {
			CHECK(!down[code], "key %d pressed twice", code);
			CHECK(n < want, "unexpected key press %d", code);
			codes[n++] = code;
		} else {
			CHECK(value == 0 && down[code], "'%s' without a press", l);
		}
		held += value ? 1 : -1;
		down[code] = value;
	}
	return n;
}

/* The text row r of the area as pixels, for comparing rows. */
static int row_has_ink(const uint32_t *shot, int r)
{
	int x0 = DEMO_TEXT_X(W, H) + DEMO_TEXT_PAD;
	int y0 = DEMO_TEXT_Y(W, H) + DEMO_TEXT_PAD + r * DEMO_FONT_H;

	for (int y = y0; y < y0 + DEMO_FONT_H; y++)
		for (int x = x0; x < DEMO_TEXT_X(W, H) + DEMO_TEXT_W(W, H) - DEMO_TEXT_PAD; x++)
			if (shot[y * W + x] == DEMO_COLOR_TEXT_FG)
				return 1;
	return 0;
}

static int rows_equal(const uint32_t *shot, int a, int b)
{
	int x0 = DEMO_TEXT_X(W, H) + DEMO_TEXT_PAD;
	int ya = DEMO_TEXT_Y(W, H) + DEMO_TEXT_PAD + a * DEMO_FONT_H;
	int yb = DEMO_TEXT_Y(W, H) + DEMO_TEXT_PAD + b * DEMO_FONT_H;
	int x1 = DEMO_TEXT_X(W, H) + DEMO_TEXT_W(W, H) - DEMO_TEXT_PAD;

	for (int y = 0; y < DEMO_FONT_H; y++)
		if (memcmp(&shot[(ya + y) * W + x0], &shot[(yb + y) * W + x0],
			   (size_t)(x1 - x0) * 4))
			return 0;
	return 1;
}

static void type_text(struct dt *t, struct vc *v)
{
	int want[64], got[64], n = 0, rows, last;
	uint32_t *shot;

	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		/* As a US-layout client does: Shift around shifted keys. */
		if (typed[i].shift) {
			SendKeyEvent(v->c, XK_Shift_L, TRUE);
			want[n++] = KEY_LEFTSHIFT;
		}
		SendKeyEvent(v->c, typed[i].keysym, TRUE);
		SendKeyEvent(v->c, typed[i].keysym, FALSE);
		want[n++] = typed[i].code;
		if (typed[i].shift)
			SendKeyEvent(v->c, XK_Shift_L, FALSE);
	}
	CHECK(read_keys(t, n, got) == n, "key count");
	for (int i = 0; i < n; i++)
		CHECK(got[i] == want[i], "key press %d: evdev code %d, want %d",
		      i, got[i], want[i]);
	printf("typed '%s' + Return: %d key presses with the right evdev codes, "
	       "all released\n", TYPED_TEXT, n);

	/* The guest typed it into a row of its own; `text` draws the same
	 * characters on the next row: the two rows must look the same. */
	dt_cmd(t, "text " TYPED_TEXT);
	shot = dt_screenshot(t);
	rows = (DEMO_TEXT_H(W, H) - 2 * DEMO_TEXT_PAD) / DEMO_FONT_H;
	for (last = rows - 1; last > 0 && !row_has_ink(shot, last); last--)
		;
	CHECK(last > 0, "no text in the text area");
	CHECK(rows_equal(shot, last - 1, last),
	      "typed row %d differs from the `text` row %d", last - 1, last);
	printf("the typed row %d shows the same text as `text %s`\n", last - 1,
	       TYPED_TEXT);
	/* ... and the client shows what the guest shows. */
	vc_wait_equal(&v, 1, shot, 5000);
	free(shot);
}

static void ext_keys(struct dt *t, struct vc *v)
{
	/* keysym, XT scancode (0x80 marks an 0xe0 prefix), evdev code. The
	 * first is an AZERTY 'A' key: the scancode wins over the keysym. */
	static const struct { uint32_t keysym, scan; int code; } keys[] = {
		{ XK_q, 0x1e, 30 },             /* KEY_A */
		{ XK_Up, 0xc8, 103 },           /* KEY_UP */
		{ XK_Control_R, 0x9d, 97 },     /* KEY_RIGHTCTRL */
		{ XK_KP_Enter, 0x9c, 96 },      /* KEY_KPENTER */
		{ XK_Delete, 0xd3, 111 },       /* KEY_DELETE */
		{ XK_Super_L, 0xdb, 125 },      /* KEY_LEFTMETA */
		{ XK_F11, 0x57, 87 },           /* KEY_F11 */
	};
	int n = sizeof(keys) / sizeof(keys[0]), got[16];
	uint64_t end = dt_now_ms() + 2000;

	/* The announcement is a FramebufferUpdate; it may come late. But a
	 * SupportedMessages rectangle after it makes libvncclient forget it. */
	while (!SupportsClient2Server(v->c, rfbQemuEvent) && dt_now_ms() < end)
		vc_pump(&v, 1, 50);
	CHECK(SupportsClient2Server(v->c, rfbQemuEvent),
	      "libvncclient did not learn that the server takes QEMU extended "
	      "key events (no -258 rectangle, or one sent before the server's "
	      "SupportedMessages rectangle, which resets what libvncclient knows)");
	for (int i = 0; i < n; i++) {
		CHECK(SendExtendedKeyEvent(v->c, keys[i].keysym, keys[i].scan, TRUE),
		      "SendExtendedKeyEvent");
		CHECK(SendExtendedKeyEvent(v->c, keys[i].keysym, keys[i].scan, FALSE),
		      "SendExtendedKeyEvent");
	}
	CHECK(read_keys(t, n, got) == n, "key count");
	for (int i = 0; i < n; i++)
		CHECK(got[i] == keys[i].code, "extended key %d (scancode 0x%x): "
		      "evdev code %d, want %d", i, keys[i].scan, got[i], keys[i].code);
	printf("QEMU extended key events: %d scancodes -> the right evdev codes\n", n);
}

/* The next "input tablet TYPE CODE VALUE" line of the given type and code. */
static int tablet_event(struct dt *t, int type, int code)
{
	char prefix[48];
	const char *l;
	int value;

	snprintf(prefix, sizeof(prefix), "input tablet %d %d ", type, code);
	l = dt_wait_line(t, prefix, 5000);
	CHECK(l, "no '%s...' line from the guest", prefix);
	CHECK(sscanf(l + strlen(prefix), "%d", &value) == 1, "bad line '%s'", l);
	return value;
}

static void pointer(struct dt *t, struct vc *v)
{
	/* Positions where a rounding slip would show: the pointer's tip
	 * must land on exactly the pixel the client pointed at. */
	static const int at[][2] = { { 100, 200 }, { 333, 457 }, { 0, 0 },
				     { W - 20, H - 20 } };
	uint32_t *shot;
	int x = 0, y = 0;

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		x = at[i][0];
		y = at[i][1];
		SendPointerEvent(v->c, x, y, 0);
		tablet_event(t, EV_ABS, 1);
		CHECK(dt_wait_line(t, "input tablet 0 0 0", 5000), "no EV_SYN");
		/* The guest draws the pointer after it reports the SYN, and
		 * answers the next command after that: then it is idle, and
		 * the screenshot (not atomic) sees no move half done. */
		dt_cmd(t, "ping");
		shot = dt_screenshot(t);
		CHECK(shot[y * W + x] == DEMO_COLOR_POINTER_EDGE &&
		      shot[(y + 2) * W + x + 1] == DEMO_COLOR_POINTER,
		      "pointer sent to (%d,%d): the guest's pointer tip is not "
		      "there (0x%06x)", x, y, shot[y * W + x]);
		vc_wait_equal(&v, 1, shot, 5000);
		free(shot);
	}
	printf("pointer: tip on the pixel pointed at, at %zu positions\n",
	       sizeof(at) / sizeof(at[0]));

	SendPointerEvent(v->c, x, y, rfbButton1Mask);
	CHECK(tablet_event(t, EV_KEY, BTN_LEFT) == 1, "left button down");
	SendPointerEvent(v->c, x, y, 0);
	CHECK(tablet_event(t, EV_KEY, BTN_LEFT) == 0, "left button up");
	SendPointerEvent(v->c, x, y, rfbButton3Mask);
	CHECK(tablet_event(t, EV_KEY, BTN_RIGHT) == 1, "right button down");
	SendPointerEvent(v->c, x, y, 0);
	CHECK(tablet_event(t, EV_KEY, BTN_RIGHT) == 0, "right button up");
	/* Buttons 4/5 are the wheel up/down, 6/7 left/right, one step each. */
	SendPointerEvent(v->c, x, y, rfbButton4Mask);
	SendPointerEvent(v->c, x, y, 0);
	CHECK(tablet_event(t, EV_REL, REL_WHEEL) == 1, "wheel up: +1");
	SendPointerEvent(v->c, x, y, rfbButton5Mask);
	SendPointerEvent(v->c, x, y, 0);
	CHECK(tablet_event(t, EV_REL, REL_WHEEL) == -1, "wheel down: -1");
	SendPointerEvent(v->c, x, y, 1 << 5);
	SendPointerEvent(v->c, x, y, 0);
	CHECK(tablet_event(t, EV_REL, REL_HWHEEL) == -1, "wheel left: -1");
	SendPointerEvent(v->c, x, y, 1 << 6);
	SendPointerEvent(v->c, x, y, 0);
	CHECK(tablet_event(t, EV_REL, REL_HWHEEL) == 1, "wheel right: +1");
	printf("pointer: left and right buttons, both wheels\n");
}

static void case_input(struct dt *t)
{
	struct vc v;
	struct vc_opts o = enc("zrle");

	dt_start_vm(t, W, H);
	dt_freeze(t);
	dt_start_display(t, NULL);
	vc_open(&v, t->vnc_path, "client", &o, W, H);
	vc_wait_full(&v, 10000);
	type_text(t, &v);
	ext_keys(t, &v);
	pointer(t, &v);
	vc_close(&v);
	stop_display_cleanly(t);
	dt_stop_vm(t);
}

/* --- idle --- */

static void idle_for(struct vc **vs, int n, int ms)
{
	uint64_t end = dt_now_ms() + ms;

	while (dt_now_ms() < end)
		vc_pump(vs, n, 50);
}

/*
 * After a frame is complete, and a moment for what a server sends once
 * after it (a cursor shape, an extension's announcement), a frozen
 * desktop costs nothing: each client has an incremental request
 * outstanding, and over 3 s not one byte comes back.
 */
static void case_idle(struct dt *t)
{
	struct vc v[2], *vs[2] = { &v[0], &v[1] };
	struct vc_opts o[2] = { enc("raw"), enc("tight") };
	uint64_t b0[2], u0[2], settle[2];
	uint32_t *shot;

	dt_start_vm(t, W, H);
	dt_freeze(t);
	dt_start_display(t, NULL);
	for (int i = 0; i < 2; i++) {
		vc_open(&v[i], t->vnc_path, o[i].encodings, &o[i], W, H);
		vc_wait_full(&v[i], 10000);
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 2; i++)
			settle[i] = atomic_load(&v[i].bytes);
		idle_for(vs, 2, 500);
		for (int i = 0; i < 2; i++) {
			b0[i] = atomic_load(&v[i].bytes);
			settle[i] = b0[i] - settle[i];
			u0[i] = v[i].updates;
		}
		idle_for(vs, 2, 3000);
		for (int i = 0; i < 2; i++) {
			uint64_t db = atomic_load(&v[i].bytes) - b0[i];

			CHECK(db == 0, "%s: an idle desktop sent %llu bytes in %llu "
			      "updates over 3 s", v[i].label, (unsigned long long)db,
			      (unsigned long long)(v[i].updates - u0[i]));
		}
		printf("idle for 3 s%s: 0 bytes to each client (%llu and %llu "
		       "bytes in the 0.5 s before)\n", round ? " after an update" : "",
		       (unsigned long long)settle[0], (unsigned long long)settle[1]);
		if (round)
			break;
		/* The outstanding requests are alive: a change gets through. */
		shot = fill(t, 0x40c040);
		wait_fill(vs, 2, 0x40c040, 5000);
		vc_wait_equal(vs, 2, shot, 5000);
		free(shot);
	}
	for (int i = 0; i < 2; i++)
		vc_close(&v[i]);
	stop_display_cleanly(t);
	dt_stop_vm(t);
}

/* --- 20 clients --- */

#define MANY 20

static void case_many(struct dt *t)
{
	static const char *const encodings[] = { "raw", "zrle", "hextile",
						 "tight", "zlib" };
	static struct vc v[MANY];
	struct vc *vs[MANY];
	char labels[MANY][32];
	uint32_t *shot;
	uint64_t end;

	dt_start_vm(t, W, H);
	dt_freeze(t);
	shot = dt_screenshot(t);
	dt_start_display(t, NULL);
	for (int i = 0; i < MANY; i++) {
		struct vc_opts o = enc(encodings[i % 5]);

		snprintf(labels[i], sizeof(labels[i]), "client %d (%s)", i,
			 encodings[i % 5]);
		vc_open(&v[i], t->vnc_path, labels[i], &o, W, H);
		vs[i] = &v[i];
	}
	end = dt_now_ms() + 30000;
	for (int i = 0; i < MANY; i++)
		while (!v[i].full_at) {
			CHECK(!v[i].closed, "%s: closed", v[i].label);
			CHECK(dt_now_ms() < end, "%s: no full frame in 30 s",
			      v[i].label);
			vc_pump(vs, MANY, 50);
		}
	for (int i = 0; i < MANY; i++)
		expect_exact(&v[i], shot, "first full frame");
	printf("%d clients: each got a full frame equal to the guest's\n", MANY);
	free(shot);
	shot = fill(t, 0xa02060);
	wait_fill(vs, MANY, 0xa02060, 10000);
	vc_wait_equal(vs, MANY, shot, 10000);
	printf("%d clients: each got the fill, and equals the guest again\n", MANY);
	free(shot);
	for (int i = 0; i < MANY; i++)
		vc_close(&v[i]);
	stop_display_cleanly(t);
	dt_stop_vm(t);
}

/* --- hostile clients --- */

/* One raw client: handshake (RFB 3.8, security None, shared), then msg. */
static void send_raw(struct dt *t, const void *msg, size_t len)
{
	static const char hello[] = "RFB 003.008\n\x01\x01";
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[1 << 16];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0, "socket: %s", strerror(errno));
	CHECK(strlen(t->vnc_path) < sizeof(a.sun_path), "%s: path too long",
	      t->vnc_path);
	memcpy(a.sun_path, t->vnc_path, strlen(t->vnc_path) + 1);
	CHECK(!connect(fd, (struct sockaddr *)&a, sizeof(a)), "connect %s: %s",
	      t->vnc_path, strerror(errno));
	CHECK(write(fd, hello, sizeof(hello) - 1) == sizeof(hello) - 1 &&
	      write(fd, msg, len) == (ssize_t)len, "write: %s", strerror(errno));
	/* Read whatever comes for a moment: the server works on it meanwhile. */
	for (uint64_t end = dt_now_ms() + 300; dt_now_ms() < end;) {
		struct timeval tv = { 0, 50000 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (read(fd, buf, sizeof(buf)) == 0)
			break;
	}
	close(fd);
}

static void case_hostile(struct dt *t)
{
	/* SetEncodings [Zlib, ZRLE, fine quality 0], then a FramebufferUpdate-
	 * Request of width and height 0: libvncserver 0.9.14 divides by the
	 * width (SIGFPE) unless the display sanitizes the request. */
	static const uint8_t zlib_empty[] = {
		2, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 16, 0xff, 0xff, 0xfe, 0,
		3, 0xc6, 0, 0x26, 0, 3, 0, 0, 0, 0,
	};
	/* The same with Ultra, and a non-incremental request at the edge. */
	static const uint8_t ultra_edge[] = {
		2, 0, 0, 1, 0, 0, 0, 9,
		3, 0, W >> 8, W & 0xff, 0, 0, 0, 5, 0, 5,
		3, 1, 0, 10, H >> 8, H & 0xff, 0, 7, 0, 0,
	};
	/* Requests far outside the screen, then a message type nobody has. */
	static const uint8_t outside[] = {
		3, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		3, 1, 0x7f, 0xff, 0, 0, 0x80, 0x01, 0, 1,
		0xfe, 1, 2, 3,
	};
	static struct vc v;
	uint32_t *shot;

	dt_start_vm(t, W, H);
	dt_freeze(t);
	shot = dt_screenshot(t);
	dt_start_display(t, NULL);
	send_raw(t, zlib_empty, sizeof(zlib_empty));
	send_raw(t, ultra_edge, sizeof(ultra_edge));
	send_raw(t, outside, sizeof(outside));
	CHECK(waitpid(t->display, NULL, WNOHANG) == 0,
	      "porthole-display died from a hostile client");
	{
		struct vc_opts o = enc("zlib");

		vc_open(&v, t->vnc_path, "after hostile clients", &o, W, H);
	}
	vc_wait_full(&v, 10000);
	expect_exact(&v, shot, "after hostile clients");
	printf("display survived 3 hostile clients; a new client gets the exact frame\n");
	free(shot);
	vc_close(&v);
	stop_display_cleanly(t);
	dt_stop_vm(t);
}

/* --- slow client --- */

#define FAST 4

/* Updates each client gets over ms, per second. */
static void rates(struct vc **vs, int n, int ms, double *out)
{
	uint64_t u0[FAST];

	for (int i = 0; i < n; i++)
		u0[i] = vs[i]->updates;
	idle_for(vs, n, ms);
	for (int i = 0; i < n; i++) {
		CHECK(!vs[i]->closed, "%s: closed", vs[i]->label);
		out[i] = (vs[i]->updates - u0[i]) * 1000.0 / ms;
	}
}

static void case_slow(struct dt *t)
{
	static const char *const encodings[FAST] = { "raw", "zrle", "hextile",
						     "tight" };
	struct vc v[FAST], *vs[FAST], stalled;
	struct vc_opts so = { .encodings = "raw", .jpeg_quality = -1,
			      .direct = 1 };
	double before[FAST], during[FAST];
	long rss0, rss1;
	uint64_t stall_start;

	dt_start_vm(t, W, H);       /* animation on: updates all the time */
	dt_start_display(t, NULL);
	for (int i = 0; i < FAST; i++) {
		struct vc_opts o = enc(encodings[i]);

		vc_open(&v[i], t->vnc_path, encodings[i], &o, W, H);
		vs[i] = &v[i];
		vc_wait_full(&v[i], 10000);
	}
	rates(vs, FAST, 3000, before);

	/* A client that asks for everything, again and again, and then never
	 * reads a byte. */
	vc_open(&stalled, t->vnc_path, "stalled", &so, W, H);
	for (int i = 0; i < 100; i++)
		SendFramebufferUpdateRequest(stalled.c, 0, 0, W, H, FALSE);
	stall_start = dt_now_ms();
	rss0 = dt_rss_kib(t->display);
	rates(vs, FAST, 3000, during);
	for (int i = 0; i < FAST; i++) {
		printf("%-8s %5.1f updates/s alone, %5.1f with a stalled client\n",
		       v[i].label, before[i], during[i]);
		CHECK(during[i] > 0, "%s: no update at all while another client "
		      "stalled", v[i].label);
	}
	{
		uint32_t *shot = fill(t, 0x2080e0);

		wait_fill(vs, FAST, 0x2080e0, 5000);
		free(shot);
	}
	printf("each fast client saw the fill while the stalled one read nothing\n");
	idle_for(vs, FAST, 5000 - (int)(dt_now_ms() - stall_start));
	rss1 = dt_rss_kib(t->display);
	printf("display RSS %ld KiB at the stall's start, %ld KiB %.1f s later\n",
	       rss0, rss1, (dt_now_ms() - stall_start) / 1000.0);
	CHECK(rss1 - rss0 < 64 * MIB, "the display's memory grew by %ld KiB while "
	      "a client did not read", rss1 - rss0);
	/* The VM did not wait either. */
	dt_cmd(t, "ping");

	/* The stalled client goes away; the others carry on. */
	vc_close(&stalled);
	{
		uint32_t *shot = fill(t, 0x804020);

		wait_fill(vs, FAST, 0x804020, 5000);
		free(shot);
	}
	for (int i = 0; i < FAST; i++)
		vc_close(&v[i]);
	stop_display_cleanly(t);
	dt_stop_vm(t);
}

/* --- restart --- */

#define RESTART_CLIENTS 3

static void open_clients(struct dt *t, struct vc *v, struct vc **vs,
			 const char *round)
{
	static const char *const encodings[RESTART_CLIENTS] = { "raw", "zrle",
								"tight" };
	static char labels[RESTART_CLIENTS][48];

	for (int i = 0; i < RESTART_CLIENTS; i++) {
		struct vc_opts o = enc(encodings[i]);

		snprintf(labels[i], sizeof(labels[i]), "%s (%s)", encodings[i], round);
		vc_open(&v[i], t->vnc_path, labels[i], &o, W, H);
		vs[i] = &v[i];
	}
}

static void case_restart(struct dt *t)
{
	static const int sigs[] = { SIGTERM, SIGKILL };
	struct vc v[RESTART_CLIENTS], *vs[RESTART_CLIENTS];
	uint32_t *shot;
	uint64_t end;
	int boots = 0;

	dt_start_vm(t, W, H);
	dt_start_display(t, NULL);
	open_clients(t, v, vs, "first");
	for (int i = 0; i < RESTART_CLIENTS; i++)
		vc_wait_full(&v[i], 10000);

	for (size_t r = 0; r < sizeof(sigs) / sizeof(sigs[0]); r++) {
		const char *name = sigs[r] == SIGTERM ? "SIGTERM" : "SIGKILL";

		/* Killed while the animation runs and damage flows. */
		idle_for(vs, RESTART_CLIENTS, 500);
		if (sigs[r] == SIGTERM) {
			stop_display_cleanly(t);
		} else {
			int status = dt_stop_display(t, sigs[r], 10000);

			CHECK(WIFSIGNALED(status), "status 0x%x after SIGKILL", status);
		}
		end = dt_now_ms() + 5000;
		for (int i = 0; i < RESTART_CLIENTS; i++) {
			while (!v[i].closed) {
				CHECK(dt_now_ms() < end, "%s: connection still open "
				      "after the display stopped", v[i].label);
				vc_pump(vs, RESTART_CLIENTS, 50);
			}
			vc_close(&v[i]);
		}
		/* The VM carried on alone. */
		dt_vm_alive(t);
		dt_cmd(t, "ping");

		dt_freeze(t);
		shot = dt_screenshot(t);
		dt_start_display(t, NULL);
		open_clients(t, v, vs, name);
		for (int i = 0; i < RESTART_CLIENTS; i++) {
			vc_wait_full(&v[i], 10000);
			expect_exact(&v[i], shot, "first frame after the restart");
		}
		free(shot);
		shot = fill(t, 0x30a0a0 + (uint32_t)r * 0x101010);
		vc_wait_equal(vs, RESTART_CLIENTS, shot, 5000);
		free(shot);
		printf("after %s: %d clients reconnected to a full frame equal to "
		       "the guest's, then got a fill\n", name, RESTART_CLIENTS);
		dt_cmd(t, "anim on");
		dt_cmd(t, "clock on");
	}
	for (int i = 0; i < RESTART_CLIENTS; i++)
		vc_close(&v[i]);
	stop_display_cleanly(t);

	/* Never noticed: same process, same serial connection, no reboot. */
	dt_vm_alive(t);
	dt_cmd(t, "ping");
	for (const char *p = t->out; (p = strstr(p, "porthole-demo: boot")); p++)
		boots++;
	CHECK(boots <= 1, "the guest booted %d times", boots);
	dt_stop_vm(t);
	printf("the VM ran on throughout: same process, serial answers, no reboot\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(struct dt *t);
	} cases[] = {
		{ "pixels", case_pixels }, { "input", case_input },
		{ "idle", case_idle }, { "many", case_many },
		{ "slow", case_slow }, { "restart", case_restart },
		{ "hostile", case_hostile },
	};
	static struct dt t;

	if (argc != 4) {
		fprintf(stderr, "usage: %s CASE PORTHOLE_VMM PORTHOLE_DISPLAY\n",
			argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		dt_init(&t, argc - 1, argv + 1);
		cases[i].run(&t);
		printf("%s: ok\n", cases[i].name);
		return 0;
	}
	fprintf(stderr, "%s: no case '%s'\n", argv[0], argv[1]);
	return 2;
}
