// SPDX-License-Identifier: MIT
/*
 * VNC endpoints: the unix socket in the VM's run directory and optional
 * loopback TCP, accepted on the main loop. Each connection then gets a
 * short-lived thread that tells WebSocket peers from VNC clients (below) and
 * runs the RFB handshake, so a slow or silent peer delays nobody else; only
 * then are the client's own input and output threads started.
 * (libvncserver's output thread would spin while a handshake is pending with
 * deferUpdateTime 0; it is not started until the client is ready.)
 */
#include "vnc_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RECHECK_MS 1000
#define SNIFF_MS   25    /* a browser sends its "GET" right after connecting */

struct handshake {
	struct vnc_server *v;
	int fd, slot;
};

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Drive the handshake until ServerInit went out; 0 ready, -1 gone. */
static int run_handshake(rfbClientPtr cl, struct vnc_server *v)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (cl->state != RFB_NORMAL) {
		long left = VNC_HANDSHAKE_MS - elapsed_ms(&t0);

		if (cl->state == RFB_SHUTDOWN || cl->sock == RFB_INVALID_SOCKET ||
		    atomic_load(&v->stopping))
			return -1;
		if (left <= 0) {
			rfbLog("client %s: handshake timed out\n", cl->host);
			return -1;
		}
		if (!webSocketsHasDataInBuffer(cl)) {
			struct pollfd p = { cl->sock, POLLIN, 0 };
			int n = poll(&p, 1, (int)left);

			if (n < 0 && errno != EINTR)
				return -1;
			if (n <= 0)
				continue;
		}
		rfbProcessClientMessage(cl);
	}
	return 0;
}

/*
 * rfbNewClient waits up to 100 ms for a browser's "GET" (its WebSocket
 * detection) before it greets the peer, and a VNC client says nothing until
 * greeted: that wait was most of a VNC client's time to its first frame. So
 * look first. A peer that spoke (or hung up) within SNIFF_MS goes to
 * rfbNewClient as it is, which then sees the bytes at once. A silent one is
 * a VNC client: rfbNewClient gets one end of a socketpair that already holds
 * "RFB " (which it takes for a plain connection at once) and writes its
 * greeting there; then the real socket takes over that end's descriptor
 * number, which the client keeps as cl->sock, and the greeting is sent again
 * on it. NULL when the client is gone (its socket closed).
 */
