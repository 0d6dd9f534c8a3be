// SPDX-License-Identifier: MIT
/*
 * Log-ins on libuv's worker pool: one Argon2id verification is ~50 ms of
 * CPU, which the loop must not spend. The job owns copies of the strings;
 * the password copy is wiped as soon as auth_login has it checked.
 */
#include "gw.h"

#include <stdlib.h>
#include <string.h>

struct login_job {
	uv_work_t w;
	struct gw_conn *c;
	struct auth *auth;
	gw_login_cb done;
	char *user, *password, *totp;
	size_t password_len;
	char source[INET6_ADDRSTRLEN];
	struct auth_verdict v;
};

static void job_free(struct login_job *j)
{
	if (j->password)
		explicit_bzero(j->password, j->password_len);
	free(j->user);
	free(j->password);
	free(j->totp);
	free(j);
}

static void login_work(uv_work_t *w)
{
	struct login_job *j = w->data;

	auth_login(j->auth, j->user, j->password, j->totp, j->source, gw_now_ms(), &j->v);
	explicit_bzero(j->password, j->password_len);
}

static void login_after(uv_work_t *w, int status)
{
	struct login_job *j = w->data;
	struct gw_conn *c = j->c;

	if (status < 0) {
		j->v.result = AUTH_DENIED;
		j->v.reason = "cancelled";
	}
	if (!gw_conn_work_done(c))
		j->done(c, j->user, &j->v);
	job_free(j);
}

int gw_login(struct gw_conn *c, const char *user, const char *password,
	     const char *totp, gw_login_cb done)
{
	struct login_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -1;
	j->w.data = j;
	j->c = c;
	j->auth = c->gw->auth;
	j->done = done;
	j->user = strdup(user);
	j->password_len = strlen(password);
	j->password = strdup(password);
	j->totp = totp ? strdup(totp) : NULL;
	snprintf(j->source, sizeof(j->source), "%s", c->addr);
	if (!j->user || !j->password || (totp && !j->totp) ||
	    uv_queue_work(c->gw->loop, &j->w, login_work, login_after)) {
		job_free(j);
		return -1;
	}
	c->work++;
	return 0;
}
