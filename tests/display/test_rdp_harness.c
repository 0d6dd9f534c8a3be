// SPDX-License-Identifier: MIT
#include "test_rdp_harness.h"
#include "test_rdp_util.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <freerdp/input.h>

#include "demo_layout.h"

#define W GW_W
#define H GW_H

/* The display of this process (one at a time): its socket and the log of
 * its current start. */
static char rdp_sock[192];
static char display_log[192];

static const char *const sanitizer_marks[] = {
	"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", NULL,
};

void rdpt_start_display(struct gw *g)
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

int rdpt_logged_pumping(struct rc *c, const char *want, int ms)
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

int rdpt_display_logged(const char *want, int ms)
{
	return rdpt_logged_pumping(NULL, want, ms);
}

int rdpt_rdp_port(void)
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

void rdpt_stop_display(struct gw *g)
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

struct rc_opts rdpt_opts(int gfx, int h264)
{
	return (struct rc_opts){ .host = rdp_sock, .user = "alice",
				 .password = ALICE_PW, .gfx = gfx, .h264 = h264,
				 .disp = gfx, .w = 1024, .h = 768 };
}

struct rc *rdpt_connect_ok(const struct rc_opts *o, const char *label)
{
	char err[512];
	struct rc *c = rc_open(o, err, sizeof(err));

	CHECK(c, "%s: connection refused: %s", label, err);
	return c;
}

void rdpt_pump(struct rc *c, int ms)
{
	uint64_t end = dt_now_ms() + ms;

	while (dt_now_ms() < end)
		CHECK(rc_pump(c, 20) == 0, "the connection closed");
}

double rdpt_wait_picture(struct rc *c, const uint32_t *shot, int exact,
			 const char *what, int ms)
{
	uint64_t end = dt_now_ms() + ms;
	double psnr = 0;

	for (;;) {
		psnr = rc_psnr(c, shot, W, H);
		if (exact ? rc_diff(c, shot, W, H, 0) == 0 : psnr >= RDPT_PSNR_MIN)
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

int rdpt_anim_moved(struct rc *c, int ms)
{
	uint32_t x0 = DEMO_ANIM_X(W, H), y0 = DEMO_ANIM_Y(W, H);
	uint32_t w = DEMO_ANIM_W(W, H), h = DEMO_ANIM_H(W, H), *before;
	uint64_t changed = 0;

	before = malloc((size_t)w * h * 4);
	CHECK(before, "out of memory");
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			before[y * w + x] = rc_pixel(c, x0 + x, y0 + y);
	rdpt_pump(c, ms);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			changed += rc_pixel(c, x0 + x, y0 + y) != before[y * w + x];
	free(before);
	return changed > 100;
}

void rdpt_expect_keys(struct gw *g, const int *want, int n, const char *what)
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

void rdpt_tap(struct rc *c, uint16_t flags, uint16_t code)
{
	rc_key(c, flags | KBD_FLAGS_DOWN, code);
	rc_key(c, flags | KBD_FLAGS_RELEASE, code);
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

void rdpt_need_xfreerdp(void)
{
	if (have("Xvfb") && have("xfreerdp") && have("import"))
		return;
	printf("skipped: needs Xvfb, xfreerdp and ImageMagick's import "
	       "(xvfb, freerdp2-x11, imagemagick)\n");
	exit(SKIP);
}

double rdpt_xfreerdp(struct gw *g, char *const *args, const uint32_t *shot,
		     const char *save, const char *logname, uint32_t **screen)
{
	char xdisplay[16], ppm[160], cmd[512], xlog[160], flog[160], *argv[16];
	int argc = 0;
	double psnr = 0;
	pid_t xvfb, xf;

	argv[argc++] = "xfreerdp";
	while (*args && argc < 12)
		argv[argc++] = *args++;
	argv[argc++] = "/size:1024x768";
	argv[argc++] = "/gfx:AVC420";
	argv[argc] = NULL;
	snprintf(xdisplay, sizeof(xdisplay), ":%d", 100 + getpid() % 800);
	snprintf(xlog, sizeof(xlog), "%s/xvfb.log", g->base);
	snprintf(flog, sizeof(flog), "%s/%s", g->base, logname);
	snprintf(ppm, sizeof(ppm), "%s/xfreerdp.ppm", g->base);
	xvfb = dt_spawn((char *[]){ "Xvfb", xdisplay, "-screen", "0", "1024x768x24",
				    "-nolisten", "tcp", NULL }, xlog);
	dt_sleep_ms(1000);
	setenv("DISPLAY", xdisplay, 1);
	xf = dt_spawn(argv, flog);
	*screen = NULL;
	for (uint64_t end = dt_now_ms() + 30000; dt_now_ms() < end; dt_sleep_ms(500)) {
		free(*screen);
		*screen = grab(xdisplay, ppm, W, H);
		psnr = *screen ? psnr_of(*screen, shot, (size_t)W * H) : 0;
		if (psnr >= RDPT_PSNR_MIN)
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
	if (psnr < RDPT_PSNR_MIN)
		printf("xfreerdp's window: %.2f dB against the guest's screenshot "
		       "(xfreerdp's log: %s)\n", psnr, flog);
	return psnr;
}
