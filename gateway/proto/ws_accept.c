// SPDX-License-Identifier: MIT
/*
 * The WebSocket opening handshake, server side (RFC 6455 4.2): the checks
 * on the browser's upgrade request and the 101 answer.
 *
 * The Origin check is what keeps a page from another site from opening a
 * console with the user's cookie (cross-site WebSocket hijacking: cookies
 * ride along, and the same-origin policy does not apply to WebSockets).
 */
#include "ws.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN 24   /* base64 of 16 bytes */

static int refuse(int *status, const char **reason, int s, const char *why)
{
	*status = s;
	*reason = why;
	return -1;
}

/* Exactly one header of this name; NULL if none or several. */
static const char *single_header(const struct gw_http_req *r, const char *name, int *count)
{
	const char *v = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < r->n_headers; i++) {
		if (!strcasecmp(r->headers[i].name, name)) {
			v = r->headers[i].value;
			(*count)++;
		}
	}
	return *count == 1 ? v : NULL;
}

static int key_valid(const char *key)
{
	unsigned char raw[WS_KEY_LEN];
	size_t i;

	if (strlen(key) != WS_KEY_LEN || strcmp(key + 22, "=="))
		return 0;
	for (i = 0; i < 22; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
			    key[i]))
			return 0;
	/* 18 bytes out: the 16 of the nonce and two of padding. */
	return EVP_DecodeBlock(raw, (const unsigned char *)key, WS_KEY_LEN) == 18;
}

/* host[:port] without a default port, lower-cased, into out. */
static int host_norm(const char *h, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (n > 4 && !memcmp(h + n - 4, ":443", 4))
		n -= 4;
	if (n == 0 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if ((unsigned char)c <= ' ' || c == '/' || c == '@')
			return -1;
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[n] = '\0';
	return 0;
}

/* Origin "https://" host[:port] names the same host as Host. */
static int origin_matches(const char *origin, const char *host)
{
	static const char scheme[] = "https://";
	char o[256], h[256];
	const char *oh;

	if (strncasecmp(origin, scheme, sizeof(scheme) - 1))
		return 0;
	oh = origin + sizeof(scheme) - 1;
	if (host_norm(oh, strlen(oh), o, sizeof(o)) < 0 ||
	    host_norm(host, strlen(host), h, sizeof(h)) < 0)
		return 0;
	return !strcmp(o, h);
}

/* base64(SHA-1(key GUID)) into accept (29 bytes with the NUL). */
static int accept_key(const char *key, char accept[29])
{
	char buf[WS_KEY_LEN + sizeof(WS_GUID)];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	snprintf(buf, sizeof(buf), "%s%s", key, WS_GUID);
	if (!EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
		return -1;
	return EVP_EncodeBlock((unsigned char *)accept, md, 20) == 28 ? 0 : -1;
}

ssize_t gw_ws_accept(const struct gw_http_req *r, char *out, size_t outlen,
		     int *status, const char **reason)
{
	const char *v, *key, *origin, *host, *proto;
	char accept[29];
	int count, n;
	size_t i;
	int binary = 0;

	if (strcmp(r->method, "GET"))
		return refuse(status, reason, 400, "WebSocket upgrade must be GET");
	v = gw_http_header(r, "Upgrade");
	if (!v || !gw_http_has_token(v, "websocket"))
		return refuse(status, reason, 426, "no Upgrade: websocket");
	v = gw_http_header(r, "Connection");
	if (!v || !gw_http_has_token(v, "upgrade"))
		return refuse(status, reason, 400, "no Connection: upgrade");
	v = single_header(r, "Sec-WebSocket-Version", &count);
	if (!v || strcmp(v, "13"))
		return refuse(status, reason, 426, "Sec-WebSocket-Version is not 13");
	key = single_header(r, "Sec-WebSocket-Key", &count);
	if (!key || !key_valid(key))
		return refuse(status, reason, 400, "bad Sec-WebSocket-Key");
	host = single_header(r, "Host", &count);
	if (!host)
		return refuse(status, reason, 400, "no Host");
	origin = single_header(r, "Origin", &count);
	if (!origin)
		return refuse(status, reason, 403, count ? "several Origin headers" : "no Origin");
	if (!origin_matches(origin, host))
		return refuse(status, reason, 403, "Origin is not https:// + Host");
	for (i = 0; i < r->n_headers; i++) {
		proto = r->headers[i].value;
		if (!strcasecmp(r->headers[i].name, "Sec-WebSocket-Protocol") &&
		    gw_http_has_token(proto, "binary"))
			binary = 1;
	}
	if (accept_key(key, accept) < 0)
		return refuse(status, reason, 500, "SHA-1 failed");
	n = snprintf(out, outlen,
		     "HTTP/1.1 101 Switching Protocols\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Accept: %s\r\n"
		     "%s"
		     "\r\n",
		     accept, binary ? "Sec-WebSocket-Protocol: binary\r\n" : "");
	if (n < 0 || (size_t)n >= outlen)
		return refuse(status, reason, 500, "answer buffer too small");
	*status = 101;
	*reason = NULL;
	return n;
}
