// SPDX-License-Identifier: MIT
/*
 * The JSON API and the routes inside TLS (docs/gateway.md has the table).
 * The session is the porthole_session cookie; every state-changing request
 * is a POST of JSON from the same host (a form on another site can send
 * neither that Content-Type nor a foreign Origin unnoticed).
 */
#include "gw.h"
#include "proto/rdp_file.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define COOKIE "porthole_session"
#define COOKIE_ATTRS "HttpOnly; Secure; SameSite=Strict; Path=/"

static const char msg_not_found[] = "Not found.";
static const char msg_login[] = "Not logged in.";

static void reply_json(struct gw_conn *c, int status, const char *extra, json_t *j,
		       unsigned delay_ms)
{
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!body) {
		gw_conn_close(c);
		return;
	}
	gw_http_reply(c, status, "application/json", extra, body, strlen(body), delay_ms);
	free(body);
}

static void not_allowed(struct gw_conn *c, const char *allow)
{
	char extra[64];

	snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow);
	gw_http_reply(c, 405, "application/json", extra, "{\"error\":\"Method not allowed.\"}",
		      31, 0);
}

/* The logged-in user, or "" (and 0). */
static int session_user(struct gw_conn *c, const struct gw_http_req *r,
			char user[AUTH_NAME_MAX + 1])
{
	char token[AUTH_SESSION_MAX];

	user[0] = 0;
	if (gw_http_cookie(r, COOKIE, token, sizeof(token)) ||
	    auth_session_user(c->gw->auth, token, gw_now_ms(), user)) {
		user[0] = 0;
		return 0;
	}
	return 1;
}

/* POST, JSON, same host; answers and returns 0 otherwise. */
static int post_ok(struct gw_conn *c, const struct gw_http_req *r)
{
	const char *ct = gw_http_header(r, "Content-Type");

	if (strcmp(r->method, "POST") != 0) {
		not_allowed(c, "POST");
		return 0;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		gw_http_error(c, 415, "Send JSON (Content-Type: application/json).", 0);
		return 0;
	}
	if (!gw_http_origin_ok(r)) {
		gw_http_error(c, 403, "Cross-site request refused.", 0);
		return 0;
	}
	return 1;
}

/* A GET or HEAD by a logged-in user (into user); answers and returns 0
 * otherwise. */
static int get_ok(struct gw_conn *c, const struct gw_http_req *r,
		  char user[AUTH_NAME_MAX + 1])
{
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
		not_allowed(c, "GET, HEAD");
		return 0;
	}
	if (!session_user(c, r, user)) {
		gw_http_error(c, 401, msg_login, 0);
		return 0;
	}
	return 1;
}

static json_t *body_json(const struct gw_http_req *r)
{
	if (r->body_len == 0)
		return json_object();
	return json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, NULL);
}

static json_t *whoami(struct gw_conn *c, const char *user)
{
	return json_pack("{s:s,s:b}", "user", user, "admin",
			 auth_user_is_admin(c->gw->auth, user));
}

static void login_done(struct gw_conn *c, const char *user, const struct auth_verdict *v)
{
	char token[AUTH_SESSION_MAX], extra[AUTH_SESSION_MAX + 128];
	int totp = 0;

	switch (v->result) {
	case AUTH_OK:
		if (auth_session_new(c->gw->auth, user, gw_now_ms(), token)) {
			gw_http_error(c, 503, "Too many sessions. Try again later.", 0);
			return;
		}
		snprintf(extra, sizeof(extra), "Set-Cookie: " COOKIE "=%s; " COOKIE_ATTRS "\r\n",
			 token);
		explicit_bzero(token, sizeof(token));
		reply_json(c, 200, extra, whoami(c, user), v->delay_ms);
		return;
	case AUTH_TOTP_NEEDED:
		totp = 1;
		break;
	case AUTH_DENIED:
		/* The password was right and the code wrong: docs/gateway.md
		 * asks for the code again rather than for everything. */
		totp = v->reason && strcmp(v->reason, "bad_totp") == 0;
		break;
	case AUTH_LOCKED:
		break;
	}
	gw_metrics_auth_failure(&c->gw->m, v->reason);
	gw_log("login failed user=%s source=%s protocol=web reason=%s", user, c->source,
	       v->reason ? v->reason : "?");
	if (v->result == AUTH_LOCKED)
		gw_http_error(c, 429, "Too many failed attempts. Try again later.", v->delay_ms);
	else if (totp)
		reply_json(c, 401, NULL,
			   json_pack("{s:s,s:b}", "error",
				     v->result == AUTH_TOTP_NEEDED ?
				     "Enter the code from your authenticator app." :
				     "That code is not right.", "totp_required", 1),
			   v->delay_ms);
	else
		gw_http_error(c, 401, "Invalid user name or password.", v->delay_ms);
}

