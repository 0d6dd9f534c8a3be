// SPDX-License-Identifier: MIT
/*
 * Tickets: short-lived, single-use, HMAC-signed permissions for one user
 * to reach one VM by one protocol. The string (docs/auth.md, "Tickets"):
 *
 *   "p1." base64url(payload) "." base64url(HMAC-SHA256(key, "p1." base64url(payload)))
 *
 *   payload: proto (1 byte) | expiry, Unix seconds (8, big-endian) |
 *            nonce (16) | user length (1) | user | VM length (1) | VM
 *
 * At most 3 + 122 + 1 + 43 = 169 characters. The MAC covers the version
 * prefix too, so a later "p2" can never be confused with this format.
 * auth_ticket_parse faces the network: it checks every length before it
 * reads, accepts only canonical base64url and valid names, and never
 * allocates.
 */
#include "auth_priv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#define PREFIX        "p1."
#define PREFIX_LEN    3
#define FIXED_LEN     (1 + 8 + 16)
#define PAYLOAD_MIN   (FIXED_LEN + 2 + 2)
#define PAYLOAD_MAX   (FIXED_LEN + 2 + 2 * AUTH_NAME_MAX)
#define MAC_LEN       32
#define MAC_CHARS     43
#define NPROTO        4

_Static_assert(PREFIX_LEN + (PAYLOAD_MAX + 2) / 3 * 4 + 1 + MAC_CHARS < AUTH_TICKET_MAX,
	       "the longest ticket must fit AUTH_TICKET_MAX");

static const char *const result_names[] = {
	[AUTH_TICKET_OK] = "ok",
	[AUTH_TICKET_MALFORMED] = "malformed",
	[AUTH_TICKET_BAD_SIGNATURE] = "bad_signature",
	[AUTH_TICKET_EXPIRED] = "expired",
	[AUTH_TICKET_REPLAYED] = "replayed",
	[AUTH_TICKET_WRONG_VM] = "wrong_vm",
	[AUTH_TICKET_WRONG_PROTOCOL] = "wrong_protocol",
	[AUTH_TICKET_NOT_ALLOWED] = "not_allowed",
};

const char *auth_ticket_result_name(enum auth_ticket_result r)
{
	return (unsigned)r < sizeof(result_names) / sizeof(result_names[0]) ?
	       result_names[r] : "unknown";
}

/* A length-prefixed name at *p; advances *p. */
static int take_name(const uint8_t *buf, size_t len, size_t *p, char out[AUTH_NAME_MAX + 1])
{
	size_t n;

	if (*p >= len)
		return -1;
	n = buf[(*p)++];
	if (n == 0 || n > AUTH_NAME_MAX || n > len - *p)
		return -1;
	memcpy(out, buf + *p, n);
	out[n] = 0;
	*p += n;
	return auth_name_valid(out) ? 0 : -1;
}

int auth_ticket_parse(const char *ticket, size_t len, struct auth_ticket_fields *f)
{
	uint8_t buf[PAYLOAD_MAX];
	const char *dot;
	size_t b64len, n, maclen, p = 0;

	memset(f, 0, sizeof(*f));
	if (!ticket || len >= AUTH_TICKET_MAX || len < PREFIX_LEN ||
	    memcmp(ticket, PREFIX, PREFIX_LEN))
		return -1;
	dot = memchr(ticket + PREFIX_LEN, '.', len - PREFIX_LEN);
	if (!dot)
		return -1;
	b64len = (size_t)(dot - ticket) - PREFIX_LEN;
	if (len - (size_t)(dot - ticket) - 1 != MAC_CHARS ||
	    auth_b64url_decode(dot + 1, MAC_CHARS, f->mac, sizeof(f->mac), &maclen) ||
	    maclen != MAC_LEN)
		return -1;
	if (auth_b64url_decode(ticket + PREFIX_LEN, b64len, buf, sizeof(buf), &n) ||
	    n < PAYLOAD_MIN)
		return -1;
	if (buf[0] >= NPROTO)
		return -1;
	f->proto = (enum auth_proto)buf[0];
	for (int i = 0; i < 8; i++)
		f->expires_s = f->expires_s << 8 | buf[1 + i];
	memcpy(f->nonce, buf + 9, sizeof(f->nonce));
	p = FIXED_LEN;
	if (take_name(buf, n, &p, f->user) || take_name(buf, n, &p, f->vm) || p != n)
		return -1;
	f->signed_len = PREFIX_LEN + b64len;
	return 0;
}

static int ticket_mac(const struct auth *a, const char *s, size_t n, uint8_t mac[MAC_LEN])
{
	unsigned len = MAC_LEN;

	return HMAC(EVP_sha256(), a->key, AUTH_KEY_LEN, (const uint8_t *)s, n,
		    mac, &len) && len == MAC_LEN ? 0 : -1;
}

/* Under the lock: forget what has expired (an expired ticket is refused
 * before the cache is asked); return the entry for nonce, if any, and in
 * *free_slot a free one; count user's live entries in *mine. */
static struct auth_replay *replay_scan(struct auth *a, const uint8_t nonce[16],
				       const char *user, uint64_t now_s,
				       struct auth_replay **free_slot, unsigned *mine)
{
	struct auth_replay *hit = NULL;

