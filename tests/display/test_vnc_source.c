// SPDX-License-Identifier: MIT
/*
 * porthole-display --source vnc:...: another VNC server's screen served
 * through Porthole's. One case per run:
 *
 *   qemu      QEMU (TCG) boots Debian's kernel with a busybox initramfs
 *             whose shell runs on the VGA console (tty1); porthole-display
 *             republishes QEMU's VNC unix socket. A libvncclient client of
 *             porthole-display sees the console, types into the shell
 *             (QEMU extended key events upstream) and sees what it typed
 *             do: a marker on the serial port, a cleared screen, a block
 *             of reverse video; its screen equals QEMU's own, pixel for
 *             pixel.
 *   upstream  a libvncserver server in this process on loopback TCP:
 *             pixels, damage, desktop resize, rich cursor, keysyms and
 *             pointer pass through; an upstream that stops reading stalls
 *             no client of the display; a restarted upstream is found
 *             again.
 *
 * usage: test_vnc_source qemu PORTHOLE_DISPLAY LINUX_CACHE
 *        test_vnc_source upstream PORTHOLE_DISPLAY
 */
#include "dtest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rfb/keysym.h>
#include <rfb/rfb.h>


static struct dt t;
static pid_t qemu_pid;
static int passed;

static void quiet(const char *format, ...)
{
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

static void show_file(const char *what, const char *name)
{
	char path[256], buf[4000];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t.base, name);
	f = fopen(path, "r");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	if (ftell(f) > (long)sizeof(buf) - 1)
		fseek(f, -(long)sizeof(buf) + 1, SEEK_END);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	fprintf(stderr, "---- %s, last %zu bytes ----\n%s\n", what, n, buf);
}

/* Pass or fail: nothing keeps running, nothing stays on disk. */
static void cleanup(void)
{
	int status;

	if (!t.base[0])
		return;
	if (!passed) {
		char log[64];

		snprintf(log, sizeof(log), "display.%d.log", t.display_starts);
		show_file("porthole-display stderr", log);
		show_file("QEMU serial", "serial.log");
		show_file("QEMU stderr", "qemu.log");
	}
	if (t.display > 0) {
		kill(t.display, SIGKILL);
		waitpid(t.display, &status, 0);
	}
	if (qemu_pid > 0) {
		kill(qemu_pid, SIGKILL);
		waitpid(qemu_pid, &status, 0);
	}
	nftw(t.base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	t.base[0] = 0;
}

static void on_signal(int sig)
{
	if (t.display > 0)
		kill(t.display, SIGKILL);
	if (qemu_pid > 0)
		kill(qemu_pid, SIGKILL);
	_exit(128 + sig);
}

extern void __sanitizer_set_death_callback(void (*callback)(void))
	__attribute__((weak));

static void setup(const char *display_bin)
{
	struct sigaction sa = { .sa_handler = on_signal };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!display_bin[0] || access(display_bin, X_OK)) {
		printf("skipped: porthole-display is not built (%s)\n",
		       display_bin[0] ? display_bin : "no such target");
		exit(SKIP);
	}
	t.display_bin = display_bin;
	t.serial = -1;
	snprintf(t.base, sizeof(t.base), "/tmp/porthole-vsrc-%d", (int)getpid());
	CHECK(mkdir(t.base, 0700) == 0, "mkdir %s: %s", t.base, strerror(errno));
	snprintf(t.run, sizeof(t.run), "%s/vm", t.base);
	snprintf(t.vnc_path, sizeof(t.vnc_path), "%s/vnc.sock", t.run);
	atexit(cleanup);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(cleanup);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!getenv("DTEST_VERBOSE"))
		rfbClientLog = rfbLog = quiet;
}

static void stop_display(void)
{
	int status = dt_stop_display(&t, SIGTERM, 20000);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "porthole-display: status 0x%x after SIGTERM, want exit 0", status);
}

