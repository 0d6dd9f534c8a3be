// SPDX-License-Identifier: MIT
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "rundir.h"

static const char usage[] =
"usage: porthole-display --name NAME [--run-dir BASE] [--source SOURCE]\n"
"                        [--vnc-listen HOST:PORT] [--verbose]\n"
"\n"
"Serves one VM's screen: VNC (and noVNC over WebSocket) on BASE/NAME/vnc.sock.\n"
"\n"
"  --name NAME         the VM, as given to porthole-vmm --name\n"
"  --run-dir BASE      run directories' base (default: /run/porthole for root,\n"
"                      else $XDG_RUNTIME_DIR/porthole or /tmp/porthole-UID)\n"
"  --source SOURCE     surface        the VM's BASE/NAME/surface.sock (default)\n"
"                      surface:PATH   a surface socket elsewhere\n"
"                      vnc:PATH, vnc:HOST:PORT  an existing VM's VNC server\n"
"  --vnc-listen H:P    also VNC on TCP, loopback only (127.0.0.1:5900, [::1]:0)\n"
"  --verbose           libvncserver's log too\n"
"  --help, --version\n";

int display_cli_parse(int argc, char **argv, struct display_cli *c,
		      FILE *out, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 's' },
		{ "vnc-listen", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int o;

	memset(c, 0, sizeof(*c));
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":n:r:s:l:vh", opts, NULL)) != -1) {
		switch (o) {
		case 'n': c->name = optarg; break;
		case 'r': c->run_base = optarg; break;
		case 's': c->source = optarg; break;
		case 'l': c->vnc_listen = optarg; break;
		case 'v': c->verbose = 1; break;
		case 'h':
			fputs(usage, out);
			return 1;
		case 'V':
			fprintf(out, "porthole-display %s\n", PORTHOLE_VERSION);
			return 1;
		case ':':
			snprintf(err, errlen, "%s needs a value (see --help)",
				 argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option %s (see --help)",
				 argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)",
			 argv[optind]);
		return -1;
	}
	if (!c->name) {
		snprintf(err, errlen, "--name is required: the VM's name, as given to porthole-vmm");
		return -1;
	}
	if (rundir_check_name(c->name)) {
		snprintf(err, errlen, "--name '%s' is not valid: use 1-64 letters, digits, '.', '_' or '-', not starting with '.'",
			 c->name);
		return -1;
	}
	if (c->run_base && !*c->run_base) {
		snprintf(err, errlen, "--run-dir must not be empty");
		return -1;
	}
	return 0;
}