static void api_login(struct gw_conn *c, const struct gw_http_req *r)
{
	json_t *j, *jp;
	const char *user, *password, *totp = NULL;

	if (!post_ok(c, r))
		return;
	j = body_json(r);
	user = json_string_value(json_object_get(j, "user"));
	jp = json_object_get(j, "password");
	password = json_string_value(jp);
	if (json_is_string(json_object_get(j, "totp")))
		totp = json_string_value(json_object_get(j, "totp"));
	if (!user || !password) {
		gw_http_error(c, 400, "Send a user name and a password.", 0);
	} else if (gw_login(c, user, password, totp, login_done)) {
		gw_http_error(c, 503, "Out of memory.", 0);
	}
	/* Nothing keeps the password longer than the log-in needs it. */
	if (password)
		explicit_bzero((char *)password, json_string_length(jp));
	if (r->body)
		explicit_bzero(r->body, r->body_len);
	json_decref(j);
}

static void api_logout(struct gw_conn *c, const struct gw_http_req *r)
{
	char token[AUTH_SESSION_MAX];

	if (!post_ok(c, r))
		return;
	if (gw_http_cookie(r, COOKIE, token, sizeof(token)) == 0)
		auth_session_end(c->gw->auth, token);
	gw_http_reply(c, 204, NULL, "Set-Cookie: " COOKIE "=; " COOKIE_ATTRS "; Max-Age=0\r\n",
		      NULL, 0, 0);
}

static void api_me(struct gw_conn *c, const struct gw_http_req *r)
{
	char user[AUTH_NAME_MAX + 1];

	if (get_ok(c, r, user))
		reply_json(c, 200, NULL, whoami(c, user), 0);
}

/* Whether the VM's display serves sock ("vnc.sock", "rdp.sock"). */
static int vm_serves(struct gw *gw, const char *vm, const char *sock)
{
	char path[PATH_MAX];
	struct stat st;

	int n = snprintf(path, sizeof(path), "%s/%s/%s", gw->cfg.run_dir, vm, sock);

	return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0 &&
	       S_ISSOCK(st.st_mode);
}

static int vm_running(struct gw *gw, const char *vm)
{
	return vm_serves(gw, vm, "vnc.sock");
}

/* What a client can open the VM with: noVNC always, RDP when the display
 * serves it. */
static json_t *vm_protocols(struct gw *gw, const char *vm)
{
	json_t *p = json_pack("[s]", "vnc");

	if (p && vm_serves(gw, vm, "rdp.sock"))
		json_array_append_new(p, json_string("rdp"));
	return p;
}

static void api_vms(struct gw_conn *c, const struct gw_http_req *r)
{
	char user[AUTH_NAME_MAX + 1];
	char **names;
	json_t *list;

	if (!get_ok(c, r, user))
		return;
	names = auth_user_vms(c->gw->auth, user);
	list = json_array();
	for (size_t i = 0; names && list && names[i]; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "name", names[i],
			"state", vm_running(c->gw, names[i]) ? "running" : "stopped",
			"protocols", vm_protocols(c->gw, names[i])));
	if (!names) {
		json_decref(list);
		list = NULL;
	}
	auth_strv_free(names);
	reply_json(c, 200, NULL, list ? json_pack("{s:o}", "vms", list) : NULL, 0);
}

