// SPDX-License-Identifier: MIT
/*
 * The RFB handshakes the gateway speaks itself (RFC 6143 7.1, 7.2; the
 * VeNCrypt extension as TigerVNC, QEMU and libvncclient implement it:
 * after the subtype the server sends one byte, 1 to accept, before TLS).
 *
 * Each machine gathers the message it waits for into its in[] buffer, so
 * bytes may come one at a time or all at once; it never takes a byte past
 * the message its state needs.
 */
#include "rfb_auth.h"

#include <stdio.h>
#include <string.h>

#define RFB_VERSION_38 "RFB 003.008\n"
#define RFB_VERSION_LEN 12
#define RFB_SEC_NONE 1

enum front_state {
	F_VERSION, F_SECTYPE, F_VENC_VERSION, F_VENC_SUBTYPE, F_CRED_LENS, F_CREDS,
	F_VERIFY, F_DONE, F_FAILED,
};

enum back_state {
	B_VERSION, B_NTYPES, B_TYPES, B_RESULT, B_REASON_LEN, B_REASON, B_DONE, B_FAILED,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Gathers want bytes into in; 1 once they are all there. */
static int gather(uint8_t *in, size_t *in_len, size_t want, const uint8_t *buf,
		  size_t len, size_t *used)
{
	size_t n = want - *in_len;

	if (n > len - *used)
		n = len - *used;
	memcpy(in + *in_len, buf + *used, n);
	*in_len += n;
	*used += n;
	return *in_len == want;
}

struct sink {
	uint8_t *p;
	size_t *len, cap;
};

static void put(struct sink s, const void *p, size_t n)
{
	if (n > s.cap - *s.len)
		n = s.cap - *s.len;   /* out[] is sized for every message queued */
	memcpy(s.p + *s.len, p, n);
	*s.len += n;
}

static void put_u8(struct sink s, uint8_t v)
{
	put(s, &v, 1);
}

static void put_u32(struct sink s, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(s, b, 4);
}

/* A u32 length and the text, cut to what out[] has room for. */
static void put_reason(struct sink s, const char *reason)
{
	size_t n = strlen(reason), room = s.cap - *s.len;

	if (room < 4)
		return;
	if (n > room - 4)
		n = room - 4;
	put_u32(s, (uint32_t)n);
	put(s, reason, n);
}

/* ------------------------------------------------------------------ */
/* The front: the gateway as server to a native VNC client.            */

static struct sink front_out(struct gw_rfb_front *f)
{
	return (struct sink){ f->out, &f->out_len, sizeof(f->out) };
}

static enum gw_rfb_event front_fail(struct gw_rfb_front *f, const char *why)
{
	f->state = F_FAILED;
	f->error = why;
	explicit_bzero(f->in, sizeof(f->in));
	explicit_bzero(f->password, sizeof(f->password));
	return GW_RFB_ERROR;
}

/* SecurityResult failed, with the reason 3.8 carries. */
static void front_result_failed(struct gw_rfb_front *f, const char *reason)
{
	put_u32(front_out(f), 1);
	put_reason(front_out(f), reason);
}

void gw_rfb_front_init(struct gw_rfb_front *f, int allow_tlsplain)
{
	memset(f, 0, sizeof(*f));
	f->state = F_VERSION;
	f->allow_tlsplain = allow_tlsplain;
	put(front_out(f), RFB_VERSION_38, RFB_VERSION_LEN);
}

/* "RFB xxx.yyy\n" into major and minor; -1 if it is not that. */
static int parse_version(const uint8_t *v, int *major, int *minor)
{
	int i;

	if (memcmp(v, "RFB ", 4) || v[7] != '.' || v[11] != '\n')
		return -1;
	*major = *minor = 0;
	for (i = 4; i < 11; i++) {
		if (i == 7)
			continue;
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (i < 7)
			*major = *major * 10 + (v[i] - '0');
		else
			*minor = *minor * 10 + (v[i] - '0');
	}
	return 0;
}

static enum gw_rfb_event front_version(struct gw_rfb_front *f)
{
	static const char why[] = "this server speaks RFB 3.8 only (VeNCrypt)";
	int major, minor;

	if (parse_version(f->in, &major, &minor) < 0)
		return front_fail(f, "not an RFB client");
	if (major == 3 && minor == 8) {
		put_u8(front_out(f), 1);              /* one security type */
		put_u8(front_out(f), GW_RFB_VENCRYPT);
		f->state = F_SECTYPE;
		return GW_RFB_NEED_MORE;
	}
	/* RFC 6143 7.1.1: 3.3 (and unknown minors below 3.7) get a u32
	 * security type of 0; 3.7 and up a u8 count of 0. Either way the
	 * reason follows. */
	if (major == 3 && minor < 7)
		put_u32(front_out(f), 0);
	else
		put_u8(front_out(f), 0);
	put_reason(front_out(f), why);
	return front_fail(f, "client speaks an RFB version other than 3.8");
}

static enum gw_rfb_event front_subtype(struct gw_rfb_front *f)
{
	uint32_t t = be32(f->in);

