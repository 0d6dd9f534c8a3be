// SPDX-License-Identifier: MIT
/*
 * porthole-vmm's surface server, as a display sees it: HELLO + MODE with a
 * memfd that maps the guest's screen, FULL frames, pulled damage that
 * covers a `fill` and is silent when idle, input reaching the guest, a
 * malformed packet dropping the display but not the VM, and a second
 * display replacing the first. argv: porthole-vmm.
 */
#include "surface/proto.h"
#include "demo_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char base[64];
static uint8_t pkt[SURFACE_MAX_MSG];

static int connect_to(const char *file, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s/%s", base, file);
	for (int i = 0; i < 500; i++) {
		fd = socket(AF_UNIX, type, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	CHECK(0, "cannot connect to %s", sa.sun_path);
	return -1;
}

/* Receive one checked message (and an fd if one came); -1 on timeout. */
static int recv_msg(int fd, struct surface_msg *m, int *rfd, int timeout_ms)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { pkt, sizeof(pkt) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct pollfd p = { fd, POLLIN, 0 };
	char err[256];
	ssize_t n;

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	n = recvmsg(fd, &mh, 0);
	if (n <= 0)
		return -2;
	if (rfd) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		*rfd = c && c->cmsg_type == SCM_RIGHTS ? *(int *)CMSG_DATA(c) : -1;
	}
	CHECK(surface_check(pkt, n, SURFACE_AT_DISPLAY, m, err, sizeof(err)) == 0,
	      "vmm sent a bad packet: %s", err);
	return 0;
}

static void send_msg(int fd, uint16_t type, uint16_t flags, const void *p,
		     size_t len)
{
	uint8_t buf[256];
	size_t n = surface_build(buf, sizeof(buf), type, flags, p, len, NULL, 0);

	CHECK(n && send(fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n, "send");
}

struct display {
	int fd;
	struct surface_mode mode;
	uint8_t *fb;
};

static void attach(struct display *d)
{
	struct surface_msg m;
	struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR, 0, 0, { 0 } };
	struct stat st;
	int memfd;

	d->fd = connect_to("surface.sock", SOCK_SEQPACKET);
	CHECK(recv_msg(d->fd, &m, NULL, 5000) == 0 && m.hdr.type == SURFACE_HELLO,
	      "no HELLO");
	CHECK(!strcmp(m.u.hello.name, "s"), "name %s", m.u.hello.name);
	CHECK(recv_msg(d->fd, &m, &memfd, 5000) == 0 && m.hdr.type == SURFACE_MODE &&
	      memfd >= 0, "no MODE with an fd");
	d->mode = m.u.mode;
	CHECK(d->mode.width == 800 && d->mode.height == 600, "mode %ux%u",
	      d->mode.width, d->mode.height);
	CHECK(fstat(memfd, &st) == 0 && (uint64_t)st.st_size >= d->mode.size, "memfd size");
	d->fb = mmap(NULL, d->mode.size, PROT_READ, MAP_SHARED, memfd, 0);
	CHECK(d->fb != MAP_FAILED, "mmap");
	close(memfd);
	CHECK(recv_msg(d->fd, &m, NULL, 5000) == 0 && m.hdr.type == SURFACE_VM_STATE &&
	      m.u.vm_state.state == SURFACE_VM_RUNNING, "no VM_STATE");
	send_msg(d->fd, SURFACE_HELLO, 0, &h, sizeof(h));
}

static uint32_t px(const struct display *d, uint32_t x, uint32_t y)
{
	return *(uint32_t *)(d->fb + (size_t)y * d->mode.stride + x * 4) & 0xffffff;
}

/* Ask for a frame; return the DAMAGE's rect count, or -1 if none came. */
static int frame(struct display *d, uint16_t flags, uint32_t seq,
		 struct surface_rect *out, int timeout_ms)
{
	struct surface_frame_request r = { seq };
	struct surface_msg m;

	send_msg(d->fd, SURFACE_FRAME_REQUEST, flags, &r, sizeof(r));
	if (recv_msg(d->fd, &m, NULL, timeout_ms))
		return -1;
	CHECK(m.hdr.type == SURFACE_DAMAGE && m.damage.seq == seq, "want DAMAGE %u", seq);
	for (uint32_t i = 0; i < m.damage.count && out; i++)
		out[i] = m.rects[i];
	return m.damage.count;
}

static void serial(int fd, const char *cmd, const char *want)
{
	char buf[8192];
	size_t len = 0;

	CHECK(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "write");
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		CHECK(n > 0, "serial closed waiting for %s", want);
		len += n;
		buf[len] = 0;
		if (strstr(buf, want))
			return;
		CHECK(len < sizeof(buf) - 1, "no '%s' in %s", want, buf);
	}
}

