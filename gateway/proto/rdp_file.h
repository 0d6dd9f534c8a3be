/* SPDX-License-Identifier: MIT */
/*
 * The .rdp file that opens one VM through the gateway with a ticket: what
 * the web client's "Download .rdp" (GET /api/vms/NAME/rdp) and `porthole
 * ticket --rdp` write. Header-only so that the CLI, which links no gateway
 * code, writes exactly the same file. docs/gateway.md says what each line
 * is for in mstsc and xfreerdp.
 */
#ifndef PORTHOLE_GW_RDP_FILE_H
#define PORTHOLE_GW_RDP_FILE_H

#include <stdio.h>
#include <string.h>

/* A host name, IPv4 address or bracketed IPv6 address: nothing that could
 * end the line or start another setting. */
static inline int gw_rdp_file_host_ok(const char *h)
{
	size_t n = strlen(h), i;

	if (n == 0 || n > 253)
		return 0;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return 0;
		for (i = 1; i < n - 1; i++)
			if (!strchr("0123456789abcdefABCDEF:.", h[i]))
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", h[i]))
			return 0;
	return 1;
}

static inline int gw_rdp_file_word_ok(const char *s, const char *chars, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, chars) == n;
}

/*
 * Formats the file into out (CR LF lines, as mstsc writes them). host:
 * as clients reach the gateway ("gw.example.com", "10.0.0.2", "[::1]");
 * user: the name the client fills in; ticket: auth_ticket_issue's, for
 * AUTH_PROTO_RDP. Returns the length, or -1 if a value is not safe to put
 * in the file or out is too small.
 */
static inline int gw_rdp_file(char *out, size_t outlen, const char *host, unsigned port,
			      const char *user, const char *ticket)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789._-";
	static const char ticket_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789-_.";
	int n;

	if (!gw_rdp_file_host_ok(host) || port == 0 || port > 65535 ||
	    !gw_rdp_file_word_ok(user, name_chars, 32) ||
	    !gw_rdp_file_word_ok(ticket, ticket_chars, 255))
		return -1;
	n = snprintf(out, outlen,
		     "full address:s:%s:%u\r\n"
		     "pcb:s:%s\r\n"
		     "username:s:%s\r\n"
		     "prompt for credentials:i:1\r\n"
		     "prompt for credentials on client:i:1\r\n"
		     "authentication level:i:2\r\n"
		     "negotiate security layer:i:1\r\n"
		     "enablecredsspsupport:i:0\r\n"
		     "use multimon:i:0\r\n"
		     "screen mode id:i:1\r\n",
		     host, port, ticket, user);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

#endif
