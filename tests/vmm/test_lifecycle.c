// SPDX-License-Identifier: MIT
/*
 * porthole-vmm as a process: guest shutdown, guest reset, SIGTERM and a
 * fatal vCPU exit each stop it with the documented exit status and leave no
 * process, socket or file behind. Bad input fails before anything starts.
 * argv[1] is the porthole-vmm binary, argv[2] the demo guest ELF.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char *vmm, *demo_elf;
static char base[64];

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static pid_t spawn(const char *name, const char *errlog, char **extra)
{
	char *argv[32] = { (char *)vmm, "--name", (char *)name,
			   "--run-dir", base, "--memory", "64M", "--fb", "800x600" };
	int argc = 9;
	pid_t pid;

	while (extra && *extra)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execv(vmm, argv);
		_exit(127);
	}
	return pid;
}

/* Connect to the VM's serial socket; wait for "ready". */
static int console(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t len = 0;
	int fd = -1;

	CHECK(snprintf(sa.sun_path, sizeof(sa.sun_path), "%.40s/%.20s/serial.sock",
		       base, name) < (int)sizeof(sa.sun_path), "path too long");
	for (int i = 0; i < 2000; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		fd = -1;
		sleep_ms(10);
	}
	CHECK(fd >= 0, "no serial socket at %s", sa.sun_path);
	/* The demo prints "ready" shortly after boot; a late connect may have
	 * missed it, so ask for a pong instead. */
	CHECK(write(fd, "ping\n", 5) == 5, "write");
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		CHECK(n > 0, "serial socket closed before 'ok ping'");
		len += n;
		buf[len] = 0;
		if (strstr(buf, "ok ping"))
			return fd;
		CHECK(len < sizeof(buf) - 1, "no pong: %s", buf);
	}
}

static int wait_exit(pid_t pid, int timeout_ms)
{
	int status;

	for (int t = 0; t < timeout_ms; t += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
						   128 + WTERMSIG(status);
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(0, "porthole-vmm did not stop within %d ms", timeout_ms);
	return -1;
}

static void check_nothing_left(const char *name, pid_t pid)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	CHECK(stat(path, &st) < 0 && errno == ENOENT,
	      "run directory %s is still there", path);
	CHECK(kill(pid, 0) < 0 && errno == ESRCH, "process %d still exists", pid);
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = 0;
	if (f)
		fclose(f);
}

static void run_case(const char *name, const char *cmd, int sig,
		     int want_status, const char *want_stderr, char **extra)
{
	char errlog[512], log[8192];
	pid_t pid;
	int fd, status;

	snprintf(errlog, sizeof(errlog), "%s/%s.stderr", base, name);
	pid = spawn(name, errlog, extra);
	fd = console(name);
	if (cmd)
		CHECK(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "write");
	if (sig)
		kill(pid, sig);
	status = wait_exit(pid, 30000);
	close(fd);
	slurp(errlog, log, sizeof(log));
	CHECK(status == want_status, "%s: exit status %d, want %d; stderr:\n%s",
	      name, status, want_status, log);
	CHECK(strstr(log, want_stderr), "%s: stderr lacks '%s':\n%s", name,
	      want_stderr, log);
	if (want_status == 4)
		CHECK(strstr(log, "rip=") && strstr(log, "cr0="),
		      "%s: no register dump:\n%s", name, log);
	check_nothing_left(name, pid);
	unlink(errlog);
	printf("%-10s exit %d, nothing left behind: ok\n", name, status);
}

static void bad_input(const char *what, char **extra, const char *want)
{
	char errlog[512], log[4096];
	pid_t pid;
	int status;

	snprintf(errlog, sizeof(errlog), "%s/bad.stderr", base);
	pid = spawn("bad", errlog, extra);
	status = wait_exit(pid, 10000);
	slurp(errlog, log, sizeof(log));
	CHECK(status == 1, "%s: exit status %d; stderr: %s", what, status, log);
	CHECK(strstr(log, want), "%s: stderr lacks '%s': %s", what, want, log);
	CHECK(strchr(log, '\n') == log + strlen(log) - 1,
	      "%s: want exactly one line, got: %s", what, log);
	check_nothing_left("bad", pid);
	unlink(errlog);
	printf("bad input: %-22s -> %s", what, log);
}

int main(int argc, char **argv)
{
	CHECK(argc == 3, "usage: test_lifecycle PORTHOLE_VMM DEMO_ELF");
	vmm = argv[1];
	demo_elf = argv[2];
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("skipped: /dev/kvm is not usable here; these tests need KVM\n");
		return 77;
	}
	snprintf(base, sizeof(base), "/tmp/porthole-test-%d", (int)getpid());
	mkdir(base, 0700);

	char corrupt[128];
	FILE *f;

	run_case("shutdown", "shutdown\n", 0, 0, "guest powered off",
		 (char *[]){ "--demo", NULL });
	run_case("reset", "reset\n", 0, 3, "guest reset",
		 (char *[]){ "--demo", NULL });
	/* With several vCPUs every thread must stop, the idle APs included. */
	run_case("sigterm", NULL, SIGTERM, 0, "stopped by signal",
		 (char *[]){ "--demo", "--cpus", "4", NULL });
	run_case("sigint", NULL, SIGINT, 0, "stopped by signal",
		 (char *[]){ "--demo", NULL });
	run_case("fatal", "crash\n", 0, 4, "fatal exit INTERNAL_ERROR",
		 (char *[]){ "--demo", "--cpus", "2", NULL });

	snprintf(corrupt, sizeof(corrupt), "%s/corrupt-kernel", base);
	f = fopen(corrupt, "w");
	fputs("MZ this is not a kernel\n", f);
	fclose(f);
	bad_input("memory too small", (char *[]){ "--demo", "--memory", "1M", NULL }, "too small");
	bad_input("framebuffer too big", (char *[]){ "--demo", "--fb", "9000x9000", NULL }, "out of range");
	bad_input("bad cpu count", (char *[]){ "--demo", "--cpus", "0", NULL }, "--cpus");
	bad_input("missing kernel", (char *[]){ "--kernel", "/nonexistent/vmlinuz", NULL }, "cannot open");
	bad_input("corrupt kernel", (char *[]){ "--kernel", corrupt, NULL }, "neither a Linux bzImage");
	bad_input("missing initrd", (char *[]){ "--kernel", (char *)demo_elf, "--initrd", "/nonexistent/initrd", NULL }, "cannot open /nonexistent/initrd");
	bad_input("not a kernel", (char *[]){ "--kernel", (char *)vmm, NULL }, "not an x86 executable");
	unlink(corrupt);

	rmdir(base);
	return 0;
}
