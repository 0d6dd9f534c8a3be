// SPDX-License-Identifier: MIT
/*
 * Native VNC: a client that stayed silent is greeted as by an RFB 3.8
 * server offering VeNCrypt only (gw_rfb_front). It picks X509Plain (TLS
 * with the gateway's certificate) or TLSPlain (anonymous TLS), sends
 * "USER" or "USER@VM" and a password inside TLS; auth_login runs on the
 * worker pool. Then the gateway does the RFB handshake with the VM's
 * vnc.sock itself (gw_rfb_back, security None) and tells the client OK,
 * after which the client's ClientInit onwards is relayed.
 */
#include "gw.h"

#include <stdlib.h>
#include <string.h>

struct gw_vnc {
	struct gw_rfb_front front;
	struct gw_rfb_back back;
	uint8_t pend[64];       /* client bytes after its credentials */
	size_t pend_len;
	int creds_in;           /* credentials received: the front is done */
	const char *fail_msg;   /* the answer once the failure delay is over */
};

static const char msg_auth_failed[] = "authentication failed";

void gw_vnc_free(struct gw_vnc *v)
{
	if (!v)
		return;
	explicit_bzero(v, sizeof(*v));
	free(v);
}

static void hang_up(struct gw_conn *c, const char *why)
{
	if (why)
		gw_log("connection id=%llu source=%s: vnc: %s", (unsigned long long)c->id,
		       c->source, why);
	gw_conn_end(c, NULL);
}

static int send_front(struct gw_conn *c)
{
	struct gw_rfb_front *f = &c->vnc->front;
	const char *why;
	int r = 0;

	if (f->out_len)
		r = gw_stream_send(&c->client, f->out, f->out_len, &why);
	f->out_len = 0;
	if (r)
		gw_conn_close(c);
	return r;
}

static void fail_now(struct gw_conn *c)
{
	gw_rfb_front_result(&c->vnc->front, 0, c->vnc->fail_msg);
	if (send_front(c) == 0)
		gw_conn_end(c, NULL);
}

static void on_fail_delay(uv_timer_t *t)
{
	fail_now(t->data);
}

/* SecurityResult "failed" with msg, not before delay_ms. */
static void fail(struct gw_conn *c, const char *msg, unsigned delay_ms)
{
	c->vnc->fail_msg = msg;
	if (delay_ms)
		gw_conn_timer(c, delay_ms, on_fail_delay);
	else
		fail_now(c);
}

static void on_timeout(uv_timer_t *t)
{
	hang_up(t->data, "handshake timed out");
}

/* --- the VM side: RFB client of vnc.sock --- */

static void back_data(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	struct gw_conn *c = s->conn;
	struct gw_vnc *v = c->vnc;
	enum gw_rfb_event ev;
	size_t used = 0;
	const char *why;

	ev = gw_rfb_back_feed(&v->back, buf, len, &used);
	if (v->back.out_len && gw_stream_send(&c->vm, v->back.out, v->back.out_len, &why)) {
		fail(c, "the VM's display is not answering", 0);
		return;
	}
	v->back.out_len = 0;
	if (ev == GW_RFB_NEED_MORE)
		return;
	if (ev != GW_RFB_READY) {
		gw_log("connection id=%llu source=%s: vm=%s: display handshake: %s",
		       (unsigned long long)c->id, c->source, c->vm_name,
		       v->back.error ? v->back.error : "failed");
		fail(c, "the VM's display refused the connection", 0);
		return;
	}
	gw_rfb_front_result(&v->front, 1, NULL);
	if (send_front(c))
		return;
	gw_relay_start(c, GW_SP_VNC, c->user, c->vm_name);
	/* Neither side should have said more yet; pass on whatever they did. */
	if ((len > used && gw_stream_send(&c->client, buf + used, len - used, &why)) ||
	    (v->pend_len && gw_stream_send(&c->vm, v->pend, v->pend_len, &why)))
		gw_conn_end(c, "client-error");
}

static void back_end(struct gw_stream *s, const char *err)
{
	fail(s->conn, "the VM's display closed the connection", 0);
}

static const struct gw_stream_ops back_ops = {
	.data = back_data,
	.end = back_end,
};

static void on_vm_connect(uv_connect_t *req, int status)
{
	struct gw_conn *c = req->data;

	if (c->closing || c->ending)
		return;
	if (status < 0) {
		gw_log("connection id=%llu source=%s: vm=%s: %s", (unsigned long long)c->id,
		       c->source, c->vm_name, uv_strerror(status));
		fail(c, "the VM is not running", 0);
		return;
	}
	gw_rfb_back_init(&c->vnc->back);
	c->vm.ops = &back_ops;
	gw_stream_read(&c->vm, 1);
}

