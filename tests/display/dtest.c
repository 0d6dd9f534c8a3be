// SPDX-License-Identifier: MIT
#include "dtest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sanitizer/lsan_interface.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VM_NAME "vm"

/* The one test environment of this process, for the exit handlers. */
static struct dt *cur;
static volatile sig_atomic_t kill_vmm, kill_display;

uint64_t dt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void dt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void print_tail(const char *what, const char *path)
{
	char buf[6000];
	FILE *f = fopen(path, "r");
	long size;
	size_t n;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0,
	      SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	fprintf(stderr, "---- %s (%s), last %zu bytes ----\n%s\n", what, path, n, buf);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

static void reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* At exit, pass or fail: no process and no file stays behind. */
static void cleanup(void)
{
	struct dt *t = cur;

	if (!t)
		return;
	cur = NULL;
	if (t->vmm > 0 || t->display > 0) {
		char path[256];

		/* Still running at exit means a check failed: show why. */
		snprintf(path, sizeof(path), "%s/vmm.log", t->base);
		print_tail("porthole-vmm stderr", path);
		snprintf(path, sizeof(path), "%s/display.%d.log", t->base,
			 t->display_starts);
		print_tail("porthole-display stderr", path);
		t->out[t->out_len < sizeof(t->out) ? t->out_len : 0] = 0;
		fprintf(stderr, "---- guest serial, last lines ----\n%s\n",
			t->out_len > 2000 ? t->out + t->out_len - 2000 : t->out);
	}
	reap(t->display);
	reap(t->vmm);
	if (t->base[0])
		nftw(t->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void on_signal(int sig)
{
	if (kill_display > 0)
		kill(kill_display, SIGKILL);
	if (kill_vmm > 0)
		kill(kill_vmm, SIGKILL);
	_exit(128 + sig);
}

/* libvncclient 0.9.14 keeps its TurboJPEG handle where rfbClientCleanup
 * does not free it: the library's leaks, not ours. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libvncclient.so\nleak:libjpeg.so\nleak:libturbojpeg.so\n";
}

/* Under ASan/UBSan, a report ends the process without atexit handlers. */
extern void __sanitizer_set_death_callback(void (*callback)(void))
	__attribute__((weak));

static void quiet(const char *format, ...)
{
}

void dt_init(struct dt *t, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fd;

	memset(t, 0, sizeof(*t));
	t->serial = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(argc >= 3, "usage: %s PORTHOLE_VMM PORTHOLE_DISPLAY", argv[0]);
	t->vmm_bin = argv[1];
	t->display_bin = argv[2];
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("skipped: /dev/kvm is not usable here (%s); these tests need KVM\n",
		       strerror(errno));
		exit(SKIP);
	}
	close(fd);
	if (!t->display_bin[0] || access(t->display_bin, X_OK)) {
		printf("skipped: porthole-display is not built (%s)\n",
		       t->display_bin[0] ? t->display_bin : "no such target");
		exit(SKIP);
	}
	snprintf(t->base, sizeof(t->base), "/tmp/porthole-dtest-%d", (int)getpid());
	CHECK(mkdir(t->base, 0700) == 0, "mkdir %s: %s", t->base, strerror(errno));
	snprintf(t->run, sizeof(t->run), "%s/" VM_NAME, t->base);
	snprintf(t->vnc_path, sizeof(t->vnc_path), "%s/vnc.sock", t->run);
	cur = t;
	atexit(cleanup);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(cleanup);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!getenv("DTEST_VERBOSE"))
		rfbClientLog = quiet; /* errors still go to rfbClientErr */
}

pid_t dt_spawn(char **argv, const char *log)
{
	pid_t parent = getpid(), pid = fork();

	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* Dies with the test, however the test dies. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int connect_unix(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	CHECK(strlen(path) < sizeof(sa.sun_path), "path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Exit status of pid if it has exited (reaping it), else -1. */
static int exited(pid_t pid, int *status)
{
	return waitpid(pid, status, WNOHANG) == pid ? 0 : -1;
}

static const char *describe(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", status);
	return buf;
}

void dt_pump_serial(struct dt *t)
{
	for (;;) {
		ssize_t n;

		if (t->out_len >= sizeof(t->out) - 4096) {
			/* Keep what is not consumed yet. */
			memmove(t->out, t->out + t->seen, t->out_len - t->seen);
			t->out_len -= t->seen;
			t->seen = 0;
		}
		CHECK(t->out_len < sizeof(t->out) - 4096,
		      "guest printed more than the test can hold");
		n = recv(t->serial, t->out + t->out_len,
			 sizeof(t->out) - 1 - t->out_len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		CHECK(n > 0, "the VM's serial socket closed (%s)",
		      n < 0 ? strerror(errno) : "EOF");
		t->out_len += n;
		t->out[t->out_len] = 0;
	}
}

const char *dt_wait_line(struct dt *t, const char *prefix, int timeout_ms)
{
	static char line[512];
	uint64_t end = dt_now_ms() + timeout_ms;
	size_t plen = strlen(prefix);

	for (;;) {
		char *p, *nl;
		struct pollfd pfd = { t->serial, POLLIN, 0 };

		dt_pump_serial(t);
		p = t->out + t->seen;
		while ((nl = strchr(p, '\n'))) {
			if (!strncmp(p, prefix, plen)) {
				size_t n = nl - p;

				if (n >= sizeof(line))
					n = sizeof(line) - 1;
				memcpy(line, p, n);
				line[n] = 0;
				t->seen = nl + 1 - t->out;
				return line;
			}
			p = nl + 1;
		}
		if (dt_now_ms() >= end)
			return NULL;
		poll(&pfd, 1, 20);
	}
}

void dt_cmd(struct dt *t, const char *fmt, ...)
{
	char cmd[256], word[64], ok[80];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	len = strlen(cmd);
	cmd[len++] = '\n';
	CHECK(write(t->serial, cmd, len) == (ssize_t)len, "serial write: %s",
	      strerror(errno));
	sscanf(cmd, "%63s", word);
	snprintf(ok, sizeof(ok), "ok %s", word);
	CHECK(dt_wait_line(t, ok, 20000), "no '%s' from the guest", ok);
}

void dt_start_vm(struct dt *t, uint32_t w, uint32_t h)
{
	char fb[32], log[128], sock[192];
	char *argv[] = { (char *)t->vmm_bin, "--demo", "--name", VM_NAME,
			 "--run-dir", t->base, "--memory", "64M", "--fb", fb,
			 NULL };
	int status;

	t->w = w;
	t->h = h;
	snprintf(fb, sizeof(fb), "%ux%u", w, h);
	snprintf(log, sizeof(log), "%s/vmm.log", t->base);
	snprintf(sock, sizeof(sock), "%s/serial.sock", t->run);
	t->vmm = kill_vmm = dt_spawn(argv, log);
	for (int i = 0; i < 3000 && t->serial < 0; i++) {
		t->serial = connect_unix(sock, SOCK_STREAM);
		if (t->serial < 0) {
			CHECK(exited(t->vmm, &status) < 0,
			      "porthole-vmm stopped: %s", describe(status));
			dt_sleep_ms(10);
		}
	}
	CHECK(t->serial >= 0, "no serial socket at %s", sock);
	/* "ready" may be gone before we connected: ask for a pong instead. */
	dt_cmd(t, "ping");
}

void dt_vm_alive(const struct dt *t)
{
	int status;

	CHECK(exited(t->vmm, &status) < 0, "porthole-vmm stopped: %s",
	      describe(status));
}

static int wait_status(pid_t pid, int timeout_ms, int *status)
{
	for (int ms = 0; ms < timeout_ms; ms += 10) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		dt_sleep_ms(10);
	}
	return -1;
}

void dt_stop_vm(struct dt *t)
{
	int status;

	dt_vm_alive(t);
	kill(t->vmm, SIGTERM);
	CHECK(wait_status(t->vmm, 20000, &status) == 0,
	      "porthole-vmm did not stop on SIGTERM");
	t->vmm = kill_vmm = 0;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "porthole-vmm: %s after SIGTERM, want exit status 0",
	      describe(status));
	if (t->serial >= 0)
		close(t->serial);
	t->serial = -1;
}

void dt_start_display(struct dt *t, char *const *extra)
{
	char log[128], *argv[24] = { (char *)t->display_bin, "--name", VM_NAME,
				     "--run-dir", t->base };
	int argc = 5, fd = -1, status;

	while (extra && *extra && argc < 22)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	t->display_starts++;
	snprintf(log, sizeof(log), "%s/display.%d.log", t->base, t->display_starts);
	t->display = kill_display = dt_spawn(argv, log);
	/* A killed display may have left its socket file: connect, not stat. */
	for (int i = 0; i < 2000 && fd < 0; i++) {
		fd = connect_unix(t->vnc_path, SOCK_STREAM);
		if (fd < 0) {
			CHECK(exited(t->display, &status) < 0,
			      "porthole-display stopped: %s", describe(status));
			dt_sleep_ms(10);
		}
	}
	CHECK(fd >= 0, "porthole-display: no connection on %s after 20 s",
	      t->vnc_path);
	close(fd);
}

int dt_stop_display(struct dt *t, int sig, int timeout_ms)
{
	int status;

	if (sig)
		kill(t->display, sig);
	CHECK(wait_status(t->display, timeout_ms, &status) == 0,
	      "porthole-display did not stop within %d ms of signal %d",
	      timeout_ms, sig);
	t->display = kill_display = 0;
	return status;
}

long dt_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	CHECK(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	CHECK(kib >= 0, "no VmRSS in %s", path);
	return kib;
}

void dt_freeze(struct dt *t)
{
	dt_cmd(t, "anim off");
	dt_cmd(t, "clock off");
}

uint32_t *dt_screenshot(struct dt *t)
{
	char path[192];
	unsigned w, h, maxval;
	uint32_t *px;
	uint8_t *row;
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/screen.ppm", t->run);
	unlink(path);
	dt_vm_alive(t);
	kill(t->vmm, SIGUSR1);
	/* Written to a temporary file and renamed: it appears whole. */
	for (int i = 0; i < 1000 && !f; i++) {
		f = fopen(path, "rb");
		if (!f)
			dt_sleep_ms(10);
	}
	CHECK(f, "porthole-vmm wrote no %s after SIGUSR1", path);
	CHECK(fscanf(f, "P6 %u %u %u", &w, &h, &maxval) == 3 && maxval == 255 &&
	      fgetc(f) == '\n', "%s: not a binary PPM", path);
	CHECK(w == t->w && h == t->h, "screenshot is %ux%u, want %ux%u", w, h,
	      t->w, t->h);
	px = malloc((size_t)w * h * 4);
	row = malloc((size_t)w * 3);
	CHECK(px && row, "out of memory");
	for (unsigned y = 0; y < h; y++) {
		CHECK(fread(row, 3, w, f) == w, "%s: short", path);
		for (unsigned x = 0; x < w; x++)
			px[(size_t)y * w + x] = (uint32_t)row[x * 3] << 16 |
						(uint32_t)row[x * 3 + 1] << 8 |
						row[x * 3 + 2];
	}
	free(row);
	fclose(f);
	return px;
}

/* --- libvncclient --- */

static int vc_tag;

static struct vc *vc_of(rfbClient *c)
{
	return rfbClientGetClientData(c, &vc_tag);
}

static void got_rect(rfbClient *c, int x, int y, int w, int h)
{
	struct vc *v = vc_of(c);

	v->rects++;
	if (v->covered_px == (uint64_t)v->w * v->h)
		return;
	for (int j = y; j < y + h && j < (int)v->h; j++)
		for (int i = x; i < x + w && i < (int)v->w; i++) {
			uint8_t *p = &v->covered[(size_t)j * v->w + i];

			v->covered_px += !*p;
			*p = 1;
		}
}

static void finished_update(rfbClient *c)
{
	struct vc *v = vc_of(c);

	v->updates++;
	if (!v->full_at && v->covered_px == (uint64_t)v->w * v->h &&
	    v->w == v->want_w && v->h == v->want_h)
		v->full_at = v->updates;
}

/* libvncclient (re)allocates the framebuffer at connection and on every
 * desktop-size change: a new size starts a new first frame. */
static rfbBool resize(rfbClient *c)
{
	struct vc *v = vc_of(c);

	if (!v->malloc_fb(c))
		return FALSE;
	v->w = c->width;
	v->h = c->height;
	free(v->covered);
	v->covered = calloc((size_t)v->w * v->h, 1);
	CHECK(v->covered, "out of memory");
	v->covered_px = 0;
	v->full_at = 0;
	v->resizes++;
	return TRUE;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { fd, POLLOUT, 0 };

			poll(&p, 1, -1);
			continue;
		}
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/* Copies bytes both ways between the display and libvncclient, counting
 * what the display sends. It reads the display as fast as the display
 * writes, queueing without limit (well, RELAY_MAX): each relayed client
 * is a fast reader, whatever the single-threaded test is doing. Either
 * side closing closes both. */
#define RELAY_MAX (256u << 20)

static void *relay(void *arg)
{
	struct vc *v = arg;
	char *q = NULL, buf[1 << 16];
	size_t qlen = 0, qoff = 0, qcap = 0;
	int srv_open = 1;

	fcntl(v->my_fd, F_SETFL, fcntl(v->my_fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = {
			{ srv_open ? v->srv_fd : -1, POLLIN, 0 },
			{ v->my_fd, POLLIN | (qlen > qoff ? POLLOUT : 0), 0 },
		};
		ssize_t n;

		if (!srv_open && qlen == qoff)
			break;          /* all delivered: now libvncclient sees EOF */
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			n = read(v->srv_fd, buf, sizeof(buf));
			if (n > 0) {
				if (qlen + n > qcap && qoff) {
					memmove(q, q + qoff, qlen - qoff);
					qlen -= qoff;
					qoff = 0;
				}
				if (qlen + n > qcap) {
					while (qlen + n > qcap)
						qcap = qcap ? qcap * 2 : 1 << 20;
					CHECK(qcap <= RELAY_MAX && (q = realloc(q, qcap)),
					      "%s: relay queue over %u MiB", v->label,
					      RELAY_MAX >> 20);
				}
				memcpy(q + qlen, buf, n);
				qlen += n;
				atomic_fetch_add(&v->bytes, (uint64_t)n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				srv_open = 0;
			}
		}
		if (p[1].revents & POLLIN) {
			n = read(v->my_fd, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				break;  /* libvncclient closed */
			if (n > 0)
				write_all(v->srv_fd, buf, n);
		}
		if (qlen > qoff && (p[1].revents & POLLOUT)) {
			n = write(v->my_fd, q + qoff, qlen - qoff);
			if (n > 0)
				qoff += n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				break;
		}
	}
	free(q);
	shutdown(v->my_fd, SHUT_RDWR);
	shutdown(v->srv_fd, SHUT_RDWR);
	return NULL;
}

void vc_open(struct vc *v, const char *path, const char *label,
	     const struct vc_opts *o, uint32_t w, uint32_t h)
{
	int fd = connect_unix(path, SOCK_STREAM);
	rfbClient *c;

	memset(v, 0, sizeof(*v));
	v->label = label;
	v->want_w = w;
	v->want_h = h;
	v->srv_fd = v->my_fd = -1;
	CHECK(fd >= 0, "%s: cannot connect to %s: %s", label, path, strerror(errno));
	c = rfbGetClient(8, 3, 4);
	CHECK(c, "rfbGetClient failed");
	rfbClientSetClientData(c, &vc_tag, v);
	c->appData.encodingsString = o->encodings;
	c->appData.compressLevel = 1;
	c->appData.enableJPEG = o->jpeg_quality >= 0;
	c->appData.qualityLevel = o->jpeg_quality >= 0 ? o->jpeg_quality : 9;
	c->appData.useRemoteCursor = TRUE;
	v->malloc_fb = c->MallocFrameBuffer;
	c->MallocFrameBuffer = resize;
	c->GotFrameBufferUpdate = got_rect;
	c->FinishedFrameBufferUpdate = finished_update;
	c->readTimeout = 30;
	/* We made the connection: libvncclient takes it as if accepted. */
	c->listenSpecified = TRUE;
	if (o->direct) {
		c->sock = fd;
	} else {
		int sv[2];

		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
		      "socketpair: %s", strerror(errno));
		v->relay = 1;
		v->srv_fd = fd;
		v->my_fd = sv[1];
		c->sock = sv[0];
		CHECK(pthread_create(&v->thread, NULL, relay, v) == 0,
		      "pthread_create failed");
	}
	fcntl(c->sock, F_SETFL, fcntl(c->sock, F_GETFL) | O_NONBLOCK);
	CHECK(rfbInitClient(c, NULL, NULL), "%s: RFB handshake with %s failed",
	      label, path);
	v->c = c;
}

void vc_close(struct vc *v)
{
	if (!v->c)
		return;
	/* Cleanup closes libvncclient's socket, which ends the relay. */
	free(v->c->frameBuffer);
	v->c->frameBuffer = NULL;
	/* Not freed by rfbClientCleanup in libvncclient 0.9.14. */
	free(v->c->rcSource);
	free(v->c->rcMask);
	v->c->rcSource = v->c->rcMask = NULL;
	rfbClientCleanup(v->c);
	v->c = NULL;
	if (v->relay) {
		shutdown(v->srv_fd, SHUT_RDWR);
		pthread_join(v->thread, NULL);
		close(v->srv_fd);
		close(v->my_fd);
	}
	free(v->covered);
	v->covered = NULL;
}

int vc_pump(struct vc **vs, int n, int ms)
{
	struct pollfd p[64];
	int handled = 0;

	CHECK(n <= 64, "too many clients");
	for (int i = 0; i < n; i++) {
		/* libvncclient may hold whole messages in its buffer. */
		while (!vs[i]->closed && vs[i]->c->buffered > 0) {
			if (!HandleRFBServerMessage(vs[i]->c))
				vs[i]->closed = 1;
			handled++;
		}
		p[i] = (struct pollfd){ vs[i]->closed ? -1 : vs[i]->c->sock,
					POLLIN, 0 };
	}
	if (handled)
		ms = 0;
	if (poll(p, n, ms) <= 0)
		return handled;
	for (int i = 0; i < n; i++) {
		if (!p[i].revents || vs[i]->closed)
			continue;
		if (!HandleRFBServerMessage(vs[i]->c))
			vs[i]->closed = 1;
		handled++;
	}
	return handled;
}

void vc_wait_full(struct vc *v, int timeout_ms)
{
	uint64_t end = dt_now_ms() + timeout_ms;

	while (!v->full_at) {
		CHECK(!v->closed, "%s: connection closed before a full frame",
		      v->label);
		CHECK(dt_now_ms() < end,
		      "%s: no complete %ux%u frame within %d ms (%ux%u desktop, "
		      "%llu pixels received)", v->label, v->want_w, v->want_h,
		      timeout_ms, v->w, v->h, (unsigned long long)v->covered_px);
		vc_pump(&v, 1, 50);
	}
}

uint32_t vc_pixel(const struct vc *v, uint32_t x, uint32_t y)
{
	const uint8_t *p = (const uint8_t *)v->c->frameBuffer +
			   ((size_t)y * v->w + x) * 4;

	/* rfbGetClient(8, 3, 4): red at shift 0, green 8, blue 16. */
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

uint64_t vc_diff(const struct vc *v, const uint32_t *shot, uint64_t *first)
{
	uint64_t n = 0;

	*first = 0;
	if (v->w != v->want_w || v->h != v->want_h)
		return (uint64_t)v->want_w * v->want_h;
	for (uint32_t y = 0; y < v->h; y++)
		for (uint32_t x = 0; x < v->w; x++)
			if (vc_pixel(v, x, y) != shot[(size_t)y * v->w + x] &&
			    !n++)
				*first = (uint64_t)y * v->w + x;
	return n;
}

double vc_psnr(const struct vc *v, const uint32_t *shot)
{
	double se = 0;

	if (v->w != v->want_w || v->h != v->want_h)
		return 0;
	for (uint32_t y = 0; y < v->h; y++)
		for (uint32_t x = 0; x < v->w; x++) {
			uint32_t a = vc_pixel(v, x, y), b = shot[(size_t)y * v->w + x];

			for (int s = 0; s < 24; s += 8) {
				double d = (double)((a >> s) & 255) - ((b >> s) & 255);
				se += d * d;
			}
		}
	if (se == 0)
		return INFINITY;
	return 10 * log10(255.0 * 255.0 / (se / ((double)v->w * v->h * 3)));
}

int vc_rect_is(const struct vc *v, uint32_t x, uint32_t y, uint32_t w,
	       uint32_t h, uint32_t c)
{
	if (v->w != v->want_w || v->h != v->want_h)
		return 0;
	for (uint32_t j = y; j < y + h; j++)
		for (uint32_t i = x; i < x + w; i++)
			if (vc_pixel(v, i, j) != c)
				return 0;
	return 1;
}

void vc_wait_equal(struct vc **vs, int n, const uint32_t *shot, int timeout_ms)
{
	uint64_t end = dt_now_ms() + timeout_ms, first;

	for (int i = 0; i < n; i++) {
		uint64_t d;

		while ((d = vc_diff(vs[i], shot, &first))) {
			CHECK(!vs[i]->closed, "%s: connection closed", vs[i]->label);
			CHECK(dt_now_ms() < end || (vs[i]->w == vs[i]->want_w &&
						    vs[i]->h == vs[i]->want_h),
			      "%s: the desktop is %ux%u, want %ux%u", vs[i]->label,
			      vs[i]->w, vs[i]->h, vs[i]->want_w, vs[i]->want_h);
			CHECK(dt_now_ms() < end,
			      "%s: %llu pixels differ from the guest's after %d ms; "
			      "first at (%llu,%llu): 0x%06x, guest 0x%06x",
			      vs[i]->label, (unsigned long long)d, timeout_ms,
			      (unsigned long long)(first % vs[i]->w),
			      (unsigned long long)(first / vs[i]->w),
			      vc_pixel(vs[i], first % vs[i]->w, first / vs[i]->w),
			      shot[first]);
			vc_pump(vs, n, 50);
		}
	}
}

int dt_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      getsockname(fd, (struct sockaddr *)&sa, &len) == 0,
	      "cannot find a free port: %s", strerror(errno));
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}
