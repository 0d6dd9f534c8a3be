// SPDX-License-Identifier: MIT
/*
 * Log-in attempts and lockout (docs/auth.md, "Lockout").
 *
 * Failures are counted per user NAME, whether or not such a user exists,
 * so that being locked says nothing about existence; and per source
 * address (an IPv6 /64 counts as one source: one host gets a whole /64).
 *
 *   - 5 failures in a row for a name lock it for 5 minutes; the count is
 *     forgotten 15 minutes after the last failure, and a success resets it.
 *   - 30 failures from one source within 10 minutes (a window opened by
 *     the first one) lock the source for 10 minutes. Successes do not
 *     reset it: one valid account must not buy unlimited guesses at others.
 *   - Each failure asks the caller to wait 250 ms, doubling with the count
 *     (the larger of name and source) up to 4 s.
 *
 * An attempt counts as a failure from the moment it starts and is taken
 * back if it succeeds, so parallel guesses (the gateway verifies on several
 * threads) cannot run past the limit while the first ones are hashing.
 * Locked attempts are refused before any hashing: cheap for us, and the
 * same for existing and unknown names.
 */
#include "auth_priv.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USER_LIMIT       5
#define USER_LOCK_MS     (5 * 60 * 1000ULL)
#define USER_FORGET_MS   (15 * 60 * 1000ULL)
#define SOURCE_LIMIT     30
#define SOURCE_WINDOW_MS (10 * 60 * 1000ULL)
#define SOURCE_LOCK_MS   (10 * 60 * 1000ULL)
#define DELAY_BASE_MS    250
#define DELAY_MAX_MS     4000

static void key_copy(char key[AUTH_SOURCE_KEY_MAX + 1], const char *s)
{
	snprintf(key, AUTH_SOURCE_KEY_MAX + 1, "%s", s ? s : "");
}

void auth_fail_source_key(const char *source, char key[AUTH_SOURCE_KEY_MAX + 1])
{
	char buf[64];
	const char *s = source;
	struct in6_addr a6;
	size_t n;

	key_copy(key, source);
	if (!source)
		return;
	n = strlen(source);
	if (n >= 2 && n < sizeof(buf) + 2 && source[0] == '[' && source[n - 1] == ']') {
		memcpy(buf, source + 1, n - 2);
		buf[n - 2] = 0;
		s = buf;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1)
		return;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		inet_ntop(AF_INET, &a6.s6_addr[12], key, AUTH_SOURCE_KEY_MAX + 1);
		return;
	}
	snprintf(key, AUTH_SOURCE_KEY_MAX + 1, "%x:%x:%x:%x::/64",
		 a6.s6_addr[0] << 8 | a6.s6_addr[1], a6.s6_addr[2] << 8 | a6.s6_addr[3],
		 a6.s6_addr[4] << 8 | a6.s6_addr[5], a6.s6_addr[6] << 8 | a6.s6_addr[7]);
}

/* The entry for key, created if missing (*fresh then 1). A full table
 * evicts the least recently failed entry, unlocked ones first. */
static struct auth_fail *fail_get(struct auth_fail *t, size_t n, const char *key,
				  uint64_t now, int *fresh)
{
	struct auth_fail *victim = NULL;

	*fresh = 0;
	for (size_t i = 0; i < n; i++) {
		struct auth_fail *e = &t[i];

		if (e->key[0] && !strcmp(e->key, key))
			return e;
		if (!e->key[0]) {
			if (!victim || victim->key[0])
				victim = e;
			continue;
		}
		if (!victim || (victim->key[0] &&
		    ((e->locked_until_ms > now) < (victim->locked_until_ms > now) ||
		     ((e->locked_until_ms > now) == (victim->locked_until_ms > now) &&
		      e->last_ms < victim->last_ms))))
			victim = e;
	}
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	victim->first_ms = victim->last_ms = now;
	*fresh = 1;
	return victim;
}

