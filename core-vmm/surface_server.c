// SPDX-License-Identifier: MIT
#include "surface_server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSGS_PER_WAKEUP 64

static void agent_close(struct surface_server *s)
{
	if (s->agent_fd >= 0)
		close(s->agent_fd);
	s->agent_fd = -1;
}

/* The agent port takes one client: while a display is attached, that is
 * us, and its bytes travel as AGENT messages. */
static void agent_open(struct surface_server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!s->agent_path || strlen(s->agent_path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, s->agent_path);
	s->agent_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->agent_fd >= 0 &&
	    connect(s->agent_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS)
		agent_close(s);
}

static void drop(struct surface_server *s, const char *why)
{
	agent_close(s);
	if (s->conn_fd < 0)
		return;
	if (why)
		fprintf(stderr, "porthole-vmm: surface: display disconnected: %s\n",
			why);
	close(s->conn_fd);
	s->conn_fd = -1;
	s->hello = 0;
	s->pending = 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void arm_ms(struct surface_server *s, int ms)
{
	struct itimerspec it = { 0 };

	if (ms) {
		it.it_value.tv_sec = ms / 1000;
		it.it_value.tv_nsec = (ms % 1000) * 1000000L;
		it.it_interval = it.it_value;
	}
	s->poll_ms = ms;
	timerfd_settime(s->timer_fd, 0, &it, NULL);
}

/* Poll fast while the screen changes, slower once it has been quiet. */
static void arm(struct surface_server *s, int on)
{
	int ms = 0;

	if (on)
		ms = now_ms() - s->last_damage_ms < SURFACE_QUIET_MS ?
		     SURFACE_POLL_MIN_MS : SURFACE_POLL_MAX_MS;
	if (ms != s->poll_ms)
		arm_ms(s, ms);
}

/* Send one packet, optionally with an fd; a display that cannot take it
 * right now is dropped rather than waited for. */
static int send_pkt(struct surface_server *s, uint16_t type, uint16_t flags,
		    const void *p, size_t plen, const void *extra, size_t elen,
		    int fd)
{
	size_t n = surface_build(s->pkt, sizeof(s->pkt), type, flags, p, plen,
				 extra, elen);

	if (!n || s->conn_fd < 0)
		return -1;
	if (surface_send(s->conn_fd, s->pkt, n, fd, MSG_DONTWAIT) != (ssize_t)n) {
		drop(s, errno == EAGAIN ? "it stopped reading" : strerror(errno));
		return -1;
	}
	s->bytes += n;
	return 0;
}

static void send_damage(struct surface_server *s, const struct fb_rect *r,
			int n, uint16_t flags)
{
	struct surface_rect out[256];
	struct surface_damage d = { s->pending_seq, (uint32_t)n };

	for (int i = 0; i < n; i++)
		out[i] = (struct surface_rect){ r[i].x, r[i].y, r[i].w, r[i].h };
	s->pending = 0;
	arm(s, 0);
	s->frames++;
	send_pkt(s, SURFACE_DAMAGE, flags, &d, sizeof(d), out,
		 n * sizeof(out[0]), -1);
}

static void poll_damage(struct surface_server *s)
{
	int n = fb_damage(&s->vm->fb, s->rects, 256);

	if (n < 0) {
		fprintf(stderr, "porthole-vmm: surface: dirty log: %s\n",
			strerror(-n));
		return;
	}
	if (n > 0) {
		s->last_damage_ms = now_ms();
		send_damage(s, s->rects, n, 0);
	} else if (s->pending) {
		arm(s, 1); /* maybe time to slow down */
	}
}

static void frame_request(struct surface_server *s, const struct surface_msg *m)
{
	s->pending_seq = m->u.frame.seq;
	if (m->hdr.flags & SURFACE_FRAME_FULL) {
		struct fb_rect all = { 0, 0, s->vm->fb.width, s->vm->fb.height };

		/* What the log holds is in the full frame: forget it. */
		fb_damage(&s->vm->fb, s->rects, 256);
		send_damage(s, &all, 1, SURFACE_DAMAGE_FULL);
		return;
	}
	s->pending = 1;
	poll_damage(s);
	if (s->pending)
		arm(s, 1);
}

static void input(struct surface_server *s, const struct surface_msg *m)
{
	struct vmm_input *in = &s->vm->input;

	if (!s->vm->has_input)
		return;
	switch (m->hdr.type) {
	case SURFACE_KEY:
		vmm_input_key(in, m->u.key.code, m->u.key.down);
		break;
	case SURFACE_POINTER_ABS:
		vmm_input_abs(in, m->u.abs.x, m->u.abs.y);
		break;
	case SURFACE_POINTER_REL:
		vmm_input_rel(in, m->u.rel.dx, m->u.rel.dy);
		break;
	case SURFACE_BUTTONS:
		vmm_input_buttons(in, m->u.buttons.mask);
		break;
	case SURFACE_WHEEL:
		vmm_input_wheel(in, m->u.wheel.v, m->u.wheel.h);
		break;
	}
}

static void receive(struct surface_server *s)
{
	char err[256];

	for (int i = 0; i < MAX_MSGS_PER_WAKEUP && s->conn_fd >= 0; i++) {
		struct surface_msg m;
		ssize_t n = recv(s->conn_fd, s->pkt, sizeof(s->pkt),
				 MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			drop(s, n == 0 ? NULL : strerror(errno));
			return;
		}
		if ((size_t)n > sizeof(s->pkt) ||
		    surface_check(s->pkt, n, SURFACE_AT_VMM, &m, err,
				  sizeof(err))) {
			drop(s, (size_t)n > sizeof(s->pkt) ? "oversized packet" : err);
			return;
		}
		if (!s->hello && m.hdr.type != SURFACE_HELLO) {
			drop(s, "first message is not HELLO");
			return;
		}
		switch (m.hdr.type) {
		case SURFACE_HELLO:
			s->hello = 1;
			break;
		case SURFACE_FRAME_REQUEST:
			frame_request(s, &m);
			break;
		case SURFACE_AGENT:
			/* The agent port applies back-pressure through the
			 * socket; what it cannot take now is dropped, as the
			 * protocol has no flow control for agent bytes. */
			if (s->agent_fd < 0 ||
			    send(s->agent_fd, m.agent, m.hdr.len,
				 MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)m.hdr.len)
				s->agent_dropped++;
			break;
		default:
			input(s, &m);
			break;
		}
	}
}

static void greet(struct surface_server *s)
{
	struct vmm_fb *fb = &s->vm->fb;
	struct surface_hello h = { SURFACE_MAGIC, SURFACE_VERSION_MAJOR,
				   SURFACE_VERSION_MINOR, 0, { 0 } };
	struct surface_mode md = { fb->width, fb->height, fb->stride,
				   SURFACE_FORMAT_XRGB8888, 0, fb->size };
	struct surface_vm_state st = { SURFACE_VM_RUNNING };

	snprintf(h.name, sizeof(h.name), "%s", s->name);
	if (!send_pkt(s, SURFACE_HELLO, 0, &h, sizeof(h), NULL, 0, -1) &&
	    !send_pkt(s, SURFACE_MODE, 0, &md, sizeof(md), NULL, 0, fb->memfd))
		send_pkt(s, SURFACE_VM_STATE, 0, &st, sizeof(st), NULL, 0, -1);
}

static void accept_display(struct surface_server *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	/* A restarted display replaces a hung one. */
	drop(s, s->conn_fd >= 0 ? "replaced by a new connection" : NULL);
	s->conn_fd = fd;
	greet(s);
	agent_open(s);
}

int surface_server_init(struct surface_server *s, struct vmm *vm,
			const char *name, const char *path,
			const char *agent_path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(s, 0, sizeof(*s));
	s->vm = vm;
	s->name = name;
	s->agent_path = agent_path;
	s->agent_fd = -1;
	s->conn_fd = -1;
	s->listen_fd = -1;
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->timer_fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "cannot set up the surface socket %s", path);
		goto fail;
	}
	strcpy(sa.sun_path, path);
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0 ||
	    bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->listen_fd, 2) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 strerror(errno));
		goto fail;
	}
	return 0;
