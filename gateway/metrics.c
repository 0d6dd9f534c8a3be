// SPDX-License-Identifier: MIT
/* The gateway's counters in Prometheus' text exposition format (0.0.4). */
#include "gw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[GW_CL_N] = {
	"tls", "rdp", "rdp-pcb", "http", "vnc", "unknown", "timeout",
};

static const char *const rdp_refusal_names[GW_RR_N] = {
	"standard_security", "malformed", "timeout", "no_vm", "no_single_vm", "ticket",
	"vm_not_running",
};

/* enum authsvc_result's order. */
static const char *const authsvc_names[GW_AUTHSVC_RESULTS] = {
	"ok", "denied", "locked", "totp", "error",
};

/* Reasons come from auth/ (and ticket results); the table keeps the first
 * GW_AUTH_REASONS - 1 seen and counts any later one as "other". */
void gw_metrics_auth_failure(struct gw_metrics *m, const char *reason)
{
	size_t i;

	if (!reason || !*reason)
		reason = "unknown";
	for (i = 0; i < GW_AUTH_REASONS - 1 && m->auth_fail[i].reason[0]; i++)
		if (strcmp(m->auth_fail[i].reason, reason) == 0)
			break;
	if (i == GW_AUTH_REASONS - 1)
		snprintf(m->auth_fail[i].reason, sizeof(m->auth_fail[i].reason), "other");
	else if (!m->auth_fail[i].reason[0])
		for (size_t k = 0; k < sizeof(m->auth_fail[i].reason) - 1 && reason[k]; k++)
			m->auth_fail[i].reason[k] = (reason[k] >= 'a' && reason[k] <= 'z') ||
				(reason[k] >= '0' && reason[k] <= '9') ? reason[k] : '_';
	m->auth_fail[i].n++;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP porthole_gateway_%s %s\n# TYPE porthole_gateway_%s %s\n",
		name, help, name, type);
}

char *gw_metrics_format(const struct gw_metrics *m, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	family(f, "connections_active", "gauge", "TCP connections open now.");
	fprintf(f, "porthole_gateway_connections_active %llu\n",
		(unsigned long long)m->connections_active);
	family(f, "connections_refused_total", "counter",
	       "Connections closed at once: over --max-connections.");
	fprintf(f, "porthole_gateway_connections_refused_total %llu\n",
		(unsigned long long)m->connections_refused);
	family(f, "classified_total", "counter",
	       "New connections by what they spoke first.");
	for (int i = 0; i < GW_CL_N; i++)
		fprintf(f, "porthole_gateway_classified_total{protocol=\"%s\"} %llu\n",
			class_names[i], (unsigned long long)m->classified[i]);
	family(f, "sessions_total", "counter", "Relayed sessions started.");
	for (int p = 0; p < GW_SP_N; p++)
		fprintf(f, "porthole_gateway_sessions_total{protocol=\"%s\"} %llu\n",
			gw_sproto_name(p), (unsigned long long)m->sessions_total[p]);
	family(f, "sessions_active", "gauge", "Relayed sessions now.");
	for (int p = 0; p < GW_SP_N; p++)
		fprintf(f, "porthole_gateway_sessions_active{protocol=\"%s\"} %llu\n",
			gw_sproto_name(p), (unsigned long long)m->sessions_active[p]);
	family(f, "tls_handshakes_total", "counter", "TLS handshakes by result.");
	fprintf(f, "porthole_gateway_tls_handshakes_total{result=\"ok\"} %llu\n"
		"porthole_gateway_tls_handshakes_total{result=\"failed\"} %llu\n",
		(unsigned long long)m->tls_ok, (unsigned long long)m->tls_failed);
	family(f, "auth_failures_total", "counter",
	       "Refused log-ins and tickets by reason.");
	for (int i = 0; i < GW_AUTH_REASONS && m->auth_fail[i].reason[0]; i++)
		fprintf(f, "porthole_gateway_auth_failures_total{reason=\"%s\"} %llu\n",
			m->auth_fail[i].reason, (unsigned long long)m->auth_fail[i].n);
	family(f, "bytes_total", "counter",
	       "Relayed payload bytes; in: from clients, out: to clients.");
	for (int p = 0; p < GW_SP_N; p++)
		for (int d = 0; d < 2; d++)
			fprintf(f, "porthole_gateway_bytes_total{protocol=\"%s\",direction=\"%s\"} %llu\n",
				gw_sproto_name(p), d ? "out" : "in",
				(unsigned long long)m->bytes[p][d]);
	family(f, "rdp_refused_total", "counter",
	       "RDP connections closed before reaching a VM, by reason.");
	for (int i = 0; i < GW_RR_N; i++)
		fprintf(f, "porthole_gateway_rdp_refused_total{reason=\"%s\"} %llu\n",
			rdp_refusal_names[i], (unsigned long long)m->rdp_refused[i]);
	family(f, "authsvc_requests_total", "counter",
	       "Answers of the local auth service (RDP log-ins), by result.");
	for (int i = 0; i < GW_AUTHSVC_RESULTS; i++)
		fprintf(f, "porthole_gateway_authsvc_requests_total{result=\"%s\"} %llu\n",
			authsvc_names[i], (unsigned long long)m->authsvc[i]);
	family(f, "http_requests_total", "counter", "HTTP requests answered.");
	fprintf(f, "porthole_gateway_http_requests_total %llu\n",
		(unsigned long long)m->http_requests);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
