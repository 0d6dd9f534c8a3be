// SPDX-License-Identifier: MIT
/*
 * The local auth service (auth/authsvc.h): RUN/auth.sock, SOCK_SEQPACKET,
 * mode 0600, peers with the gateway's own uid only. A protocol server that
 * receives credentials itself (the display's RDP server: TLS is end to end,
 * so the gateway never sees them) sends one request and gets one answer:
 * auth_login on the worker pool, auth_vm_allowed, then the verdict's delay
 * on a timer, as every other log-in here. libuv pipes are byte streams,
 * so the sockets are raw and watched with uv_poll.
 *
 * The request's source may name the gateway's own end of the display
 * connection ("porthole-gw/PID/ID", what the display sees as its peer's
 * address): the lockout then counts the real client's address.
 */
#include "gw.h"
#include "authsvc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define AUTHD_CLIENTS_MAX   64      /* at once; more are answered "error" */
#define AUTHD_REQUEST_MS    5000    /* connect to request */
#define AUTHD_VM_DENIED_MS  250     /* a right password for the wrong VM looks like a wrong one */
#define AUTHD_BACKLOG       64

struct authd_client;

struct gw_authd {
	struct gw *gw;
	int fd;
	uv_poll_t poll;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct authd_client *clients;
	unsigned n_clients;
};

struct authd_client {
	struct gw_authd *d;
	struct authd_client *next, *prev;
	int fd;
	pid_t pid;
	uv_poll_t poll;
	uv_timer_t timer;
	int handles, working, closing;
	uv_work_t work;
	struct auth *auth;
	struct authsvc_request req;
	char addr[AUTHSVC_FIELD_MAX + 1];     /* what lockout counts */
	char source[AUTHSVC_FIELD_MAX + 24];  /* what logs say */
	uint64_t conn_id;                     /* the RDP connection, or 0 */
	struct auth_verdict v;
	int allowed;
	struct authsvc_answer ans;
};

/* --- a client's life --- */

static void client_maybe_free(struct authd_client *k)
{
	if (!k->closing || k->handles || k->working)
		return;
	if (k->fd >= 0)
		close(k->fd);
	explicit_bzero(k, sizeof(*k));
	free(k);
}

static void client_handle_closed(uv_handle_t *h)
{
	struct authd_client *k = h->data;

	k->handles--;
	client_maybe_free(k);
}

static void client_close(struct authd_client *k)
{
	struct gw_authd *d = k->d;

	if (k->closing)
		return;
	k->closing = 1;
	if (d) {
		if (k->prev)
			k->prev->next = k->next;
		else
			d->clients = k->next;
		if (k->next)
			k->next->prev = k->prev;
		d->n_clients--;
		k->d = NULL;
	}
	explicit_bzero(k->req.password, sizeof(k->req.password));
	uv_close((uv_handle_t *)&k->poll, client_handle_closed);
	uv_close((uv_handle_t *)&k->timer, client_handle_closed);
}

