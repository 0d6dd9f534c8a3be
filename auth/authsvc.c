// SPDX-License-Identifier: MIT
/*
 * The local auth service's wire format and its client (authsvc.h). The
 * decoders are strict: magic, version, known enum values, every length
 * within its cap, no NUL inside a string, and the packet ends exactly
 * where its last field does (a SOCK_SEQPACKET packet is the message, so a
 * byte too many is a sender's bug, not padding).
 */
#include "authsvc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const uint8_t req_magic[4] = { 'P', 'A', 'V', '1' };
static const uint8_t ans_magic[4] = { 'P', 'A', 'R', '1' };
#define REQ_VERSION 1

/* --- a bounded writer and reader --- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int bad;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u8(struct wbuf *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put_be(struct wbuf *w, uint32_t v, int bytes)
{
	uint8_t b[4];

	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	put(w, b, (size_t)bytes);
}

/* A string of at most cap bytes (s must hold a NUL within cap + 1). */
static void put_str(struct wbuf *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap + 1);

	if (n > cap) {
		w->bad = 1;
		return;
	}
	put_be(w, (uint32_t)n, 2);
	put(w, s, n);
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

static const uint8_t *take(struct rbuf *r, size_t n)
{
	const uint8_t *at = r->p + r->off;

	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	r->off += n;
	return at;
}

static uint32_t get_be(struct rbuf *r, int bytes)
{
	const uint8_t *b = take(r, (size_t)bytes);
	uint32_t v = 0;

	for (int i = 0; b && i < bytes; i++)
		v = v << 8 | b[i];
	return v;
}

/* Into out (cap + 1 bytes), NUL-terminated. */
static void get_str(struct rbuf *r, char *out, size_t cap)
{
	uint32_t n = get_be(r, 2);
	const uint8_t *s;

	out[0] = 0;
	if (n > cap) {
		r->bad = 1;
		return;
	}
	s = take(r, n);
	if (!s || memchr(s, 0, n)) {
		r->bad = 1;
		return;
	}
	memcpy(out, s, n);
	out[n] = 0;
}

static int magic_ok(struct rbuf *r, const uint8_t magic[4])
{
	const uint8_t *m = take(r, 4);

	return m && memcmp(m, magic, 4) == 0;
}

/* --- the codec --- */

ssize_t authsvc_encode_request(const struct authsvc_request *q, uint8_t *out, size_t outlen)
{
	struct wbuf w = { out, 0, outlen < AUTHSVC_MAX ? outlen : AUTHSVC_MAX, 0 };

	if ((unsigned)q->proto > AUTH_PROTO_STREAM)
		return -1;
	put(&w, req_magic, 4);
	put_u8(&w, REQ_VERSION);
	put_u8(&w, (uint8_t)q->proto);
	put_str(&w, q->vm, AUTH_NAME_MAX);
	put_str(&w, q->user, AUTHSVC_FIELD_MAX);
	put_str(&w, q->password, AUTHSVC_FIELD_MAX);
	put_str(&w, q->source, AUTHSVC_FIELD_MAX);
	return w.bad ? -1 : (ssize_t)w.len;
}

int authsvc_decode_request(const uint8_t *buf, size_t len, struct authsvc_request *q)
{
	struct rbuf r = { buf, len, 0, 0 };
	uint32_t proto;

	memset(q, 0, sizeof(*q));
	if (len > AUTHSVC_MAX || !magic_ok(&r, req_magic) || get_be(&r, 1) != REQ_VERSION)
		return -1;
	proto = get_be(&r, 1);
	if (proto > AUTH_PROTO_STREAM)
		return -1;
	q->proto = (enum auth_proto)proto;
	get_str(&r, q->vm, AUTH_NAME_MAX);
	get_str(&r, q->user, AUTHSVC_FIELD_MAX);
	get_str(&r, q->password, AUTHSVC_FIELD_MAX);
	get_str(&r, q->source, AUTHSVC_FIELD_MAX);
	if (r.bad || r.off != len) {
		explicit_bzero(q, sizeof(*q));
		return -1;
	}
	return 0;
}