/* Ends expired locks and forgets old counts. */
static void fail_age(struct auth_fail *e, uint64_t now, int source)
{
	if (e->locked_until_ms) {
		if (now < e->locked_until_ms)
			return;
		e->count = 0;
		e->locked_until_ms = 0;
		e->first_ms = now;
		return;
	}
	if (source ? now >= e->first_ms + SOURCE_WINDOW_MS
		   : now >= e->last_ms + USER_FORGET_MS) {
		e->count = 0;
		e->first_ms = now;
	}
}

/* Locked, or as many attempts in flight as the limit allows. */
static int fail_locked(const struct auth_fail *e, unsigned limit, uint64_t now)
{
	return e && (e->locked_until_ms > now || e->count >= limit);
}

static void fail_lock_if_over(struct auth_fail *e, unsigned limit, uint64_t lock_ms,
			      uint64_t now)
{
	if (e && e->count >= limit && !e->locked_until_ms)
		e->locked_until_ms = now + lock_ms;
}

static unsigned delay_for(unsigned count)
{
	unsigned shift = count > 1 ? count - 1 : 0;

	return shift >= 4 ? DELAY_MAX_MS : DELAY_BASE_MS << shift;
}

struct attempt {
	char ukey[AUTH_SOURCE_KEY_MAX + 1], skey[AUTH_SOURCE_KEY_MAX + 1];
	char hash[AUTH_HASH_MAX];
	char secret[128];           /* base32 TOTP secret, "" when none */
	uint8_t pw_tag[16];
	int known;
};

static void verdict(struct auth_verdict *v, enum auth_result r, unsigned delay,
		    const char *reason)
{
	v->result = r;
	v->delay_ms = delay;
	v->reason = reason;
}

/* Under the lock: refuse locked names and sources, count the attempt, and
 * copy what the verification needs. 0 go on, -1 answered. */
static int attempt_begin(struct auth *a, const char *user, uint64_t now,
			 struct attempt *t, struct auth_verdict *v)
{
	struct auth_fail *un, *sn = NULL;
	const struct auth_user *u;
	int fresh;

	un = fail_get(a->names, AUTH_FAIL_NAMES, t->ukey, now, &fresh);
	fail_age(un, now, 0);
	if (t->skey[0]) {
		sn = fail_get(a->sources, AUTH_FAIL_SOURCES, t->skey, now, &fresh);
		fail_age(sn, now, 1);
	}
	if (fail_locked(un, USER_LIMIT, now)) {
		verdict(v, AUTH_LOCKED, DELAY_MAX_MS, "locked_user");
		return -1;
	}
	if (fail_locked(sn, SOURCE_LIMIT, now)) {
		verdict(v, AUTH_LOCKED, DELAY_MAX_MS, "locked_source");
		return -1;
	}
	un->count++;
	un->last_ms = now;
	if (sn) {
		sn->count++;
		sn->last_ms = now;
	}
	u = auth_db_find_user(a->db, user);
	t->known = u != NULL;
	snprintf(t->hash, sizeof(t->hash), "%s", u ? u->hash : a->dummy_hash);
	t->secret[0] = 0;
	if (u && u->totp)
		snprintf(t->secret, sizeof(t->secret), "%s", u->totp);
	if (u)
		memcpy(t->pw_tag, u->pw_tag, sizeof(t->pw_tag));
	return 0;
}

/* Under the lock: the user must still have the password we checked (the
 * CLI may have changed it meanwhile), and a TOTP step is good once. */
static enum auth_result attempt_confirm(struct auth *a, const char *user,
					const struct attempt *t, int64_t step,
					const char **reason)
{
	struct auth_user *u = auth_db_find_user(a->db, user);

	if (!u || CRYPTO_memcmp(u->pw_tag, t->pw_tag, sizeof(t->pw_tag))) {
		*reason = "bad_password";
		return AUTH_DENIED;
	}
	if (step >= 0 || u->totp) {
		if (!u->totp || step <= u->totp_last_step) {
			*reason = "bad_totp";
			return AUTH_DENIED;
		}
		u->totp_last_step = step;
	}
	return AUTH_OK;
}

