// SPDX-License-Identifier: MIT
#include "gwclient.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "check.h"

/* What one connection may hold unread: the biggest thing a test reads
 * whole is a frame of a few MiB. */
#define GC_BUF_MAX (16u << 20)

uint64_t gc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int left_ms(uint64_t end)
{
	uint64_t now = gc_now_ms();

	return now >= end ? 0 : (int)(end - now);
}

SSL_CTX *gc_ctx_new(const char *ca_file, int min_ver, int max_ver,
		    const char *cipher_list)
{
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	CHECK(ctx, "SSL_CTX_new failed");
	if (min_ver)
		CHECK(SSL_CTX_set_min_proto_version(ctx, min_ver), "min version");
	if (max_ver)
		CHECK(SSL_CTX_set_max_proto_version(ctx, max_ver), "max version");
	if (cipher_list)
		CHECK(SSL_CTX_set_cipher_list(ctx, cipher_list),
		      "cipher list '%s' refused by OpenSSL", cipher_list);
	if (ca_file) {
		CHECK(SSL_CTX_load_verify_locations(ctx, ca_file, NULL) == 1,
		      "cannot load CA file %s", ca_file);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Every handshake a full one: the benchmark counts handshakes. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

int gc_tcp(const char *host, int port, const char *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (src) {
		struct sockaddr_in me = { .sin_family = AF_INET };

		CHECK(inet_pton(AF_INET, src, &me.sin_addr) == 1,
		      "bad source address %s", src);
		if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
			goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

struct gc_conn *gc_wrap(int fd, const char *host, int port)
{
	struct gc_conn *c = calloc(1, sizeof(*c));
	struct sockaddr_in me;
	socklen_t len = sizeof(me);

	CHECK(c, "out of memory");
	c->fd = fd;
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&me, &len) == 0 &&
	    me.sin_family == AF_INET)
		c->lport = ntohs(me.sin_port);
	snprintf(c->host, sizeof(c->host), "%s:%d", host, port);
	return c;
}

/* Waits for fd to be ready for what OpenSSL (or a plain socket) wants. */
static int wait_fd(int fd, short events, uint64_t end)
{
	struct pollfd p = { fd, events, 0 };
	int n;

	do
		n = poll(&p, 1, left_ms(end));
	while (n < 0 && errno == EINTR);
	return n;
}

static void ssl_reason(char *err, size_t errlen, const char *what, int e)
{
	unsigned long l = ERR_get_error();
	char buf[256] = "";

	if (l)
		ERR_error_string_n(l, buf, sizeof(buf));
	else if (e == SSL_ERROR_SYSCALL)
		snprintf(buf, sizeof(buf), "connection closed (%s)",
			 errno ? strerror(errno) : "EOF");
	else
		snprintf(buf, sizeof(buf), "SSL error %d", e);
	ERR_clear_error();
	snprintf(err, errlen, "%s: %s", what, buf);
}

int gc_tls(struct gc_conn *c, SSL_CTX *ctx, char *err, size_t errlen)
{
	uint64_t end = gc_now_ms() + GC_TIMEOUT_MS;
	char ip[64];

	snprintf(ip, sizeof(ip), "%s", c->host);
	*strrchr(ip, ':') = 0;
	c->ssl = SSL_new(ctx);
	CHECK(c->ssl, "SSL_new failed");
	SSL_set_fd(c->ssl, c->fd);
	if (c->resume)
		SSL_set_session(c->ssl, c->resume);
	/* The certificate must name the address we dialled (its SAN). */
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), ip);
	for (;;) {
		int r = SSL_connect(c->ssl), e;

		if (r == 1)
			return 0;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
				    end) > 0)
				continue;
			snprintf(err, errlen, "TLS handshake: no answer in %d ms",
				 GC_TIMEOUT_MS);
			return -1;
		}
		ssl_reason(err, errlen, "TLS handshake", e);
		if (SSL_get_verify_result(c->ssl) != X509_V_OK)
			snprintf(err + strlen(err), errlen - strlen(err),
				 " (certificate: %s)", X509_verify_cert_error_string(
					 SSL_get_verify_result(c->ssl)));
		c->err = e;
		return -1;
	}
}

