// SPDX-License-Identifier: MIT
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEMORY (256ULL << 20)

static const char usage[] =
"usage: porthole-vmm (--demo | --kernel FILE [--initrd FILE] [--cmdline STR])\n"
"                    [--memory SIZE] [--cpus N] [--fb WxH] [--serial FILE]\n"
"                    [--disk FILE[,ro]]... [--no-input] [--console]\n"
"                    [--name NAME] [--run-dir DIR]\n"
"\n"
"Runs one virtual machine on KVM.\n"
"\n"
"  --demo            boot Porthole's demo guest (runs on any KVM, PVM included)\n"
"  --kernel FILE     boot a Linux bzImage, or an ELF kernel with a PVH note\n"
"  --initrd FILE     initial ramdisk for --kernel\n"
"  --cmdline STR     kernel command line\n"
"  --memory SIZE     guest RAM, e.g. 512M or 2G (default 256M; plain number = MiB)\n"
"  --cpus N          number of vCPUs, one host thread each (default 1)\n"
"  --fb WxH          framebuffer size (default 1920x1080, 32-bit XRGB)\n"
"  --serial FILE     append the guest's COM1 output to FILE\n"
"  --disk FILE[,ro]  a virtio-blk disk on a raw image (up to 4; ,ro: read-only)\n"
"  --no-input        no virtio keyboard, tablet and mouse (on by default)\n"
"  --console         COM1 on this terminal: output to stdout, stdin to the guest\n"
"  --name NAME       VM name, names the run directory (default: demo or vm)\n"
"  --run-dir DIR     base of run directories (default /run/porthole for root,\n"
"                    else $XDG_RUNTIME_DIR/porthole)\n"
"  --help, --version\n"
"\n"
"In the run directory: serial.sock (COM1 as a stream socket), agent.sock (the\n"
"guest agent's virtio-console port), and screen.ppm, written on SIGUSR1.\n"
"SIGTERM or SIGINT stops the VM.\n"
"Exit status: 0 powered off or stopped, 3 guest reset, 4 fatal vCPU exit,\n"
"1 could not start.\n";

int cli_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	int shift = 20;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case 0: break;
	default: return -1;
	}
	if (end > s && end[-1] > '9' && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end); /* 512MiB, 512MB */
	if (*end || v > (~0ULL >> shift))
		return -1;
	*bytes = v << shift;
	return 0;
}

enum { OPT_DEMO = 256, OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_MEMORY,
       OPT_CPUS, OPT_FB, OPT_SERIAL, OPT_CONSOLE, OPT_NAME, OPT_RUNDIR,
       OPT_HELP, OPT_VERSION, OPT_DISK, OPT_NO_INPUT };

static const struct option options[] = {
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "fb", required_argument, NULL, OPT_FB },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "console", no_argument, NULL, OPT_CONSOLE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "run-dir", required_argument, NULL, OPT_RUNDIR },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "no-input", no_argument, NULL, OPT_NO_INPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

/* FILE or FILE,ro; the copy lives as long as argv. */
static int parse_disk(struct cli *c, const char *arg, char *err,
		      size_t errlen)
{
	struct vmm_disk_config *d;
	size_t n = strlen(arg);

	if (c->vm.ndisks == VMM_MAX_DISKS) {
		snprintf(err, errlen, "at most %d --disk options", VMM_MAX_DISKS);
		return -1;
	}
	d = &c->vm.disks[c->vm.ndisks];
	if (n > 3 && !strcmp(arg + n - 3, ",ro")) {
		if (n - 3 >= sizeof(c->disk_paths[0]))
			goto too_long;
		memcpy(c->disk_paths[c->vm.ndisks], arg, n - 3);
		c->disk_paths[c->vm.ndisks][n - 3] = 0;
		d->path = c->disk_paths[c->vm.ndisks];
		d->readonly = 1;
	} else {
		d->path = arg;
	}
	if (!*d->path) {
		snprintf(err, errlen, "--disk needs a file name");
		return -1;
	}
	c->vm.ndisks++;
	return 0;
too_long:
	snprintf(err, errlen, "--disk path is too long");
	return -1;
}

static int parse_one(struct cli *c, int opt, const char *arg, char *err,
		     size_t errlen)
{
	char *end;
	unsigned long n;

	switch (opt) {
	case OPT_DEMO:    c->demo = 1; break;
	case OPT_KERNEL:  c->vm.kernel = arg; break;
	case OPT_INITRD:  c->vm.initrd = arg; break;
	case OPT_CMDLINE: c->vm.cmdline = arg; break;
	case OPT_SERIAL:  c->serial_log = arg; break;
	case OPT_CONSOLE: c->console = 1; break;
	case OPT_NAME:    c->vm.name = arg; break;
	case OPT_RUNDIR:  c->run_base = arg; break;
	case OPT_MEMORY:
		if (cli_parse_size(arg, &c->vm.memory)) {
			snprintf(err, errlen, "--memory '%s' is not a size like 512M or 2G", arg);
			return -1;
		}
		break;
	case OPT_CPUS:
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || n == 0 || n > VMM_MAX_CPUS) {
			snprintf(err, errlen, "--cpus '%s' is not a number from 1 to %d",
				 arg, VMM_MAX_CPUS);
			return -1;
		}
		c->vm.ncpus = n;
		break;
	case OPT_FB:
		return fb_parse_size(arg, &c->vm.fb_width, &c->vm.fb_height,
				     err, errlen);
	case OPT_NO_INPUT:
		c->vm.no_input = 1;
		break;
	case OPT_DISK:
		return parse_disk(c, arg, err, errlen);
	default:
		snprintf(err, errlen, "unknown option; see porthole-vmm --help");
		return -1;
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen)
{
	int opt;

	memset(c, 0, sizeof(*c));
	c->vm.memory = DEFAULT_MEMORY;
	c->vm.ncpus = 1;
	c->vm.fb_width = 1920;
	c->vm.fb_height = 1080;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(usage, stdout);
			return 1;
		}
		if (opt == OPT_VERSION) {
			puts("porthole-vmm " PORTHOLE_VERSION);
			return 1;
		}
		if (opt == '?') {
			snprintf(err, errlen, "unknown option or missing argument '%s'; see porthole-vmm --help",
				 argv[optind - 1]);
			return -1;
		}
		if (parse_one(c, opt, optarg, err, errlen))
			return -1;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'; see porthole-vmm --help",
			 argv[optind]);
		return -1;
	}
	if (c->demo == !!c->vm.kernel) {
		snprintf(err, errlen, "give either --demo or --kernel FILE; see porthole-vmm --help");
		return -1;
	}
	if (c->demo && (c->vm.initrd || c->vm.cmdline)) {
		snprintf(err, errlen, "--initrd and --cmdline go with --kernel, not --demo");
		return -1;
	}
	if (!c->vm.name)
		c->vm.name = c->demo ? "demo" : "vm";
	return 0;
}