/* The client's screen as 0x00RRGGBB. */
static uint32_t *snapshot(const struct vc *v)
{
	uint32_t *px = malloc((size_t)v->w * v->h * 4);

	CHECK(px, "out of memory");
	for (uint32_t y = 0; y < v->h; y++)
		for (uint32_t x = 0; x < v->w; x++)
			px[(size_t)y * v->w + x] = vc_pixel(v, x, y);
	return px;
}

static uint64_t lit_pixels(const struct vc *v, uint32_t y0, uint32_t y1)
{
	uint64_t n = 0;

	for (uint32_t y = y0; y < y1 && y < v->h; y++)
		for (uint32_t x = 0; x < v->w; x++)
			n += vc_pixel(v, x, y) != 0;
	return n;
}

static void key(struct vc *v, uint32_t keysym, int down)
{
	CHECK(SendKeyEvent(v->c, keysym, down), "%s: SendKeyEvent failed",
	      v->label);
}

static uint64_t screen_hash(const struct vc *v)
{
	const uint8_t *p = (const uint8_t *)v->c->frameBuffer;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < (size_t)v->w * v->h * 4; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* Types text as a US client does (Shift held for capitals and shifted
 * symbols), one key at a time: each waits (up to a second) for its echo
 * on the screen. QEMU's PS/2 keyboard queue holds 16 bytes and a guest
 * under TCG drains it slowly; keys beyond it are dropped by QEMU. */
static void type(struct vc **vs, int n, const char *s)
{
	for (; *s; s++) {
		uint32_t sym = *s == '\n' ? XK_Return : (uint8_t)*s;
		uint64_t h = screen_hash(vs[0]), end = dt_now_ms() + 1000;
		int shift = (*s >= 'A' && *s <= 'Z') ||
			    (*s && strchr("~!@#$%^&*()_+{}|:\"<>?", *s));

		if (shift)
			key(vs[0], XK_Shift_L, 1);
		key(vs[0], sym, 1);
		vc_pump(vs, n, 5);
		key(vs[0], sym, 0);
		if (shift)
			key(vs[0], XK_Shift_L, 0);
		while (screen_hash(vs[0]) == h && dt_now_ms() < end)
			vc_pump(vs, n, 10);
	}
}

/* Pumps for ms, whatever arrives. */
static void settle(struct vc **vs, int n, int ms)
{
	uint64_t end = dt_now_ms() + ms;

	while (dt_now_ms() < end)
		vc_pump(vs, n, 20);
}

/* The screen, coarsely (one character per 9x16 cell of the VGA text
 * console: '#' where something is lit), for failure messages. */
static void dump_cells(const struct vc *v)
{
	fprintf(stderr, "---- %s's screen, %ux%u, by 9x16 cells ----\n", v->label,
		v->w, v->h);
	for (uint32_t cy = 0; cy + 16 <= v->h; cy += 16) {
		char line[128];
		uint32_t n = 0;

		for (uint32_t cx = 0; cx + 9 <= v->w && n < sizeof(line) - 1; cx += 9) {
			uint32_t lit = 0;

			for (uint32_t y = cy; y < cy + 16; y++)
				for (uint32_t x = cx; x < cx + 9; x++)
					lit += vc_pixel(v, x, y) != 0;
			line[n++] = lit == 9 * 16 ? '#' : lit ? '+' : '.';
		}
		line[n] = 0;
		fprintf(stderr, "%s\n", line);
	}
}

/* ---- qemu ---------------------------------------------------------- */

static const char init_script[] =
"#!/bin/busybox sh\n"
"/bin/busybox mount -t proc proc /proc\n"
"/bin/busybox mount -t sysfs sys /sys\n"
"/bin/busybox mount -t devtmpfs dev /dev\n"
"/bin/busybox --install -s /bin\n"
"echo 'PORTHOLE VNC SOURCE TEST: this is the VGA console' > /dev/tty1\n"
"echo PORTHOLE-READY > /dev/ttyS0\n"
"exec setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1'\n";

static int have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "write %s: %s", path,
	      strerror(errno));
	chmod(path, mode);
}