struct gc_conn *gc_open(SSL_CTX *ctx, int port, const char *src, char *err,
			size_t errlen)
{
	int fd = gc_tcp("127.0.0.1", port, src);
	struct gc_conn *c;

	if (fd < 0) {
		snprintf(err, errlen, "connect to 127.0.0.1:%d: %s", port,
			 strerror(errno));
		return NULL;
	}
	c = gc_wrap(fd, "127.0.0.1", port);
	if (gc_tls(c, ctx, err, errlen) < 0) {
		gc_close(c);
		return NULL;
	}
	return c;
}

void gc_close(struct gc_conn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		if (!c->eof)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	free(c->in);
	free(c->msg);
	free(c);
}

int gc_send(struct gc_conn *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t end = gc_now_ms() + GC_TIMEOUT_MS;

	while (len) {
		ssize_t n;
		short ev = POLLOUT;

		if (c->ssl) {
			n = SSL_write(c->ssl, p, len > (1 << 30) ? 1 << 30 : (int)len);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, n);

				if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
					c->err = e;
					ERR_clear_error();
					return -1;
				}
				ev = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
				n = 0;
			}
		} else {
			n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno != EAGAIN && errno != EINTR) {
					c->err = errno;
					return -1;
				}
				n = 0;
			}
		}
		p += n;
		len -= n;
		if (len && !n && wait_fd(c->fd, ev, end) <= 0) {
			c->err = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

static void grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 65536;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	CHECK(n <= GC_BUF_MAX, "a client buffer would exceed %u MiB",
	      GC_BUF_MAX >> 20);
	*buf = realloc(*buf, n);
	CHECK(*buf, "out of memory");
	*cap = n;
}

int gc_fill(struct gc_conn *c, int timeout_ms)
{
	uint64_t end = gc_now_ms() + timeout_ms;

	if (c->eof)
		return -1;
	grow(&c->in, &c->in_cap, c->in_len + 16384);
	for (;;) {
		size_t room = c->in_cap - c->in_len;
		ssize_t n;
		short ev = POLLIN;

		if (c->ssl) {
			n = SSL_read(c->ssl, c->in + c->in_len, (int)room);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, n);

				if (e == SSL_ERROR_WANT_WRITE)
					ev = POLLOUT;
				else if (e != SSL_ERROR_WANT_READ) {
					c->eof = 1;
					c->err = e == SSL_ERROR_ZERO_RETURN ? 0 :
						 e == SSL_ERROR_SYSCALL ? errno : e;
					ERR_clear_error();
					return -1;
				}
			}
		} else {
			n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				c->eof = 1;
				c->err = n ? errno : 0;
				return -1;
			}
		}
		if (n > 0) {
			c->in_len += n;
			return 1;
		}
		if (wait_fd(c->fd, ev, end) <= 0)
			return 0;
	}
}

void gc_consume(struct gc_conn *c, size_t n)
{
	CHECK(n <= c->in_len, "consume %zu of %zu", n, c->in_len);
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

int gc_wait_closed(struct gc_conn *c, int timeout_ms)
{
	uint64_t end = gc_now_ms() + timeout_ms;

	while (!c->eof) {
		if (c->ws)
			gc_drain(c, 0);
		c->in_len = 0;
		if (gc_fill(c, left_ms(end)) == 0 && !left_ms(end))
			return 0;
	}
	return 1;
}

/* --- HTTP --- */

int gc_http(struct gc_conn *c, const char *method, const char *path,
	    const char *cookie, const char *extra, const char *body,
	    struct gc_resp *r)
{
	size_t blen = body ? strlen(body) : 0, cap = 1024 + blen +
		      (extra ? strlen(extra) : 0) + strlen(path);
	char *req = malloc(cap);
	int n;

	CHECK(req, "out of memory");
	n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path,
		     c->host);
	if (cookie)
		n += snprintf(req + n, cap - n, "Cookie: porthole_session=%s\r\n",
			      cookie);
	if (body)
		n += snprintf(req + n, cap - n, "Content-Type: application/json\r\n"
			      "Content-Length: %zu\r\n", blen);
	n += snprintf(req + n, cap - n, "%s\r\n%s", extra ? extra : "",
		      body ? body : "");
	if (gc_send(c, req, n) < 0) {
		free(req);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	free(req);
	return gc_read_resp(c, r, GC_TIMEOUT_MS);
}

static const char *find_header(const char *head, const char *name)
{
	size_t len = strlen(name);

	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
		l += 2;
		if (!strncasecmp(l, name, len) && l[len] == ':')
			return l + len + 1;
	}
	return NULL;
}

