// SPDX-License-Identifier: MIT
/* porthole-display: serve one VM's screen until told to stop. */
#include <errno.h>
#include <limits.h>
#include <sanitizer/lsan_interface.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "display.h"
#include "loop.h"
#include "rdp.h"
#include "rundir.h"
#include "source_vnc.h"
#include "vnc.h"

struct sigwatch {
	struct dloop *loop;
	int fd;
	struct dloop_watch watch;
};

/* FreeRDP 2.11's TLS accept never frees the certificate and key it reads
 * for each RDP connection (about 6 KB, all of it allocated inside
 * libcrypto, which the display uses through FreeRDP only): known, not
 * ours (docs/rdp.md, "Limits"). */
const char *__lsan_default_suppressions(void)
{
	return "leak:libcrypto.so\n";
}

static void on_signal(void *opaque, uint32_t events)
{
	struct sigwatch *sw = opaque;
	struct signalfd_siginfo si;

	if (read(sw->fd, &si, sizeof(si)) == sizeof(si))
		dloop_stop(sw->loop, 0);
}

int main(int argc, char **argv)
{
	char err[512] = "", base[PATH_MAX - 128], run_dir[PATH_MAX], desc[3 * PATH_MAX];
	char state[PATH_MAX - 32], cert[PATH_MAX], key[PATH_MAX];
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
	/* RDP's TLS is the gateway's certificate; read per connection, so a
	 * display started before the gateway's first run is fine. */
	cert[0] = key[0] = 0;
	if (c.rdp_cert) {
		snprintf(cert, sizeof(cert), "%s", c.rdp_cert);
		snprintf(key, sizeof(key), "%s", c.rdp_key);
	} else if (c.state_dir || auth_state_dir_default(state, sizeof(state)) == 0) {
		const char *dir = c.state_dir ? c.state_dir : state;

		snprintf(cert, sizeof(cert), "%s/tls/cert.pem", dir);
		snprintf(key, sizeof(key), "%s/tls/key.pem", dir);
	}

	/* Signals are read by the loop; block them before any thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	vnc_log_setup(c.verbose);
	rdp_log_setup(c.verbose);
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
	cfg.run_base = base;
	cfg.rdp_listen = c.rdp_listen;
	cfg.rdp_cert = cert;
	cfg.rdp_key = key;
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
