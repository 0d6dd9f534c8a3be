/* SPDX-License-Identifier: MIT */
/*
 * RDP on the gateway's one port: the first bytes an RDP client sends,
 * read only to choose the VM (docs/gateway.md, "RDP"). The gateway never
 * speaks RDP itself: it forwards the X.224 Connection Request unchanged to
 * the VM's RDP server and relays from then on (TLS runs end to end).
 *
 *   [MS-RDPEPS] preconnection PDU (optional, first): cbSize, Flags 0,
 *     Version 1 or 2, Id; version 2 adds cchPCB and wszPCB (UTF-16LE, the
 *     .rdp file's `pcb:s:`), where a Porthole ticket travels.
 *   [MS-RDPBCGR] 2.2.1.1 X.224 Connection Request in TPKT: the fixed
 *     part, then at most one line ending in CR LF — the routing token
 *     (load-balance info, as RD Connection Broker uses it) or the cookie
 *     "Cookie: mstshash=USER" — then RDP_NEG_REQ (requested protocols) and
 *     its optional correlation info.
 *
 * Pure and bounded: bytes in, fields out, no I/O, no allocation. Fuzzed by
 * tests/fuzz/fuzz_gw_rdp.c.
 */
#ifndef PORTHOLE_GW_RDP_H
#define PORTHOLE_GW_RDP_H

#include <stddef.h>
#include <stdint.h>

#define GW_RDP_PCB_CHARS_MAX  1024   /* cchPCB: more is refused (a ticket is < 256) */
#define GW_RDP_PCB_MAX        (18 + 2 * GW_RDP_PCB_CHARS_MAX)
/* A CR is all TPDU header, and its one-byte length indicator goes to 254
 * (255 means an extension): TPKT 4 + LI 1 + 254. */
#define GW_RDP_CR_MAX         259
#define GW_RDP_LINE_MAX       (GW_RDP_CR_MAX - 11 - 2)  /* routing token or cookie */

/* requestedProtocols ([MS-RDPBCGR] 2.2.1.1.1) */
#define GW_RDP_PROTOCOL_RDP       0x00   /* standard RDP security: no bit */
#define GW_RDP_PROTOCOL_SSL       0x01
#define GW_RDP_PROTOCOL_HYBRID    0x02
#define GW_RDP_PROTOCOL_RDSTLS    0x04
#define GW_RDP_PROTOCOL_HYBRID_EX 0x08
#define GW_RDP_PROTOCOL_RDSAAD    0x10
/* Every protocol above that runs inside TLS. */
#define GW_RDP_PROTOCOLS_TLS      0x1f

/* RDP_NEG_FAILURE codes ([MS-RDPBCGR] 2.2.1.2.2) */
#define GW_RDP_SSL_REQUIRED_BY_SERVER 0x01

enum gw_rdp_parse {
	GW_RDP_NEED_MORE,    /* a prefix of something that may still parse */
	GW_RDP_OK,
	GW_RDP_BAD,          /* malformed or over a limit: close */
};

struct gw_rdp_pcb {
	size_t len;          /* cbSize: bytes the PDU takes (the gateway drops them) */
	uint32_t version;    /* 1 or 2 */
	uint32_t id;
	/* wszPCB up to its first NUL: printable ASCII code units as they are,
	 * '?' for others (and non_ascii set); "" for version 1 or no string. */
	char blob[GW_RDP_PCB_CHARS_MAX + 1];
	int non_ascii;
};

enum gw_rdp_line { GW_RDP_LINE_NONE, GW_RDP_LINE_COOKIE, GW_RDP_LINE_TOKEN };

struct gw_rdp_cr {
	size_t len;          /* the TPKT length: the bytes to forward */
	enum gw_rdp_line line;
	/* The cookie's IDENTIFIER, or the whole routing token line; without
	 * CR LF; printable ASCII only. */
	char text[GW_RDP_LINE_MAX + 1];
	int has_neg;         /* RDP_NEG_REQ present */
	uint8_t neg_flags;
	uint32_t protocols;  /* requestedProtocols; GW_RDP_PROTOCOL_RDP without RDP_NEG_REQ */
};

/* A preconnection PDU at the start of buf. */
enum gw_rdp_parse gw_rdp_parse_pcb(const uint8_t *buf, size_t len, struct gw_rdp_pcb *p);
/* A TPKT-framed X.224 Connection Request at the start of buf. */
enum gw_rdp_parse gw_rdp_parse_cr(const uint8_t *buf, size_t len, struct gw_rdp_cr *cr);

/* The VM a routing token names: "Cookie: msts=porthole:VM", maybe
 * followed by spaces ("porthole" in any case). A token must start with
 * "Cookie: msts=" because FreeRDP's server (the display's) reads any other
 * line as no token at all and then fails on it. VM is copied (not checked
 * against auth's name rules) into vm (33 bytes). 0, or -1 if the token is
 * not of that form. */
int gw_rdp_token_vm(const char *token, char vm[33]);
/* The user a mstshash cookie names: "DOMAIN\" dropped, ASCII lower-cased,
 * into user (33 bytes). 0, or -1 if nothing or too long is left. */
int gw_rdp_cookie_user(const char *cookie, char user[33]);

/* An X.224 Connection Confirm carrying RDP_NEG_FAILURE with code: what a
 * server says to a client whose requested protocols it refuses (the client
 * shows the reason). Returns its length (19). */
#define GW_RDP_NEG_FAILURE_LEN 19
size_t gw_rdp_neg_failure(uint8_t out[GW_RDP_NEG_FAILURE_LEN], uint32_t code);

#endif
