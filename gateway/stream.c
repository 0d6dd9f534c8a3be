// SPDX-License-Identifier: MIT
/*
 * A byte stream to one peer: a libuv handle, then optionally TLS (OpenSSL
 * over memory BIOs, so libuv owns every socket operation), then optionally
 * WebSocket framing. Callers see payload only. Every write is a copy handed
 * to uv_write; `unsent` counts what libuv has not written yet, which is
 * what back-pressure looks at (the memory BIO and the WebSocket queue are
 * drained into uv_write at once, so they hold nothing between calls).
 */
#include "gw.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

struct wreq {
	uv_write_t req;
	struct gw_stream *s;
	size_t len;
	uint8_t data[];
};

static void end(struct gw_stream *s, const char *err)
{
	if (!s->dead)
		s->ops->end(s, err);
}

static void on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct gw_stream *s = w->s;

	s->unsent -= w->len;
	free(w);
	if (s->dead) {
		if (s->unsent == 0 && s->flushed)
			s->flushed(s);
		return;
	}
	if (status < 0 && status != UV_ECANCELED) {
		end(s, uv_strerror(status));
		return;
	}
	if (s->unsent <= GW_LOW_WATER && s->ops->drain)
		s->ops->drain(s);
}

static int submit(struct gw_stream *s, struct wreq *w, const char **why)
{
	uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)w->len);
	int r;

	if (s->conn->closing) {
		free(w);
		*why = "connection closed";
		return -1;
	}
	w->s = s;
	r = uv_write(&w->req, s->h, &b, 1, on_write);
	if (r < 0) {
		free(w);
		*why = uv_strerror(r);
		return -1;
	}
	s->unsent += w->len;
	s->wire_out += w->len;
	return 0;
}

static int raw_send(struct gw_stream *s, const void *buf, size_t len, const char **why)
{
	struct wreq *w;

	if (len == 0)
		return 0;
	w = malloc(sizeof(*w) + len);
	if (!w) {
		*why = "out of memory";
		return -1;
	}
	w->len = len;
	memcpy(w->data, buf, len);
	return submit(s, w, why);
}

/* What OpenSSL wrote into the memory BIO goes to the socket. */
static int tls_flush(struct gw_stream *s, const char **why)
{
	BIO *wbio = SSL_get_wbio(s->ssl);
	size_t n;

	while ((n = BIO_ctrl_pending(wbio)) > 0) {
		struct wreq *w = malloc(sizeof(*w) + n);

		if (!w) {
			*why = "out of memory";
			return -1;
		}
		w->len = (size_t)BIO_read(wbio, w->data, (int)n);
		if (submit(s, w, why))
			return -1;
	}
	return 0;
}

static const char *tls_why(SSL *ssl, int ret, char *buf, size_t len)
{
	int e = SSL_get_error(ssl, ret);
	unsigned long code = ERR_peek_last_error();

	if (code)
		snprintf(buf, len, "TLS: %s", ERR_reason_error_string(code) ?
			 ERR_reason_error_string(code) : "error");
	else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN)
		snprintf(buf, len, "TLS: the peer closed");
	else
		snprintf(buf, len, "TLS: error %d", e);
	ERR_clear_error();
	return buf;
}

static int lower_send(struct gw_stream *s, const void *buf, size_t len, const char **why)
{
	size_t off = 0;

	if (!s->ssl)
		return raw_send(s, buf, len, why);
	if (!s->tls_up) {
		*why = "TLS not established";
		return -1;
	}
	while (off < len) {
		size_t chunk = len - off > (1u << 30) ? (1u << 30) : len - off;
		int n = SSL_write(s->ssl, (const uint8_t *)buf + off, (int)chunk);

		if (n <= 0) {
			ERR_clear_error();
			*why = "TLS write failed";
			return -1;
		}
		off += (size_t)n;
	}
	return tls_flush(s, why);
}

static int ws_flush(struct gw_stream *s, const char **why)
{
	size_t n;

	while ((n = gw_ws_pending(s->ws, s->gw->wbuf, sizeof(s->gw->wbuf))) > 0)
		if (lower_send(s, s->gw->wbuf, n, why))
			return -1;
	return 0;
}

static int ws_message(void *arg, const uint8_t *data, size_t len)
{
	struct gw_stream *s = arg;

	if (s->dead)
		return 1;
	s->ops->data(s, data, len);
	return s->dead;
}

static void ws_closed(void *arg, uint16_t code)
{
	struct gw_stream *s = arg;

	s->ws_code = code ? code : 1005;
}

static const struct gw_ws_ops ws_ops = { ws_message, ws_closed };

static void payload(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	const char *why = NULL;
	char msg[64];
	ssize_t r;

	if (!s->ws) {
		s->ops->data(s, buf, len);
		return;
	}
	r = gw_ws_feed(s->ws, buf, len);
	if (s->dead)
		return;
	if (ws_flush(s, &why)) {
		end(s, why);
		return;
	}
	if (s->ws_code) {
		if (s->ws_code == 1000 || s->ws_code == 1001 || s->ws_code == 1005) {
			end(s, NULL);
		} else {
			snprintf(msg, sizeof(msg), "WebSocket closed with %d", s->ws_code);
			end(s, msg);
		}
	} else if (r < 0) {
		end(s, "WebSocket protocol error");
	}
}

