// SPDX-License-Identifier: MIT
/*
 * porthole-display's RDP server with a monitor of the test's own on the
 * surface socket (docs/surface.md), for what the demo guest never does:
 * cursor shapes and positions, and a new mode (a resize) under three RDP
 * clients at once (RDPGFX with H.264, RDPGFX planar, bitmap updates).
 * Logons go through a real porthole-gateway. No KVM needed.
 *
 * usage: test_rdp_surface CASE VMM DISPLAY GATEWAY CLI (CASE: surface)
 */
#include "gwtest.h"
#include "test_rdp_client.h"
#include "test_rdp_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "surface/proto.h"

static const char *display_bin;

#define W1 640
#define H1 480
#define W2 800
#define H2 600

/* The fake porthole-vmm: one display at a time; every frame request is
 * answered with the whole surface once something changed. */
struct fake {
	pthread_mutex_t lock;
	int lfd, conn;
	uint32_t w, h, *fb;
	int fb_fd;
	int dirty;                  /* the next answer is due */
	int asked;                  /* a request is outstanding */
	uint32_t seq;
	atomic_int stop;
	pthread_t thread;
	char path[100];
};

static void send_pkt(struct fake *f, uint16_t type, uint16_t flags,
		     const void *p, size_t plen, const void *x, size_t xlen,
		     int pass_fd)
{
	static uint8_t buf[SURFACE_MAX_MSG];
	union { char c[CMSG_SPACE(sizeof(int))]; struct cmsghdr h; } u;
	struct iovec iov = { buf, surface_build(buf, sizeof(buf), type, flags,
					       p, plen, x, xlen) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK(iov.iov_len, "surface packet %u too big", type);
	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.c;
		mh.msg_controllen = sizeof(u.c);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &pass_fd, sizeof(int));
	}
	if (f->conn >= 0)
		sendmsg(f->conn, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* A w x h framebuffer of a smooth grey gradient (H.264 keeps it sharp,
 * and RDP's BT.709 decoding of our BT.601 keeps greys exact), salted so
 * that each mode looks different. */
static void new_fb(struct fake *f, uint32_t w, uint32_t h, uint32_t salt)
{
	size_t size = (size_t)w * h * 4;

	if (f->fb)
		munmap(f->fb, (size_t)f->w * f->h * 4);
	if (f->fb_fd >= 0)
		close(f->fb_fd);
	/* The display maps only a memfd that cannot shrink under it. */
	f->fb_fd = memfd_create("rdp-test-fb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	CHECK(f->fb_fd >= 0 && ftruncate(f->fb_fd, (off_t)size) == 0 &&
	      fcntl(f->fb_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0,
	      "memfd: %s", strerror(errno));
	f->fb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fb_fd, 0);
	CHECK(f->fb != MAP_FAILED, "mmap: %s", strerror(errno));
	f->w = w;
	f->h = h;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			f->fb[y * w + x] = ((x + y) * 200 / (w + h) + salt * 8) * 0x010101u;
}

static void send_mode(struct fake *f)
{
	struct surface_mode m = { f->w, f->h, f->w * 4, SURFACE_FORMAT_XRGB8888,
				  0, (uint64_t)f->w * f->h * 4 };

	send_pkt(f, SURFACE_MODE, 0, &m, sizeof(m), NULL, 0, f->fb_fd);
}

static void answer(struct fake *f)
{
	struct surface_damage d = { f->seq, 1 };
	struct surface_rect all = { 0, 0, f->w, f->h };

	send_pkt(f, SURFACE_DAMAGE, SURFACE_DAMAGE_FULL, &d, sizeof(d), &all,
		 sizeof(all), -1);
	f->asked = f->dirty = 0;
}

static void on_packet(struct fake *f, const uint8_t *pkt, size_t len)
{
	struct surface_msg m;
	char err[200];

	CHECK(surface_check(pkt, len, SURFACE_AT_VMM, &m, err, sizeof(err)) == 0,
	      "the display sent a bad surface packet: %s", err);
	if (m.hdr.type != SURFACE_FRAME_REQUEST)
		return;
	f->asked = 1;
	f->seq = m.u.frame.seq;
	if (f->dirty || (m.hdr.flags & SURFACE_FRAME_FULL))
		answer(f);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	static uint8_t pkt[SURFACE_MAX_MSG];

	while (!atomic_load(&f->stop)) {
		struct pollfd pf[2] = { { f->lfd, POLLIN, 0 }, { f->conn, POLLIN, 0 } };
		struct surface_hello hi = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR, 0, 0, GW_VM };
		struct surface_vm_state st = { SURFACE_VM_RUNNING };
		ssize_t n;

		if (poll(pf, 2, 20) <= 0)
			continue;
		pthread_mutex_lock(&f->lock);
		if (pf[0].revents & POLLIN) {
			if (f->conn >= 0)
				close(f->conn);
			f->conn = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
			send_pkt(f, SURFACE_HELLO, 0, &hi, sizeof(hi), NULL, 0, -1);
			send_mode(f);
			send_pkt(f, SURFACE_VM_STATE, 0, &st, sizeof(st), NULL, 0, -1);
		} else if (pf[1].revents) {
			n = recv(f->conn, pkt, sizeof(pkt), MSG_DONTWAIT);
			if (n > 0) {
				on_packet(f, pkt, (size_t)n);
			} else if (n == 0 || errno != EAGAIN) {
				close(f->conn);
				f->conn = -1;
			}
		}
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

static void fake_start(struct fake *f, const char *run)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->conn = f->fb_fd = -1;
	new_fb(f, W1, H1, 0);
	CHECK(strlen(run) + 14 < sizeof(f->path), "%s: path too long", run);
	snprintf(f->path, sizeof(f->path), "%s/surface.sock", run);
	memcpy(sa.sun_path, f->path, sizeof(f->path));
	CHECK(mkdir(run, 0700) == 0 || errno == EEXIST, "mkdir %s", run);
	f->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(f->lfd >= 0 && bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(f->lfd, 2) == 0, "%s: %s", f->path, strerror(errno));
	CHECK(pthread_create(&f->thread, NULL, fake_main, f) == 0, "thread");
}

static void fake_stop(struct fake *f)
{
	atomic_store(&f->stop, 1);
	pthread_join(f->thread, NULL);
	if (f->conn >= 0)
		close(f->conn);
	close(f->lfd);
	unlink(f->path);
}

/* The next answer carries the whole surface. */
static void fake_changed(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->dirty = 1;
	if (f->asked)
		answer(f);
	pthread_mutex_unlock(&f->lock);
}

static void fake_cursor(struct fake *f, uint16_t w, uint16_t h, uint32_t argb)
{
	static uint32_t px[SURFACE_CURSOR_MAX * SURFACE_CURSOR_MAX];
	struct surface_cursor_shape cs = { w, h, 3, 4 };

	for (size_t i = 0; i < (size_t)w * h; i++)
		px[i] = argb;
	pthread_mutex_lock(&f->lock);
	send_pkt(f, SURFACE_CURSOR_SHAPE, 0, &cs, sizeof(cs), px,
		 (size_t)w * h * 4, -1);
	pthread_mutex_unlock(&f->lock);
}

static void fake_cursor_pos(struct fake *f, int32_t x, int32_t y, int visible)
{
	struct surface_cursor_pos p = { x, y, (uint32_t)visible };

	pthread_mutex_lock(&f->lock);
	send_pkt(f, SURFACE_CURSOR_POS, 0, &p, sizeof(p), NULL, 0, -1);
	pthread_mutex_unlock(&f->lock);
}

/* --- the clients --- */

#define NCLIENTS 3

static const char *const labels[NCLIENTS] = {
	"RDPGFX H.264", "RDPGFX planar", "bitmap updates",
};

static void pump_all(struct rc **c, int ms)
{
	uint64_t end = dt_now_ms() + ms;

	do {
		for (int i = 0; i < NCLIENTS; i++)
			CHECK(rc_pump(c[i], 5) == 0, "%s: the connection closed",
			      labels[i]);
	} while (dt_now_ms() < end);
}

static int matches(struct rc *c, int i, struct fake *f)
{
	if (rc_width(c) != f->w || rc_height(c) != f->h)
		return 0;
	/* H.264 within a bound; the planar paths exactly. */
	return i == 0 ? rc_psnr(c, f->fb, f->w, f->h) >= 34 :
	       rc_diff(c, f->fb, f->w, f->h, 0) == 0;
}

static void wait_pictures(struct rc **c, struct fake *f, const char *when)
{
	uint64_t end = dt_now_ms() + 20000;

	for (int i = 0; i < NCLIENTS; i++) {
		while (!matches(c[i], i, f)) {
			CHECK(dt_now_ms() < end, "%s: %s shows %ux%u, %.1f dB against "
			      "the %ux%u surface", when, labels[i], rc_width(c[i]),
			      rc_height(c[i]), rc_psnr(c[i], f->fb, f->w, f->h),
			      f->w, f->h);
			pump_all(c, 20);
		}
	}
	printf("%s: all three clients show the %ux%u surface\n", when, f->w, f->h);
}

/* Every client's pointer statistics reach want(st). */
static void wait_pointer(struct rc **c, int (*want)(const struct rc_stats *),
			 const char *what)
{
	uint64_t end = dt_now_ms() + 10000;

	for (int i = 0; i < NCLIENTS; i++) {
		while (!want(rc_stats(c[i]))) {
			CHECK(dt_now_ms() < end, "%s: %s: %llu shapes (%ux%u), %llu null, "
			      "%llu positions", labels[i], what,
			      (unsigned long long)rc_stats(c[i])->pointer_new,
			      rc_stats(c[i])->pointer_w, rc_stats(c[i])->pointer_h,
			      (unsigned long long)rc_stats(c[i])->pointer_null,
			      (unsigned long long)rc_stats(c[i])->pointer_pos);
			pump_all(c, 20);
		}
	}
	printf("pointer: %s, on all three clients\n", what);
}

static int red_24(const struct rc_stats *s)
{
	return s->pointer_new >= 1 && s->pointer_w == 24 && s->pointer_h == 24 &&
	       s->pointer_argb_center == 0xffff0000;
}

static int hidden_once(const struct rc_stats *s)
{
	return s->pointer_null >= 2;    /* the first one came at logon */
}

static int shown_again(const struct rc_stats *s)
{
	return s->pointer_new >= 2;
}

static int moved(const struct rc_stats *s)
{
	return s->pointer_pos >= 1 && s->pointer_x == 100 && s->pointer_y == 50;
}

static int cropped(const struct rc_stats *s)
{
	return s->pointer_w == 96 && s->pointer_h == 96 &&
	       s->pointer_argb_center == 0x8000ff00;
}

static void case_surface(struct gw *g)
{
	char run[128], log[160], state_arg[128], *argv[16];
	struct rc_opts o[NCLIENTS];
	struct rc *c[NCLIENTS];
	struct fake f;
	pid_t display;
	int status;

	gw_start(g, NULL);
	rdpt_need_auth_service(g);
	snprintf(run, sizeof(run), "%s/%s", g->base, GW_VM);
	fake_start(&f, run);
	snprintf(log, sizeof(log), "%s/display.log", g->base);
	snprintf(state_arg, sizeof(state_arg), "%s", g->state);
	argv[0] = (char *)display_bin;
	argv[1] = "--name";
	argv[2] = GW_VM;
	argv[3] = "--run-dir";
	argv[4] = g->run;
	argv[5] = "--state-dir";
	argv[6] = state_arg;
	argv[7] = NULL;
	display = dt_spawn(argv, log);
	for (int i = 0; i < NCLIENTS; i++) {
		char err[512], sock[160];

		snprintf(sock, sizeof(sock), "%s/rdp.sock", run);
		o[i] = (struct rc_opts){ .user = "alice", .password = ALICE_PW,
					 .gfx = i < 2, .h264 = i == 0, .w = 1024, .h = 768 };
		o[i].host = strdup(sock);
		for (uint64_t end = dt_now_ms() + 20000; access(sock, F_OK) &&
		     dt_now_ms() < end;)
			dt_sleep_ms(20);
		c[i] = rc_open(&o[i], err, sizeof(err));
		CHECK(c[i], "%s: %s (display log: %s)", labels[i], err, log);
	}
	wait_pictures(c, &f, "first frame");

	fake_cursor(&f, 24, 24, 0xffff0000);
	wait_pointer(c, red_24, "a 24x24 red shape, hot spot 3,4");
	fake_cursor_pos(&f, 10, 10, 0);
	wait_pointer(c, hidden_once, "hidden by the guest: the null pointer");
	fake_cursor_pos(&f, 10, 10, 1);
	wait_pointer(c, shown_again, "shown again: the shape again");
	/* The clients sent no motion: the guest moved its pointer itself. */
	fake_cursor_pos(&f, 100, 50, 1);
	wait_pointer(c, moved, "moved by the guest to 100,50");
	/* (128x128 does not fit a surface packet: 120x120 does.) */
	fake_cursor(&f, 120, 120, 0x80008000);  /* half transparent green */
	wait_pointer(c, cropped, "120x120 cropped to 96x96, alpha kept");

	pthread_mutex_lock(&f.lock);
	new_fb(&f, W2, H2, 5);
	send_mode(&f);
	f.dirty = 1;
	pthread_mutex_unlock(&f.lock);
	fake_changed(&f);
	wait_pictures(c, &f, "after a mode change");
	for (int i = 0; i < NCLIENTS; i++) {
		rc_close(c[i]);
		free((char *)o[i].host);
	}
	kill(display, SIGTERM);
	CHECK(waitpid(display, &status, 0) == display, "waitpid");
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "grep -q -e 'ERROR: .*Sanitizer' -e "
			 "'runtime error:' %s", log);
		CHECK(system(cmd) != 0, "porthole-display's log (%s) has a sanitizer "
		      "report", log);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "porthole-display: "
	      "status 0x%x after SIGTERM (its log: %s)", status, log);
	fake_stop(&f);
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = {
		{ "surface", case_surface, 0 },
	};

	display_bin = argc > 3 ? argv[3] : "";
	if (!display_bin[0] || access(display_bin, X_OK)) {
		printf("skipped: porthole-display is not built\n");
		return SKIP;
	}

	return gw_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