	*free_slot = NULL;
	*mine = 0;
	for (size_t i = 0; i < AUTH_REPLAY_MAX; i++) {
		struct auth_replay *r = &a->replay[i];

		if (r->state && r->expires_s <= now_s)
			r->state = 0;
		if (!r->state) {
			*free_slot = *free_slot ? *free_slot : r;
			continue;
		}
		if (nonce && !memcmp(r->nonce, nonce, sizeof(r->nonce)))
			hit = r;
		if (user && !strcmp(r->user, user))
			(*mine)++;
	}
	return hit;
}

/* The ticket's nonce has a replay-cache slot from issue on: a gateway that
 * issued it can always remember its use. When the cache is full of live
 * tickets we refuse to issue rather than forget one. */
int auth_ticket_issue(struct auth *a, const char *user, const char *vm,
		      enum auth_proto p, uint64_t now_s, char out[AUTH_TICKET_MAX])
{
	uint8_t buf[PAYLOAD_MAX], nonce[16], mac[MAC_LEN];
	struct auth_replay *slot;
	size_t n = 0, ul, vl;
	unsigned mine;
	int ok;

	if ((unsigned)p >= NPROTO || !auth_name_valid(user) || !auth_name_valid(vm) ||
	    auth_random(nonce, sizeof(nonce)))
		return -1;
	pthread_mutex_lock(&a->lock);
	ok = auth_access_locked(a->db, user, vm);
	replay_scan(a, NULL, user, now_s, &slot, &mine);
	ok = ok && slot && mine < AUTH_REPLAY_PER_USER;
	if (ok) {
		slot->state = 1;
		memcpy(slot->nonce, nonce, sizeof(nonce));
		snprintf(slot->user, sizeof(slot->user), "%s", user);
		slot->expires_s = now_s + AUTH_TICKET_TTL_S;
	}
	pthread_mutex_unlock(&a->lock);
	if (!ok)
		return -1;

	ul = strlen(user);
	vl = strlen(vm);
	buf[n++] = (uint8_t)p;
	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)((now_s + AUTH_TICKET_TTL_S) >> (8 * i));
	memcpy(buf + n, nonce, sizeof(nonce));
	n += sizeof(nonce);
	buf[n++] = (uint8_t)ul;
	memcpy(buf + n, user, ul);
	n += ul;
	buf[n++] = (uint8_t)vl;
	memcpy(buf + n, vm, vl);
	n += vl;

	memcpy(out, PREFIX, PREFIX_LEN);
	auth_b64url_encode(buf, n, out + PREFIX_LEN);
	n = strlen(out);
	if (ticket_mac(a, out, n, mac))
		return -1;
	out[n++] = '.';
	auth_b64url_encode(mac, sizeof(mac), out + n);
	return 0;
}

enum auth_ticket_result auth_ticket_redeem(struct auth *a, const char *ticket,
					   const char *vm, enum auth_proto p, uint64_t now_s,
					   char *user_out, char *vm_out)
{
	struct auth_ticket_fields f;
	struct auth_replay *hit, *slot;
	enum auth_ticket_result r;
	uint8_t mac[MAC_LEN];
	unsigned mine;

	if (!ticket || auth_ticket_parse(ticket, strnlen(ticket, AUTH_TICKET_MAX), &f))
		return AUTH_TICKET_MALFORMED;
	if (ticket_mac(a, ticket, f.signed_len, mac) ||
	    CRYPTO_memcmp(mac, f.mac, MAC_LEN))
		return AUTH_TICKET_BAD_SIGNATURE;
	if (now_s >= f.expires_s)
		return AUTH_TICKET_EXPIRED;
	if (vm && strcmp(vm, f.vm))
		return AUTH_TICKET_WRONG_VM;
	if (p != f.proto)
		return AUTH_TICKET_WRONG_PROTOCOL;

	pthread_mutex_lock(&a->lock);
	if (!auth_access_locked(a->db, f.user, f.vm)) {
		r = AUTH_TICKET_NOT_ALLOWED;
	} else {
		hit = replay_scan(a, f.nonce, NULL, now_s, &slot, &mine);
		if (hit && hit->state == 1) {
			hit->state = 2;
			r = AUTH_TICKET_OK;
		} else if (hit || !slot) {
			/* Used before; or issued elsewhere (the CLI) with no room
			 * left to remember it: refusing is the safe answer. */
			r = AUTH_TICKET_REPLAYED;
		} else {
			slot->state = 2;
			memcpy(slot->nonce, f.nonce, sizeof(f.nonce));
			snprintf(slot->user, sizeof(slot->user), "%s", f.user);
			slot->expires_s = f.expires_s;
			r = AUTH_TICKET_OK;
		}
	}
	pthread_mutex_unlock(&a->lock);
	if (r != AUTH_TICKET_OK)
		return r;
	if (user_out)
		memcpy(user_out, f.user, AUTH_NAME_MAX + 1);
	if (vm_out)
		memcpy(vm_out, f.vm, AUTH_NAME_MAX + 1);
	return AUTH_TICKET_OK;
}
