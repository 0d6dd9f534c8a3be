// SPDX-License-Identifier: MIT
/*
 * The relay: payload from one side is queued to the other. A side is read
 * only while the other's unsent bytes stay at or below GW_HIGH_WATER; the
 * paused side resumes once they fall to GW_LOW_WATER (the drain callback),
 * so a slow peer slows its counterpart instead of growing a buffer. When
 * either side closes or fails, the session ends and both go.
 */
#include "gw.h"

#include <stdio.h>
#include <string.h>

static struct gw_stream *peer_of(struct gw_stream *s)
{
	struct gw_conn *c = s->conn;

	return s == &c->client ? &c->vm : &c->client;
}

static void relay_data(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	struct gw_conn *c = s->conn;
	struct gw_stream *other = peer_of(s);
	int from_client = s == &c->client;
	const char *why = NULL;

	if (from_client)
		c->sess.bytes_in += len;
	else
		c->sess.bytes_out += len;
	c->gw->m.bytes[c->sess.proto][from_client ? 0 : 1] += len;
	if (gw_stream_send(other, buf, len, &why)) {
		snprintf(c->end_error, sizeof(c->end_error), "%s", why);
		gw_conn_end(c, from_client ? "vm-error" : "client-error");
		return;
	}
	if (gw_stream_unsent(other) > GW_HIGH_WATER)
		gw_stream_read(s, 0);
}

static void relay_drain(struct gw_stream *s)
{
	struct gw_stream *other = peer_of(s);

	if (!other->reading && gw_stream_unsent(s) <= GW_LOW_WATER)
		gw_stream_read(other, 1);
}

static void relay_end(struct gw_stream *s, const char *err)
{
	struct gw_conn *c = s->conn;
	int client = s == &c->client;

	if (err)
		snprintf(c->end_error, sizeof(c->end_error), "%s", err);
	if (client)
		gw_conn_end(c, err ? "client-error" : "client-closed");
	else
		gw_conn_end(c, err ? "vm-error" : "vm-closed");
}

static void relay_tls_done(struct gw_stream *s, const char *err)
{
}

static const struct gw_stream_ops relay_ops = {
	.data = relay_data,
	.tls_done = relay_tls_done,
	.drain = relay_drain,
	.end = relay_end,
};

const char *gw_sproto_name(enum gw_sproto p)
{
	static const char *const names[GW_SP_N] = { "vnc-ws", "vnc", "rdp" };

	return (unsigned)p < GW_SP_N ? names[p] : "?";
}

void gw_relay_start(struct gw_conn *c, enum gw_sproto proto, const char *user,
		    const char *vm)
{
	struct gw_session *ss = &c->sess;

	memset(ss, 0, sizeof(*ss));
	ss->active = 1;
	ss->proto = proto;
	snprintf(ss->user, sizeof(ss->user), "%s", user);
	snprintf(ss->vm, sizeof(ss->vm), "%s", vm);
	ss->start_ms = gw_now_ms();
	c->gw->m.sessions_total[proto]++;
	c->gw->m.sessions_active[proto]++;
	gw_log("session start id=%llu user=%s vm=%s protocol=%s source=%s",
	       (unsigned long long)c->id, ss->user, ss->vm, gw_sproto_name(proto),
	       c->source);
	c->stage = GW_ST_RELAY;
	gw_conn_timer(c, 0, NULL);
	c->client.ops = &relay_ops;
	c->vm.ops = &relay_ops;
	gw_stream_read(&c->client, 1);
	gw_stream_read(&c->vm, 1);
}

void gw_session_end(struct gw_conn *c, const char *reason)
{
	struct gw_session *ss = &c->sess;
	char error[sizeof(c->end_error) + 16] = "";

	if (!ss->active)
		return;
	ss->active = 0;
	c->gw->m.sessions_active[ss->proto]--;
	if (c->end_error[0])
		snprintf(error, sizeof(error), " error=\"%s\"", c->end_error);
	gw_log("session end id=%llu user=%s vm=%s protocol=%s source=%s bytes_in=%llu "
	       "bytes_out=%llu duration_ms=%llu reason=%s%s",
	       (unsigned long long)c->id, ss->user, ss->vm, gw_sproto_name(ss->proto),
	       c->source, (unsigned long long)ss->bytes_in,
	       (unsigned long long)ss->bytes_out,
	       (unsigned long long)(gw_now_ms() - ss->start_ms), reason, error);
}
