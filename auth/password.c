// SPDX-License-Identifier: MIT
/*
 * Password hashes: Argon2id through libargon2, stored as its encoded string
 * ("$argon2id$v=19$m=19456,t=2,p=1$SALT$TAG") so that the parameters travel
 * with each hash and can be raised later without breaking old ones.
 *
 * m=19456 KiB, t=2, p=1 is OWASP's Password Storage Cheat Sheet minimum for
 * Argon2id: about 50 ms and 19 MiB per verification on one core. Memory
 * hardness is what makes GPU/ASIC guessing of a stolen users.json costly;
 * going higher multiplies the gateway's cost per log-in attempt (a login
 * flood is a memory flood: each worker thread holds 19 MiB), so this is the
 * floor we accept, not a number to lower. p=1: the gateway runs several
 * log-ins in parallel on its worker threads, one lane each.
 */
#include "auth_priv.h"

#include <argon2.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#define ARGON2_T      2
#define ARGON2_M_KIB  19456
#define ARGON2_P      1
#define SALT_LEN      16
#define TAG_LEN       32

int auth_password_check(const char *password, char *err, size_t errlen)
{
	size_t n = strnlen(password, AUTH_PASSWORD_MAX + 1);

	if (n == 0) {
		auth_errf(err, errlen, "the password is empty");
		return -1;
	}
	if (n > AUTH_PASSWORD_MAX) {
		auth_errf(err, errlen, "the password is longer than %d bytes",
			  AUTH_PASSWORD_MAX);
		return -1;
	}
	return 0;
}

int auth_password_hash(const char *password, char *out, size_t outlen,
		       char *err, size_t errlen)
{
	uint8_t salt[SALT_LEN];
	int rc;

	if (auth_password_check(password, err, errlen))
		return -1;
	if (argon2_encodedlen(ARGON2_T, ARGON2_M_KIB, ARGON2_P, SALT_LEN, TAG_LEN,
			      Argon2_id) > outlen) {
		auth_errf(err, errlen, "internal: hash buffer too small");
		return -1;
	}
	if (auth_random(salt, sizeof(salt))) {
		auth_errf(err, errlen, "no random bytes from the kernel (getrandom)");
		return -1;
	}
	rc = argon2id_hash_encoded(ARGON2_T, ARGON2_M_KIB, ARGON2_P, password,
				   strlen(password), salt, sizeof(salt), TAG_LEN,
				   out, outlen);
	if (rc != ARGON2_OK) {
		auth_errf(err, errlen, "Argon2id: %s", argon2_error_message(rc));
		return -1;
	}
	return 0;
}

/* A hash users.json may hold: Argon2id, and parameters a gateway can
 * afford (a hand-edited m=4 GiB would make every log-in an OOM risk). */
int auth_password_hash_valid(const char *hash)
{
	unsigned v, m, t, p;
	int end = 0;

	if (strlen(hash) >= AUTH_HASH_MAX ||
	    sscanf(hash, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m, &t, &p,
		   &end) != 4 || !end)
		return 0;
	return v == ARGON2_VERSION_13 && m >= 8 && m <= 1024 * 1024 &&
	       t >= 1 && t <= 16 && p >= 1 && p <= 8;
}

/* argon2id_verify recomputes the tag with the hash's own parameters and
 * compares in constant time. */
int auth_password_verify(const char *hash, const char *password)
{
	return argon2id_verify(hash, password, strlen(password)) == ARGON2_OK;
}

void auth_password_tag(const char *hash, uint8_t tag[16])
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256((const uint8_t *)hash, strlen(hash), md);
	memcpy(tag, md, 16);
}
