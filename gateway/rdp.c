// SPDX-License-Identifier: MIT
/*
 * RDP on the one port. The gateway reads the client's first PDUs only to
 * choose the VM: a ticket in the preconnection PDU, a routing token
 * "Cookie: msts=porthole:VM", or a mstshash cookie naming a user with one VM (rules
 * and their order: docs/gateway.md). Then it connects RUN/VM/rdp.sock,
 * forwards the X.224 Connection Request exactly as received (the
 * preconnection PDU is dropped: displays do not expect one) and relays.
 * TLS runs end to end between the client and the display; the display
 * verifies the password through the auth service (authd.c), so a routing
 * token or a cookie alone grants nothing.
 */
#include "gw.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RDP_SOCK "rdp.sock"

struct gw_rdp {
	enum gw_proto first;
	uint8_t buf[GW_RDP_PCB_MAX + GW_RDP_CR_MAX];
	size_t len;
	size_t pcb_len;          /* the preconnection PDU's bytes at the start */
	int have_pcb;
	struct gw_rdp_pcb pcb;
	struct gw_rdp_cr cr;
};

void gw_rdp_free(struct gw_rdp *r)
{
	if (!r)
		return;
	/* It may hold a ticket. */
	explicit_bzero(r, sizeof(*r));
	free(r);
}

int gw_rdp_peer_name(uint64_t id, char *out, size_t len)
{
	int n = snprintf(out, len, "porthole-gw/%d/%llu", (int)getpid(),
			 (unsigned long long)id);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

struct gw_conn *gw_rdp_conn(struct gw *gw, uint64_t id, const char *vm)
{
	struct gw_conn *c;

	for (c = gw->conns; c; c = c->next)
		if (c->id == id)
			break;
	if (!c || c->closing || c->ending || !c->sess.active || c->sess.proto != GW_SP_RDP ||
	    strcmp(c->sess.vm, vm))
		return NULL;
	return c;
}

static void refuse(struct gw_conn *c, enum gw_rdp_refusal why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refuse(struct gw_conn *c, enum gw_rdp_refusal why, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->gw->m.rdp_refused[why]++;
	gw_log("connection id=%llu source=%s: rdp: %s", (unsigned long long)c->id, c->source,
	       msg);
	gw_conn_end(c, NULL);
}

/* A client asking for standard RDP security only is told why, in the
 * protocol: the client shows "the server requires TLS" instead of a reset. */
static void refuse_security(struct gw_conn *c)
{
	uint8_t out[GW_RDP_NEG_FAILURE_LEN];
	const char *why;

	gw_rdp_neg_failure(out, GW_RDP_SSL_REQUIRED_BY_SERVER);
	/* If it cannot be sent, the close says no all the same. */
	gw_stream_send(&c->client, out, sizeof(out), &why);
	refuse(c, GW_RR_STANDARD_SECURITY, "the client asks for standard RDP security only "
	       "(requested protocols 0x%x); the display requires TLS",
	       (unsigned)c->rdp->cr.protocols);
}

/* c->pipe connected to RUN/vm/rdp.sock from the abstract address
 * gw_rdp_peer_name names, so that the display can tell the auth service
 * which client it serves. libuv cannot bind a client pipe, hence the
 * socket by hand; a unix connect does not block (a full backlog is
 * EAGAIN). */
static int connect_display(struct gw_conn *c, const char *vm, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	int fd, n, name;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/" RDP_SOCK, c->gw->cfg.run_dir, vm);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s/%s/" RDP_SOCK ": the path is too long", c->gw->cfg.run_dir,
			 vm);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	name = gw_rdp_peer_name(c->id, me.sun_path + 1, sizeof(me.sun_path) - 1);
	/* Without the name only the display's log loses the client's address. */
	if (name > 0)
		bind(fd, (struct sockaddr *)&me,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)name));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "%s: %s", sa.sun_path,
			 errno == EAGAIN ? "the display is not accepting (backlog full)" :
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (uv_pipe_init(c->gw->loop, &c->pipe, 0)) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	c->handles++;
	c->pipe_open = 1;
	gw_stream_init(&c->vm, c, (uv_stream_t *)&c->pipe);
	if (uv_pipe_open(&c->pipe, fd)) {
		snprintf(err, errlen, "cannot use the connection to %s", sa.sun_path);
		close(fd);
		return -1;
	}
	return 0;
}

