/* SPDX-License-Identifier: MIT */
/* porthole-display's command line (docs/display.md). */
#ifndef PORTHOLE_DISPLAY_CLI_H
#define PORTHOLE_DISPLAY_CLI_H

#include <stddef.h>
#include <stdio.h>

struct display_cli {
	const char *name;
	const char *run_base;    /* NULL: rundir_default_base() */
	const char *source;      /* NULL: the VM's surface socket */
	const char *vnc_listen;  /* NULL: unix socket only */
	const char *rdp_listen;  /* NULL: unix socket only */
	const char *rdp_cert;    /* NULL: STATE/tls/cert.pem */
	const char *rdp_key;     /* NULL: STATE/tls/key.pem */
	const char *state_dir;   /* NULL: auth_state_dir_default() */
	int verbose;
};

/* 0: run; 1: --help or --version was printed to out; -1: error in err. */
int display_cli_parse(int argc, char **argv, struct display_cli *c,
		      FILE *out, char *err, size_t errlen);

#endif
