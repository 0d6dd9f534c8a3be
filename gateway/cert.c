// SPDX-License-Identifier: MIT
/*
 * The certificate a fresh install uses: ECDSA P-256, self-signed, for
 * localhost, 127.0.0.1, ::1 and the host name, valid 825 days (the most
 * browsers accept for a server certificate). It is an end-entity
 * certificate (CA:FALSE): Firefox refuses a CA certificate as a server's,
 * and VNC clients given it as their CA file trust it directly.
 */
#include "gw.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CERT_DAYS 825

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		return -1;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* The host name if it can be a DNS name in the certificate, else "". */
static void dns_hostname(char *out, size_t len)
{
	if (gethostname(out, len) || out[0] == 0 || strcmp(out, "localhost") == 0 ||
	    strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
	    strlen(out))
		out[0] = 0;
}

static X509 *make_cert(EVP_PKEY *pk)
{
	char host[256], san[400];
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	X509_NAME *name;

	dns_hostname(host, sizeof(host));
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1%s%s",
		 host[0] ? ",DNS:" : "", host);
	if (!x || !serial || !X509_set_version(x, 2) ||
	    !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) ||
	    /* a few minutes back: clocks of clients differ */
	    !X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL) ||
	    !X509_set_pubkey(x, pk))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"Porthole", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)(host[0] ? host : "localhost"),
					-1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, NID_subject_alt_name, san) ||
	    !X509_sign(x, pk, EVP_sha256()))
		goto fail;
	BN_free(serial);
	return x;
fail:
	BN_free(serial);
	X509_free(x);
	return NULL;
}

/* Writes path atomically (temp file, fsync, rename) with mode. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *pk, X509 *x,
		     char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = pk ? PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, x);
	ok = ok && fflush(f) == 0 && fsync(fd) == 0;
	if (fclose(f) || !ok || rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static int generate(const char *cert, const char *key, char *err, size_t errlen)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = pk ? make_cert(pk) : NULL;
	int r = -1;

	if (!x) {
		snprintf(err, errlen, "cannot generate a certificate: %s",
			 ERR_reason_error_string(ERR_get_error()));
		ERR_clear_error();
		goto out;
	}
	if (write_pem(key, 0600, pk, NULL, err, errlen) ||
	    write_pem(cert, 0644, NULL, x, err, errlen))
		goto out;
	r = 0;
out:
	X509_free(x);
	EVP_PKEY_free(pk);
	return r;
}

int gw_cert_ensure(const char *state_dir, char *cert, char *key, size_t len,
		   int *generated, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	*generated = 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/tls", state_dir) >= sizeof(dir) ||
	    (size_t)snprintf(cert, len, "%s/cert.pem", dir) >= len ||
	    (size_t)snprintf(key, len, "%s/key.pem", dir) >= len) {
		snprintf(err, errlen, "state directory path too long: %s", state_dir);
		return -1;
	}
	if (access(cert, F_OK) == 0 && access(key, F_OK) == 0)
		return 0;
	/* Half a pair (an interrupted first run) is replaced by a new pair. */
	if ((mkdir(state_dir, 0700) && errno != EEXIST) ||
	    (mkdir(dir, 0700) && errno != EEXIST)) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (generate(cert, key, err, errlen))
		return -1;
	*generated = 1;
	return 0;
}

int gw_cert_fingerprint(const char *path, char out[96], char *err, size_t errlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	if (!x || !X509_digest(x, EVP_sha256(), md, &n) || n != 32) {
		X509_free(x);
		ERR_clear_error();
		snprintf(err, errlen, "cannot read the certificate %s", path);
		return -1;
	}
	X509_free(x);
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 3 * i, 4, "%02X%s", md[i], i + 1 < n ? ":" : "");
	return 0;
}
