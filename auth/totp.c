// SPDX-License-Identifier: MIT
/*
 * TOTP (RFC 6238) through liboath, with the parameters every authenticator
 * app assumes: HMAC-SHA-1, 6 digits, 30-second steps from the Unix epoch.
 * A code is accepted one step either side of now (clock drift and the time
 * it takes to type); the caller refuses a step it has accepted before.
 */
#include "auth_priv.h"

#include <liboath/oath.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define TOTP_DIGITS  6
#define TOTP_STEP_S  30
#define TOTP_WINDOW  1
#define SECRET_MIN   10     /* 80 bits: what older authenticator setups used */
#define SECRET_MAX   64

static void wipe_free(void *p, size_t n)
{
	explicit_bzero(p, n);
	free(p);
}

static int secret_decode(const char *b32, char **out, size_t *outlen)
{
	size_t n = strnlen(b32, 2 * SECRET_MAX);

	if (n == 0 || n >= 2 * SECRET_MAX ||
	    oath_base32_decode(b32, n, out, outlen) != OATH_OK)
		return -1;
	if (*outlen < SECRET_MIN || *outlen > SECRET_MAX) {
		wipe_free(*out, *outlen);
		return -1;
	}
	return 0;
}

int auth_totp_secret_valid(const char *secret_b32)
{
	char *key;
	size_t len;

	if (secret_decode(secret_b32, &key, &len))
		return 0;
	wipe_free(key, len);
	return 1;
}

/* liboath generates each candidate code and asks us to compare. */
static int code_cmp(void *handle, const char *candidate)
{
	if (strlen(candidate) != TOTP_DIGITS)
		return 1;
	return CRYPTO_memcmp(handle, candidate, TOTP_DIGITS) ? 1 : 0;
}

int64_t auth_totp_check(const char *secret_b32, const char *code, int64_t unix_s)
{
	uint64_t step = 0;
	char *key;
	size_t len;
	int pos, rc;

	if (!code || strnlen(code, TOTP_DIGITS + 1) != TOTP_DIGITS ||
	    strspn(code, "0123456789") != TOTP_DIGITS || unix_s < 0)
		return -1;
	if (secret_decode(secret_b32, &key, &len))
		return -1;
	rc = oath_totp_validate3_callback(key, len, (time_t)unix_s, TOTP_STEP_S,
					  OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS,
					  TOTP_WINDOW, &pos, &step, code_cmp,
					  (void *)code);
	wipe_free(key, len);
	return rc >= 0 && step <= INT64_MAX ? (int64_t)step : -1;
}

int auth_totp_new(char *secret, size_t len, char *err, size_t errlen)
{
	char key[AUTH_TOTP_SECRET_LEN];
	char *b32 = NULL;
	size_t n = 0;

	if (auth_random(key, sizeof(key))) {
		auth_errf(err, errlen, "no random bytes from the kernel (getrandom)");
		return -1;
	}
	if (oath_base32_encode(key, sizeof(key), &b32, &n) != OATH_OK) {
		explicit_bzero(key, sizeof(key));
		auth_errf(err, errlen, "base32 encoding failed");
		return -1;
	}
	explicit_bzero(key, sizeof(key));
	if (n + 1 > len) {
		wipe_free(b32, n);
		auth_errf(err, errlen, "internal: TOTP secret buffer too small");
		return -1;
	}
	memcpy(secret, b32, n);
	secret[n] = 0;
	wipe_free(b32, n);
	return 0;
}
