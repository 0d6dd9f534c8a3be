// SPDX-License-Identifier: MIT
/*
 * gw_rfb_front and gw_rfb_back driven by scripted peers: whole, a byte at
 * a time and in odd pieces, checking every byte the machines send, that
 * they never take more than they are given nor a byte past their
 * handshake, and every way each can fail.
 */
#include "check.h"
#include "rfb_auth.h"

#include <string.h>

struct run {
	uint8_t out[4096];
	size_t out_len;
	size_t consumed;
	int start_tls, creds, ready, error;
	int tls_anon;
	char user[GW_RFB_CRED_MAX + 1], password[GW_RFB_CRED_MAX + 1];
};

static void take_out(uint8_t *out, size_t *out_len, struct run *r)
{
	CHECK(r->out_len + *out_len <= sizeof(r->out), "output overflow");
	memcpy(r->out + r->out_len, out, *out_len);
	r->out_len += *out_len;
	*out_len = 0;
}

/* Plays the client's bytes into the front in pieces of step (0: at once);
 * answers CREDENTIALS with ok. Stops at READY or ERROR. */
static void drive_front(struct gw_rfb_front *f, const uint8_t *in, size_t len, size_t step,
			int ok, struct run *r)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	take_out(f->out, &f->out_len, r);
	for (;;) {
		size_t n = step && step < len - off ? step : len - off, used = 99999;
		enum gw_rfb_event ev = gw_rfb_front_feed(f, in + off, n, &used);

		CHECK(used <= n, "used %zu of %zu", used, n);
		off += used;
		take_out(f->out, &f->out_len, r);
		if (ev == GW_RFB_NEED_MORE) {
			CHECK(used == n, "waits for more but left %zu bytes", n - used);
			if (off == len)
				break;
		} else if (ev == GW_RFB_START_TLS) {
			r->start_tls++;
			r->tls_anon = f->tls_anon;
		} else if (ev == GW_RFB_CREDENTIALS) {
			size_t i;

			r->creds++;
			strcpy(r->user, f->user);
			strcpy(r->password, f->password);
			gw_rfb_front_result(f, ok, NULL);
			for (i = 0; i < sizeof(f->password); i++)
				CHECK(f->password[i] == 0, "password not wiped");
			for (i = 0; i < sizeof(f->in); i++)
				CHECK(f->in[i] == 0, "input buffer not wiped");
			take_out(f->out, &f->out_len, r);
		} else if (ev == GW_RFB_READY) {
			r->ready = 1;
			break;
		} else {
			CHECK(ev == GW_RFB_ERROR, "event %d", ev);
			CHECK(f->error, "an error without a reason");
			r->error = 1;
			break;
		}
	}
	r->consumed = off;
}

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* A client's whole handshake: version, VeNCrypt, subtype, credentials. */
static size_t client_script(uint8_t *b, const char *version, uint8_t sectype,
			    uint8_t vmajor, uint8_t vminor, uint32_t subtype,
			    uint32_t ulen, const char *user, uint32_t plen, const char *pass)
{
	size_t n = 0;

	memcpy(b, version, 12);
	n += 12;
	b[n++] = sectype;
	b[n++] = vmajor;
	b[n++] = vminor;
	n += put32(b + n, subtype);
	n += put32(b + n, ulen);
	n += put32(b + n, plen);
	memcpy(b + n, user, strlen(user));
	n += strlen(user);
	memcpy(b + n, pass, strlen(pass));
	n += strlen(pass);
	return n;
}

static const uint8_t server_to_ok[] = {
	'R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n',
	1, 19,                            /* one security type: VeNCrypt */
	0, 2,                             /* VeNCrypt 0.2 */
	0, 2, 0, 0, 1, 6, 0, 0, 1, 3,     /* ok; X509Plain, TLSPlain */
	1,                                /* subtype accepted */
	0, 0, 0, 0,                       /* SecurityResult OK */
};

static void test_front_ok(void)
{
	static const size_t steps[] = { 0, 1, 2, 3, 5, 7, 13 };
	uint8_t in[1024];
	size_t n, i;

	n = client_script(in, "RFB 003.008\n", 19, 0, 2, 262, 5, "alice", 6, "secret");
	in[n++] = 1;   /* ClientInit: the relay's */
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct gw_rfb_front f;
		struct run r;

		gw_rfb_front_init(&f, 1);
		drive_front(&f, in, n, steps[i], 1, &r);
		CHECK(r.ready && !r.error && r.start_tls == 1 && r.creds == 1, "step %zu",
		      steps[i]);
		CHECK(r.consumed == n - 1, "took %zu of %zu: ClientInit is not the front's",
		      r.consumed, n);
		CHECK(!strcmp(r.user, "alice") && !strcmp(r.password, "secret"), "credentials");
		CHECK(!r.tls_anon, "X509Plain is not anonymous");
		CHECK(r.out_len == sizeof(server_to_ok) &&
		      !memcmp(r.out, server_to_ok, sizeof(server_to_ok)), "server bytes (%zu)",
		      r.out_len);
		/* After READY: nothing more is taken. */
		{
			size_t used = 5;

			CHECK(gw_rfb_front_feed(&f, in, n, &used) == GW_RFB_READY && used == 0,
			      "ready stays ready");
		}
	}
}