ssize_t authsvc_encode_answer(const struct authsvc_answer *a, uint8_t *out, size_t outlen)
{
	struct wbuf w = { out, 0, outlen < AUTHSVC_MAX ? outlen : AUTHSVC_MAX, 0 };

	if ((unsigned)a->result > AUTHSVC_ERROR)
		return -1;
	put(&w, ans_magic, 4);
	put_u8(&w, (uint8_t)a->result);
	put_be(&w, a->delay_ms, 4);
	put_str(&w, a->user, AUTH_NAME_MAX);
	return w.bad ? -1 : (ssize_t)w.len;
}

int authsvc_decode_answer(const uint8_t *buf, size_t len, struct authsvc_answer *a)
{
	struct rbuf r = { buf, len, 0, 0 };
	uint32_t result;

	memset(a, 0, sizeof(*a));
	if (len > AUTHSVC_MAX || !magic_ok(&r, ans_magic))
		return -1;
	result = get_be(&r, 1);
	if (result > AUTHSVC_ERROR)
		return -1;
	a->result = (enum authsvc_result)result;
	a->delay_ms = get_be(&r, 4);
	get_str(&r, a->user, AUTH_NAME_MAX);
	if (r.bad || r.off != len) {
		memset(a, 0, sizeof(*a));
		return -1;
	}
	return 0;
}

/* --- the client --- */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The send timeout (it bounds a blocking connect on a unix socket too). */
static void set_timeout(int fd, int64_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (ms <= 0)
		tv.tv_usec = 1000;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* The password goes only to a service running as ourselves: anyone who
 * can write RUN could otherwise put a listener there and collect it. */
static int peer_is_us(int fd, char *err, size_t errlen, const char *path)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(err, errlen, "%s: cannot tell who serves it: %s", path, strerror(errno));
		return 0;
	}
	if (cred.uid != geteuid()) {
		snprintf(err, errlen, "%s is served by uid %u, not by us (uid %u): "
			 "not sending it a password", path, (unsigned)cred.uid,
			 (unsigned)geteuid());
		return 0;
	}
	return 1;
}

static int await_answer(int fd, int64_t deadline, struct authsvc_answer *a,
			char *err, size_t errlen)
{
	uint8_t buf[AUTHSVC_MAX + 1];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	for (;;) {
		int64_t left = deadline - now_ms();

		if (left <= 0) {
			snprintf(err, errlen, "the gateway's auth service did not answer in time");
			return -1;
		}
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "waiting for the auth service: %s", strerror(errno));
			return -1;
		}
	}
	do
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(err, errlen, "reading the auth service's answer: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "the gateway's auth service closed without answering");
		return -1;
	}
	if ((msg.msg_flags & MSG_TRUNC) || authsvc_decode_answer(buf, (size_t)n, a)) {
		snprintf(err, errlen, "the gateway's auth service sent an answer that does not "
			 "parse (%zd bytes)", n);
		return -1;
	}
	return 0;
}

int authsvc_verify(const char *run_base, const struct authsvc_request *r, int timeout_ms,
		   struct authsvc_answer *a, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	uint8_t pkt[AUTHSVC_MAX];
	ssize_t len, sent;
	int fd, n, ret = -1;

	memset(a, 0, sizeof(*a));
	len = authsvc_encode_request(r, pkt, sizeof(pkt));
	if (len < 0) {
		snprintf(err, errlen, "a field of the request is too long (vm %d, others %d bytes "
			 "at most) or the protocol is unknown", AUTH_NAME_MAX, AUTHSVC_FIELD_MAX);
		return -1;
	}
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", run_base, AUTHSVC_SOCK);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s/%s: the path is too long for a unix socket", run_base,
			 AUTHSVC_SOCK);
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto out;
	}
	set_timeout(fd, deadline - now_ms());
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "the gateway's auth service is not running: %s: %s",
			 sa.sun_path, errno == EAGAIN || errno == EINPROGRESS ?
			 "busy (timed out)" : strerror(errno));
		goto close;
	}
	if (!peer_is_us(fd, err, errlen, sa.sun_path))
		goto close;
	set_timeout(fd, deadline - now_ms());
	do
		sent = send(fd, pkt, (size_t)len, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent != len) {
		snprintf(err, errlen, "sending to the auth service: %s",
			 sent < 0 ? strerror(errno) : "short send");
		goto close;
	}
	ret = await_answer(fd, deadline, a, err, errlen);
close:
	close(fd);
out:
	explicit_bzero(pkt, sizeof(pkt));
	return ret;
}
