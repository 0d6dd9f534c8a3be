// SPDX-License-Identifier: MIT
/* What the subcommands share: messages, options, reading a password. */
#include "cli.h"
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("porthole: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char top[32];
	va_list ap;

	snprintf(top, sizeof(top), "%s", cmd);
	top[strcspn(top, " ")] = 0;
	fprintf(stderr, "porthole: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see: porthole %s --help)\n", top);
	return CLI_EXIT_USAGE;
}

int cli_parse(int argc, char **argv, unsigned allowed, int npos, const char *help,
	      struct cli_args *a, int *done)
{
	enum { O_STATE = 256, O_RUN, O_PWSTDIN, O_TOTP, O_GROUP, O_HELP };
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "run-dir", required_argument, NULL, O_RUN },
		{ "password-stdin", no_argument, NULL, O_PWSTDIN },
		{ "totp", no_argument, NULL, O_TOTP },
		{ "group", required_argument, NULL, O_GROUP },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	static const struct { int opt; unsigned flag; } need[] = {
		{ O_RUN, CLI_OPT_RUN_DIR }, { O_PWSTDIN, CLI_OPT_PASSWORD_STDIN },
		{ O_TOTP, CLI_OPT_TOTP }, { O_GROUP, CLI_OPT_GROUP },
	};
	const char *state = NULL;
	int c;

	*done = 1;
	opterr = 0;
	optind = 0; /* glibc: start afresh */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (c == need[i].opt && !(allowed & need[i].flag))
				return cli_usage_error(a->cmd, "no option %s here",
						       argv[optind - 1]);
		switch (c) {
		case O_STATE: state = optarg; break;
		case O_RUN: a->run_dir = optarg; break;
		case O_PWSTDIN: a->password_stdin = 1; break;
		case O_TOTP: a->totp = 1; break;
		case O_GROUP:
			if (a->ngroups == CLI_MAX_GROUPS)
				return cli_usage_error(a->cmd, "at most %d --group",
						       CLI_MAX_GROUPS);
			a->groups[a->ngroups++] = optarg;
			break;
		case 'h':
		case O_HELP:
			fputs(help, stdout);
			return 0;
		case ':':
			return cli_usage_error(a->cmd, "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(a->cmd, "unknown option %s", argv[optind - 1]);
		}
	}
	/* glibc's getopt_long moved the positional arguments to the end. */
	for (; optind < argc; optind++) {
		if (a->npos == npos)
			return cli_usage_error(a->cmd, "unexpected argument '%s'", argv[optind]);
		a->pos[a->npos++] = argv[optind];
	}
	if (a->npos < npos)
		return cli_usage_error(a->cmd, "%d argument%s missing", npos - a->npos,
				       npos - a->npos > 1 ? "s" : "");
	if (!state && auth_state_dir_default(a->state_dir, sizeof(a->state_dir)))
		return cli_fail("no default state directory ($HOME is not set): give --state-dir DIR");
	if (state && snprintf(a->state_dir, sizeof(a->state_dir), "%s", state) >=
		     (int)sizeof(a->state_dir))
		return cli_usage_error(a->cmd, "--state-dir is too long");
	*done = 0;
	return 0;
}

int cli_dispatch(const char *group, const struct cli_sub *subs, size_t n,
		 const char *help, int argc, char **argv)
{
	char cmd[32];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct cli_args a = { .cmd = cmd };

		if (strcmp(argv[1], subs[i].name))
			continue;
		snprintf(cmd, sizeof(cmd), "%s %s", group, subs[i].name);
		return subs[i].run(argc - 1, argv + 1, &a);
	}
	return cli_usage_error(group, "no command '%s'", argv[1]);
}

/* One line into buf without its newline: 0, or -1 if longer than
 * AUTH_PASSWORD_MAX (the rest of the line is dropped). */
static int read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (!fgets(buf, (int)len, f))
		return -1;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[--n] = 0;
	} else if (!feof(f)) {
		int c;

		while ((c = fgetc(f)) != EOF && c != '\n')
			;
		explicit_bzero(buf, len);
		return -2;
	}
	if (n && buf[n - 1] == '\r')
		buf[--n] = 0;
	return 0;
}

static int ask(FILE *tty, const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int rc, echo_off;

	fputs(prompt, tty);
	fflush(tty);
	echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	rc = read_line(tty, buf, len);
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	return rc;
}

int cli_read_password(int from_stdin, const char *user, char *buf, size_t len)
{
	char again[AUTH_PASSWORD_MAX + 2], prompt[AUTH_NAME_MAX + 32];
	FILE *tty;
	int rc;

	if (len < sizeof(again))
		return cli_fail("internal: password buffer too small"), -1;
	if (from_stdin) {
		rc = read_line(stdin, buf, sizeof(again));
		if (rc == -1)
			return cli_fail("no password on standard input"), -1;
		if (rc == -2)
			return cli_fail("the password is longer than %d bytes",
					AUTH_PASSWORD_MAX), -1;
		return 0;
	}
	tty = fopen("/dev/tty", "r+e");
	if (!tty)
		return cli_fail("no terminal to ask for the password on: use --password-stdin"), -1;
	snprintf(prompt, sizeof(prompt), "Password for %s: ", user);
	rc = ask(tty, prompt, buf, sizeof(again));
	if (rc == 0)
		rc = ask(tty, "Again: ", again, sizeof(again));
	fclose(tty);
	if (rc == 0 && strcmp(buf, again))
		rc = -3;
	explicit_bzero(again, sizeof(again));
	if (rc == -2)
		return cli_fail("the password is longer than %d bytes", AUTH_PASSWORD_MAX), -1;
	if (rc == -3)
		return cli_fail("the two passwords differ"), -1;
	if (rc)
		return cli_fail("no password read from the terminal"), -1;
	return 0;
}
