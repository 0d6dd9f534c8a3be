// SPDX-License-Identifier: MIT
/*
 * porthole-gateway: serve this host's VMs on one port until SIGINT or
 * SIGTERM (exit 0: connections are closed, sessions logged as ended).
 * SIGHUP reloads the certificate and the user database.
 */
#include "gw.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const int signals[3] = { SIGINT, SIGTERM, SIGHUP };

static void refresh(struct gw *gw)
{
	char err[AUTH_ERR_MAX] = "";

	if (auth_refresh(gw->auth, err, sizeof(err)) >= 0) {
		gw->refresh_err[0] = 0;
		return;
	}
	/* Once per new problem, not once a second. */
	if (strcmp(err, gw->refresh_err)) {
		gw_log("cannot reload the users (the old ones stay in use): %s", err);
		snprintf(gw->refresh_err, sizeof(gw->refresh_err), "%s", err);
	}
}

static void on_refresh(uv_timer_t *t)
{
	refresh(t->data);
}

static void stop(struct gw *gw)
{
	if (gw->stopping)
		return;
	gw->stopping = 1;
	gw_listen_close(gw);
	gw_authd_stop(gw);
	uv_close((uv_handle_t *)&gw->refresh, NULL);
	for (int i = 0; i < 3; i++)
		uv_close((uv_handle_t *)&gw->sig[i], NULL);
	gw_conn_close_all(gw);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct gw *gw = h->data;
	char err[512];

	if (signum != SIGHUP) {
		gw_log("stopping (%s)", strsignal(signum));
		stop(gw);
		return;
	}
	if (gw_tls_setup(gw, err, sizeof(err)))
		gw_log("SIGHUP: %s; the old certificate stays in use", err);
	refresh(gw);
	gw_log("reloaded");
}

/* Each connection may hold two descriptors (client, VM): take the hard
 * limit, and accept no more connections than it allows. */
static void fd_budget(struct gw *gw)
{
	struct rlimit rl;
	rlim_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	room = rl.rlim_cur > 64 ? (rl.rlim_cur - 64) / 2 : 1;
	if (room < gw->cfg.max_connections) {
		gw_log("at most %llu connections: the limit of open files is %llu",
		       (unsigned long long)room, (unsigned long long)rl.rlim_cur);
		gw->cfg.max_connections = (unsigned)room;
	}
}

/* The loop's handles, before anything can fail. */
static void handles_init(struct gw *gw)
{
	uv_timer_init(gw->loop, &gw->refresh);
	gw->refresh.data = gw;
	for (int i = 0; i < 3; i++) {
		uv_signal_init(gw->loop, &gw->sig[i]);
		gw->sig[i].data = gw;
	}
}

static int start(struct gw *gw, char *err, size_t errlen)
{
	gw->auth = auth_open(gw->cfg.state_dir, err, errlen);
	if (!gw->auth)
		return -1;
	if (gw->cfg.web_root && !realpath(gw->cfg.web_root, gw->web_root)) {
		snprintf(err, errlen, "--web-root %s: %s", gw->cfg.web_root, strerror(errno));
		return -1;
	}
	if (strcmp(gw->web_root, "/") == 0) {
		snprintf(err, errlen, "--web-root /: that would serve every file of the host");
		return -1;
	}
	if (gw_tls_setup(gw, err, errlen) || gw_authd_start(gw, err, errlen) ||
	    gw_listen_all(gw, err, errlen))
		return -1;
	uv_timer_start(&gw->refresh, on_refresh, 1000, 1000);
	for (int i = 0; i < 3; i++)
		uv_signal_start(&gw->sig[i], on_signal, signals[i]);
	return 0;
}

int main(int argc, char **argv)
{
	char err[1024] = "";
	uv_loop_t loop;
	struct gw *gw;
	int ret = 1;

	gw = calloc(1, sizeof(*gw));
	if (!gw) {
		fprintf(stderr, "porthole-gateway: out of memory\n");
		return 1;
	}
	switch (gw_cli_parse(argc, argv, &gw->cfg, stdout, err, sizeof(err))) {
	case 1:
		free(gw);
		return 0;
	case -1:
		fprintf(stderr, "porthole-gateway: %s\n", err);
		free(gw);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (uv_loop_init(&loop)) {
		fprintf(stderr, "porthole-gateway: cannot start the event loop\n");
		free(gw);
		return 1;
	}
	gw->loop = &loop;
	fd_budget(gw);
	handles_init(gw);
	if (start(gw, err, sizeof(err)) == 0)
		ret = 0;
	else
		gw_log("%s", err);
	if (ret)
		stop(gw);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (gw->auth)
		auth_close(gw->auth);
	SSL_CTX_free(gw->tls_ctx);
	SSL_CTX_free(gw->anon_ctx);
	free(gw);
	return ret;
}