const char *gc_header(const struct gc_resp *r, const char *name, char *out,
		      size_t outlen)
{
	const char *v = find_header(r->head, name);
	size_t n = 0;

	if (!v)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	while (v[n] && v[n] != '\r' && n + 1 < outlen)
		n++;
	memcpy(out, v, n);
	out[n] = 0;
	return out;
}

static void parse_cookie(struct gc_resp *r)
{
	for (const char *l = r->head; (l = find_header(l, "Set-Cookie")); ) {
		const char *v = l, *eol = strstr(l, "\r\n");
		size_t n;

		while (*v == ' ')
			v++;
		n = eol ? (size_t)(eol - v) : strlen(v);
		if (strncmp(v, "porthole_session=", 17))
			continue;
		snprintf(r->set_cookie, sizeof(r->set_cookie), "%.*s", (int)n, v);
		v += 17;
		n = strcspn(v, ";\r");
		snprintf(r->cookie, sizeof(r->cookie), "%.*s", (int)n, v);
		return;
	}
}

int gc_read_resp(struct gc_conn *c, struct gc_resp *r, int timeout_ms)
{
	uint64_t end = gc_now_ms() + timeout_ms;
	char cl[32];
	uint8_t *eoh;
	size_t hlen, want = 0;
	int until_close = 0;

	memset(r, 0, sizeof(*r));
	while (!(eoh = c->in_len ? memmem(c->in, c->in_len, "\r\n\r\n", 4) : NULL)) {
		if (c->in_len >= sizeof(r->head) - 1 || gc_fill(c, left_ms(end)) <= 0)
			return -1;
	}
	hlen = eoh + 4 - c->in;
	if (hlen >= sizeof(r->head))
		return -1;
	memcpy(r->head, c->in, hlen);
	r->head[hlen] = 0;
	gc_consume(c, hlen);
	if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
		return -1;
	parse_cookie(r);
	if (c->head_only)
		c->head_only = 0;
	else if (gc_header(r, "Content-Length", cl, sizeof(cl)))
		want = strtoul(cl, NULL, 10);
	else if (r->status >= 200 && r->status != 204 && r->status != 304)
		until_close = 1;
	CHECK(!gc_header(r, "Transfer-Encoding", cl, sizeof(cl)),
	      "the gateway answered with Transfer-Encoding: %s (not expected)", cl);
	CHECK(want < sizeof(r->body), "a body of %zu bytes", want);
	while (c->in_len < want || until_close) {
		int f = gc_fill(c, left_ms(end));

		if (f < 0 && until_close)
			break;
		if (f <= 0)
			return -1;
		if (c->in_len >= sizeof(r->body) - 1)
			break;
	}
	if (until_close)
		want = c->in_len < sizeof(r->body) - 1 ? c->in_len : sizeof(r->body) - 1;
	memcpy(r->body, c->in, want);
	r->body[want] = 0;
	r->body_len = want;
	gc_consume(c, want);
	return 0;
}

const char *gc_json_str(const char *body, const char *key, char *out,
			size_t outlen)
{
	char pat[80];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(body, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != ':')
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"' && n + 1 < outlen) {
		if (*p == '\\' && p[1])
			p++;
		out[n++] = *p++;
	}
	out[n] = 0;
	return out;
}

/* --- WebSocket --- */

