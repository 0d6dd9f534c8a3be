// SPDX-License-Identifier: MIT
/*
 * The built `porthole` binary end to end: user and vm commands on a
 * scratch state directory, what they print, their exit codes, and that a
 * user it added can log in through the library.
 * Usage: test_auth_cli PATH-TO-porthole
 */
#include "atest.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX 8192

struct run {
	int status;                 /* exit status */
	char out[OUT_MAX], err[OUT_MAX];
};

struct env {
	const char *bin;
	char state_opt[PATH_MAX + 16];
	const char *dir;
};

static void drain(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, buf + n, OUT_MAX - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
}

/* Runs porthole with the arguments (NULL-terminated) and --state-dir, in a
 * new session (no terminal to ask on), stdin from `input`. */
static void run(const struct env *e, struct run *r, const char *input, ...)
{
	char *argv[32];
	int in[2], out[2], err[2], argc = 0;
	va_list ap;
	pid_t pid;

	argv[argc++] = (char *)e->bin;
	va_start(ap, input);
	for (char *a; (a = va_arg(ap, char *)) && argc < 30;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc++] = (char *)e->state_opt;
	argv[argc] = NULL;
	CHECK(pipe(in) == 0 && pipe(out) == 0 && pipe(err) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		setsid();
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execv(e->bin, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input)
		CHECK(write(in[1], input, strlen(input)) == (ssize_t)strlen(input), "stdin");
	close(in[1]);
	drain(out[0], r->out);  /* outputs are small: no pipe fills up */
	drain(err[0], r->err);
	close(out[0]);
	close(err[0]);
	CHECK(waitpid(pid, &r->status, 0) == pid && WIFEXITED(r->status), "exit");
	r->status = WEXITSTATUS(r->status);
}

/* A failure is exactly one line starting "porthole: ". */
static void expect_fail(const struct run *r, int status, const char *what)
{
	CHECK(r->status == status, "exit %d, want %d; stderr: %s", r->status, status, r->err);
	CHECK(!strncmp(r->err, "porthole: ", 10) && strchr(r->err, '\n') &&
	      !strchr(r->err, '\n')[1], "one line: %s", r->err);
	CHECK(strstr(r->err, what), "'%s' not in: %s", what, r->err);
}

static void expect_ok(const struct run *r, const char *what)
{
	CHECK(r->status == 0, "exit %d; stderr: %s", r->status, r->err);
	CHECK(!what || strstr(r->out, what), "'%s' not in: %s", what, r->out);
}

static void expect_login(const char *dir, const char *user, const char *pw,
			 enum auth_result want)
{
	char err[AUTH_ERR_MAX];
	struct auth *a = auth_open(dir, err, sizeof(err));
	struct auth_verdict v;

	CHECK(a, "%s", err);
	auth_login(a, user, pw, NULL, "127.0.0.1", 1, &v);
	CHECK(v.result == want, "login %s: %s", user, v.reason);
	auth_close(a);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(strlen(path) < sizeof(sa.sun_path), "path too long: %s", path);
	strcpy(sa.sun_path, path);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(fd, 4) == 0, "listen on %s", path);
	return fd;
}

static void test_users(const struct env *e)
{
	struct run r;
	char *p;

	run(e, &r, "first pw\n", "user", "add", "alice", "--password-stdin", NULL);
	expect_ok(&r, "user 'alice' added");
	expect_login(e->dir, "alice", "first pw", AUTH_OK);
	run(e, &r, "x\n", "user", "add", "alice", "--password-stdin", NULL);
	expect_fail(&r, 1, "user 'alice' exists");
	run(e, &r, "x\n", "user", "add", "Bad!", "--password-stdin", NULL);
	expect_fail(&r, 1, "not valid");
	run(e, &r, NULL, "user", "add", "carol", NULL);
	expect_fail(&r, 1, "--password-stdin");

	run(e, &r, "bob pw\n", "user", "add", "--group", "ops", "bob", "--totp",
	    "--password-stdin", "--group", "dev", NULL);
	expect_ok(&r, "otpauth://totp/Porthole:bob?secret=");
	p = strstr(r.out, "secret=") + 7;
	CHECK(strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 32 &&
	      !strncmp(p + 32, "&issuer=Porthole\n", 17), "URI: %s", r.out);
	expect_login(e->dir, "bob", "bob pw", AUTH_TOTP_NEEDED);

	run(e, &r, NULL, "user", "list", NULL);
	expect_ok(&r, "alice");
	CHECK(strstr(r.out, "yes") && strstr(r.out, "dev,ops"), "list: %s", r.out);

	run(e, &r, "second pw\r\n", "user", "passwd", "alice", "--password-stdin", NULL);
	expect_ok(&r, "changed");
	expect_login(e->dir, "alice", "second pw", AUTH_OK);
	run(e, &r, "pw\n", "user", "passwd", "zed", "--password-stdin", NULL);
	expect_fail(&r, 1, "no user 'zed'");

	char big[AUTH_PASSWORD_MAX + 8];
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = 0;
	run(e, &r, big, "user", "passwd", "alice", "--password-stdin", NULL);
	expect_fail(&r, 1, "longer than");

	run(e, &r, NULL, "user", "totp", "bob", "off", NULL);
	expect_ok(&r, "TOTP off");
	expect_login(e->dir, "bob", "bob pw", AUTH_OK);
	run(e, &r, NULL, "user", "group", "bob", "del", "dev", NULL);
	expect_ok(&r, "left group");
	run(e, &r, NULL, "user", "group", "bob", "del", "dev", NULL);
	expect_fail(&r, 1, "not in group");
}