/* Under the lock: the attempt's outcome into the counters. */
static void attempt_end(struct auth *a, struct attempt *t, uint64_t now,
			struct auth_verdict *v)
{
	struct auth_fail *un, *sn = NULL;
	int ufresh, sfresh = 0;
	unsigned n;

	/* The entries may have been evicted while we were hashing. */
	un = fail_get(a->names, AUTH_FAIL_NAMES, t->ukey, now, &ufresh);
	if (t->skey[0])
		sn = fail_get(a->sources, AUTH_FAIL_SOURCES, t->skey, now, &sfresh);
	if (v->result == AUTH_OK) {
		un->count = 0;
		un->locked_until_ms = 0;
	} else if (v->result == AUTH_TOTP_NEEDED) {
		un->count -= un->count > 0;
	}
	if (v->result != AUTH_DENIED) {
		if (sn)
			sn->count -= sn->count > 0;
		v->delay_ms = 0;
		return;
	}
	un->count += ufresh;
	un->last_ms = now;
	fail_lock_if_over(un, USER_LIMIT, USER_LOCK_MS, now);
	n = un->count;
	if (sn) {
		sn->count += sfresh;
		sn->last_ms = now;
		fail_lock_if_over(sn, SOURCE_LIMIT, SOURCE_LOCK_MS, now);
		if (sn->count > n)
			n = sn->count;
	}
	v->delay_ms = delay_for(n);
}

void auth_login_at(struct auth *a, const char *user, const char *password,
		   const char *totp, const char *source, uint64_t now_ms,
		   int64_t unix_s, struct auth_verdict *v)
{
	struct attempt *t = calloc(1, sizeof(*t));
	int64_t step = -1;
	int ok;

	user = user ? user : "";
	password = password ? password : "";
	if (!t) {
		verdict(v, AUTH_DENIED, DELAY_MAX_MS, "bad_password");
		return;
	}
	key_copy(t->ukey, user);
	auth_fail_source_key(source, t->skey);

	pthread_mutex_lock(&a->lock);
	ok = attempt_begin(a, user, now_ms, t, v) == 0;
	pthread_mutex_unlock(&a->lock);
	if (!ok)
		goto out;

	/* Outside the lock: ~50 ms of Argon2id, the same for unknown users
	 * (the dummy hash). Overlong passwords are refused for everybody
	 * before hashing, which tells nothing about the user. */
	ok = strnlen(password, AUTH_PASSWORD_MAX + 1) <= AUTH_PASSWORD_MAX &&
	     auth_password_verify(t->hash, password);
	if (!t->known)
		verdict(v, AUTH_DENIED, 0, "unknown_user");
	else if (!ok)
		verdict(v, AUTH_DENIED, 0, "bad_password");
	else if (t->secret[0] && (!totp || !totp[0]))
		verdict(v, AUTH_TOTP_NEEDED, 0, "totp_needed");
	else if (t->secret[0] && (step = auth_totp_check(t->secret, totp, unix_s)) < 0)
		verdict(v, AUTH_DENIED, 0, "bad_totp");
	else
		verdict(v, AUTH_OK, 0, "ok");

	pthread_mutex_lock(&a->lock);
	if (v->result == AUTH_OK)
		v->result = attempt_confirm(a, user, t, step, &v->reason);
	attempt_end(a, t, now_ms, v);
	pthread_mutex_unlock(&a->lock);
out:
	explicit_bzero(t, sizeof(*t));
	free(t);
}

void auth_login(struct auth *a, const char *user, const char *password,
		const char *totp, const char *source, uint64_t now_ms,
		struct auth_verdict *v)
{
	auth_login_at(a, user, password, totp, source, now_ms, (int64_t)time(NULL), v);
}
