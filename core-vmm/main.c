// SPDX-License-Identifier: MIT
/* porthole-vmm: run one VM until it powers off, resets or is told to stop. */
#include "cli.h"
#include "layout.h"
#include "loop.h"
#include "rundir.h"
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_START = 1, EXIT_RESET = 3, EXIT_FATAL = 4 };

/* The demo guest sits next to the monitor: in the build tree
 * (core-vmm/../guest/demo) or installed (bin/../share/porthole). */
static int find_demo(char *out, size_t outlen, char *err, size_t errlen)
{
	static const char *const rel[] = {
		"../guest/demo/porthole-demo.elf",
		"../share/porthole/porthole-demo.elf",
	};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0) {
		snprintf(err, errlen, "cannot find my own executable: %s",
			 strerror(errno));
		return -1;
	}
	exe[n] = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(out, outlen, "%s/%s", dirname(exe), rel[i]);
		if (access(out, R_OK) == 0)
			return 0;
		exe[n] = 0; /* dirname() wrote into it */
	}
	snprintf(err, errlen, "the demo guest (porthole-demo.elf) is not next to %.300s: build it with 'make' first",
		 exe);
	return -1;
}

static int exit_code(int why)
{
	switch (why) {
	case VMM_STOP_POWEROFF:
	case VMM_STOP_SIGNAL:
		return 0;
	case VMM_STOP_RESET:
		return EXIT_RESET;
	default:
		return EXIT_FATAL;
	}
}

int main(int argc, char **argv)
{
	char err[512], base[PATH_MAX - 64], demo[PATH_MAX], cmdline[128];
	char sock[PATH_MAX], shot[PATH_MAX], agent[PATH_MAX], surface[PATH_MAX];
	struct loop_options lo = { .log_fd = -1 };
	struct rundir rd = { .lock_fd = -1 };
	struct vmm vm;
	struct cli c;
	sigset_t set;
	int ret, why;

	ret = cli_parse(argc, argv, &c, err, sizeof(err));
	if (ret)
		goto usage;
	if (c.demo) {
		if (find_demo(demo, sizeof(demo), err, sizeof(err)))
			goto fail;
		c.vm.demo_path = demo;
		snprintf(cmdline, sizeof(cmdline), "porthole.fb=0x%llx,%u,%u,%u",
			 LAYOUT_FB_START, c.vm.fb_width, c.vm.fb_height,
			 fb_stride_for(c.vm.fb_width));
		c.vm.cmdline = cmdline;
	}
	if (c.serial_log) {
		lo.log_fd = open(c.serial_log, O_WRONLY | O_CREAT | O_APPEND |
				 O_CLOEXEC, 0644);
		if (lo.log_fd < 0) {
			snprintf(err, sizeof(err), "cannot open --serial %s: %s",
				 c.serial_log, strerror(errno));
			goto fail;
		}
	}
	if (c.run_base)
		snprintf(base, sizeof(base), "%s", c.run_base);
	else
		rundir_default_base(base, sizeof(base));

	/* Signals are read by the main loop; block them before any thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (rundir_create(&rd, base, c.vm.name, err, sizeof(err)))
		goto fail;
	rundir_file(&rd, "agent.sock", agent, sizeof(agent));
	c.vm.agent_socket = agent;
	if (vmm_create(&vm, &c.vm, err, sizeof(err)))
		goto fail_rundir;
	rundir_file(&rd, "serial.sock", sock, sizeof(sock));
	rundir_file(&rd, "surface.sock", surface, sizeof(surface));
	lo.surface_socket = surface;
	lo.name = c.vm.name;
	lo.agent_socket = agent;
	rundir_file(&rd, "screen.ppm", shot, sizeof(shot));
	lo.console = c.console;
	lo.console_socket = sock;
	lo.screenshot = shot;
	fprintf(stderr, "porthole-vmm: %s: %u vCPU, %lluM, framebuffer %ux%u; run directory %s\n",
		c.vm.name, c.vm.ncpus, (unsigned long long)c.vm.memory >> 20,
		c.vm.fb_width, c.vm.fb_height, rd.path);
	if (vmm_start(&vm, err, sizeof(err))) {
		vmm_join(&vm);
		vmm_destroy(&vm);
		goto fail_rundir;
	}
	why = loop_run(&vm, &lo, err, sizeof(err));
	if (why < 0)
		fprintf(stderr, "porthole-vmm: %s\n", err);
	else
		fprintf(stderr, "porthole-vmm: %s: %s\n", c.vm.name,
			vmm_stop_name(why));
	vmm_destroy(&vm);
	rundir_remove(&rd);
	if (lo.log_fd >= 0)
		close(lo.log_fd);
	return why < 0 ? EXIT_FATAL : exit_code(why);

fail_rundir:
	rundir_remove(&rd);
fail:
	if (lo.log_fd >= 0)
		close(lo.log_fd);
usage:
	if (ret > 0)
		return 0;
	fprintf(stderr, "porthole-vmm: %s\n", err);
	return EXIT_START;
}
