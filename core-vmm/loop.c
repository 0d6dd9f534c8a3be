// SPDX-License-Identifier: MIT
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CLIENTS   8
#define INPUT_BUF     4096
#define RETRY_MS      10

enum { P_SIGNAL, P_STOP, P_SERIAL, P_LISTEN, P_STDIN, P_SURFACE,
       P_CLIENT0 = P_SURFACE + SURFACE_SERVER_NFDS };

struct loop {
	struct vmm *vm;
	const struct loop_options *o;
	int sig_fd, listen_fd, stdin_open;
	int clients[MAX_CLIENTS];
	uint8_t pending[INPUT_BUF];
	size_t pending_len, pending_off;
	int has_surface;
	struct surface_server surface;
};

int loop_write_screenshot(const struct vmm_fb *fb, const char *path)
{
	char tmp[4096];
	uint8_t *row;
	FILE *f;
	int ret = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	row = malloc((size_t)fb->width * 3);
	f = fopen(tmp, "we");
	if (!row || !f)
		goto out;
	fprintf(f, "P6\n%u %u\n255\n", fb->width, fb->height);
	for (uint32_t y = 0; y < fb->height; y++) {
		const uint32_t *px = (const uint32_t *)(fb->pixels +
							(size_t)y * fb->stride);
		for (uint32_t x = 0; x < fb->width; x++) {
			row[x * 3 + 0] = px[x] >> 16;
			row[x * 3 + 1] = px[x] >> 8;
			row[x * 3 + 2] = px[x];
		}
		if (fwrite(row, 3, fb->width, f) != fb->width)
			goto out;
	}
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		ret = 0;
	f = NULL;
out:
	if (f)
		fclose(f);
	if (ret)
		unlink(tmp);
	free(row);
	return ret;
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s (use a shorter --run-dir)",
			 path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void drop_client(struct loop *l, int i)
{
	close(l->clients[i]);
	l->clients[i] = -1;
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

static void drain_serial(struct loop *l)
{
	uint8_t buf[4096];
	uint64_t cnt;
	size_t n;

	(void)!read(l->vm->serial_fd, &cnt, sizeof(cnt));
	while ((n = serial_take_output(&l->vm->com1, buf, sizeof(buf)))) {
		if (l->o->log_fd >= 0)
			write_all(l->o->log_fd, buf, n);
		if (l->o->console)
			write_all(STDOUT_FILENO, buf, n);
		for (int i = 0; i < MAX_CLIENTS; i++) {
			ssize_t w;

			if (l->clients[i] < 0)
				continue;
			/* A reader that cannot keep up is cut off rather
			 * than allowed to stall the guest's console. */
			w = send(l->clients[i], buf, n,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w != (ssize_t)n)
				drop_client(l, i);
		}
	}
}

static void feed_guest(struct loop *l)
{
	size_t n;

	if (l->pending_off == l->pending_len)
		return;
	n = serial_put_input(&l->vm->com1, l->pending + l->pending_off,
			     l->pending_len - l->pending_off);
	l->pending_off += n;
	if (l->pending_off == l->pending_len)
		l->pending_off = l->pending_len = 0;
}

static void read_input(struct loop *l, int fd, int client)
{
	ssize_t n = read(fd, l->pending, sizeof(l->pending));

	if (n > 0) {
		l->pending_len = n;
		l->pending_off = 0;
		feed_guest(l);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		if (client >= 0)
			drop_client(l, client);
		else
			l->stdin_open = 0;
	}
}

static void accept_client(struct loop *l)
{
	int fd = accept4(l->listen_fd, NULL, NULL,
			 SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (l->clients[i] < 0) {
			l->clients[i] = fd;
			return;
		}
	}
	close(fd); /* full */
}

static int handle_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	if (read(l->sig_fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGUSR1) {
		if (l->o->screenshot &&
		    loop_write_screenshot(&l->vm->fb, l->o->screenshot))
			fprintf(stderr, "porthole-vmm: cannot write %s: %s\n",
				l->o->screenshot, strerror(errno));
		return 0;
	}
	vmm_request_stop(l->vm, VMM_STOP_SIGNAL);
	return 1;
}

static int build_pollset(struct loop *l, struct pollfd *p)
{
	int accepting = l->pending_len == 0; /* back-pressure on input */

	p[P_SIGNAL] = (struct pollfd){ l->sig_fd, POLLIN, 0 };
	p[P_STOP] = (struct pollfd){ l->vm->stop_fd, POLLIN, 0 };
	p[P_SERIAL] = (struct pollfd){ l->vm->serial_fd, POLLIN, 0 };
	p[P_LISTEN] = (struct pollfd){ l->listen_fd, POLLIN, 0 };
	p[P_STDIN] = (struct pollfd){ l->o->console && l->stdin_open &&
				      accepting ? STDIN_FILENO : -1, POLLIN, 0 };
	if (l->has_surface)
		surface_server_pollfds(&l->surface, &p[P_SURFACE]);
	else
		for (int i = 0; i < SURFACE_SERVER_NFDS; i++)
			p[P_SURFACE + i] = (struct pollfd){ -1, 0, 0 };
	for (int i = 0; i < MAX_CLIENTS; i++)
		p[P_CLIENT0 + i] = (struct pollfd){
			l->clients[i], accepting ? POLLIN : 0, 0 };
	return P_CLIENT0 + MAX_CLIENTS;
}

int loop_run(struct vmm *vm, const struct loop_options *o, char *err,
	     size_t errlen)
{
	struct pollfd p[P_CLIENT0 + MAX_CLIENTS];
	struct loop *l;
	sigset_t set;
	int ret = -1;

	/* On the heap: the surface server holds a 64 KiB packet buffer. */
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		vmm_join(vm);
		return -1;
	}
	*l = (struct loop){ .vm = vm, .o = o, .listen_fd = -1, .stdin_open = 1 };
	for (int i = 0; i < MAX_CLIENTS; i++)
		l->clients[i] = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	l->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sig_fd < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (o->console_socket) {
		l->listen_fd = listen_unix(o->console_socket, err, errlen);
		if (l->listen_fd < 0)
			goto out;
	}
	if (o->surface_socket) {
		if (surface_server_init(&l->surface, vm, o->name ? o->name : "",
					o->surface_socket, o->agent_socket,
					err, errlen))
			goto out;
		l->has_surface = 1;
	}

	while (atomic_load(&vm->stop) == VMM_RUNNING) {
		int n = build_pollset(l, p);

		if (poll(p, n, l->pending_len ? RETRY_MS : -1) < 0 &&
		    errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		feed_guest(l);
		if (p[P_SIGNAL].revents)
			handle_signal(l);
		if (p[P_SERIAL].revents)
			drain_serial(l);
		if (p[P_LISTEN].revents)
			accept_client(l);
		if (p[P_STDIN].revents)
			read_input(l, STDIN_FILENO, -1);
		if (l->has_surface)
			surface_server_handle(&l->surface, &p[P_SURFACE]);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (l->clients[i] >= 0 && p[P_CLIENT0 + i].revents &&
			    !l->pending_len)
				read_input(l, l->clients[i], i);
	}
	ret = atomic_load(&vm->stop);
out:
	if (l->has_surface) {
		surface_server_stopping(&l->surface);
		surface_server_destroy(&l->surface);
	}
	/* Let the vCPUs finish, then pass on the guest's last words. */
	vmm_join(vm);
	drain_serial(l);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (l->clients[i] >= 0)
			close(l->clients[i]);
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	if (l->sig_fd >= 0)
		close(l->sig_fd);
	free(l);
	return ret;
}