static rfbClientPtr new_client(struct vnc_server *v, struct handshake *h)
{
	struct pollfd p = { h->fd, POLLIN, 0 };
	char pv[sz_rfbProtocolVersionMsg + 1];
	rfbClientPtr cl;
	int sp[2], one = 1, n;

	do
		n = poll(&p, 1, SNIFF_MS);
	while (n < 0 && errno == EINTR);
	if (n != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return rfbNewClient(v->screen, h->fd);
	if (write(sp[1], "RFB ", 4) != 4) {
		close(sp[0]);
		close(sp[1]);
		return rfbNewClient(v->screen, h->fd);
	}
	cl = rfbNewClient(v->screen, sp[0]);    /* closes sp[0] if it fails */
	close(sp[1]);
	if (cl) {
		/* What rfbNewClient did to the pair's end. */
		n = fcntl(h->fd, F_GETFL);
		if (n >= 0)
			fcntl(h->fd, F_SETFL, n | O_NONBLOCK);
		setsockopt(h->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	/* Under the lock: vnc_destroy shuts pending sockets down by number. */
	pthread_mutex_lock(&v->lock);
	n = cl ? dup3(h->fd, sp[0], O_CLOEXEC) : -1;
	close(h->fd);
	h->fd = v->pending_fd[h->slot] = n >= 0 ? sp[0] : -1;
	pthread_mutex_unlock(&v->lock);
	if (!cl)
		return NULL;
	snprintf(pv, sizeof(pv), rfbProtocolVersionFormat,
		 v->screen->protocolMajorVersion, v->screen->protocolMinorVersion);
	if (n < 0 || rfbWriteExact(cl, pv, sz_rfbProtocolVersionMsg) < 0) {
		rfbClientConnectionGone(cl);
		return NULL;
	}
	return cl;
}

static void *handshake_thread(void *arg)
{
	struct handshake *h = arg;
	struct vnc_server *v = h->v;
	struct vnc_client *vc;
	rfbClientPtr cl;

	cl = new_client(v, h);
	if (!cl)
		goto out;
	if (run_handshake(cl, v) < 0) {
		rfbClientConnectionGone(cl);
		goto out;
	}
	/* Only the handshake reads it; libvncserver frees it on every close,
	 * and a client's two threads may both close. */
	free(cl->wspath);
	cl->wspath = NULL;
	vc = cl->clientData;
	vc->counted = 1;
	atomic_fetch_add(&v->normal, 1);
	inputq_wake(v->q);
	rfbIncrClientRef(cl);
	rfbStartOnHoldClient(cl);
	pthread_detach(cl->client_thread);
	rfbDecrClientRef(cl);
out:
	pthread_mutex_lock(&v->lock);
	v->pending_fd[h->slot] = -1;
	v->handshakes--;
	pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->lock);
	free(h);
	return NULL;
}

static void start_handshake(struct vnc_server *v, int fd)
{
	struct handshake *h = NULL;
	pthread_attr_t attr;
	pthread_t t;
	int slot = -1;

	pthread_mutex_lock(&v->lock);
	if (v->clients + v->handshakes < VNC_MAX_CLIENTS) {
		for (int i = 0; i < VNC_MAX_HANDSHAKES; i++) {
			if (v->pending_fd[i] < 0) {
				slot = i;
				break;
			}
		}
	}
	if (slot >= 0) {
		v->pending_fd[slot] = fd;
		v->handshakes++;
	}
	pthread_mutex_unlock(&v->lock);
	if (slot < 0) {
		fprintf(stderr, "porthole-display: vnc: refusing a connection: at most %d clients, %d of them in their handshake\n",
			VNC_MAX_CLIENTS, VNC_MAX_HANDSHAKES);
		close(fd);
		return;
	}
	h = malloc(sizeof(*h));
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (h) {
		*h = (struct handshake){ v, fd, slot };
		if (pthread_create(&t, &attr, handshake_thread, h) == 0) {
			h = NULL;
			fd = -1;    /* the thread owns both now */
		}
	}
	pthread_attr_destroy(&attr);
	if (fd >= 0) {
		fprintf(stderr, "porthole-display: vnc: cannot start a client thread\n");
		free(h);
		close(fd);
		pthread_mutex_lock(&v->lock);
		v->pending_fd[slot] = -1;
		v->handshakes--;
		pthread_mutex_unlock(&v->lock);
	}
}

static void on_accept(void *opaque, uint32_t events)
{
	struct vnc_listener *l = opaque;

	for (int i = 0; i < 16; i++) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				fprintf(stderr, "porthole-display: vnc: accept: %s\n",
					strerror(errno));
			return;
		}
		if (fd >= VNC_FD_LIMIT) {
			fprintf(stderr, "porthole-display: vnc: refusing a connection: too many open files\n");
			close(fd);
			continue;
		}
		start_handshake(l->v, fd);
	}
}

static void close_listener(struct vnc_server *v, struct vnc_listener *l)
{
	if (l->fd < 0)
		return;
	if (l->watch.fd >= 0)
		dloop_unwatch(v->loop, &l->watch);
	close(l->fd);
	l->fd = -1;
}

/* Listening starts at once; accepting once the display has a picture. */
static int watch(struct vnc_server *v, struct vnc_listener *l, int fd,
		 char *err, size_t errlen)
{
	l->v = v;
	l->fd = fd;
	l->watch.fd = -1;
	if (!v->accepting)
		return 0;
	if (dloop_watch(v->loop, &l->watch, fd, EPOLLIN, on_accept, l) < 0) {
		snprintf(err, errlen, "cannot watch a listening socket: %s",
			 strerror(errno));
		close(fd);
		l->fd = -1;
		return -1;
	}
	return 0;
}

/* mkdir -p for the socket's directory (the VM's run directory may not
 * exist yet when the display starts first). */
static void make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(dir, 0755);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
}