/* The user's only VM (an admin's: the only VM in the database). */
static int only_vm(struct gw *gw, const char *user, char vm[AUTH_NAME_MAX + 1], int *count)
{
	char **names = auth_user_vms(gw->auth, user);
	int n = 0;

	while (names && names[n])
		n++;
	if (n == 1)
		snprintf(vm, AUTH_NAME_MAX + 1, "%s", names[0]);
	auth_strv_free(names);
	*count = n;
	return n == 1;
}

/* The ticket's VM and user: 0, or -1 after refusing. A ticket is checked
 * against the routing token's VM when there is one too. */
static int redeem(struct gw_conn *c, const char *token_vm, char *user, char *vm)
{
	struct gw_rdp *r = c->rdp;
	enum auth_ticket_result tr;
	char metric[32];

	tr = auth_ticket_redeem(c->gw->auth, r->pcb.blob, token_vm[0] ? token_vm : NULL,
				AUTH_PROTO_RDP, (uint64_t)time(NULL), user, vm);
	explicit_bzero(r->pcb.blob, sizeof(r->pcb.blob));
	if (tr == AUTH_TICKET_OK) {
		if (token_vm[0])
			snprintf(vm, AUTH_NAME_MAX + 1, "%s", token_vm);
		return 0;
	}
	snprintf(metric, sizeof(metric), "ticket_%s", auth_ticket_result_name(tr));
	gw_metrics_auth_failure(&c->gw->m, metric);
	refuse(c, GW_RR_TICKET, "ticket refused (%s)%s%s", auth_ticket_result_name(tr),
	       token_vm[0] ? " for vm=" : "", token_vm);
	return -1;
}

/* Which VM, by the rules of docs/gateway.md; user is "-" unless a ticket
 * says. 0, or -1 after refusing. */
static int choose(struct gw_conn *c, char *user, char *vm)
{
	struct gw_rdp *r = c->rdp;
	char token_vm[AUTH_NAME_MAX + 1] = "", who[AUTH_NAME_MAX + 1];
	int n;

	snprintf(user, AUTH_NAME_MAX + 1, "-");
	if (r->cr.line == GW_RDP_LINE_TOKEN &&
	    (gw_rdp_token_vm(r->cr.text, token_vm) || !auth_name_valid(token_vm))) {
		refuse(c, GW_RR_NO_VM, "the routing token '%.64s' names no VM (write it "
		       "'Cookie: msts=porthole:VM')", r->cr.text);
		return -1;
	}
	if (r->pcb.blob[0])
		return redeem(c, token_vm, user, vm);
	if (token_vm[0]) {
		snprintf(vm, AUTH_NAME_MAX + 1, "%s", token_vm);
		return 0;
	}
	if (r->cr.line == GW_RDP_LINE_COOKIE) {
		if (gw_rdp_cookie_user(r->cr.text, who) || !auth_name_valid(who)) {
			refuse(c, GW_RR_NO_VM, "the cookie's user '%.64s' is not a user name",
			       r->cr.text);
			return -1;
		}
		if (only_vm(c->gw, who, vm, &n))
			return 0;
		refuse(c, GW_RR_NO_SINGLE_VM, "user=%s (mstshash) has %d VMs, not one: name "
		       "the VM (routing token Cookie: msts=porthole:VM) or use a ticket", who, n);
		return -1;
	}
	refuse(c, GW_RR_NO_VM, "nothing names a VM: no ticket in a preconnection PDU, no "
	       "routing token Cookie: msts=porthole:VM, no mstshash cookie");
	return -1;
}