static void test_vms(const struct env *e, const char *rundir)
{
	char run_opt[PATH_MAX + 16], sock[PATH_MAX];
	struct run r;
	int fd;

	run(e, &r, NULL, "vm", "allow", "demo", "alice", NULL);
	expect_ok(&r, NULL);
	run(e, &r, NULL, "vm", "allow", "demo", "@ops", NULL);
	expect_ok(&r, NULL);
	run(e, &r, NULL, "vm", "allow", "web", "bob", NULL);
	expect_ok(&r, NULL);
	run(e, &r, NULL, "vm", "allow", "demo", "zed", NULL);
	expect_fail(&r, 1, "no user 'zed'");

	snprintf(run_opt, sizeof(run_opt), "--run-dir=%s", rundir);
	snprintf(sock, sizeof(sock), "%s/demo", rundir);
	CHECK(mkdir(sock, 0700) == 0, "mkdir %s", sock);
	strcat(sock, "/vnc.sock");
	run(e, &r, NULL, "vm", "list", run_opt, NULL);
	expect_ok(&r, NULL);
	CHECK(strstr(r.out, "stopped  @ops,alice") && strstr(r.out, "web"), "list: %s", r.out);
	fd = listen_unix(sock);
	run(e, &r, NULL, "vm", "list", run_opt, NULL);
	CHECK(strstr(r.out, "running  @ops,alice"), "list: %s", r.out);
	close(fd);

	run(e, &r, NULL, "vm", "deny", "demo", "@ops", NULL);
	expect_ok(&r, NULL);
	run(e, &r, NULL, "vm", "deny", "demo", "@ops", NULL);
	expect_fail(&r, 1, "not on the access list");
	run(e, &r, NULL, "user", "del", "bob", NULL);
	expect_ok(&r, "deleted");
	run(e, &r, NULL, "vm", "list", run_opt, NULL);
	CHECK(!strstr(r.out, "web") && strstr(r.out, "alice"), "list: %s", r.out);
}

static void test_usage(const struct env *e)
{
	struct run r;

	run(e, &r, NULL, "--help", NULL);
	expect_ok(&r, "user group NAME add|del GROUP");
	CHECK(strstr(r.out, "vm list") && strstr(r.out, "--password-stdin"), "%s", r.out);
	run(e, &r, NULL, "user", "--help", NULL);
	expect_ok(&r, "user totp NAME on|off");
	run(e, &r, NULL, "vm", "list", "--help", NULL);
	expect_ok(&r, "vm allow");
	run(e, &r, NULL, "frob", NULL);
	expect_fail(&r, 2, "no command 'frob'");
	run(e, &r, NULL, "user", "frob", NULL);
	expect_fail(&r, 2, "no command 'frob'");
	run(e, &r, NULL, "user", "add", NULL);
	expect_fail(&r, 2, "missing");
	run(e, &r, NULL, "user", "del", "alice", "extra", NULL);
	expect_fail(&r, 2, "unexpected argument 'extra'");
	run(e, &r, NULL, "user", "del", "alice", "--totp", NULL);
	expect_fail(&r, 2, "--totp");
	run(e, &r, NULL, "vm", "list", "--bogus", NULL);
	expect_fail(&r, 2, "--bogus");
	run(e, &r, NULL, "user", "totp", "alice", "maybe", NULL);
	expect_fail(&r, 2, "'on' or 'off'");

	/* A broken users.json is named, not replaced. */
	atest_write(e->dir, "users.json", "{\"version\": 1,");
	run(e, &r, NULL, "user", "list", NULL);
	expect_fail(&r, 1, "users.json: line");
	run(e, &r, NULL, "vm", "allow", "demo", "@ops", NULL);
	expect_fail(&r, 1, "users.json: line");
}

int main(int argc, char **argv)
{
	char *dir = atest_tmpdir("cli"), *rundir = atest_tmpdir("cli-run");
	struct env e = { .bin = argv[1], .dir = dir };

	CHECK(argc == 2, "usage: test_auth_cli PATH-TO-porthole");
	snprintf(e.state_opt, sizeof(e.state_opt), "--state-dir=%s", dir);
	test_users(&e);
	test_vms(&e, rundir);
	test_usage(&e);
	atest_rmdir(dir);
	atest_rmdir(rundir);
	printf("auth cli: ok\n");
	return 0;
}