static void base64(const uint8_t *in, size_t len, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

int gc_ws_upgrade(struct gc_conn *c, const char *path, const char *origin,
		  struct gc_resp *r)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	uint8_t key[16], sha[SHA_DIGEST_LENGTH];
	char key64[32], accept[64], got[64], cat[128], extra[256] = "";

	CHECK(RAND_bytes(key, sizeof(key)) == 1, "RAND_bytes");
	base64(key, sizeof(key), key64);
	if (origin)
		snprintf(extra, sizeof(extra), "Origin: %s\r\n", origin);
	snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
		 "Sec-WebSocket-Protocol: binary\r\n", key64);
	if (gc_http(c, "GET", path, NULL, extra, NULL, r) < 0)
		return r->status;
	if (r->status != 101)
		return r->status;
	snprintf(cat, sizeof(cat), "%s%s", key64, guid);
	SHA1((const uint8_t *)cat, strlen(cat), sha);
	base64(sha, sizeof(sha), accept);
	CHECK(gc_header(r, "Sec-WebSocket-Accept", got, sizeof(got)) &&
	      !strcmp(got, accept), "101 with Sec-WebSocket-Accept '%s', want "
	      "'%s' (RFC 6455 4.2.2)", gc_header(r, "Sec-WebSocket-Accept", got,
						 sizeof(got)) ? got : "(none)",
	      accept);
	CHECK(gc_header(r, "Upgrade", got, sizeof(got)) &&
	      !strcasecmp(got, "websocket"), "101 without Upgrade: websocket");
	c->ws = 1;
	return 101;
}