static void tls_in(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	const char *why = NULL;
	char msg[128];
	int r;

	if (BIO_write(SSL_get_rbio(s->ssl), buf, (int)len) != (int)len) {
		end(s, "out of memory");
		return;
	}
	if (!s->tls_up) {
		r = SSL_do_handshake(s->ssl);
		if (tls_flush(s, &why)) {
			end(s, why);
			return;
		}
		if (r != 1) {
			if (SSL_get_error(s->ssl, r) == SSL_ERROR_WANT_READ)
				return;
			if (!s->dead)
				s->ops->tls_done(s, tls_why(s->ssl, r, msg, sizeof(msg)));
			return;
		}
		s->tls_up = 1;
		if (!s->dead)
			s->ops->tls_done(s, NULL);
	}
	while (!s->dead) {
		r = SSL_read(s->ssl, s->gw->tbuf, sizeof(s->gw->tbuf));
		if (r > 0) {
			payload(s, s->gw->tbuf, (size_t)r);
			continue;
		}
		if (SSL_get_error(s->ssl, r) == SSL_ERROR_WANT_READ)
			break;
		if (SSL_get_error(s->ssl, r) == SSL_ERROR_ZERO_RETURN) {
			ERR_clear_error();
			end(s, NULL);
		} else {
			end(s, tls_why(s->ssl, r, msg, sizeof(msg)));
		}
		return;
	}
	/* Post-handshake messages (TLS 1.3 session tickets), alerts. */
	if (!s->dead && tls_flush(s, &why))
		end(s, why);
}

void gw_stream_inject(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	if (s->dead || len == 0)
		return;
	s->wire_in += len;
	if (s->ssl)
		tls_in(s, buf, len);
	else
		payload(s, buf, len);
}

void gw_stream_inject_plain(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	if (!s->dead && len)
		payload(s, buf, len);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct gw_stream *s = h->data;

	*buf = uv_buf_init((char *)s->gw->rbuf, sizeof(s->gw->rbuf));
}

static void on_read(uv_stream_t *h, ssize_t n, const uv_buf_t *buf)
{
	struct gw_stream *s = h->data;

	if (n == 0 || s->dead)
		return;
	if (n < 0) {
		end(s, n == UV_EOF ? NULL : uv_strerror((int)n));
		return;
	}
	gw_stream_inject(s, (const uint8_t *)buf->base, (size_t)n);
}

void gw_stream_init(struct gw_stream *s, struct gw_conn *c, uv_stream_t *h)
{
	memset(s, 0, sizeof(*s));
	s->gw = c->gw;
	s->conn = c;
	s->h = h;
	h->data = s;
}

void gw_stream_free(struct gw_stream *s)
{
	if (s->ws)
		gw_ws_free(s->ws);
	if (s->ssl)
		SSL_free(s->ssl);
	s->ws = NULL;
	s->ssl = NULL;
}

void gw_stream_read(struct gw_stream *s, int on)
{
	if (!s->h || s->dead || s->conn->closing || s->reading == !!on)
		return;
	if (on) {
		if (uv_read_start(s->h, on_alloc, on_read) == 0)
			s->reading = 1;
	} else {
		uv_read_stop(s->h);
		s->reading = 0;
	}
}

int gw_stream_send(struct gw_stream *s, const void *buf, size_t len, const char **why)
{
	if (!s->ws)
		return lower_send(s, buf, len, why);
	if (gw_ws_send(s->ws, buf, len)) {
		*why = "WebSocket send failed";
		return -1;
	}
	return ws_flush(s, why);
}

size_t gw_stream_unsent(const struct gw_stream *s)
{
	return s->unsent + (s->ws ? gw_ws_queued(s->ws) : 0);
}

int gw_stream_start_tls(struct gw_stream *s, SSL_CTX *ctx, const char **why)
{
	BIO *rbio = NULL, *wbio = NULL;

	s->ssl = SSL_new(ctx);
	rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(BIO_s_mem());
	if (!s->ssl || !rbio || !wbio) {
		BIO_free(rbio);
		BIO_free(wbio);
		SSL_free(s->ssl);
		s->ssl = NULL;
		ERR_clear_error();
		*why = "out of memory";
		return -1;
	}
	/* Empty means "wait for more", not end of file. */
	BIO_set_mem_eof_return(rbio, -1);
	BIO_set_mem_eof_return(wbio, -1);
	SSL_set_bio(s->ssl, rbio, wbio);
	SSL_set_accept_state(s->ssl);
	return 0;
}

int gw_stream_start_ws(struct gw_stream *s)
{
	s->ws = gw_ws_new(&ws_ops, s);
	return s->ws ? 0 : -1;
}

void gw_stream_goodbye(struct gw_stream *s, uint16_t ws_code)
{
	const char *why;

	if (s->ws) {
		gw_ws_close(s->ws, ws_code);
		if (ws_flush(s, &why))
			return;
	}
	if (s->ssl && s->tls_up) {
		SSL_shutdown(s->ssl);
		ERR_clear_error();
		tls_flush(s, &why);
	}
}