static void build_initrd(char *out, size_t len)
{
	char cmd[1024];

	snprintf(out, len, "%s/initrd.cpio", t.base);
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; mkdir -p root/bin root/dev root/proc root/sys; "
		 "cp /bin/busybox root/bin/busybox", t.base);
	CHECK(system(cmd) == 0, "cannot lay out the initramfs: %s", cmd);
	snprintf(cmd, sizeof(cmd), "%s/root/init", t.base);
	write_file(cmd, init_script, 0755);
	snprintf(cmd, sizeof(cmd),
		 "cd %s/root && find . | LC_ALL=C sort | cpio -o -H newc --quiet > %s",
		 t.base, out);
	CHECK(system(cmd) == 0, "cpio failed: %s", cmd);
}

/* Serial output so far, as a string. */
static char *serial_text(void)
{
	static char buf[1 << 16];
	char path[192];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/serial.log", t.base);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static char *display_log(void)
{
	static char buf[1 << 16];
	char path[192];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/display.%d.log", t.base,
		 t.display_starts);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static void qemu_alive(void)
{
	int status;

	CHECK(waitpid(qemu_pid, &status, WNOHANG) != qemu_pid,
	      "QEMU stopped (status 0x%x)", status);
}

/* Pumps the clients until the serial output holds marker. */
static void wait_serial(struct vc **vs, int n, const char *marker,
			int timeout_ms)
{
	uint64_t end = dt_now_ms() + timeout_ms;

	while (!strstr(serial_text(), marker)) {
		qemu_alive();
		if (dt_now_ms() >= end && n)
			dump_cells(vs[0]);
		CHECK(dt_now_ms() < end, "no '%s' on the guest's serial port within %d ms",
		      marker, timeout_ms);
		if (n)
			vc_pump(vs, n, 50);
		else
			dt_sleep_ms(50);
	}
}

/* Pumps both until the display's client shows exactly QEMU's screen. */
static void wait_same(struct vc *mine, struct vc *qemu, int timeout_ms)
{
	struct vc *both[2] = { mine, qemu };
	uint64_t end = dt_now_ms() + timeout_ms, first = 0, d;

	for (;;) {
		uint32_t *shot;

		vc_pump(both, 2, 50);
		CHECK(!mine->closed && !qemu->closed, "a connection closed");
		if (mine->w != qemu->w || mine->h != qemu->h) {
			CHECK(dt_now_ms() < end, "the display's desktop is %ux%u, QEMU's %ux%u",
			      mine->w, mine->h, qemu->w, qemu->h);
			continue;
		}
		mine->want_w = qemu->w;
		mine->want_h = qemu->h;
		shot = snapshot(qemu);
		d = vc_diff(mine, shot, &first);
		if (!d) {
			free(shot);
			return;
		}
		CHECK(dt_now_ms() < end,
		      "%llu pixels differ from QEMU's own VNC after %d ms; first at "
		      "(%llu,%llu): display 0x%06x, QEMU 0x%06x",
		      (unsigned long long)d, timeout_ms,
		      (unsigned long long)(first % mine->w),
		      (unsigned long long)(first / mine->w),
		      vc_pixel(mine, first % mine->w, first / mine->w), shot[first]);
		free(shot);
	}
}

static int case_qemu(const char *cache)
{
	static const struct vc_opts zrle = { .encodings = "zrle",
					     .jpeg_quality = -1, .direct = 1 };
	static const struct vc_opts raw = { .encodings = "raw",
					    .jpeg_quality = -1, .direct = 1 };
	char kernel[512], initrd[256], qsock[256], vnc_arg[300], serial_arg[300];
	char log[256], source[300];
	char *extra[] = { "--source", source, NULL };
	char *qemu_argv[] = {
		"qemu-system-x86_64", "-accel", "tcg", "-m", "256",
		"-nodefaults", "-nic", "none", "-vga", "std", "-display", "none",
		"-vnc", vnc_arg, "-serial", serial_arg, "-no-reboot",
		"-kernel", kernel, "-initrd", initrd,
		"-append", "console=ttyS0 console=tty0 quiet panic=-1",
		NULL
	};
	struct vc mine, qemu, *vs[2] = { &mine, &qemu };
	uint64_t t0, end;
	uint32_t grey;

	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", cache);
	if (!have_program("qemu-system-x86_64")) {
		printf("skipped: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)\n");
		return SKIP;
	}
	if (access(kernel, R_OK)) {
		printf("skipped: no Debian kernel at %s (the linux_fetch_kernel fixture fetches it; it needs network)\n",
		       kernel);
		return SKIP;
	}
	if (access("/bin/busybox", X_OK) || !have_program("cpio")) {
		printf("skipped: the initramfs needs /bin/busybox (busybox-static) and cpio\n");
		return SKIP;
	}
	build_initrd(initrd, sizeof(initrd));
	snprintf(qsock, sizeof(qsock), "%s/qemu-vnc.sock", t.base);
	snprintf(vnc_arg, sizeof(vnc_arg), "unix:%s", qsock);
	snprintf(serial_arg, sizeof(serial_arg), "file:%s/serial.log", t.base);
	snprintf(source, sizeof(source), "vnc:%s", qsock);
	snprintf(log, sizeof(log), "%s/qemu.log", t.base);

	/* The display first: it waits for the VM, as it would for a VM
	 * that is being started. */
	dt_start_display(&t, extra);
	t0 = dt_now_ms();
	qemu_pid = dt_spawn(qemu_argv, log);
	wait_serial(NULL, 0, "PORTHOLE-READY", 120000);
	printf("guest up after %.1f s (TCG)\n", (dt_now_ms() - t0) / 1000.0);

	/* QEMU's own view, for comparison, and the display's. */
	vc_open(&qemu, qsock, "qemu", &raw, 0, 0);
	qemu.want_w = qemu.w;
	qemu.want_h = qemu.h;
	vc_wait_full(&qemu, 20000);
	printf("QEMU's screen: %ux%u\n", qemu.w, qemu.h);
	vc_open(&mine, t.vnc_path, "porthole", &zrle, qemu.w, qemu.h);
	vc_wait_full(&mine, 20000);

	/* The console's text (init's banner, the prompt) is on screen. */
	end = dt_now_ms() + 20000;
	while (lit_pixels(&mine, 0, mine.h) < 200) {
		CHECK(dt_now_ms() < end, "the display's screen stays blank (%llu lit pixels)",
		      (unsigned long long)lit_pixels(&mine, 0, mine.h));
		vc_pump(vs, 2, 50);
	}
	printf("console text: %llu lit pixels\n",
	       (unsigned long long)lit_pixels(&mine, 0, mine.h));
	wait_same(&mine, &qemu, 20000);

	/* Keys typed at the display reach the shell: the cursor goes, the
	 * screen is cleared, and a marker comes out of the serial port. */
	type(vs, 2, "printf '\\033[?25l'; clear; echo PORTHOLE-$((6*7)) > /dev/ttyS0\n");
	wait_serial(vs, 2, "PORTHOLE-42", 30000);
	printf("typed command ran: PORTHOLE-42 on the serial port\n");
	CHECK(strstr(display_log(), "keys go to it as scancodes"),
	      "the display did not use QEMU's extended key events");
	end = dt_now_ms() + 20000;
	while (lit_pixels(&mine, 32, mine.h) || !lit_pixels(&mine, 0, 16)) {
		if (dt_now_ms() >= end)
			dump_cells(&mine);
		CHECK(dt_now_ms() < end, "no cleared screen with a prompt: %llu lit pixels "
		      "on the first line, %llu below the second",
		      (unsigned long long)lit_pixels(&mine, 0, 16),
		      (unsigned long long)lit_pixels(&mine, 32, mine.h));
		vc_pump(vs, 2, 50);
	}
	printf("screen cleared, prompt on the first line\n");

	/* 20 lines of reverse-video spaces: one solid block. */
	/* A key typed within a few ms of the prompt is lost by the guest's
	 * shell (QEMU delivers it: same with QEMU's own VNC): let it settle. */
	settle(vs, 2, 1000);
	type(vs, 2, "printf '\\033[7m%1600s\\033[0m'\n");
	end = dt_now_ms() + 20000;
	for (;;) {
		grey = vc_pixel(&mine, mine.w / 2, 40);
		if (grey && vc_rect_is(&mine, 0, 32, mine.w, 16 * 18, grey))
			break;
		if (dt_now_ms() >= end)
			dump_cells(&mine);
		CHECK(dt_now_ms() < end, "no block of reverse video on rows 2-19");
		vc_pump(vs, 2, 50);
	}
	printf("reverse-video block drawn (0x%06x)\n", grey);
	wait_same(&mine, &qemu, 20000);
	printf("the display's screen equals QEMU's own, pixel for pixel\n");

	vc_close(&mine);
	vc_close(&qemu);
	stop_display();
	kill(qemu_pid, SIGKILL);
	waitpid(qemu_pid, NULL, 0);
	qemu_pid = 0;
	return 0;
}

/* ---- upstream (libvncserver in this process) ------------------------ */

/* The upstream runs on a thread of its own (rfbProcessEvents under
 * lock), so that a blocking libvncclient call here never starves it;
 * frozen stops it reading. Its state is read and changed under lock. */
struct up {
	pthread_mutex_t lock;
	pthread_t thread;
	_Atomic int quit, frozen;
	rfbScreenInfoPtr s;
	uint32_t *fb;
	int port;
	int keys[64][2];         /* keysym, down */
	int nkeys;
	int px, py, mask, nptr;
	int saw_press, saw_wheel;
	int clients;
};

static struct up *up_of(rfbClientPtr cl)
{
	return cl->screen->screenData;
}

static void up_key(rfbBool down, rfbKeySym sym, rfbClientPtr cl)
{
	struct up *u = up_of(cl);

	if (u->nkeys < 64) {
		u->keys[u->nkeys][0] = (int)sym;
		u->keys[u->nkeys][1] = down;
		u->nkeys++;
	}
}

static void up_ptr(int mask, int x, int y, rfbClientPtr cl)
{
	struct up *u = up_of(cl);

	u->px = x;
	u->py = y;
	u->mask = mask;
	u->nptr++;
	u->saw_press |= mask & 1;
	u->saw_wheel |= mask & 0x10;
}

static void up_gone(rfbClientPtr cl)
{
	up_of(cl)->clients--;
}

static enum rfbNewClientAction up_new(rfbClientPtr cl)
{
	up_of(cl)->clients++;
	cl->clientGoneHook = up_gone;
	return RFB_CLIENT_ACCEPT;
}

static void paint(struct up *u, uint32_t bg, uint32_t fg)
{
	int w = u->s->width, h = u->s->height;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			u->fb[y * w + x] = (x / 16 + y / 16) % 2 ? fg : bg;
}

/* rfbGetScreen(8, 3, 4) on little endian: red at shift 0. Our colours
 * are 0x00RRGGBB; store them the server's way. */
static uint32_t server_px(uint32_t rgb)
{
	return (rgb >> 16 & 0xff) | (rgb & 0xff00) | (rgb & 0xff) << 16;
}

static void *up_loop(void *arg)
{
	struct up *u = arg;

	while (!u->quit) {
		if (u->frozen) {
			dt_sleep_ms(5);
			continue;
		}
		pthread_mutex_lock(&u->lock);
		rfbProcessEvents(u->s, 2000);
		pthread_mutex_unlock(&u->lock);
		dt_sleep_ms(1);
	}
	return NULL;
}

static void up_start(struct up *u, int port, int w, int h, uint32_t bg,
		     uint32_t fg)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->port = port;
	u->s = rfbGetScreen(NULL, NULL, w, h, 8, 3, 4);
	CHECK(u->s, "rfbGetScreen failed");
	u->fb = calloc((size_t)w * h, 4);
	CHECK(u->fb, "out of memory");
	paint(u, server_px(bg), server_px(fg));
	u->s->frameBuffer = (char *)u->fb;
	u->s->screenData = u;
	u->s->desktopName = "upstream";
	u->s->port = port;
	u->s->ipv6port = 0;
	u->s->autoPort = FALSE;
	u->s->listenInterface = htonl(INADDR_LOOPBACK);
	u->s->alwaysShared = TRUE;
	u->s->kbdAddEvent = up_key;
	u->s->ptrAddEvent = up_ptr;
	u->s->newClientHook = up_new;
	u->s->deferUpdateTime = 0;
	rfbInitServer(u->s);
	CHECK(u->s->listenSock >= 0, "the test's VNC server cannot listen on 127.0.0.1:%d",
	      port);
	/* Or porthole-display, forked later, would listen on it too. */
	fcntl(u->s->listenSock, F_SETFD, FD_CLOEXEC);
	CHECK(pthread_create(&u->thread, NULL, up_loop, u) == 0,
	      "pthread_create failed");
}