fail:
	surface_server_destroy(s);
	return -1;
}

void surface_server_destroy(struct surface_server *s)
{
	drop(s, NULL);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	s->listen_fd = s->timer_fd = -1;
}

void surface_server_pollfds(struct surface_server *s, struct pollfd *p)
{
	p[0] = (struct pollfd){ s->listen_fd, POLLIN, 0 };
	p[1] = (struct pollfd){ s->conn_fd, POLLIN, 0 };
	p[2] = (struct pollfd){ s->pending ? s->timer_fd : -1, POLLIN, 0 };
	p[3] = (struct pollfd){ s->agent_fd, POLLIN, 0 };
}

static void agent_read(struct surface_server *s)
{
	uint8_t buf[SURFACE_AGENT_MAX];
	ssize_t n = recv(s->agent_fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0)
		send_pkt(s, SURFACE_AGENT, 0, buf, n, NULL, 0, -1);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		agent_close(s); /* the port went away; the display stays */
}

void surface_server_handle(struct surface_server *s, const struct pollfd *p)
{
	uint64_t ticks;

	if (p[0].revents)
		accept_display(s);
	if (p[1].revents && p[1].fd == s->conn_fd)
		receive(s);
	if (p[3].revents && p[3].fd == s->agent_fd && s->agent_fd >= 0)
		agent_read(s);
	if (p[2].revents) {
		(void)!read(s->timer_fd, &ticks, sizeof(ticks));
		if (s->pending)
			poll_damage(s);
	}
}

void surface_server_stopping(struct surface_server *s)
{
	struct surface_vm_state st = { SURFACE_VM_STOPPING };

	if (s->conn_fd >= 0 && s->hello)
		send_pkt(s, SURFACE_VM_STATE, 0, &st, sizeof(st), NULL, 0, -1);
}