int main(int argc, char **argv)
{
	struct surface_rect r[SURFACE_MAX_RECTS];
	struct surface_key k = { KEY_Q, 1 };
	struct display d, d2;
	char errlog[128];
	int con, n, status;
	pid_t pid;

	CHECK(argc == 2, "usage: test_surface PORTHOLE_VMM");
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("skipped: /dev/kvm is not usable here\n");
		return 77;
	}
	snprintf(base, sizeof(base), "/tmp/porthole-surface-%d", (int)getpid());
	mkdir(base, 0700);
	snprintf(errlog, sizeof(errlog), "%s/vmm.err", base);
	pid = fork();
	if (pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execl(argv[1], argv[1], "--demo", "--name", "s", "--run-dir", base,
		      "--memory", "64M", "--fb", "800x600", (char *)NULL);
		_exit(127);
	}
	con = connect_to("serial.sock", SOCK_STREAM);
	serial(con, "anim off\nclock off\nping\n", "ok ping");

	attach(&d);
	/* FULL: answered at once with the whole surface. */
	n = frame(&d, SURFACE_FRAME_FULL, 1, r, 2000);
	CHECK(n == 1 && r[0].w == 800 && r[0].h == 600, "full frame: %d", n);
	CHECK(px(&d, 790, 590) == DEMO_COLOR_DESKTOP, "mapped screen %06x", px(&d, 790, 590));
	/* Idle: nothing comes back. */
	CHECK(frame(&d, 0, 2, NULL, 500) == -1, "idle screen produced damage");
	/* A fill answers the outstanding request with covering damage. */
	serial(con, "fill 100 100 50 50 ff0000\n", "ok fill");
	{
		struct surface_msg m;
		CHECK(recv_msg(d.fd, &m, NULL, 2000) == 0 && m.hdr.type == SURFACE_DAMAGE &&
		      m.damage.seq == 2 && m.damage.count >= 1, "no damage after fill");
		int covered = 0;
		for (uint32_t i = 0; i < m.damage.count; i++)
			covered |= m.rects[i].x <= 100 && m.rects[i].y <= 100 &&
				    m.rects[i].x + m.rects[i].w >= 150 &&
				    m.rects[i].y + m.rects[i].h >= 150;
		CHECK(covered, "damage does not cover the fill");
		CHECK(px(&d, 120, 120) == 0xff0000, "fill not visible in the mapping");
	}
	/* Agent bytes travel both ways as AGENT messages. */
	{
		struct surface_msg m;
		char got[256] = "";
		size_t len = 0;

		usleep(100000); /* the bridge connects to the agent port */
		send_msg(d.fd, SURFACE_AGENT, 0, "hi there\n", 9);
		while (!strchr(got, '\n')) {
			CHECK(recv_msg(d.fd, &m, NULL, 5000) == 0, "no AGENT reply");
			if (m.hdr.type != SURFACE_AGENT)
				continue;
			CHECK(len + m.hdr.len < sizeof(got), "agent reply too long");
			memcpy(got + len, m.agent, m.hdr.len);
			len += m.hdr.len;
			got[len] = 0;
		}
		CHECK(!strcmp(got, "demo-agent: hi there\n"), "agent said %s", got);
	}
	/* Input reaches the guest. */
	send_msg(d.fd, SURFACE_KEY, 0, &k, sizeof(k));
	serial(con, "", "input kbd 1 16 1");
	printf("surface: mode, memfd, full frame, pulled damage, idle silence, input: ok\n");

	/* A second display replaces the first, and gets its own full frame. */
	attach(&d2);
	CHECK(frame(&d2, SURFACE_FRAME_FULL, 7, r, 2000) == 1, "second display");
	{
		struct surface_msg m;
		CHECK(recv_msg(d.fd, &m, NULL, 2000) == -2, "old display not dropped");
	}
	/* Garbage drops the display, never the VM. */
	CHECK(send(d2.fd, "garbage!", 8, 0) == 8, "send");
	{
		struct surface_msg m;
		CHECK(recv_msg(d2.fd, &m, NULL, 2000) == -2, "bad display not dropped");
	}
	serial(con, "ping\n", "ok ping");
	attach(&d);
	CHECK(frame(&d, SURFACE_FRAME_FULL, 9, r, 2000) == 1, "reconnect gets a full frame");
	printf("surface: takeover, hostile display, reconnect: ok\n");

	/* The monitor's exit is announced. */
	kill(pid, SIGTERM);
	{
		struct surface_msg m;
		CHECK(recv_msg(d.fd, &m, NULL, 5000) == 0 && m.hdr.type == SURFACE_VM_STATE &&
		      m.u.vm_state.state == SURFACE_VM_STOPPING, "no STOPPING");
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "vmm exit");
	unlink(errlog);
	rmdir(base);
	return 0;
}
