// SPDX-License-Identifier: MIT
/*
 * One accepted connection: its life (accept, classification, the end) and
 * the handles every stage shares. Classification keeps the first bytes it
 * looked at (at most GW_CLASSIFY_MAX) and hands them, then the rest of the
 * read, to the stage that wins, as if they had just arrived.
 */
#include "gw.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static void conn_free(struct gw_conn *c)
{
	struct gw *gw = c->gw;

	if (c->prev)
		c->prev->next = c->next;
	else
		gw->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	gw->n_conns--;
	gw->m.connections_active--;
	gw_stream_free(&c->client);
	gw_stream_free(&c->vm);
	gw_http_free(c->http);
	gw_vnc_free(c->vnc);
	gw_rdp_free(c->rdp);
	free(c->upgrade);
	free(c);
}

static void maybe_free(struct gw_conn *c)
{
	if (c->closing && c->handles == 0 && c->work == 0)
		conn_free(c);
}

static void on_closed(uv_handle_t *h)
{
	struct gw_conn *c = h->data;

	c->handles--;
	maybe_free(c);
}

static void close_handle(struct gw_conn *c, uv_handle_t *h)
{
	h->data = c;
	uv_close(h, on_closed);
}

static void close_pipe(struct gw_conn *c)
{
	if (!c->pipe_open)
		return;
	c->pipe_open = 0;
	c->vm.dead = 1;
	close_handle(c, (uv_handle_t *)&c->pipe);
}

void gw_conn_close(struct gw_conn *c)
{
	if (c->closing)
		return;
	if (c->sess.active)
		gw_session_end(c, c->end_reason ? c->end_reason : "closed");
	c->closing = 1;
	c->client.dead = 1;
	c->vm.dead = 1;
	close_handle(c, (uv_handle_t *)&c->tcp);
	close_handle(c, (uv_handle_t *)&c->timer);
	close_pipe(c);
}

int gw_conn_work_done(struct gw_conn *c)
{
	c->work--;
	if (c->closing) {
		maybe_free(c);
		return 1;
	}
	return c->ending;
}

void gw_conn_timer(struct gw_conn *c, uint64_t ms, uv_timer_cb fn)
{
	if (c->closing)
		return;
	uv_timer_stop(&c->timer);
	if (fn)
		uv_timer_start(&c->timer, fn, ms, 0);
}

static void on_flush_timeout(uv_timer_t *t)
{
	gw_conn_close(t->data);
}

static void on_flushed(struct gw_stream *s)
{
	gw_conn_close(s->conn);
}

/* From the loop, not from inside a parser's callback. */
static void end_flush(uv_timer_t *t)
{
	struct gw_conn *c = t->data;

	c->client.flushed = on_flushed;
	gw_stream_goodbye(&c->client, 1000);
	if (c->client.unsent == 0)
		gw_conn_close(c);
	else
		gw_conn_timer(c, GW_FLUSH_MS, on_flush_timeout);
}

void gw_conn_end(struct gw_conn *c, const char *reason)
{
	if (c->ending || c->closing)
		return;
	c->end_reason = reason;
	if (c->sess.active)
		gw_session_end(c, reason);
	gw_stream_read(&c->client, 0);
	gw_stream_read(&c->vm, 0);
	c->ending = 1;
	c->client.dead = 1;
	c->vm.dead = 1;
	close_pipe(c);
	gw_conn_timer(c, 0, end_flush);
}

int gw_conn_connect_vm(struct gw_conn *c, const char *vm, uv_connect_cb cb)
{
	struct sockaddr_un sun;
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s/vnc.sock", c->gw->cfg.run_dir, vm);

	/* libuv would cut a long path short and connect elsewhere. */
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return -1;
	if (uv_pipe_init(c->gw->loop, &c->pipe, 0))
		return -1;
	c->handles++;
	c->pipe_open = 1;
	gw_stream_init(&c->vm, c, (uv_stream_t *)&c->pipe);
	c->pipe_req.data = c;
	uv_pipe_connect(&c->pipe_req, &c->pipe, path, cb);
	return 0;
}

/* --- classification --- */

static void dispatch(struct gw_conn *c, enum gw_proto p, const uint8_t *rest, size_t len)
{
	struct gw_metrics *m = &c->gw->m;

	gw_conn_timer(c, 0, NULL);
	switch (p) {
	case GW_PROTO_TLS:
	case GW_PROTO_HTTP:
		m->classified[p == GW_PROTO_TLS ? GW_CL_TLS : GW_CL_HTTP]++;
		if (gw_http_start(c, p == GW_PROTO_HTTP)) {
			gw_conn_close(c);
			return;
		}
		gw_stream_inject(&c->client, c->head, c->head_len);
		gw_stream_inject(&c->client, rest, len);
		return;
	case GW_PROTO_RDP:
	case GW_PROTO_RDP_PCB:
		m->classified[p == GW_PROTO_RDP ? GW_CL_RDP : GW_CL_RDP_PCB]++;
		if (gw_rdp_start(c, p)) {
			gw_conn_close(c);
			return;
		}
		gw_stream_inject(&c->client, c->head, c->head_len);
		gw_stream_inject(&c->client, rest, len);
		return;
	default:
		m->classified[GW_CL_UNKNOWN]++;
		gw_conn_close(c);
		return;
	}
}