	if (t == GW_RFB_VENCRYPT_X509PLAIN ||
	    (t == GW_RFB_VENCRYPT_TLSPLAIN && f->allow_tlsplain)) {
		put_u8(front_out(f), 1);              /* accepted */
		f->tls_anon = t == GW_RFB_VENCRYPT_TLSPLAIN;
		f->state = F_CRED_LENS;
		return GW_RFB_START_TLS;
	}
	put_u8(front_out(f), 0);
	return front_fail(f, "client chose a VeNCrypt subtype not offered");
}

static enum gw_rfb_event front_cred_lens(struct gw_rfb_front *f)
{
	uint32_t ulen = be32(f->in), plen = be32(f->in + 4);

	if (ulen > GW_RFB_CRED_MAX || plen > GW_RFB_CRED_MAX) {
		front_result_failed(f, "authentication failed");
		return front_fail(f, "user name or password too long");
	}
	f->want = ulen + plen;
	/* Keep the lengths behind the strings' bytes for front_creds. */
	memmove(f->in + sizeof(f->in) - 8, f->in, 8);
	f->state = F_CREDS;
	return GW_RFB_NEED_MORE;
}

static enum gw_rfb_event front_creds(struct gw_rfb_front *f)
{
	uint32_t ulen = be32(f->in + sizeof(f->in) - 8);
	uint32_t plen = be32(f->in + sizeof(f->in) - 4);

	if (memchr(f->in, 0, ulen + plen)) {
		front_result_failed(f, "authentication failed");
		return front_fail(f, "NUL byte in user name or password");
	}
	memcpy(f->user, f->in, ulen);
	f->user[ulen] = '\0';
	memcpy(f->password, f->in + ulen, plen);
	f->password[plen] = '\0';
	explicit_bzero(f->in, sizeof(f->in));
	f->in_len = 0;
	f->state = F_VERIFY;
	return GW_RFB_CREDENTIALS;
}

/* The bytes the state waits for; in[]'s tail keeps the credential lengths. */
static size_t front_want(const struct gw_rfb_front *f)
{
	switch (f->state) {
	case F_VERSION:
		return RFB_VERSION_LEN;
	case F_SECTYPE:
		return 1;
	case F_VENC_VERSION:
		return 2;
	case F_VENC_SUBTYPE:
		return 4;
	case F_CRED_LENS:
		return 8;
	default:
		return f->want;
	}
}

/* One whole message of the current state is in in[]: act on it. */
static enum gw_rfb_event front_step(struct gw_rfb_front *f)
{
	switch (f->state) {
	case F_VERSION:
		return front_version(f);
	case F_SECTYPE:
		if (f->in[0] != GW_RFB_VENCRYPT) {
			front_result_failed(f, "this server offers VeNCrypt only");
			return front_fail(f, "client chose a security type not offered");
		}
		put_u8(front_out(f), 0);                  /* VeNCrypt 0.2 */
		put_u8(front_out(f), 2);
		f->state = F_VENC_VERSION;
		return GW_RFB_NEED_MORE;
	case F_VENC_VERSION:
		if (f->in[0] != 0 || f->in[1] != 2) {
			put_u8(front_out(f), 0xff);       /* version refused */
			return front_fail(f, "client wants a VeNCrypt version other than 0.2");
		}
		put_u8(front_out(f), 0);                  /* version accepted */
		put_u8(front_out(f), f->allow_tlsplain ? 2 : 1);
		put_u32(front_out(f), GW_RFB_VENCRYPT_X509PLAIN);
		if (f->allow_tlsplain)
			put_u32(front_out(f), GW_RFB_VENCRYPT_TLSPLAIN);
		f->state = F_VENC_SUBTYPE;
		return GW_RFB_NEED_MORE;
	case F_VENC_SUBTYPE:
		return front_subtype(f);
	case F_CRED_LENS:
		return front_cred_lens(f);
	default:
		return front_creds(f);
	}
}

enum gw_rfb_event gw_rfb_front_feed(struct gw_rfb_front *f, const uint8_t *buf,
				    size_t len, size_t *used)
{
	*used = 0;
	for (;;) {
		enum gw_rfb_event ev;

		if (f->state == F_VERIFY)
			return GW_RFB_NEED_MORE;
		if (f->state == F_DONE)
			return GW_RFB_READY;
		if (f->state == F_FAILED)
			return GW_RFB_ERROR;
		if (!gather(f->in, &f->in_len, front_want(f), buf, len, used))
			return GW_RFB_NEED_MORE;
		if (f->state != F_CREDS)
			f->in_len = 0;
		ev = front_step(f);
		if (ev != GW_RFB_NEED_MORE)
			return ev;
	}
}

void gw_rfb_front_result(struct gw_rfb_front *f, int ok, const char *reason)
{
	explicit_bzero(f->password, sizeof(f->password));
	if (f->state != F_VERIFY)
		return;
	if (ok) {
		put_u32(front_out(f), 0);
		f->state = F_DONE;
		return;
	}
	front_result_failed(f, reason ? reason : "authentication failed");
	front_fail(f, "authentication failed");
}

/* ------------------------------------------------------------------ */
/* The back: the gateway as client of the VM's display (security None). */

#define REASON_TEXT_MAX 48   /* of the display's reason, kept for the log */

static struct sink back_out(struct gw_rfb_back *b)
{
	return (struct sink){ b->out, &b->out_len, sizeof(b->out) };
}

static enum gw_rfb_event back_fail(struct gw_rfb_back *b, const char *why)
{
	b->state = B_FAILED;
	b->error = why;
	return GW_RFB_ERROR;
}

void gw_rfb_back_init(struct gw_rfb_back *b)
{
	memset(b, 0, sizeof(*b));
	b->state = B_VERSION;
}

static size_t back_want(const struct gw_rfb_back *b)
{
	switch (b->state) {
	case B_VERSION:
		return RFB_VERSION_LEN;
	case B_NTYPES:
	case B_TYPES:
		return 1;
	case B_RESULT:
	case B_REASON_LEN:
		return 4;
	default:
		return b->want;
	}
}

/* The display's reason, printable, after the prefix already in reason. */
static enum gw_rfb_event back_reason(struct gw_rfb_back *b)
{
	size_t at = strlen(b->reason), i;