/* A VM this user may reach and that exists: in the database or running. */
static int vm_reachable(struct gw *gw, const char *user, const char *vm)
{
	char **names;
	int found = 0;

	if (!auth_name_valid(vm) || !auth_vm_allowed(gw->auth, user, vm))
		return 0;
	if (vm_running(gw, vm))
		return 1;
	names = auth_user_vms(gw->auth, user);
	for (size_t i = 0; names && names[i] && !found; i++)
		found = strcmp(names[i], vm) == 0;
	auth_strv_free(names);
	return found;
}

static void api_ticket(struct gw_conn *c, const struct gw_http_req *r, const char *vm)
{
	char user[AUTH_NAME_MAX + 1], ticket[AUTH_TICKET_MAX], url[AUTH_TICKET_MAX + 64];
	const char *proto = "vnc";
	enum auth_proto p;
	json_t *j;

	if (!post_ok(c, r))
		return;
	if (!session_user(c, r, user)) {
		gw_http_error(c, 401, msg_login, 0);
		return;
	}
	j = body_json(r);
	if (!json_is_object(j)) {
		json_decref(j);
		gw_http_error(c, 400, "Send a JSON object.", 0);
		return;
	}
	if (json_object_get(j, "protocol"))
		proto = json_string_value(json_object_get(j, "protocol"));
	if (!proto || auth_proto_parse(proto, &p) || p != AUTH_PROTO_VNC) {
		json_decref(j);
		gw_http_error(c, 400, "Only the protocol \"vnc\" is served.", 0);
		return;
	}
	json_decref(j);
	if (!vm_reachable(c->gw, user, vm) ||
	    auth_ticket_issue(c->gw->auth, user, vm, p, (uint64_t)time(NULL), ticket)) {
		gw_http_error(c, 404, "No such VM.", 0);
		return;
	}
	snprintf(url, sizeof(url), "/vnc/%s?ticket=%s", vm, ticket);
	reply_json(c, 200, NULL, json_pack("{s:s,s:i,s:s}", "ticket", ticket,
					   "expires_in", AUTH_TICKET_TTL_S, "url", url), 0);
}

/* The Host header as a host and a port (443 when it names none: the
 * browser came by https). 0, or -1 if it is not of that form. */
static int host_port(const char *h, char *host, size_t len, unsigned *port)
{
	const char *end = h, *colon;
	char *stop;
	unsigned long n;

	if (!h)
		return -1;
	if (h[0] == '[') {
		end = strchr(h, ']');
		if (!end)
			return -1;
	}
	colon = strchr(end, ':');
	if (colon && strchr(colon + 1, ':'))
		return -1;
	*port = 443;
	if (colon) {
		n = strtoul(colon + 1, &stop, 10);
		if (!colon[1] || *stop || n == 0 || n > 65535)
			return -1;
		*port = (unsigned)n;
	}
	n = colon ? (size_t)(colon - h) : strlen(h);
	if (n == 0 || n >= len)
		return -1;
	memcpy(host, h, n);
	host[n] = 0;
	return 0;
}

/* GET /api/vms/NAME/rdp: a .rdp file with a fresh RDP ticket, for the
 * client to open (docs/gateway.md, "RDP"). */