static void send_answer(int fd, const struct authsvc_answer *a)
{
	uint8_t pkt[AUTHSVC_MAX];
	ssize_t n = authsvc_encode_answer(a, pkt, sizeof(pkt));

	/* A peer that went away meanwhile misses nothing it could use. */
	if (n > 0 && send(fd, pkt, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return;
}

static void answer_error(struct gw *gw, int fd)
{
	struct authsvc_answer a = { .result = AUTHSVC_ERROR };

	gw->m.authsvc[AUTHSVC_ERROR]++;
	send_answer(fd, &a);
}

/* A name from the peer, safe for a log line. */
static void log_name(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len && i < 64; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') || (in[i] >= '0' && in[i] <= '9') ||
			 strchr("._-@:[]", in[i]) ? in[i] : '?';
	out[i] = 0;
	if (i == 0)
		snprintf(out, len, "-");
}

/* --- the verdict --- */

static void on_answer_due(uv_timer_t *t)
{
	struct authd_client *k = t->data;

	send_answer(k->fd, &k->ans);
	client_close(k);
}

static void login_work(uv_work_t *w)
{
	struct authd_client *k = w->data;

	auth_login(k->auth, k->req.user, k->req.password, NULL, k->addr, gw_now_ms(), &k->v);
	explicit_bzero(k->req.password, sizeof(k->req.password));
	if (k->v.result == AUTH_OK || k->v.result == AUTH_TOTP_NEEDED)
		k->allowed = auth_vm_allowed(k->auth, k->req.user, k->req.vm);
}

/* auth's verdict and the VM check, as the one answer the peer gets. */
static const char *decide(struct authd_client *k, unsigned *delay)
{
	const char *reason = k->v.reason ? k->v.reason : "?";

	*delay = k->v.delay_ms;
	switch (k->v.result) {
	case AUTH_OK:
	case AUTH_TOTP_NEEDED:
		if (!k->allowed) {
			k->ans.result = AUTHSVC_DENIED;
			if (*delay < AUTHD_VM_DENIED_MS)
				*delay = AUTHD_VM_DENIED_MS;
			return "vm_not_allowed";
		}
		k->ans.result = k->v.result == AUTH_OK ? AUTHSVC_OK : AUTHSVC_TOTP;
		return reason;
	case AUTH_LOCKED:
		k->ans.result = AUTHSVC_LOCKED;
		return reason;
	case AUTH_DENIED:
	default:
		k->ans.result = AUTHSVC_DENIED;
		return reason;
	}
}

static void login_after(uv_work_t *w, int status)
{
	struct authd_client *k = w->data;
	struct gw_conn *c;
	char user[72], vm[72], id[32] = "";
	const char *reason, *proto = auth_proto_name(k->req.proto);
	unsigned delay;

	k->working = 0;
	if (k->closing || !k->d || status < 0) {
		client_close(k);
		client_maybe_free(k);
		return;
	}
	reason = decide(k, &delay);
	log_name(k->req.user, user, sizeof(user));
	log_name(k->req.vm, vm, sizeof(vm));
	if (k->conn_id)
		snprintf(id, sizeof(id), " id=%" PRIu64, k->conn_id);
	k->d->gw->m.authsvc[k->ans.result]++;
	if (k->ans.result == AUTHSVC_OK) {
		snprintf(k->ans.user, sizeof(k->ans.user), "%.32s", k->req.user);
		gw_log("login ok user=%s source=%s protocol=%s vm=%s%s", user, k->source, proto,
		       vm, id);
		/* The session line at its end names who logged in. */
		c = k->conn_id ? gw_rdp_conn(k->d->gw, k->conn_id, k->req.vm) : NULL;
		if (c && strcmp(c->sess.user, "-") == 0)
			snprintf(c->sess.user, sizeof(c->sess.user), "%.32s", k->req.user);
	} else {
		gw_metrics_auth_failure(&k->d->gw->m, reason);
		gw_log("login failed user=%s source=%s protocol=%s reason=%s vm=%s%s", user,
		       k->source, proto, reason, vm, id);
	}
	k->ans.delay_ms = delay;
	uv_timer_start(&k->timer, on_answer_due, delay, 0);
}

/* --- the request --- */

/* The address of "ADDR:PORT" or "[V6]:PORT" (lockout counts hosts, not
 * their ports); anything else as it is. */
static void source_addr(const char *in, char *out, size_t len)
{
	const char *colon = strchr(in, ':'), *end = strstr(in, "]:");

	if (in[0] == '[' && end)
		snprintf(out, len, "%.*s", (int)(end - in + 1), in);
	else if (colon && !strchr(colon + 1, ':'))
		snprintf(out, len, "%.*s", (int)(colon - in), in);
	else
		snprintf(out, len, "%s", in);
}

/* "porthole-gw/PID/ID" (with or without the '@' tools print for abstract
 * addresses): one of our own RDP connections to this VM. */
static struct gw_conn *our_conn(struct gw *gw, const char *source, const char *vm)
{
	unsigned long long id;
	int pid, end = 0;

	if (source[0] == '@')
		source++;
	if (sscanf(source, "porthole-gw/%d/%llu%n", &pid, &id, &end) != 2 ||
	    source[end] || pid != (int)getpid())
		return NULL;
	return gw_rdp_conn(gw, id, vm);
}

static void request(struct authd_client *k, const uint8_t *buf, size_t len)
{
	struct gw *gw = k->d->gw;
	struct gw_conn *c;

	if (authsvc_decode_request(buf, len, &k->req)) {
		gw_log("auth service: a request that does not parse (%zu bytes) from pid %d",
		       len, (int)k->pid);
		answer_error(gw, k->fd);
		client_close(k);
		return;
	}
	/* User names are lower case; an RDP client may send "Alice". */
	for (char *p = k->req.user; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	c = our_conn(gw, k->req.source, k->req.vm);
	if (c) {
		k->conn_id = c->id;
		snprintf(k->addr, sizeof(k->addr), "%s", c->addr);
		snprintf(k->source, sizeof(k->source), "%s", c->source);
	} else {
		source_addr(k->req.source, k->addr, sizeof(k->addr));
		log_name(k->req.source, k->source, sizeof(k->source));
	}
	k->auth = gw->auth;
	k->work.data = k;
	if (uv_queue_work(gw->loop, &k->work, login_work, login_after)) {
		answer_error(gw, k->fd);
		client_close(k);
		return;
	}
	k->working = 1;
}

static void on_client_readable(uv_poll_t *h, int status, int events)
{
	struct authd_client *k = h->data;
	uint8_t buf[AUTHSVC_MAX + 1];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (status < 0) {
		client_close(k);
		return;
	}
	n = recvmsg(k->fd, &msg, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	uv_poll_stop(&k->poll);
	uv_timer_stop(&k->timer);
	if (n <= 0) {
		client_close(k);
	} else if (msg.msg_flags & MSG_TRUNC) {
		gw_log("auth service: a request over %d bytes from pid %d", AUTHSVC_MAX,
		       (int)k->pid);
		answer_error(k->d->gw, k->fd);
		client_close(k);
	} else {
		request(k, buf, (size_t)n);
	}
	explicit_bzero(buf, sizeof(buf));
}

static void on_client_timeout(uv_timer_t *t)
{
	struct authd_client *k = t->data;

	gw_log("auth service: pid %d sent no request within %d s", (int)k->pid,
	       AUTHD_REQUEST_MS / 1000);
	client_close(k);
}

/* --- accepting --- */

static int peer_allowed(struct gw_authd *d, int fd, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		gw_log("auth service: SO_PEERCRED: %s", strerror(errno));
		return 0;
	}
	*pid = cred.pid;
	if (cred.uid == geteuid())
		return 1;
	gw_log("auth service: refused pid %d of uid %u: only uid %u may ask", (int)cred.pid,
	       (unsigned)cred.uid, (unsigned)geteuid());
	return 0;
}

static void add_client(struct gw_authd *d, int fd, pid_t pid)
{
	struct authd_client *k;

	if (d->n_clients >= AUTHD_CLIENTS_MAX || !(k = calloc(1, sizeof(*k)))) {
		gw_log("auth service: busy (%u requests in progress): refused pid %d",
		       d->n_clients, (int)pid);
		answer_error(d->gw, fd);
		close(fd);
		return;
	}
	k->d = d;
	k->fd = fd;
	k->pid = pid;
	if (uv_poll_init(d->gw->loop, &k->poll, fd)) {
		answer_error(d->gw, fd);
		close(fd);
		free(k);
		return;
	}
	uv_timer_init(d->gw->loop, &k->timer);
	k->poll.data = k;
	k->timer.data = k;
	k->handles = 2;
	k->next = d->clients;
	if (k->next)
		k->next->prev = k;
	d->clients = k;
	d->n_clients++;
	uv_poll_start(&k->poll, UV_READABLE, on_client_readable);
	uv_timer_start(&k->timer, on_client_timeout, AUTHD_REQUEST_MS, 0);
}

static void on_listen_readable(uv_poll_t *h, int status, int events)
{
	struct gw_authd *d = h->data;
	pid_t pid = 0;
	int fd;

	if (status < 0)
		return;
	while ((fd = accept4(d->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (peer_allowed(d, fd, &pid))
			add_client(d, fd, pid);
		else
			close(fd);
	}
}

/* --- the socket --- */

/* A socket left by a gateway that was killed is removed; one that still
 * answers belongs to a running gateway, which this one must not steal. */
static int clear_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, alive;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: remove it", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	alive = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	if (alive) {
		snprintf(err, errlen, "another porthole-gateway serves %s: give each gateway "
			 "its own --run-dir", path);
		return -1;
	}
	unlink(path);
	return 0;
}

int gw_authd_start(struct gw *gw, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct gw_authd *d;
	int n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", gw->cfg.run_dir, AUTHSVC_SOCK);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--run-dir %s: too long for the auth service's socket "
			 "(%zu bytes at most)", gw->cfg.run_dir,
			 sizeof(sa.sun_path) - sizeof(AUTHSVC_SOCK) - 1);
		return -1;
	}
	if (mkdir(gw->cfg.run_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the run directory %s: %s", gw->cfg.run_dir,
			 strerror(errno));
		return -1;
	}
	if (clear_path(sa.sun_path, err, errlen))
		return -1;
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->gw = gw;
	snprintf(d->path, sizeof(d->path), "%s", sa.sun_path);
	d->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* The mode before bind, so the path is never wider than 0600. */
	if (d->fd < 0 || fchmod(d->fd, 0600) < 0 ||
	    bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(d->path, 0600) < 0 ||
	    listen(d->fd, AUTHD_BACKLOG) < 0 || uv_poll_init(gw->loop, &d->poll, d->fd)) {
		snprintf(err, errlen, "cannot serve the auth service on %s: %s", d->path,
			 strerror(errno));
		if (d->fd >= 0)
			close(d->fd);
		free(d);
		return -1;
	}
	d->poll.data = d;
	uv_poll_start(&d->poll, UV_READABLE, on_listen_readable);
	gw->authd = d;
	return 0;
}

static void listen_closed(uv_handle_t *h)
{
	struct gw_authd *d = h->data;

	close(d->fd);
	free(d);
}

void gw_authd_stop(struct gw *gw)
{
	struct gw_authd *d = gw->authd;

	if (!d)
		return;
	gw->authd = NULL;
	while (d->clients)
		client_close(d->clients);
	unlink(d->path);
	uv_close((uv_handle_t *)&d->poll, listen_closed);
}
