// SPDX-License-Identifier: MIT
/*
 * RDP endpoints: RUN_DIR/rdp.sock (the gateway's way in) and optionally one
 * loopback TCP address, accepted on the display's main loop. FreeRDP's own
 * listener is not used: it wants a thread polling it, and the display has
 * a loop. Each accepted socket goes to a peer thread of its own at once.
 */
#include "rdp_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RECHECK_MS 1000

/* "127.0.0.1:40000", "[::1]:40000"; on the unix socket the peer's own
 * address: the gateway binds its end to "@porthole-gw/PID/ID", which its
 * auth service maps back to the real client (lockout counts that client,
 * not the gateway); an unnamed peer is "unix". */
static void peer_name(const struct sockaddr_storage *ss, socklen_t sl,
		      char *out, size_t len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else if (ss->ss_family == AF_UNIX && sl > off + 1) {
		const char *path = ((const struct sockaddr_un *)ss)->sun_path;
		size_t n = sl - off, o = 0, i = 0;

		if (!path[0]) {
			out[o++] = '@';
			i = 1;
		}
		for (; i < n && path[i] && o + 1 < len; i++)
			out[o++] = path[i] > 0x20 && path[i] < 0x7f ? path[i] : '?';
		out[o] = 0;
	} else {
		snprintf(out, len, "unix");
	}
}

static void on_accept(void *opaque, uint32_t events)
{
	struct rdp_listener *l = opaque;

	for (int i = 0; i < 16; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char name[80];
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				fprintf(stderr, RDP_TAG "accept: %s\n", strerror(errno));
			return;
		}
		peer_name(&ss, sl, name, sizeof(name));
		rdp_peer_start(l->r, fd, name);
	}
}

static int watch_listener(struct rdp_server *r, struct rdp_listener *l,
			  char *err, size_t errlen)
{
	l->watch.fd = -1;
	if (!r->accepting)
		return 0;
	if (dloop_watch(r->loop, &l->watch, l->fd, EPOLLIN, on_accept, l) < 0) {
		snprintf(err, errlen, "rdp: cannot watch a listening socket: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void close_listener(struct rdp_server *r, struct rdp_listener *l)
{
	if (l->fd < 0)
		return;
	if (l->watch.fd >= 0)
		dloop_unwatch(r->loop, &l->watch);
	close(l->fd);
	l->fd = -1;
}

/* Replaces whatever file is at path: the VNC server, which starts first,
 * has already refused to start if another display serves this VM. */
static int listen_unix(struct rdp_server *r, const char *path, char *err,
		       size_t errlen)
{
	struct rdp_listener *l = &r->unix_l;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	l->r = r;
	l->fd = -1;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) >=
	    (int)sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s (choose a shorter --run-dir)",
			 path);
		return -1;
	}
	unlink(path);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l->fd, 16) || stat(path, &st)) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 strerror(errno));
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		return -1;
	}
	snprintf(l->path, sizeof(l->path), "%s", sa.sun_path);
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return watch_listener(r, l, err, errlen);
}

/* porthole-vmm empties the VM's run directory when it starts: put the
 * socket back when it has gone (established clients stay). */
static void recheck(void *opaque)
{
	struct rdp_server *r = opaque;
	struct rdp_listener *l = &r->unix_l;
	char path[sizeof(l->path)], err[300];
	struct stat st;

	if (stat(l->path, &st) < 0 || st.st_dev != l->dev || st.st_ino != l->ino) {
		snprintf(path, sizeof(path), "%s", l->path);
		close_listener(r, l);
		if (listen_unix(r, path, err, sizeof(err)) == 0)
			fprintf(stderr, "porthole-display: %s was removed: listening on it again\n",
				path);
		else
			fprintf(stderr, "porthole-display: %s\n", err);
	}
	dloop_timer_arm(r->loop, &r->recheck, RECHECK_MS);
}

static int loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *in6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return ((const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr)[0] == 127;
	return sa->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

/* "HOST:PORT" or "[V6]:PORT": bind the first address it resolves to, all
 * of them loopback. */
static int listen_tcp(struct rdp_server *r, const char *spec, char *err,
		      size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV }, *res = NULL, *ai;
	const char *colon = strrchr(spec, ':');
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[80], port[80];
	int fd = -1, one = 1, rc;
	size_t hl;

	if (!colon || colon == spec || !colon[1] || strlen(colon + 1) > 5 ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    atoi(colon + 1) > 65535)
		goto usage;
	hl = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (hl < 3 || spec[hl - 1] != ']')
			goto usage;
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		goto usage;
	memcpy(host, spec, hl);
	host[hl] = 0;
	snprintf(port, sizeof(port), "%s", colon + 1);
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "--rdp-listen %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (!loopback(ai->ai_addr)) {
			snprintf(err, errlen, "--rdp-listen %s: not a loopback address; porthole-display listens on loopback only (remote clients come through porthole-gateway)",
				 host);
			freeaddrinfo(res);
			return -1;
		}
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
			snprintf(err, errlen, "--rdp-listen %s:%s: %s", host, port,
				 strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	peer_name(&ss, sl, host, sizeof(host));
	snprintf(r->tcp_addr, sizeof(r->tcp_addr), "tcp:%s", host);
	r->tcp_l.r = r;
	r->tcp_l.fd = fd;
	return watch_listener(r, &r->tcp_l, err, errlen);
usage:
	snprintf(err, errlen, "--rdp-listen %s: expected HOST:PORT, e.g. 127.0.0.1:3389 or [::1]:3389",
		 spec);
	return -1;
}

int rdp_listen_start(struct rdp_server *r, const char *unix_path,
		     const char *tcp, char *err, size_t errlen)
{
	if ((tcp && listen_tcp(r, tcp, err, errlen)) ||
	    listen_unix(r, unix_path, err, errlen))
		return -1;
	dloop_timer_init(&r->recheck, recheck, r);
	dloop_timer_arm(r->loop, &r->recheck, RECHECK_MS);
	return 0;
}

/* The listening sockets exist from the start; a client connecting before
 * the first frame waits in the backlog. */
void rdp_accept(struct rdp_server *r)
{
	struct rdp_listener *ls[] = { &r->unix_l, &r->tcp_l };
	char err[200];

	if (r->accepting)
		return;
	r->accepting = 1;
	for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++)
		if (ls[i]->fd >= 0 && watch_listener(r, ls[i], err, sizeof(err)))
			fprintf(stderr, "porthole-display: %s\n", err);
}

void rdp_listen_stop(struct rdp_server *r)
{
	struct rdp_listener *u = &r->unix_l;
	struct stat st;

	if (r->recheck.fn)
		dloop_timer_cancel(r->loop, &r->recheck);
	/* Only the socket file we made goes; the run directory is the VNC
	 * server's to remove, after us. */
	if (u->fd >= 0 && !stat(u->path, &st) && st.st_dev == u->dev &&
	    st.st_ino == u->ino)
		unlink(u->path);
	close_listener(r, u);
	close_listener(r, &r->tcp_l);
}