static void route(struct gw_conn *c)
{
	struct gw_rdp *r = c->rdp;
	char user[AUTH_NAME_MAX + 1], vm[AUTH_NAME_MAX + 1], err[PATH_MAX + 64];
	const char *why;
	size_t n;

	gw_conn_timer(c, 0, NULL);
	gw_stream_read(&c->client, 0);
	/* Before the ticket: a client that cannot be served keeps it. */
	if (!(r->cr.protocols & GW_RDP_PROTOCOLS_TLS)) {
		refuse_security(c);
		return;
	}
	if (choose(c, user, vm))
		return;
	if (connect_display(c, vm, err, sizeof(err))) {
		refuse(c, GW_RR_VM_NOT_RUNNING, "vm=%s: %s", vm, err);
		return;
	}
	gw_relay_start(c, GW_SP_RDP, user, vm);
	/* The request as it came, and whatever followed it. */
	n = r->len - r->pcb_len;
	c->sess.bytes_in += n;
	c->gw->m.bytes[GW_SP_RDP][0] += n;
	if (gw_stream_send(&c->vm, r->buf + r->pcb_len, n, &why)) {
		snprintf(c->end_error, sizeof(c->end_error), "%s", why);
		gw_conn_end(c, "vm-error");
		return;
	}
	c->rdp = NULL;
	gw_rdp_free(r);
}

static void parse(struct gw_conn *c)
{
	struct gw_rdp *r = c->rdp;

	if (r->first == GW_PROTO_RDP_PCB && !r->have_pcb) {
		switch (gw_rdp_parse_pcb(r->buf, r->len, &r->pcb)) {
		case GW_RDP_NEED_MORE:
			return;
		case GW_RDP_BAD:
			refuse(c, GW_RR_MALFORMED, "malformed preconnection PDU");
			return;
		case GW_RDP_OK:
			r->have_pcb = 1;
			r->pcb_len = r->pcb.len;
			break;
		}
	}
	switch (gw_rdp_parse_cr(r->buf + r->pcb_len, r->len - r->pcb_len, &r->cr)) {
	case GW_RDP_NEED_MORE:
		return;
	case GW_RDP_BAD:
		refuse(c, GW_RR_MALFORMED, "malformed X.224 connection request%s",
		       r->have_pcb ? " after the preconnection PDU" : "");
		return;
	case GW_RDP_OK:
		route(c);
		return;
	}
}

static void rdp_data(struct gw_stream *s, const uint8_t *buf, size_t len)
{
	struct gw_conn *c = s->conn;
	struct gw_rdp *r = c->rdp;

	if (!r || c->ending)
		return;
	if (len > sizeof(r->buf) - r->len) {
		refuse(c, GW_RR_MALFORMED, "more than a preconnection PDU and a connection "
		       "request (%zu bytes) before any answer", r->len + len);
		return;
	}
	memcpy(r->buf + r->len, buf, len);
	r->len += len;
	parse(c);
}

static void rdp_end(struct gw_stream *s, const char *err)
{
	gw_conn_close(s->conn);
}

static const struct gw_stream_ops rdp_ops = {
	.data = rdp_data,
	.end = rdp_end,
};

static void on_timeout(uv_timer_t *t)
{
	struct gw_conn *c = t->data;

	refuse(c, GW_RR_TIMEOUT, "no whole connection request within %d s of connecting",
	       GW_RDP_HEAD_MS / 1000);
}

int gw_rdp_start(struct gw_conn *c, enum gw_proto p)
{
	uint64_t spent = gw_now_ms() - c->accepted_ms;

	c->rdp = calloc(1, sizeof(*c->rdp));
	if (!c->rdp)
		return -1;
	c->rdp->first = p;
	c->stage = GW_ST_RDP;
	c->client.ops = &rdp_ops;
	gw_conn_timer(c, spent < GW_RDP_HEAD_MS ? GW_RDP_HEAD_MS - spent : 0, on_timeout);
	return 0;
}
