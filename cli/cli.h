/* SPDX-License-Identifier: MIT */
/*
 * The `porthole` command: one entry point per subcommand, dispatched from
 * the table in porthole.c. Each gets argv[0] = its own name ("user",
 * "up", ...) and returns the exit status: 0, 1 for a failure (after one
 * line "porthole: ..." on stderr), 2 for a usage error.
 *
 * To add a subcommand: write cli/NAME.c defining cli_NAME, declare it
 * here, and add a line to the table in porthole.c (up.c and ticket.c are
 * already wired: cli/CMakeLists.txt compiles them when they exist).
 */
#ifndef PORTHOLE_CLI_H
#define PORTHOLE_CLI_H

#include <limits.h>
#include <stddef.h>

#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

int cli_user(int argc, char **argv);     /* cli_user.c */
int cli_vm(int argc, char **argv);       /* cli_vm.c */
int cli_up(int argc, char **argv);       /* up.c */
int cli_ticket(int argc, char **argv);   /* ticket.c */

/* "porthole: " + message on stderr; return CLI_EXIT_FAIL / CLI_EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The options every user/vm subcommand understands. */
enum {
	CLI_OPT_PASSWORD_STDIN = 1 << 0,
	CLI_OPT_TOTP           = 1 << 1,
	CLI_OPT_GROUP          = 1 << 2,
	CLI_OPT_RUN_DIR        = 1 << 3,
};
#define CLI_MAX_GROUPS 16
#define CLI_MAX_ARGS   4

struct cli_args {
	const char *cmd;            /* "user add", for messages */
	char state_dir[PATH_MAX];
	const char *run_dir;
	int password_stdin, totp, help;
	const char *groups[CLI_MAX_GROUPS];
	int ngroups;
	const char *pos[CLI_MAX_ARGS];   /* positional arguments */
	int npos;
};

/* A command group's words ("user add", "user del", ...): cli_dispatch
 * runs the one argv[1] names, or prints help. */
struct cli_sub {
	const char *name;
	int (*run)(int argc, char **argv, struct cli_args *a);
};
int cli_dispatch(const char *group, const struct cli_sub *subs, size_t n,
		 const char *help, int argc, char **argv);

/* Parses argv (argv[0] the subcommand's last word) allowing the options in
 * `allowed` and exactly npos positional arguments. 0, or an exit status
 * (usage error, or 0 after --help printed `help`) with *done set. */
int cli_parse(int argc, char **argv, unsigned allowed, int npos, const char *help,
	      struct cli_args *a, int *done);

/* A password: one line from stdin, or asked twice on the terminal with
 * echo off. 0, or -1 after printing why. */
int cli_read_password(int from_stdin, const char *user, char *buf, size_t len);

#endif