static void test_front_tlsplain(void)
{
	static const uint8_t only_x509[] = { 0, 1, 0, 0, 1, 6 };
	uint8_t in[1024];
	struct gw_rfb_front f;
	struct run r;
	size_t n;

	n = client_script(in, "RFB 003.008\n", 19, 0, 2, 259, 3, "bob", 2, "pw");
	gw_rfb_front_init(&f, 1);
	drive_front(&f, in, n, 1, 1, &r);
	CHECK(r.ready && r.tls_anon, "TLSPlain chosen: anonymous TLS");

	/* Not offered when turned off, and refused when chosen anyway. */
	gw_rfb_front_init(&f, 0);
	drive_front(&f, in, n, 0, 1, &r);
	CHECK(r.error && !r.start_tls, "TLSPlain refused when off");
	CHECK(r.out_len == 12 + 2 + 2 + sizeof(only_x509) + 1, "out %zu", r.out_len);
	CHECK(!memcmp(r.out + 16, only_x509, sizeof(only_x509)), "only X509Plain offered");
	CHECK(r.out[r.out_len - 1] == 0, "subtype refused with 0");
	CHECK(r.consumed == 12 + 1 + 2 + 4, "nothing after the subtype taken");
}

/* After START_TLS the client's ClientHello follows at once: not ours. */
static void test_front_leftover_tls(void)
{
	uint8_t in[64];
	struct gw_rfb_front f;
	size_t n = 0, used, off = 0;
	enum gw_rfb_event ev;

	memcpy(in, "RFB 003.008\n", 12);
	n = 12;
	in[n++] = 19;
	in[n++] = 0;
	in[n++] = 2;
	n += put32(in + n, 262);
	memcpy(in + n, "\x16\x03\x01\x02\x00\x01", 6);
	gw_rfb_front_init(&f, 1);
	f.out_len = 0;
	do {
		ev = gw_rfb_front_feed(&f, in + off, n + 6 - off, &used);
		off += used;
	} while (ev == GW_RFB_NEED_MORE && used);
	CHECK(ev == GW_RFB_START_TLS && off == n, "START_TLS at %zu, want %zu", off, n);
}

static void expect_failure_reason(const struct run *r, size_t at, const char *what)
{
	uint32_t len;

	CHECK(r->out_len >= at + 4, "%s: no reason", what);
	len = (uint32_t)r->out[at] << 24 | r->out[at + 1] << 16 | r->out[at + 2] << 8 |
	      r->out[at + 3];
	CHECK(len > 0 && at + 4 + len == r->out_len, "%s: reason of %u bytes, output %zu", what,
	      len, r->out_len);
}

static void test_front_versions(void)
{
	static const struct {
		const char *version;
		int format;   /* 33: u32 0 + reason; 37: u8 0 + reason; 0: nothing */
	} cases[] = {
		{ "RFB 003.003\n", 33 }, { "RFB 003.005\n", 33 }, { "RFB 003.007\n", 37 },
		{ "RFB 003.889\n", 37 }, { "RFB 004.001\n", 37 }, { "RFB 003.08\n\n", 0 },
		{ "HELLO WORLD\n", 0 },  { "RFB 003.008\r", 0 },  { "rfb 003.008\n", 0 },
	};
	size_t i, step;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (step = 0; step <= 1; step++) {
			struct gw_rfb_front f;
			struct run r;

			gw_rfb_front_init(&f, 1);
			drive_front(&f, (const uint8_t *)cases[i].version, 12, step, 1, &r);
			CHECK(r.error && r.consumed == 12, "%s refused", cases[i].version);
			if (cases[i].format == 33) {
				CHECK(r.out_len > 16 && !memcmp(r.out + 12, "\0\0\0\0", 4),
				      "3.3 failure");
				expect_failure_reason(&r, 16, cases[i].version);
			} else if (cases[i].format == 37) {
				CHECK(r.out_len > 13 && r.out[12] == 0, "3.7 failure");
				expect_failure_reason(&r, 13, cases[i].version);
			} else {
				CHECK(r.out_len == 12, "garbage gets no answer");
			}
		}
	}
}

