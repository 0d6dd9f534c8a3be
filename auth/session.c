// SPDX-License-Identifier: MIT
/*
 * Web log-in sessions: the token is 32 random bytes (base64url, 43
 * characters) that only the browser keeps; we keep SHA-256 of it. So a
 * dump of this table opens no session, and the timing of a lookup (plain
 * memcmp on hashes) says nothing about any live token.
 *
 * A session dies after 12 hours unused or 7 days after log-in, when its
 * user is deleted or gets a new password, or when the user has more than
 * AUTH_SESSIONS_PER_USER (the oldest goes; this also keeps one account
 * from filling the table and locking everybody else out of logging in).
 */
#include "auth_priv.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_BYTES  32
#define TOKEN_CHARS  43
#define IDLE_MS      (12 * 3600 * 1000ULL)
#define ABSOLUTE_MS  (7 * 24 * 3600 * 1000ULL)

static int token_id(const char *token, uint8_t id[32])
{
	uint8_t raw[TOKEN_BYTES];
	size_t n;

	if (!token || strnlen(token, TOKEN_CHARS + 1) != TOKEN_CHARS ||
	    auth_b64url_decode(token, TOKEN_CHARS, raw, sizeof(raw), &n) ||
	    n != TOKEN_BYTES)
		return -1;
	SHA256(raw, sizeof(raw), id);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/* Under the lock: whether s is still good for its user. */
static int session_live(struct auth *a, const struct auth_session *s, uint64_t now)
{
	const struct auth_user *u;

	if (now >= s->used_ms + IDLE_MS || now >= s->created_ms + ABSOLUTE_MS)
		return 0;
	u = auth_db_find_user(a->db, s->user);
	return u && !memcmp(u->pw_tag, s->pw_tag, sizeof(s->pw_tag));
}

static void session_drop(struct auth_session *s)
{
	explicit_bzero(s, sizeof(*s));
}

int auth_session_new(struct auth *a, const char *user, uint64_t now_ms,
		     char token[AUTH_SESSION_MAX])
{
	struct auth_session *slot = NULL, *oldest = NULL;
	const struct auth_user *u;
	uint8_t raw[TOKEN_BYTES];
	unsigned mine = 0;
	int rc = -1;

	if (auth_random(raw, sizeof(raw)))
		return -1;
	pthread_mutex_lock(&a->lock);
	u = auth_db_find_user(a->db, user);
	if (!u)
		goto out;
	for (size_t i = 0; i < AUTH_SESSIONS; i++) {
		struct auth_session *s = &a->sessions[i];

		if (s->used && !session_live(a, s, now_ms))
			session_drop(s);
		if (!s->used) {
			slot = slot ? slot : s;
			continue;
		}
		if (strcmp(s->user, user))
			continue;
		mine++;
		if (!oldest || s->used_ms < oldest->used_ms)
			oldest = s;
	}
	if (mine >= AUTH_SESSIONS_PER_USER) {
		session_drop(oldest);
		slot = oldest;
	}
	if (!slot)
		goto out;
	slot->used = 1;
	SHA256(raw, sizeof(raw), slot->id);
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	memcpy(slot->pw_tag, u->pw_tag, sizeof(slot->pw_tag));
	slot->created_ms = slot->used_ms = now_ms;
	auth_b64url_encode(raw, sizeof(raw), token);
	rc = 0;
out:
	pthread_mutex_unlock(&a->lock);
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

static struct auth_session *session_find(struct auth *a, const uint8_t id[32])
{
	for (size_t i = 0; i < AUTH_SESSIONS; i++) {
		struct auth_session *s = &a->sessions[i];

		if (s->used && !memcmp(s->id, id, 32))
			return s;
	}
	return NULL;
}

int auth_session_user(struct auth *a, const char *token, uint64_t now_ms, char *user)
{
	struct auth_session *s;
	uint8_t id[32];
	int rc = -1;

	if (token_id(token, id))
		return -1;
	pthread_mutex_lock(&a->lock);
	s = session_find(a, id);
	if (s && !session_live(a, s, now_ms)) {
		session_drop(s);
	} else if (s) {
		s->used_ms = now_ms;
		memcpy(user, s->user, AUTH_NAME_MAX + 1);
		rc = 0;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void auth_session_end(struct auth *a, const char *token)
{
	struct auth_session *s;
	uint8_t id[32];

	if (token_id(token, id))
		return;
	pthread_mutex_lock(&a->lock);
	s = session_find(a, id);
	if (s)
		session_drop(s);
	pthread_mutex_unlock(&a->lock);
}