	for (i = 0; i < b->in_len && at + 1 < sizeof(b->reason); i++)
		b->reason[at++] = b->in[i] >= 0x20 && b->in[i] < 0x7f ? (char)b->in[i] : '?';
	b->reason[at] = '\0';
	return back_fail(b, b->reason);
}

static enum gw_rfb_event back_step(struct gw_rfb_back *b)
{
	uint32_t v;

	switch (b->state) {
	case B_VERSION:
		if (memcmp(b->in, RFB_VERSION_38, RFB_VERSION_LEN))
			return back_fail(b, "display does not speak RFB 3.8");
		put(back_out(b), RFB_VERSION_38, RFB_VERSION_LEN);
		b->state = B_NTYPES;
		return GW_RFB_NEED_MORE;
	case B_NTYPES:
		if (b->in[0] == 0) {
			snprintf(b->reason, sizeof(b->reason), "display refused the connection: ");
			b->state = B_REASON_LEN;
		} else {
			b->left = b->in[0];
			b->state = B_TYPES;
		}
		return GW_RFB_NEED_MORE;
	case B_TYPES:
		if (b->in[0] == RFB_SEC_NONE)
			b->none_offered = 1;
		if (--b->left)
			return GW_RFB_NEED_MORE;
		if (!b->none_offered)
			return back_fail(b, "display does not offer security None");
		put_u8(back_out(b), RFB_SEC_NONE);
		b->state = B_RESULT;
		return GW_RFB_NEED_MORE;
	case B_RESULT:
		if (be32(b->in) == 0) {
			b->state = B_DONE;
			return GW_RFB_READY;
		}
		snprintf(b->reason, sizeof(b->reason), "display refused security None: ");
		b->state = B_REASON_LEN;
		return GW_RFB_NEED_MORE;
	case B_REASON_LEN:
		v = be32(b->in);
		if (v == 0) {
			b->in_len = 0;
			return back_reason(b);
		}
		b->want = v < REASON_TEXT_MAX ? v : REASON_TEXT_MAX;
		b->state = B_REASON;
		return GW_RFB_NEED_MORE;
	default:
		return back_reason(b);
	}
}

enum gw_rfb_event gw_rfb_back_feed(struct gw_rfb_back *b, const uint8_t *buf,
				   size_t len, size_t *used)
{
	*used = 0;
	for (;;) {
		enum gw_rfb_event ev;

		if (b->state == B_DONE)
			return GW_RFB_READY;
		if (b->state == B_FAILED)
			return GW_RFB_ERROR;
		if (!gather(b->in, &b->in_len, back_want(b), buf, len, used))
			return GW_RFB_NEED_MORE;
		ev = back_step(b);
		b->in_len = 0;
		if (ev != GW_RFB_NEED_MORE)
			return ev;
	}
}