int gc_ws_send_frame(struct gc_conn *c, int opcode, const void *data,
		     size_t len)
{
	uint8_t *f = malloc(len + 14), mask[4];
	size_t h = 0;
	int r;

	CHECK(f, "out of memory");
	CHECK(RAND_bytes(mask, 4) == 1, "RAND_bytes");
	f[h++] = 0x80 | opcode;
	if (len < 126) {
		f[h++] = 0x80 | len;
	} else if (len < 65536) {
		f[h++] = 0x80 | 126;
		f[h++] = len >> 8;
		f[h++] = len;
	} else {
		f[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			f[h++] = (uint64_t)len >> (i * 8);
	}
	memcpy(f + h, mask, 4);
	h += 4;
	for (size_t i = 0; i < len; i++)
		f[h + i] = ((const uint8_t *)data)[i] ^ mask[i & 3];
	r = gc_send(c, f, h + len);
	free(f);
	return r;
}

int gc_ws_decode(struct gc_conn *c)
{
	while (c->in_len >= 2) {
		uint8_t b0 = c->in[0], b1 = c->in[1], op = b0 & 15;
		size_t h = 2;
		uint64_t len = b1 & 127;

		if (b1 & 0x80 || b0 & 0x70)
			return -1;      /* a server never masks; no extensions */
		if (len == 126) {
			if (c->in_len < 4)
				break;
			len = (uint64_t)c->in[2] << 8 | c->in[3];
			h = 4;
		} else if (len == 127) {
			if (c->in_len < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | c->in[2 + i];
			h = 10;
		}
		if (op >= 8 && (len > 125 || !(b0 & 0x80)))
			return -1;
		if ((op > 2 && op < 8) || op > 10 || len > GC_BUF_MAX)
			return -1;
		if (c->in_len < h + len) {
			grow(&c->in, &c->in_cap, h + len);
			break;
		}
		if (op <= 2) {
			if (!c->close_code) {
				grow(&c->msg, &c->msg_cap, c->msg_len + len);
				memcpy(c->msg + c->msg_len, c->in + h, len);
				c->msg_len += len;
			}
		} else if (op == 8) {
			if (!c->close_code) {
				c->close_code = len >= 2 ? c->in[h] << 8 | c->in[h + 1] : 1005;
				gc_ws_send_frame(c, 8, c->in + h, len >= 2 ? 2 : 0);
			}
		} else if (op == 9 && !c->close_code) {
			gc_ws_send_frame(c, 10, c->in + h, len);
		}
		gc_consume(c, h + len);
	}
	return 0;
}

/* --- the stream --- */

int gc_write(struct gc_conn *c, const void *buf, size_t len)
{
	return c->ws ? gc_ws_send_frame(c, 2, buf, len) : gc_send(c, buf, len);
}

/* Stream bytes available without reading the socket. */
static size_t have(struct gc_conn *c)
{
	return c->ws ? c->msg_len : c->in_len;
}

static void take(struct gc_conn *c, void *buf, size_t len)
{
	uint8_t **src = c->ws ? &c->msg : &c->in;
	size_t *n = c->ws ? &c->msg_len : &c->in_len;

	if (buf)
		memcpy(buf, *src, len);
	memmove(*src, *src + len, *n - len);
	*n -= len;
	c->bytes_in += len;
}

int gc_read(struct gc_conn *c, void *buf, size_t len, int timeout_ms)
{
	uint64_t end = gc_now_ms() + timeout_ms;

	for (;;) {
		if (c->ws && gc_ws_decode(c) < 0)
			return -1;
		if (have(c) >= len)
			break;
		if (c->close_code || gc_fill(c, left_ms(end)) <= 0)
			return -1;
	}
	take(c, buf, len);
	return 0;
}

ssize_t gc_drain(struct gc_conn *c, int timeout_ms)
{
	uint64_t end = gc_now_ms() + timeout_ms;
	size_t got = 0;
	int f;

	do {
		if (c->ws && gc_ws_decode(c) < 0)
			return -1;
		got += have(c);
		take(c, NULL, have(c));
		if (c->close_code)
			break;
		f = gc_fill(c, got ? 0 : left_ms(end));
	} while (f > 0);
	return got || !c->eof ? (ssize_t)got : -1;
}

/* --- RFB --- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A failure reason (u32 length + text) after a refusal. */
static void read_reason(struct gc_conn *c, char *out, size_t outlen)
{
	uint8_t l[4];
	uint32_t n;

	out[0] = 0;
	if (gc_read(c, l, 4, 5000) < 0)
		return;
	n = be32(l);
	if (n >= outlen || gc_read(c, out, n, 5000) < 0)
		return;
	out[n] = 0;
}

int gc_rfb_init(struct gc_conn *c, struct gc_rfb_init *si, char *err,
		size_t errlen)
{
	uint8_t one = 1, b[24];
	uint32_t n;

	memset(si, 0, sizeof(*si));
	if (gc_write(c, &one, 1) < 0 || gc_read(c, b, 24, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no ServerInit");
		return -1;
	}
	si->w = b[0] << 8 | b[1];
	si->h = b[2] << 8 | b[3];
	memcpy(si->pf, b + 4, 16);
	n = be32(b + 20);
	if (n >= sizeof(si->name) || gc_read(c, si->name, n, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "ServerInit: a name of %u bytes", n);
		return -1;
	}
	si->name[n] = 0;
	return 0;
}

int gc_rfb_none(struct gc_conn *c, struct gc_rfb_init *si, char *err,
		size_t errlen)
{
	uint8_t ver[12], n, types[255], none = 1, res[4];
	int found = 0;

	if (gc_read(c, ver, 12, GC_TIMEOUT_MS) < 0 || memcmp(ver, "RFB 003.", 8)) {
		snprintf(err, errlen, "no RFB ProtocolVersion");
		return -1;
	}
	if (gc_write(c, "RFB 003.008\n", 12) < 0 || gc_read(c, &n, 1, GC_TIMEOUT_MS) < 0 ||
	    gc_read(c, types, n, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no security types");
		return -1;
	}
	for (int i = 0; i < n; i++)
		found |= types[i] == 1;
	if (!found) {
		snprintf(err, errlen, "security None not offered (%d types)", n);
		return -1;
	}
	if (gc_write(c, &none, 1) < 0 || gc_read(c, res, 4, GC_TIMEOUT_MS) < 0 ||
	    be32(res)) {
		snprintf(err, errlen, "security None refused");
		return -1;
	}
	return gc_rfb_init(c, si, err, errlen);
}

int gc_rfb_request(struct gc_conn *c, const int32_t *encodings, int n,
		   int incremental, uint16_t w, uint16_t h)
{
	uint8_t m[4 + 4 * 32 + 10];
	size_t len = 0;

	CHECK(n <= 32, "too many encodings");
	if (n) {
		m[0] = 2;
		m[1] = 0;
		m[2] = n >> 8;
		m[3] = n;
		for (int i = 0; i < n; i++)
			put32(m + 4 + 4 * i, (uint32_t)encodings[i]);
		len = 4 + 4 * n;
	}
	m[len] = 3;
	m[len + 1] = incremental;
	memset(m + len + 2, 0, 4);
	m[len + 6] = w >> 8;
	m[len + 7] = w;
	m[len + 8] = h >> 8;
	m[len + 9] = h;
	return gc_write(c, m, len + 10);
}

int gc_vnc_hello(struct gc_conn *c, uint8_t *types, int *n_types, char *err,
		 size_t errlen)
{
	uint8_t ver[12], n;

	if (gc_read(c, ver, 12, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no RFB greeting from the gateway");
		return -1;
	}
	if (memcmp(ver, "RFB 003.008\n", 12)) {
		snprintf(err, errlen, "greeting '%.11s', want RFB 003.008", ver);
		return -1;
	}
	if (gc_write(c, ver, 12) < 0 || gc_read(c, &n, 1, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no security types");
		return -1;
	}
	if (!n) {
		char why[256];

		read_reason(c, why, sizeof(why));
		snprintf(err, errlen, "no security types offered: '%s'", why);
		return -1;
	}
	if (gc_read(c, types, n, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "short security types");
		return -1;
	}
	*n_types = n;
	return 0;
}

int gc_vencrypt(struct gc_conn *c, SSL_CTX *ctx, uint32_t subtype,
		const char *user, const char *password, struct gc_vencrypt *v,
		char *err, size_t errlen)
{
	uint8_t b[8 + 2 * 256], st, n, vencrypt = 19, ver[2] = { 0, 2 };
	size_t ul = strlen(user), pl = strlen(password);

	memset(v, 0, sizeof(*v));
	if (gc_write(c, &vencrypt, 1) < 0 || gc_read(c, b, 2, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no VeNCrypt version");
		return -1;
	}
	if (b[0] != 0 || b[1] != 2) {
		snprintf(err, errlen, "VeNCrypt version %d.%d, want 0.2", b[0], b[1]);
		return -1;
	}
	if (gc_write(c, ver, 2) < 0 || gc_read(c, &st, 1, GC_TIMEOUT_MS) < 0 || st) {
		snprintf(err, errlen, "VeNCrypt 0.2 refused");
		return -1;
	}
	if (gc_read(c, &n, 1, GC_TIMEOUT_MS) < 0 || n > 16 ||
	    gc_read(c, b, 4 * n, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no VeNCrypt subtypes");
		return -1;
	}
	for (int i = 0; i < n; i++)
		v->subtypes[i] = be32(b + 4 * i);
	v->n_subtypes = n;
	put32(b, subtype);
	if (gc_write(c, b, 4) < 0 || gc_read(c, &st, 1, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no answer to subtype %u", subtype);
		return -1;
	}
	if (st != 1) {
		snprintf(err, errlen, "subtype %u refused", subtype);
		return -1;
	}
	CHECK(c->in_len == 0, "bytes after the subtype ack, before TLS");
	if (gc_tls(c, ctx, err, errlen) < 0)
		return -1;
	CHECK(ul <= 256 && pl <= 256, "credentials too long for this client");
	put32(b, ul);
	put32(b + 4, pl);
	memcpy(b + 8, user, ul);
	memcpy(b + 8 + ul, password, pl);
	if (gc_write(c, b, 8 + ul + pl) < 0 || gc_read(c, b, 4, GC_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no SecurityResult after the credentials");
		return -1;
	}
	v->result = be32(b);
	if (v->result)
		read_reason(c, v->reason, sizeof(v->reason));
	return 0;
}
