// SPDX-License-Identifier: MIT
/*
 * noVNC's console: GET /vnc/NAME?ticket=T with a WebSocket upgrade. The
 * ticket (single use, bound to user, VM and protocol) is the
 * authentication; the upgrade is answered only once the VM's vnc.sock
 * took the connection, so a stopped VM is a plain HTTP error. Then binary
 * messages carry raw RFB both ways; the display offers security None to
 * the gateway.
 */
#include "gw.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_vm_connect(uv_connect_t *req, int status)
{
	struct gw_conn *c = req->data;
	const uint8_t *left;
	const char *why;
	size_t n;

	if (c->closing || c->ending)
		return;
	if (status < 0) {
		gw_log("connection id=%llu source=%s: vm=%s: %s", (unsigned long long)c->id,
		       c->source, c->vm_name, uv_strerror(status));
		gw_http_error(c, 503, "The VM is not running.", 0);
		return;
	}
	if (gw_stream_send(&c->client, c->upgrade, c->upgrade_len, &why) ||
	    gw_stream_start_ws(&c->client)) {
		gw_conn_close(c);
		return;
	}
	free(c->upgrade);
	c->upgrade = NULL;
	left = gw_http_leftover(c, &n);
	gw_relay_start(c, GW_SP_VNC_WS, c->user, c->vm_name);
	gw_stream_inject_plain(&c->client, left, n);
}

void gw_ws_relay_start(struct gw_conn *c, const struct gw_http_req *r, const char *vm)
{
	char answer[1024], ticket[AUTH_TICKET_MAX];
	enum auth_ticket_result tr;
	const char *reason = NULL;
	int status = 400;
	ssize_t n;

	gw_http_no_keep_alive(c);
	n = gw_ws_accept(r, answer, sizeof(answer), &status, &reason);
	if (n < 0) {
		gw_log("connection id=%llu source=%s: WebSocket upgrade refused: %s",
		       (unsigned long long)c->id, c->source, reason ? reason : "?");
		gw_http_error(c, status, "WebSocket upgrade refused.", 0);
		return;
	}
	if (!auth_name_valid(vm)) {
		gw_http_error(c, 404, "No such VM.", 0);
		return;
	}
	if (gw_http_query(r, "ticket", ticket, sizeof(ticket))) {
		gw_metrics_auth_failure(&c->gw->m, "ticket_missing");
		gw_http_error(c, 403, "A ticket is needed: open the console from the VM list.", 0);
		return;
	}
	tr = auth_ticket_redeem(c->gw->auth, ticket, vm, AUTH_PROTO_VNC, (uint64_t)time(NULL),
				c->user, NULL);
	explicit_bzero(ticket, sizeof(ticket));
	if (tr != AUTH_TICKET_OK) {
		char metric[32];

		snprintf(metric, sizeof(metric), "ticket_%s", auth_ticket_result_name(tr));
		gw_metrics_auth_failure(&c->gw->m, metric);
		gw_log("connection id=%llu source=%s: vm=%s: ticket refused (%s)",
		       (unsigned long long)c->id, c->source, vm, auth_ticket_result_name(tr));
		gw_http_error(c, 403, "The ticket is not valid any more: open the console again.", 0);
		return;
	}
	snprintf(c->vm_name, sizeof(c->vm_name), "%s", vm);
	c->upgrade = malloc((size_t)n);
	if (!c->upgrade) {
		gw_conn_close(c);
		return;
	}
	memcpy(c->upgrade, answer, (size_t)n);
	c->upgrade_len = (size_t)n;
	c->stage = GW_ST_WS;
	if (gw_conn_connect_vm(c, vm, on_vm_connect))
		gw_http_error(c, 503, "The VM's run directory path is too long.", 0);
}
