// SPDX-License-Identifier: MIT
/*
 * The gateway's TLS contexts. One carries the certificate and serves
 * everything that can check one: browsers (HTTPS, WebSocket) and VeNCrypt
 * X509Plain. TLS 1.2 and 1.3; TLS 1.2 only with ECDHE and an AEAD.
 *
 * The second, for VeNCrypt TLSPlain, is anonymous: ECDHE without any
 * certificate, which TLS 1.3 does not have and which OpenSSL only allows
 * at security level 0. It lives in its own SSL_CTX so that none of that
 * can ever be negotiated by a browser or an X509Plain client (the cipher
 * list and the level are per context), and so that --no-vnc-tlsplain
 * simply leaves it out. It encrypts, but a man in the middle can read
 * everything, the password included: it exists because some VNC clients
 * (older TigerVNC configurations) offer nothing better.
 */
#include "gw.h"

#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

static const char ciphers12[] = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL";
static const char ciphers_anon[] = "AECDH+AES:ADH+AESGCM:@SECLEVEL=0";

static void ssl_err(char *err, size_t errlen, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();

	snprintf(err, errlen, "%s%s%s: %s", what, path ? " " : "", path ? path : "",
		 e ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
}

/* ALPN: http/1.1 when the client offers it (browsers), else no ALPN at
 * all rather than a failed handshake (VNC clients offer none). */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char h11[] = "\x08http/1.1";
	unsigned char *sel = NULL;

	if (SSL_select_next_proto(&sel, outlen, h11, sizeof(h11) - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *ctx_new(int max_version, const char *ciphers, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, max_version) ||
	    !SSL_CTX_set_cipher_list(ctx, ciphers) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384")) {
		ssl_err(err, errlen, "cannot set up TLS", NULL);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
			    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

static SSL_CTX *cert_ctx(const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_new(TLS1_3_VERSION, ciphers12, err, errlen);

	if (!ctx)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ssl_err(err, errlen, "cannot load the certificate", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ssl_err(err, errlen, "cannot load the private key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errlen, "the key does not match the certificate", key);
		goto fail;
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static SSL_CTX *anon_ctx(char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_new(TLS1_2_VERSION, ciphers_anon, err, errlen);

	if (ctx)
		SSL_CTX_set_dh_auto(ctx, 1);   /* for the ADH suites */
	return ctx;
}

int gw_tls_setup(struct gw *gw, char *err, size_t errlen)
{
	char cert[PATH_MAX], key[PATH_MAX], fp[96];
	SSL_CTX *ctx, *anon = NULL;
	int generated = 0;

	if (gw->cfg.cert) {
		snprintf(cert, sizeof(cert), "%s", gw->cfg.cert);
		snprintf(key, sizeof(key), "%s", gw->cfg.key);
	} else if (gw_cert_ensure(gw->cfg.state_dir, cert, key, sizeof(cert), &generated,
				  err, errlen)) {
		return -1;
	}
	ctx = cert_ctx(cert, key, err, errlen);
	if (!ctx)
		return -1;
	if (gw->cfg.vnc_tlsplain && !(anon = anon_ctx(err, errlen))) {
		SSL_CTX_free(ctx);
		return -1;
	}
	if (gw_cert_fingerprint(cert, fp, err, errlen) == 0)
		gw_log("%s certificate %s, SHA-256 fingerprint %s",
		       generated ? "generated a self-signed" : "using", cert, fp);
	/* Live connections hold their own references to the old ones. */
	SSL_CTX_free(gw->tls_ctx);
	SSL_CTX_free(gw->anon_ctx);
	gw->tls_ctx = ctx;
	gw->anon_ctx = anon;
	return 0;
}