/* --- the client side --- */

/* The VM of a user who named none: their only one. */
static int only_vm(struct gw *gw, const char *user, char vm[AUTH_NAME_MAX + 1])
{
	char **names = auth_user_vms(gw->auth, user);
	int ok = names && names[0] && !names[1];

	if (ok)
		snprintf(vm, AUTH_NAME_MAX + 1, "%s", names[0]);
	auth_strv_free(names);
	return ok;
}

static void login_done(struct gw_conn *c, const char *user, const struct auth_verdict *v)
{
	const char *reason = v->reason;

	if (v->result == AUTH_OK) {
		if (c->vm_name[0] ? auth_vm_allowed(c->gw->auth, user, c->vm_name) :
			       only_vm(c->gw, user, c->vm_name)) {
			snprintf(c->user, sizeof(c->user), "%s", user);
			if (gw_conn_connect_vm(c, c->vm_name, on_vm_connect))
				fail(c, "the VM's run directory path is too long", 0);
			return;
		}
		reason = c->vm_name[0] ? "vm_not_allowed" : "no_single_vm";
	}
	gw_metrics_auth_failure(&c->gw->m, reason);
	gw_log("login failed user=%s source=%s protocol=vnc reason=%s", user, c->source,
	       reason ? reason : "?");
	if (v->result == AUTH_OK && !c->vm_name[0])
		fail(c, "name the VM: log in as USER@VM", 0);
	else
		fail(c, msg_auth_failed, v->delay_ms);
}

static void credentials(struct gw_conn *c)
{
	struct gw_rfb_front *f = &c->vnc->front;
	char *at = strchr(f->user, '@');

	c->vnc->creds_in = 1;
	c->vm_name[0] = 0;
	if (at) {
		*at = 0;
		/* A name that cannot be a VM's still costs a whole log-in. */
		snprintf(c->vm_name, sizeof(c->vm_name), "%s",
			 auth_name_valid(at + 1) ? at + 1 : "-");
	}
	gw_stream_read(&c->client, 0);
	if (gw_login(c, f->user, f->password, NULL, login_done))
		hang_up(c, "out of memory");
	explicit_bzero(f->password, sizeof(f->password));
}

static void front_data(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	struct gw_conn *c = s->conn;
	struct gw_vnc *v = c->vnc;
	enum gw_rfb_event ev;
	SSL_CTX *ctx;
	const char *why;
	size_t used = 0;

	if (v->creds_in) {
		/* Bytes after the credentials, before the answer: keep a few. */
		if (v->pend_len + len > sizeof(v->pend)) {
			hang_up(c, "client sent too much before the security result");
			return;
		}
		memcpy(v->pend + v->pend_len, buf, len);
		v->pend_len += len;
		return;
	}
	ev = gw_rfb_front_feed(&v->front, buf, len, &used);
	if (send_front(c))
		return;
	buf += used;
	len -= used;
	switch (ev) {
	case GW_RFB_NEED_MORE:
		return;
	case GW_RFB_START_TLS:
		ctx = v->front.tls_anon ? c->gw->anon_ctx : c->gw->tls_ctx;
		if (!ctx || gw_stream_start_tls(s, ctx, &why)) {
			hang_up(c, "cannot start TLS");
			return;
		}
		gw_stream_inject(s, buf, len);
		return;
	case GW_RFB_CREDENTIALS:
		credentials(c);
		if (len)
			front_data(s, buf, len);
		return;
	default:
		hang_up(c, v->front.error ? v->front.error : "protocol error");
		return;
	}
}

static void front_tls_done(struct gw_stream *s, const char *err)
{
	struct gw_conn *c = s->conn;

	if (err) {
		c->gw->m.tls_failed++;
		gw_log("connection id=%llu source=%s: vnc: %s", (unsigned long long)c->id,
		       c->source, err);
		gw_conn_close(c);
		return;
	}
	c->gw->m.tls_ok++;
	gw_conn_timer(c, GW_VNC_LOGIN_MS, on_timeout);
}

static void front_end(struct gw_stream *s, const char *err)
{
	gw_conn_close(s->conn);
}

static const struct gw_stream_ops front_ops = {
	.data = front_data,
	.tls_done = front_tls_done,
	.end = front_end,
};

void gw_vnc_start(struct gw_conn *c)
{
	c->vnc = calloc(1, sizeof(*c->vnc));
	if (!c->vnc) {
		gw_conn_close(c);
		return;
	}
	c->stage = GW_ST_VNC;
	gw_rfb_front_init(&c->vnc->front, c->gw->anon_ctx != NULL);
	c->client.ops = &front_ops;
	gw_conn_timer(c, GW_VNC_TLS_MS, on_timeout);
	send_front(c);
}
