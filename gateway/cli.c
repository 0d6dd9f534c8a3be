// SPDX-License-Identifier: MIT
/* porthole-gateway's command line (docs/gateway.md). */
#include "gw.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rundir.h"

#define DEFAULT_PORT     8443
#define DEFAULT_SILENCE  250
#define DEFAULT_MAX_CONN 2048

static const char usage[] =
"usage: porthole-gateway [--state-dir DIR] [--run-dir DIR] [--port N | --listen ADDR:PORT ...]\n"
"                        [--cert PEM --key PEM] [--web-root DIR] [--vnc-silence-ms N]\n"
"                        [--no-vnc-tlsplain] [--max-connections N]\n"
"\n"
"Serves the VMs of this host on one TCP port: the web client and its API over\n"
"HTTPS, noVNC over WebSocket, native VNC (VeNCrypt).\n"
"\n"
"  --state-dir DIR      users, tickets' key, tls/ (default: /var/lib/porthole for\n"
"                       root, else $XDG_STATE_HOME/porthole or ~/.local/state/porthole)\n"
"  --run-dir DIR        the VMs' run directories (default: /run/porthole for root,\n"
"                       else $XDG_RUNTIME_DIR/porthole or /tmp/porthole-UID)\n"
"  --port N             [::]:N and 0.0.0.0:N (default 8443; 0: a free port)\n"
"  --listen ADDR:PORT   instead of --port, may repeat (127.0.0.1:0, [::1]:8443)\n"
"  --cert PEM --key PEM the certificate (default: STATE/tls/, generated)\n"
"  --web-root DIR       the browser client's files\n"
"  --vnc-silence-ms N   a peer silent this long is a VNC client (default 250)\n"
"  --no-vnc-tlsplain    no anonymous TLS for VNC clients (X509Plain only)\n"
"  --max-connections N  more are closed at once (default 2048)\n"
"  --help, --version\n";

static int number(const char *opt, const char *s, long min, long max, long *out,
		  char *err, size_t errlen)
{
	char *end;

	*out = strtol(s, &end, 10);
	if (!*s || *end || *out < min || *out > max) {
		snprintf(err, errlen, "%s %s: give a number from %ld to %ld", opt, s, min, max);
		return -1;
	}
	return 0;
}

int gw_cli_parse(int argc, char **argv, struct gw_config *cfg, FILE *out,
		 char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "web-root", required_argument, NULL, 'w' },
		{ "vnc-silence-ms", required_argument, NULL, 'S' },
		{ "no-vnc-tlsplain", no_argument, NULL, 'T' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *state = NULL, *run = NULL;
	long n;
	int o;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port = -1;
	cfg->vnc_silence_ms = DEFAULT_SILENCE;
	cfg->vnc_tlsplain = 1;
	cfg->max_connections = DEFAULT_MAX_CONN;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 's': state = optarg; break;
		case 'r': run = optarg; break;
		case 'c': cfg->cert = optarg; break;
		case 'k': cfg->key = optarg; break;
		case 'w': cfg->web_root = optarg; break;
		case 'T': cfg->vnc_tlsplain = 0; break;
		case 'p':
			if (number("--port", optarg, 0, 65535, &n, err, errlen))
				return -1;
			cfg->port = (int)n;
			break;
		case 'l':
			if (cfg->n_listen == GW_MAX_LISTEN) {
				snprintf(err, errlen, "at most %d --listen", GW_MAX_LISTEN);
				return -1;
			}
			cfg->listen[cfg->n_listen++] = optarg;
			break;
		case 'S':
			if (number("--vnc-silence-ms", optarg, 10, GW_CLASSIFY_MS - 1, &n, err, errlen))
				return -1;
			cfg->vnc_silence_ms = (unsigned)n;
			break;
		case 'm':
			if (number("--max-connections", optarg, 1, 1000000, &n, err, errlen))
				return -1;
			cfg->max_connections = (unsigned)n;
			break;
		case 'h':
			fputs(usage, out);
			return 1;
		case 'V':
			fprintf(out, "porthole-gateway %s\n", PORTHOLE_VERSION);
			return 1;
		case ':':
			snprintf(err, errlen, "%s needs a value (see --help)", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option %s (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (cfg->port >= 0 && cfg->n_listen) {
		snprintf(err, errlen, "give --port or --listen, not both");
		return -1;
	}
	if (cfg->port < 0 && !cfg->n_listen)
		cfg->port = DEFAULT_PORT;
	if (!cfg->cert != !cfg->key) {
		snprintf(err, errlen, "--cert and --key go together");
		return -1;
	}
	if ((state && !*state) || (run && !*run)) {
		snprintf(err, errlen, "--state-dir and --run-dir must not be empty");
		return -1;
	}
	if (state)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", state);
	else if (auth_state_dir_default(cfg->state_dir, sizeof(cfg->state_dir))) {
		snprintf(err, errlen, "no default state directory (neither $XDG_STATE_HOME "
			 "nor $HOME): give --state-dir");
		return -1;
	}
	if (run)
		snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", run);
	else
		rundir_default_base(cfg->run_dir, sizeof(cfg->run_dir));
	return 0;
}