static int bind_unix(struct vnc_server *v, const char *path, char *err,
		     size_t errlen)
{
	struct vnc_listener *l = &v->unix_l;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s (choose a shorter --run-dir)",
			 path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	make_parent(path);
	/* A socket that answers belongs to a display that is running. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		snprintf(err, errlen, "another porthole-display serves %s (it answers): stop it first",
			 path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 32) < 0 || stat(path, &st) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	l->is_unix = 1;
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	return watch(v, l, fd, err, errlen);
}

/* The VM's monitor empties the run directory when it starts and stops:
 * put the socket back when it has gone. */
static void recheck(void *opaque)
{
	struct vnc_server *v = opaque;
	struct vnc_listener *l = &v->unix_l;
	struct stat st;
	char err[300];

	if (stat(l->path, &st) < 0 || st.st_dev != l->dev || st.st_ino != l->ino) {
		close_listener(v, l);
		if (bind_unix(v, l->path, err, sizeof(err)) == 0)
			fprintf(stderr, "porthole-display: %s was removed: listening on it again\n",
				l->path);
		else
			fprintf(stderr, "porthole-display: %s\n", err);
	}
	dloop_timer_arm(v->loop, &v->recheck, RECHECK_MS);
}

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		       (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
			in6->sin6_addr.s6_addr[12] == 127);
	}
	return 0;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port; -1 if malformed. */
static int split_hostport(const char *s, char *host, size_t hlen, char *port,
			  size_t plen)
{
	const char *colon;
	size_t n;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -1;
		n = (size_t)(end - s - 1);
		colon = end + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - s);
	}
	if (!n || n >= hlen || !colon[1] || strlen(colon + 1) >= plen)
		return -1;
	memcpy(host, s, n);
	host[n] = 0;
	strcpy(port, colon + 1);
	for (const char *p = port; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	return atoi(port) > 65535 ? -1 : 0;
}

static int bind_tcp(struct vnc_server *v, const char *spec, char *err,
		    size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV }, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64], port[8], num[INET6_ADDRSTRLEN];
	int fd = -1, one = 1, r;

	if (split_hostport(spec, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "--vnc-listen %s: expected HOST:PORT, e.g. 127.0.0.1:5900 or [::1]:5900",
			 spec);
		return -1;
	}
	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "--vnc-listen %s: %s", spec, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (!is_loopback(ai->ai_addr)) {
			snprintf(err, errlen, "--vnc-listen %s: not a loopback address; porthole-display listens on loopback only (remote viewers come through porthole-gateway)",
				 spec);
			goto fail;
		}
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 32) < 0) {
			snprintf(err, errlen, "--vnc-listen %s: %s", spec,
				 strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		goto fail;
	freeaddrinfo(res);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, num, sizeof(num));
		snprintf(v->tcp_addr, sizeof(v->tcp_addr), "tcp:[%s]:%u", num,
			 ntohs(in6->sin6_port));
	} else {
		struct sockaddr_in *in = (void *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, num, sizeof(num));
		snprintf(v->tcp_addr, sizeof(v->tcp_addr), "tcp:%s:%u", num,
			 ntohs(in->sin_port));
	}
	return watch(v, &v->tcp_l, fd, err, errlen);
fail:
	freeaddrinfo(res);
	return -1;
}

int vnc_listen_start(struct vnc_server *v, const char *unix_path,
		     const char *tcp, char *err, size_t errlen)
{
	if (tcp && bind_tcp(v, tcp, err, errlen))
		return -1;
	if (bind_unix(v, unix_path, err, errlen))
		return -1;
	dloop_timer_init(&v->recheck, recheck, v);
	dloop_timer_arm(v->loop, &v->recheck, RECHECK_MS);
	return 0;
}

void vnc_accept(struct vnc_server *v)
{
	char err[200];

	if (v->accepting)
		return;
	v->accepting = 1;
	if (v->unix_l.fd >= 0 && watch(v, &v->unix_l, v->unix_l.fd, err, sizeof(err)))
		fprintf(stderr, "porthole-display: %s\n", err);
	if (v->tcp_l.fd >= 0 && watch(v, &v->tcp_l, v->tcp_l.fd, err, sizeof(err)))
		fprintf(stderr, "porthole-display: %s\n", err);
}

void vnc_listen_stop(struct vnc_server *v)
{
	struct vnc_listener *l = &v->unix_l;
	struct stat st;

	if (v->recheck.fn)
		dloop_timer_cancel(v->loop, &v->recheck);
	if (l->fd >= 0 && stat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino) {
		char dir[sizeof(l->path)], *slash;

		unlink(l->path);
		/* The VM's run directory goes with the last of its processes:
		 * this fails while porthole-vmm (its lock) is still there. */
		snprintf(dir, sizeof(dir), "%s", l->path);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = 0;
			rmdir(dir);
		}
	}
	close_listener(v, l);
	close_listener(v, &v->tcp_l);
}