static void test_front_refusals(void)
{
	uint8_t in[1024], longname[GW_RFB_CRED_MAX + 2];
	struct gw_rfb_front f;
	struct run r;
	size_t n, i;

	/* Security type VNC (2) instead of VeNCrypt: SecurityResult failed. */
	n = client_script(in, "RFB 003.008\n", 2, 0, 2, 262, 1, "a", 1, "b");
	gw_rfb_front_init(&f, 1);
	drive_front(&f, in, n, 0, 1, &r);
	CHECK(r.error && r.consumed == 13, "security type 2");
	CHECK(r.out_len > 18 && !memcmp(r.out + 14, "\0\0\0\1", 4), "SecurityResult failed");
	expect_failure_reason(&r, 18, "security type");

	/* VeNCrypt 0.1 (obsolete) and 0.0 (the client gives up). */
	for (i = 0; i < 2; i++) {
		n = client_script(in, "RFB 003.008\n", 19, 0, (uint8_t)(1 - i), 262, 1, "a", 1, "b");
		gw_rfb_front_init(&f, 1);
		drive_front(&f, in, n, 1, 1, &r);
		CHECK(r.error && r.consumed == 15, "VeNCrypt 0.%zu", 1 - i);
		CHECK(r.out_len == 17 && r.out[16] == 0xff, "version refused with 0xff");
	}

	/* Subtypes not offered: 0 (none), Plain without TLS, X509None. */
	for (i = 0; i < 3; i++) {
		static const uint32_t bad[] = { 0, 256, 260 };

		n = client_script(in, "RFB 003.008\n", 19, 0, 2, bad[i], 1, "a", 1, "b");
		gw_rfb_front_init(&f, 1);
		drive_front(&f, in, n, 0, 1, &r);
		CHECK(r.error && !r.start_tls && r.out[r.out_len - 1] == 0, "subtype %u", bad[i]);
	}

	/* Credentials: longest allowed, one too long either way, NUL, empty. */
	memset(longname, 'u', sizeof(longname));
	longname[GW_RFB_CRED_MAX] = '\0';
	n = client_script(in, "RFB 003.008\n", 19, 0, 2, 262, GW_RFB_CRED_MAX,
			  (const char *)longname, GW_RFB_CRED_MAX, (const char *)longname);
	gw_rfb_front_init(&f, 1);
	drive_front(&f, in, n, 0, 1, &r);
	CHECK(r.ready && strlen(r.user) == GW_RFB_CRED_MAX &&
	      strlen(r.password) == GW_RFB_CRED_MAX, "longest credentials");
	for (i = 0; i < 2; i++) {
		n = client_script(in, "RFB 003.008\n", 19, 0, 2, 262,
				  i ? 1 : GW_RFB_CRED_MAX + 1, "", i ? GW_RFB_CRED_MAX + 1 : 1, "");
		gw_rfb_front_init(&f, 1);
		drive_front(&f, in, n, 0, 1, &r);
		CHECK(r.error && !r.creds && r.consumed == n, "too long %zu", i);
		CHECK(!memcmp(r.out + sizeof(server_to_ok) - 4, "\0\0\0\1", 4),
		      "SecurityResult failed inside TLS");
		expect_failure_reason(&r, sizeof(server_to_ok), "too long");
	}
	n = client_script(in, "RFB 003.008\n", 19, 0, 2, 262, 3, "a\1x", 1, "p");
	in[n - 3] = '\0';   /* the user "a\0x" */
	gw_rfb_front_init(&f, 1);
	drive_front(&f, in, n, 0, 1, &r);
	CHECK(r.error && !r.creds, "NUL in the user name");
	n = client_script(in, "RFB 003.008\n", 19, 0, 2, 262, 0, "", 0, "");
	gw_rfb_front_init(&f, 1);
	drive_front(&f, in, n, 1, 1, &r);
	CHECK(r.ready && r.creds == 1 && !r.user[0] && !r.password[0], "empty credentials");
}

static void test_front_auth_failed(void)
{
	uint8_t in[1024], more[8] = { 0 };
	struct gw_rfb_front f;
	struct run r;
	size_t n, used = 3;
	static const char reason[] = "authentication failed";

	n = client_script(in, "RFB 003.008\n", 19, 0, 2, 262, 5, "alice", 5, "wrong");
	gw_rfb_front_init(&f, 1);
	drive_front(&f, in, n, 0, 0, &r);
	CHECK(r.error && r.creds == 1, "refused");
	CHECK(r.out_len == sizeof(server_to_ok) + 4 + strlen(reason), "out %zu", r.out_len);
	CHECK(!memcmp(r.out + sizeof(server_to_ok) - 4, "\0\0\0\1\0\0\0\x15", 8), "failed + length");
	CHECK(!memcmp(r.out + sizeof(server_to_ok) + 4, reason, strlen(reason)), "reason");
	CHECK(gw_rfb_front_feed(&f, more, sizeof(more), &used) == GW_RFB_ERROR && used == 0,
	      "stays failed");

	/* A result out of turn queues nothing. */
	gw_rfb_front_init(&f, 1);
	f.out_len = 0;
	gw_rfb_front_result(&f, 1, NULL);
	CHECK(f.out_len == 0, "result before credentials");
}

