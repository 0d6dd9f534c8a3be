/* SPDX-License-Identifier: MIT */
/* porthole-vmm's command line. */
#ifndef PORTHOLE_VMM_CLI_H
#define PORTHOLE_VMM_CLI_H

#include <stddef.h>

#include "vmm.h"

struct cli {
	struct vmm_config vm;
	int demo;
	const char *serial_log;
	int console;
	const char *run_base;
	char disk_paths[VMM_MAX_DISKS][4096]; /* FILE of FILE,ro */
};

/* 0: run; 1: --help or --version was printed; -1: error in err. */
int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen);

/* "512M", "2G", "1024K", plain numbers are MiB. -1 when malformed. */
int cli_parse_size(const char *s, uint64_t *bytes);

#endif