static void up_stop(struct up *u)
{
	u->quit = 1;
	pthread_join(u->thread, NULL);
	pthread_mutex_destroy(&u->lock);
	rfbShutdownServer(u->s, TRUE);
	rfbScreenCleanup(u->s);
	free(u->fb);
	u->s = NULL;
}

static uint32_t *up_snapshot(struct up *u, int *w, int *h)
{
	uint32_t *px;

	pthread_mutex_lock(&u->lock);
	*w = u->s->width;
	*h = u->s->height;
	px = malloc((size_t)*w * *h * 4);
	CHECK(px, "out of memory");
	for (int i = 0; i < *w * *h; i++)
		px[i] = server_px(u->fb[i]);  /* the swap is its own inverse */
	pthread_mutex_unlock(&u->lock);
	return px;
}

/* A field of the upstream's state, read under its lock. */
static int up_get(struct up *u, const int *field)
{
	int v;

	pthread_mutex_lock(&u->lock);
	v = *field;
	pthread_mutex_unlock(&u->lock);
	return v;
}

static void wait_up_equal(struct up *u, struct vc **vs, int n, int timeout_ms)
{
	uint64_t end = dt_now_ms() + timeout_ms, first;
	int w, h;
	uint32_t *shot = up_snapshot(u, &w, &h);

	for (int i = 0; i < n; i++) {
		uint64_t d;

		vs[i]->want_w = w;
		vs[i]->want_h = h;
		while ((d = vc_diff(vs[i], shot, &first))) {
			CHECK(!vs[i]->closed, "%s: connection closed", vs[i]->label);
			CHECK(dt_now_ms() < end,
			      "%s: %llu pixels differ from the upstream's after %d ms "
			      "(desktop %ux%u, upstream %dx%d)", vs[i]->label,
			      (unsigned long long)d, timeout_ms, vs[i]->w, vs[i]->h,
			      w, h);
			vc_pump(vs, n, 20);
		}
	}
	free(shot);
}

