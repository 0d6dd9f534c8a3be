// SPDX-License-Identifier: MIT
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "rundir.h"

static const char usage[] =
"usage: porthole-display --name NAME [--run-dir BASE] [--source SOURCE]\n"
"                        [--vnc-listen HOST:PORT] [--rdp-listen HOST:PORT]\n"
"                        [--state-dir DIR] [--rdp-cert PEM --rdp-key PEM]\n"
"                        [--verbose]\n"
"\n"
"Serves one VM's screen: VNC (and noVNC over WebSocket) on BASE/NAME/vnc.sock,\n"
"RDP on BASE/NAME/rdp.sock (logons checked by porthole-gateway, BASE/auth.sock).\n"
"\n"
"  --name NAME         the VM, as given to porthole-vmm --name\n"
"  --run-dir BASE      run directories' base (default: /run/porthole for root,\n"
"                      else $XDG_RUNTIME_DIR/porthole or /tmp/porthole-UID)\n"
"  --source SOURCE     surface        the VM's BASE/NAME/surface.sock (default)\n"
"                      surface:PATH   a surface socket elsewhere\n"
"                      vnc:PATH, vnc:HOST:PORT  an existing VM's VNC server\n"
"  --vnc-listen H:P    also VNC on TCP, loopback only (127.0.0.1:5900, [::1]:0)\n"
"  --rdp-listen H:P    also RDP on TCP, loopback only (127.0.0.1:3389, [::1]:0)\n"
"  --state-dir DIR     porthole-gateway's state directory, for its TLS\n"
"                      certificate (default: /var/lib/porthole for root, else\n"
"                      $XDG_STATE_HOME/porthole or ~/.local/state/porthole)\n"
"  --rdp-cert PEM      RDP's TLS certificate (default: DIR/tls/cert.pem)\n"
"  --rdp-key PEM       its private key (default: DIR/tls/key.pem)\n"
"  --verbose           libvncserver's and FreeRDP's log too\n"
"  --help, --version\n";

int display_cli_parse(int argc, char **argv, struct display_cli *c,
		      FILE *out, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 's' },
		{ "vnc-listen", required_argument, NULL, 'l' },
		{ "rdp-listen", required_argument, NULL, 'R' },
		{ "rdp-cert", required_argument, NULL, 'C' },
		{ "rdp-key", required_argument, NULL, 'K' },
		{ "state-dir", required_argument, NULL, 'S' },
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
		case 'R': c->rdp_listen = optarg; break;
		case 'C': c->rdp_cert = optarg; break;
		case 'K': c->rdp_key = optarg; break;
		case 'S': c->state_dir = optarg; break;
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
	if ((c->run_base && !*c->run_base) || (c->state_dir && !*c->state_dir) ||
	    (c->rdp_cert && !*c->rdp_cert) || (c->rdp_key && !*c->rdp_key)) {
		snprintf(err, errlen, "--run-dir, --state-dir, --rdp-cert and --rdp-key must not be empty");
		return -1;
	}
	if (!c->rdp_cert != !c->rdp_key) {
		snprintf(err, errlen, "--rdp-cert and --rdp-key go together");
		return -1;
	}
	return 0;
}