/* ---- the back ---- */

static void drive_back(struct gw_rfb_back *b, const uint8_t *in, size_t len, size_t step,
		       struct run *r)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		size_t n = step && step < len - off ? step : len - off, used = 99999;
		enum gw_rfb_event ev = gw_rfb_back_feed(b, in + off, n, &used);

		CHECK(used <= n, "used %zu of %zu", used, n);
		off += used;
		take_out(b->out, &b->out_len, r);
		if (ev == GW_RFB_NEED_MORE) {
			CHECK(used == n, "waits for more but left %zu bytes", n - used);
			if (off == len)
				break;
		} else if (ev == GW_RFB_READY) {
			r->ready = 1;
			break;
		} else {
			CHECK(ev == GW_RFB_ERROR && b->error, "event %d", ev);
			r->error = 1;
			break;
		}
	}
	r->consumed = off;
}

static void test_back_ok(void)
{
	static const uint8_t display[] = {
		'R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n',
		2, 2, 1,          /* VNC auth and None */
		0, 0, 0, 0,       /* SecurityResult OK */
		0, 4, 0, 3,       /* ServerInit begins: the relay's */
	};
	static const uint8_t want[] = {
		'R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n', 1,
	};
	size_t step;

	for (step = 0; step <= 5; step++) {
		struct gw_rfb_back b;
		struct run r;
		size_t used = 7;

		gw_rfb_back_init(&b);
		drive_back(&b, display, sizeof(display), step, &r);
		CHECK(r.ready && r.consumed == sizeof(display) - 4, "step %zu: took %zu", step,
		      r.consumed);
		CHECK(r.out_len == sizeof(want) && !memcmp(r.out, want, sizeof(want)), "client bytes");
		CHECK(gw_rfb_back_feed(&b, display, 4, &used) == GW_RFB_READY && used == 0,
		      "ready stays ready");
	}
}

static void back_fails(const uint8_t *display, size_t len, const char *want_error, size_t want_used)
{
	size_t step;

	for (step = 0; step <= 1; step++) {
		struct gw_rfb_back b;
		struct run r;

		gw_rfb_back_init(&b);
		drive_back(&b, display, len, step, &r);
		CHECK(r.error, "no error for %s", want_error);
		CHECK(strstr(b.error, want_error), "error '%s', want '%s'", b.error, want_error);
		CHECK(r.consumed == want_used, "%s: took %zu, want %zu", want_error, r.consumed,
		      want_used);
		CHECK(strlen(b.error) < sizeof(b.reason), "error bounded");
	}
}

static void test_back_errors(void)
{
	uint8_t d[2048];
	size_t n;

	back_fails((const uint8_t *)"RFB 003.003\n", 12, "RFB 3.8", 12);
	back_fails((const uint8_t *)"RFB 003.007\n", 12, "RFB 3.8", 12);
	back_fails((const uint8_t *)"SSH-2.0-x\r\n\n", 12, "RFB 3.8", 12);

	memcpy(d, "RFB 003.008\n\0\0\0\0\x0btoo many vm", 28);
	back_fails(d, 28, "refused the connection: too many vm", 28);
	memcpy(d, "RFB 003.008\n\0\0\0\0\0", 17);
	back_fails(d, 17, "refused the connection", 17);

	memcpy(d, "RFB 003.008\n\2\2\x10", 15);
	back_fails(d, 15, "does not offer security None", 15);

	memcpy(d, "RFB 003.008\n\1\1\0\0\0\1\0\0\0\4nope", 26);
	back_fails(d, 26, "refused security None: nope", 26);
	memcpy(d, "RFB 003.008\n\1\1\0\0\0\1\0\0\0\4n\x01p\xff", 26);
	back_fails(d, 26, "refused security None: n?p?", 26);

	/* A reason of 1000 bytes: the first ones are kept, the rest left. */
	n = 12 + 2 + 4 + 4;
	memcpy(d, "RFB 003.008\n\1\1\0\0\0\1\0\0\x03\xe8", n);
	memset(d + n, 'r', 1000);
	back_fails(d, n + 1000, "refused security None: rrrr", n + 48);
}

int main(void)
{
	test_front_ok();
	test_front_tlsplain();
	test_front_leftover_tls();
	test_front_versions();
	test_front_refusals();
	test_front_auth_failed();
	test_back_ok();
	test_back_errors();
	printf("gw_proto_rfb: ok\n");
	return 0;
}