static int cursor_w, cursor_h, cursor_hx, cursor_hy, cursor_opaque;

static void got_cursor(rfbClient *c, int xhot, int yhot, int w, int h, int bpp)
{
	cursor_w = w;
	cursor_h = h;
	cursor_hx = xhot;
	cursor_hy = yhot;
	cursor_opaque = 0;
	for (int i = 0; c->rcMask && i < w * h; i++)
		cursor_opaque += c->rcMask[i] != 0;
}

static int case_upstream(void)
{
	static const struct vc_opts zrle = { .encodings = "zrle",
					     .jpeg_quality = -1 };
	char source[64];
	char *extra[] = { "--source", source, NULL };
	int port = dt_free_port();
	static struct up u;
	struct vc a, b, *vs[2] = { &a, &b };
	uint64_t end;
	rfbCursorPtr cur;
	char *shape, *mask;

	up_start(&u, port, 320, 240, 0x204080, 0xe0c020);
	snprintf(source, sizeof(source), "vnc:127.0.0.1:%d", port);
	dt_start_display(&t, extra);

	/* First frame, then damage. */
	vc_open(&a, t.vnc_path, "a", &zrle, 320, 240);
	CHECK(up_get(&u, &u.clients) == 1, "the upstream has %d clients, want 1",
	      up_get(&u, &u.clients));
	wait_up_equal(&u, vs, 1, 10000);
	printf("first frame equals the upstream's\n");
	pthread_mutex_lock(&u.lock);
	for (int y = 40; y < 90; y++)
		for (int x = 100; x < 180; x++)
			u.fb[y * 320 + x] = server_px(0xff0000);
	rfbMarkRectAsModified(u.s, 100, 40, 180, 90);
	pthread_mutex_unlock(&u.lock);
	wait_up_equal(&u, vs, 1, 10000);
	printf("damage passes through\n");

	/* X cursor: an 8x6 red block, hot spot (3,2). */
	a.c->GotCursorShape = got_cursor;
	shape = malloc(8 * 6 + 1);
	mask = malloc(8 * 6 + 1);
	CHECK(shape && mask, "out of memory");
	memset(shape, 'x', 8 * 6);
	memset(mask, 'x', 8 * 6);
	shape[48] = mask[48] = 0;
	cur = rfbMakeXCursor(8, 6, shape, mask);
	free(shape);
	free(mask);
	cur->xhot = 3;
	cur->yhot = 2;
	cur->foreRed = 0xffff;
	cur->foreGreen = cur->foreBlue = 0;
	pthread_mutex_lock(&u.lock);
	rfbSetCursor(u.s, cur);
	pthread_mutex_unlock(&u.lock);
	end = dt_now_ms() + 10000;
	while (cursor_w != 8 || cursor_h != 6) {
		CHECK(dt_now_ms() < end, "no 8x6 cursor at the client (last %dx%d)",
		      cursor_w, cursor_h);
		vc_pump(vs, 1, 20);
	}
	/* libvncclient asks for X cursors first: two colours, so only the
	 * geometry and the mask are the upstream's. */
	CHECK(cursor_hx == 3 && cursor_hy == 2 && cursor_opaque == 8 * 6,
	      "cursor hot spot (%d,%d), %d opaque pixels; want (3,2), 48",
	      cursor_hx, cursor_hy, cursor_opaque);
	printf("cursor shape passes through\n");

	/* Keysyms (libvncserver takes no QEMU key events): the client's own,
	 * without the Shift the display adds for a US guest. */
	key(&a, 'a', 1);
	key(&a, 'a', 0);
	key(&a, 'A', 1);
	key(&a, 'A', 0);
	end = dt_now_ms() + 10000;
	while (up_get(&u, &u.nkeys) < 4) {
		CHECK(dt_now_ms() < end, "%d of 4 key events reached the upstream",
		      up_get(&u, &u.nkeys));
		vc_pump(vs, 1, 20);
	}
	vc_pump(vs, 1, 200);
	pthread_mutex_lock(&u.lock);
	CHECK(u.nkeys == 4 && u.keys[0][0] == 'a' && u.keys[0][1] &&
	      u.keys[1][0] == 'a' && !u.keys[1][1] && u.keys[2][0] == 'A' &&
	      u.keys[2][1] && u.keys[3][0] == 'A' && !u.keys[3][1],
	      "upstream got %d key events: %#x/%d %#x/%d %#x/%d %#x/%d", u.nkeys,
	      u.keys[0][0], u.keys[0][1], u.keys[1][0], u.keys[1][1],
	      u.keys[2][0], u.keys[2][1], u.keys[3][0], u.keys[3][1]);
	pthread_mutex_unlock(&u.lock);
	printf("keysyms pass through\n");

	/* Pointer: position, a click, a wheel step down. */
	CHECK(SendPointerEvent(a.c, 150, 60, 0) && SendPointerEvent(a.c, 150, 60, 1) &&
	      SendPointerEvent(a.c, 150, 60, 0) && SendPointerEvent(a.c, 151, 61, 0x10) &&
	      SendPointerEvent(a.c, 151, 61, 0), "SendPointerEvent failed");
	end = dt_now_ms() + 10000;
	for (;;) {
		int ok;

		pthread_mutex_lock(&u.lock);
		ok = u.saw_press && u.saw_wheel && u.px == 151 && u.py == 61 &&
		     !u.mask;
		CHECK(ok || dt_now_ms() < end, "pointer at the upstream: (%d,%d) "
		      "mask %#x, press %d, wheel %d", u.px, u.py, u.mask,
		      u.saw_press, u.saw_wheel);
		pthread_mutex_unlock(&u.lock);
		if (ok)
			break;
		vc_pump(vs, 1, 20);
	}
	printf("pointer, button and wheel pass through\n");

	/* Desktop resize (NewFBSize upstream, desktop-size to clients). */
	{
		uint32_t *fb = calloc(400 * 300, 4), *old;

		CHECK(fb, "out of memory");
		pthread_mutex_lock(&u.lock);
		old = u.fb;
		u.fb = fb;
		rfbNewFramebuffer(u.s, (char *)fb, 400, 300, 8, 3, 4);
		paint(&u, server_px(0x103010), server_px(0x80f080));
		rfbMarkRectAsModified(u.s, 0, 0, 400, 300);
		pthread_mutex_unlock(&u.lock);
		free(old);
	}
	wait_up_equal(&u, vs, 1, 10000);
	printf("desktop resize passes through (400x300)\n");

	/* An upstream that stops reading while keys pile up for it: the
	 * display still serves, and a new client gets the last frame. */
	u.frozen = 1;
	dt_sleep_ms(50);
	for (int i = 0; i < 5000; i++) {
		key(&a, 'x', 1);
		key(&a, 'x', 0);
		if (i % 100 == 0)
			vc_pump(vs, 1, 0);
	}
	vc_open(&b, t.vnc_path, "b", &zrle, 400, 300);
	end = dt_now_ms() + 5000;
	while (!b.full_at) {
		CHECK(dt_now_ms() < end, "a new client waited for a frozen upstream");
		vc_pump(vs, 2, 20);
	}
	{
		int w, h;
		uint32_t *shot = up_snapshot(&u, &w, &h);
		uint64_t first, d = vc_diff(&b, shot, &first);

		CHECK(d == 0, "b: %llu pixels differ from the upstream's last frame",
		      (unsigned long long)d);
		free(shot);
	}
	printf("a frozen upstream stalls no client\n");
	vc_close(&b);
	u.frozen = 0;

	/* The upstream goes away and comes back, smaller and green. */
	up_stop(&u);
	dt_sleep_ms(300);
	up_start(&u, port, 256, 200, 0x00a000, 0x003000);
	wait_up_equal(&u, vs, 1, 15000);
	printf("a restarted upstream is found again\n");

	vc_close(&a);
	stop_display();
	up_stop(&u);
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc >= 4 && !strcmp(argv[1], "qemu")) {
		setup(argv[2]);
		ret = case_qemu(argv[3]);
		passed = ret == 0 || ret == SKIP;
		return ret;
	}
	if (argc >= 3 && !strcmp(argv[1], "upstream")) {
		setup(argv[2]);
		ret = case_upstream();
		passed = ret == 0 || ret == SKIP;
		return ret;
	}
	fprintf(stderr, "usage: %s qemu PORTHOLE_DISPLAY LINUX_CACHE\n"
		"       %s upstream PORTHOLE_DISPLAY\n", argv[0], argv[0]);
	return 2;
}
