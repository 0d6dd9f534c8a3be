// SPDX-License-Identifier: MIT
/* `porthole`: the host's command. main only dispatches (see cli.h). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;          /* for porthole --help */
};

static const struct cli_cmd cmds[] = {
	{ "user", cli_user,
	  "  user add NAME [--password-stdin] [--totp] [--group G]...\n"
	  "  user passwd NAME [--password-stdin]\n"
	  "  user del NAME\n"
	  "  user list\n"
	  "  user totp NAME on|off\n"
	  "  user group NAME add|del GROUP\n" },
	{ "vm", cli_vm,
	  "  vm allow VM USER|@GROUP\n"
	  "  vm deny VM USER|@GROUP\n"
	  "  vm list [--run-dir DIR]\n" },
	/* ---- Other engineers' subcommands: one line each. cli/CMakeLists.txt
	 * compiles cli/NAME.c and defines PORTHOLE_CLI_NAME when it exists. */
#ifdef PORTHOLE_CLI_UP
	{ "up", cli_up,
	  "  up [--state-dir DIR] [--run-dir DIR] [--port N | --listen ADDR:PORT]\n"
	  "                          run this host: VMs, displays, gateway\n" },
#endif
#ifdef PORTHOLE_CLI_TICKET
	{ "ticket", cli_ticket,
	  "  ticket ...              a one-time ticket (porthole ticket --help)\n" },
#endif
	/* ---- */
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void help(FILE *f)
{
	fputs("usage: porthole COMMAND ...\n", f);
	for (size_t i = 0; i < NCMDS; i++)
		fputs(cmds[i].usage, f);
	fputs("Every command takes --state-dir DIR (default: /var/lib/porthole for root,\n"
	      "else $XDG_STATE_HOME/porthole or ~/.local/state/porthole).\n"
	      "porthole COMMAND --help says more.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		help(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "porthole: no command '%s' (see: porthole --help)\n", argv[1]);
	return CLI_EXIT_USAGE;
}