static void on_classify_timer(uv_timer_t *t)
{
	struct gw_conn *c = t->data;

	if (c->head_len == 0) {
		c->gw->m.classified[GW_CL_VNC]++;
		gw_vnc_start(c);
		return;
	}
	c->gw->m.classified[GW_CL_TIMEOUT]++;
	gw_conn_close(c);
}

static void classify_data(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	struct gw_conn *c = s->conn;
	size_t take = GW_CLASSIFY_MAX - c->head_len;
	enum gw_proto p;

	if (take > len)
		take = len;
	if (c->head_len == 0) {
		uint64_t spent = gw_now_ms() - c->accepted_ms;

		gw_conn_timer(c, spent < GW_CLASSIFY_MS ? GW_CLASSIFY_MS - spent : 0,
			      on_classify_timer);
	}
	memcpy(c->head + c->head_len, buf, take);
	c->head_len += take;
	p = gw_classify(c->head, c->head_len);
	if (p == GW_PROTO_NEED_MORE) {
		if (take == len && c->head_len < GW_CLASSIFY_MAX)
			return;
		p = GW_PROTO_UNKNOWN;   /* the classifier promised to decide */
	}
	dispatch(c, p, buf + take, len - take);
}

static void classify_end(struct gw_stream *s, const char *err)
{
	gw_conn_close(s->conn);
}

static const struct gw_stream_ops classify_ops = {
	.data = classify_data,
	.end = classify_end,
};

/* --- accepting --- */

static void set_source(struct gw_conn *c)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss), port = 0;

	snprintf(c->addr, sizeof(c->addr), "?");
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, c->addr, sizeof(c->addr));
			port = ntohs(in->sin_port);
			c->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			port = ntohs(in6->sin6_port);
			if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
				inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], c->addr,
					  sizeof(c->addr));
				c->loopback = in6->sin6_addr.s6_addr[12] == 127;
			} else {
				inet_ntop(AF_INET6, &in6->sin6_addr, c->addr, sizeof(c->addr));
				c->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
			}
		}
	}
	if (strchr(c->addr, ':'))
		snprintf(c->source, sizeof(c->source), "[%s]:%d", c->addr, port);
	else
		snprintf(c->source, sizeof(c->source), "%s:%d", c->addr, port);
}

static void refused_closed(uv_handle_t *h)
{
	free(h);
}

/* Over --max-connections: take it off the backlog and hang up at once. */
static void refuse(struct gw *gw, uv_stream_t *server)
{
	uv_tcp_t *t = malloc(sizeof(*t));

	gw->m.connections_refused++;
	if (!t || uv_tcp_init(gw->loop, t)) {
		free(t);
		return;
	}
	uv_accept(server, (uv_stream_t *)t);
	uv_close((uv_handle_t *)t, refused_closed);
}

void gw_accept(uv_stream_t *server, int status)
{
	struct gw_listener *l = server->data;
	struct gw *gw = l->gw;
	struct gw_conn *c;

	if (status < 0) {
		gw_log("accept: %s", uv_strerror(status));
		return;
	}
	if (gw->stopping || gw->n_conns >= gw->cfg.max_connections) {
		refuse(gw, server);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || uv_tcp_init(gw->loop, &c->tcp)) {
		free(c);
		refuse(gw, server);
		return;
	}
	c->gw = gw;
	c->id = ++gw->next_id;
	c->accepted_ms = gw_now_ms();
	c->handles = 2;
	uv_timer_init(gw->loop, &c->timer);
	c->timer.data = c;
	c->next = gw->conns;
	if (c->next)
		c->next->prev = c;
	gw->conns = c;
	gw->n_conns++;
	gw->m.connections_active++;
	gw_stream_init(&c->client, c, (uv_stream_t *)&c->tcp);
	if (uv_accept(server, (uv_stream_t *)&c->tcp)) {
		gw_conn_close(c);
		return;
	}
	set_source(c);
	uv_tcp_nodelay(&c->tcp, 1);
	c->stage = GW_ST_CLASSIFY;
	c->client.ops = &classify_ops;
	gw_conn_timer(c, gw->cfg.vnc_silence_ms, on_classify_timer);
	gw_stream_read(&c->client, 1);
}

void gw_conn_close_all(struct gw *gw)
{
	struct gw_conn *c, *next;

	for (c = gw->conns; c; c = next) {
		next = c->next;
		if (!c->ending)
			c->end_reason = "shutdown";
		gw_conn_close(c);
	}
}
