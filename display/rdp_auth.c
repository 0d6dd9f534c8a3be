// SPDX-License-Identifier: MIT
/*
 * Logon: the user name and password from the client's Client Info PDU
 * (sent inside TLS, before any picture) are checked by the gateway's auth
 * service (auth/authsvc.h): the display never reads the password database.
 * A refusal gets the client a logon error and the connection closes; the
 * log line says why. Clients that send no password would need a logon
 * screen, which this server does not draw (docs/rdp.md).
 */
#include "rdp_priv.h"

#include <stdio.h>
#include <string.h>

#include <freerdp/error.h>
#include <freerdp/session.h>
#include <winpr/crt.h>

#include "authsvc.h"

/* The gateway holds a failed attempt back for a while: wait longer. */
#define AUTH_TIMEOUT_MS 15000

static void refuse(struct rdp_peer *p, uint32_t logon_error)
{
	rdpContext *ctx = p->client->context;
	logon_info_ex info = { 0 };

	info.haveErrorInfo = TRUE;
	info.ErrorNotificationType = LOGON_MSG_SESSION_TERMINATE;
	info.ErrorNotificationData = logon_error;
	ctx->update->SaveSessionInfo(ctx, INFO_TYPE_LOGON_EXTENDED_INF, &info);
	freerdp_set_error_info(ctx->rdp, ERRINFO_SERVER_DENIED_CONNECTION);
	freerdp_send_error_info(ctx->rdp);
}

/* "DOMAIN\user" as some clients send it: the part after the backslash. */
static const char *bare_user(const char *user)
{
	const char *bs = strrchr(user, '\\');

	return bs ? bs + 1 : user;
}

static int fill(struct authsvc_request *q, struct rdp_peer *p,
		const rdpSettings *s)
{
	const char *user = s->Username ? bare_user(s->Username) : "";

	memset(q, 0, sizeof(*q));
	q->proto = AUTH_PROTO_RDP;
	if (strlen(p->r->name) >= sizeof(q->vm) ||
	    strlen(user) >= sizeof(q->user) ||
	    strlen(s->Password) >= sizeof(q->password))
		return -1;
	strcpy(q->vm, p->r->name);
	strcpy(q->user, user);
	strcpy(q->password, s->Password);
	snprintf(q->source, sizeof(q->source), "%s", p->addr);
	return 0;
}

/* The name for log lines: what the client sent, printable. */
static void log_name(char *out, size_t len, const char *user)
{
	size_t o = 0;

	for (; user && *user && o + 1 < len; user++)
		out[o++] = *user > 0x20 && *user < 0x7f ? *user : '?';
	if (!o && len > 1)
		out[o++] = '?';
	out[o] = 0;
}

/* The password is of no use once checked: not kept in FreeRDP's memory. */
static void forget_password(rdpSettings *s)
{
	if (s->Password)
		memset(s->Password, 0, strlen(s->Password));
	freerdp_settings_set_string(s, FreeRDP_Password, NULL);
}

static int check(struct rdp_peer *p, const rdpSettings *s)
{
	struct authsvc_request q;
	struct authsvc_answer a;
	char err[300];
	int rc;

	log_name(p->user, sizeof(p->user), s->Username ? bare_user(s->Username) : NULL);
	if (!s->Password || !*s->Password || !s->Username || !*s->Username) {
		rdp_log(p, "refused: the client sent no %s; give the RDP client your Porthole user name and password (this server draws no logon screen)",
			s->Username && *s->Username ? "password" : "user name");
		refuse(p, LOGON_FAILED_OTHER);
		return -1;
	}
	if (fill(&q, p, s) < 0) {
		rdp_log(p, "refused: user name or password too long");
		refuse(p, LOGON_FAILED_BAD_PASSWORD);
		return -1;
	}
	rc = authsvc_verify(p->r->run_base, &q, AUTH_TIMEOUT_MS, &a, err,
			    sizeof(err));
	memset(q.password, 0, sizeof(q.password));
	if (rc < 0) {
		rdp_log(p, "refused %s: cannot check the password: %s", p->user, err);
		refuse(p, LOGON_FAILED_OTHER);
		return -1;
	}
	switch (a.result) {
	case AUTHSVC_OK:
		if (a.user[0])
			log_name(p->user, sizeof(p->user), a.user);
		return 0;
	case AUTHSVC_DENIED:
		rdp_log(p, "refused %s: wrong user name or password, or no access to %s",
			p->user, p->r->name);
		refuse(p, LOGON_FAILED_BAD_PASSWORD);
		return -1;
	case AUTHSVC_LOCKED:
		rdp_log(p, "refused %s: locked out after too many failed logons",
			p->user);
		break;
	case AUTHSVC_TOTP:
		rdp_log(p, "refused %s: the user has a one-time code (TOTP), which an RDP logon cannot carry",
			p->user);
		break;
	default:
		rdp_log(p, "refused %s: the gateway's auth service could not decide",
			p->user);
		break;
	}
	refuse(p, LOGON_FAILED_OTHER);
	return -1;
}

int rdp_auth_check(struct rdp_peer *p)
{
	rdpSettings *s = p->client->context->settings;
	int rc = check(p, s);

	forget_password(s);
	return rc;
}
