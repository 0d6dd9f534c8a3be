// SPDX-License-Identifier: MIT
/* porthole-display: serve one VM's screen until told to stop. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "display.h"
#include "loop.h"
#include "rundir.h"
#include "source_vnc.h"
#include "vnc.h"

struct sigwatch {
	struct dloop *loop;
	int fd;
	struct dloop_watch watch;
};

static void on_signal(void *opaque, uint32_t events)
{
	struct sigwatch *sw = opaque;
	struct signalfd_siginfo si;

	if (read(sw->fd, &si, sizeof(si)) == sizeof(si))
		dloop_stop(sw->loop, 0);
}

int main(int argc, char **argv)
{
	char err[512] = "", base[PATH_MAX - 128], run_dir[PATH_MAX], desc[PATH_MAX + 128];
	struct display_config cfg = { 0 };
	struct sigwatch sw = { .fd = -1 };
	struct display *d = NULL;
	struct dloop *loop = NULL;
	struct display_cli c;
	sigset_t set;
	int ret = 1;

	switch (display_cli_parse(argc, argv, &c, stdout, err, sizeof(err))) {
	case 1:
		return 0;
	case -1:
		fprintf(stderr, "porthole-display: %s\n", err);
		return 1;
	}
	if (c.run_base)
		snprintf(base, sizeof(base), "%s", c.run_base);
	else
		rundir_default_base(base, sizeof(base));
	snprintf(run_dir, sizeof(run_dir), "%s/%s", base, c.name);

	/* Signals are read by the loop; block them before any thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	vnc_log_setup(c.verbose);
	source_vnc_log_setup(c.verbose);

	if (dloop_create(&loop, err, sizeof(err)))
		goto out;
	sw.loop = loop;
	sw.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sw.fd < 0 || dloop_watch(loop, &sw.watch, sw.fd, EPOLLIN, on_signal, &sw)) {
		snprintf(err, sizeof(err), "cannot watch signals: %s", strerror(errno));
		goto out;
	}
	cfg.name = c.name;
	cfg.run_dir = run_dir;
	cfg.source = c.source;
	cfg.vnc_listen = c.vnc_listen;
	cfg.verbose = c.verbose;
	if (display_create(&d, &cfg, loop, err, sizeof(err)))
		goto out;
	display_describe(d, desc, sizeof(desc));
	fprintf(stderr, "porthole-display: %s: %s\n", c.name, desc);
	ret = dloop_run(loop) ? 1 : 0;
out:
	if (ret && err[0])
		fprintf(stderr, "porthole-display: %s\n", err);
	display_destroy(d);
	if (sw.fd >= 0)
		close(sw.fd);
	dloop_destroy(loop);
	return ret;
}