static void api_rdp(struct gw_conn *c, const struct gw_http_req *r, const char *vm)
{
	char user[AUTH_NAME_MAX + 1], ticket[AUTH_TICKET_MAX], host[256], file[1024];
	char extra[AUTH_NAME_MAX + 96];
	unsigned port;
	int n;

	if (!get_ok(c, r, user))
		return;
	if (!vm_reachable(c->gw, user, vm)) {
		gw_http_error(c, 404, "No such VM.", 0);
		return;
	}
	if (!vm_serves(c->gw, vm, "rdp.sock")) {
		gw_http_error(c, 503, "The VM's RDP server is not running.", 0);
		return;
	}
	if (host_port(gw_http_header(r, "Host"), host, sizeof(host), &port) ||
	    !gw_rdp_file_host_ok(host)) {
		gw_http_error(c, 400, "The Host header names no host a .rdp file can use.", 0);
		return;
	}
	if (auth_ticket_issue(c->gw->auth, user, vm, AUTH_PROTO_RDP, (uint64_t)time(NULL),
			      ticket)) {
		gw_http_error(c, 503, "Too many tickets are live: try again in a minute.", 0);
		return;
	}
	n = gw_rdp_file(file, sizeof(file), host, port, user, ticket);
	explicit_bzero(ticket, sizeof(ticket));
	if (n < 0) {
		gw_http_error(c, 500, "Cannot write the .rdp file.", 0);
		return;
	}
	snprintf(extra, sizeof(extra),
		 "Content-Disposition: attachment; filename=\"%s.rdp\"\r\n", vm);
	gw_http_reply(c, 200, "application/x-rdp", extra, file, (size_t)n, 0);
	explicit_bzero(file, sizeof(file));
}

static void metrics(struct gw_conn *c, const struct gw_http_req *r)
{
	char user[AUTH_NAME_MAX + 1];
	size_t len;
	char *text;

	if (!c->loopback && !(session_user(c, r, user) &&
			      auth_user_is_admin(c->gw->auth, user))) {
		gw_http_error(c, 404, msg_not_found, 0);
		return;
	}
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
		not_allowed(c, "GET, HEAD");
		return;
	}
	text = gw_metrics_format(&c->gw->m, &len);
	if (!text) {
		gw_conn_close(c);
		return;
	}
	gw_http_reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, text, len, 0);
	free(text);
}

/* "/api/vms/NAME/" + what -> NAME (in buf), or NULL. */
static const char *vm_path(const char *path, const char *what, char *buf, size_t len)
{
	const char *name, *slash;

	if (strncmp(path, "/api/vms/", 9))
		return NULL;
	name = path + 9;
	slash = strchr(name, '/');
	if (!slash || strcmp(slash + 1, what) || (size_t)(slash - name) >= len)
		return NULL;
	memcpy(buf, name, (size_t)(slash - name));
	buf[slash - name] = 0;
	return buf;
}

void gw_api_handle(struct gw_conn *c, const struct gw_http_req *r)
{
	const char *path = r->path;
	char vm[AUTH_NAME_MAX + 2];

	if (r->upgrade && strncmp(path, "/vnc/", 5) != 0) {
		gw_http_no_keep_alive(c);
		if (strcmp(r->method, "CONNECT") == 0)
			gw_http_error(c, 501, "CONNECT is not served yet.", 0);
		else
			gw_http_error(c, 404, msg_not_found, 0);
		return;
	}
	if (strncmp(path, "/vnc/", 5) == 0) {
		if (!r->upgrade) {
			gw_http_error(c, 426, "This is a WebSocket endpoint.", 0);
			return;
		}
		gw_ws_relay_start(c, r, path + 5);
		return;
	}
	if (strcmp(path, "/api/login") == 0)
		api_login(c, r);
	else if (strcmp(path, "/api/logout") == 0)
		api_logout(c, r);
	else if (strcmp(path, "/api/me") == 0)
		api_me(c, r);
	else if (strcmp(path, "/api/vms") == 0)
		api_vms(c, r);
	else if (vm_path(path, "ticket", vm, sizeof(vm)))
		api_ticket(c, r, vm);
	else if (vm_path(path, "rdp", vm, sizeof(vm)))
		api_rdp(c, r, vm);
	else if (strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0)
		gw_http_error(c, 404, msg_not_found, 0);
	else if (strcmp(path, "/metrics") == 0)
		metrics(c, r);
	else if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		not_allowed(c, "GET, HEAD");
	else
		gw_static_serve(c, r);
}
