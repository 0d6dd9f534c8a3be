// SPDX-License-Identifier: MIT
/*
 * The listening sockets: one per --listen, or for --port N both [::]:N
 * (IPv6 only, so that it does not swallow IPv4 as mapped addresses) and
 * 0.0.0.0 on the same port (the one [::] got, when N is 0).
 */
#include "gw.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_addr(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN];
	const char *orig = s, *end, *port;
	char *stop;
	long n;
	int r;

	if (s[0] == '[') {
		end = strchr(s, ']');
		port = end && end[1] == ':' ? end + 2 : NULL;
		s++;
	} else {
		end = strrchr(s, ':');
		port = end ? end + 1 : NULL;
	}
	if (!port || (size_t)(end - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, (size_t)(end - s));
	host[end - s] = 0;
	n = strtol(port, &stop, 10);
	if (!*port || *stop || n < 0 || n > 65535)
		goto bad;
	if (strchr(host, ':'))
		r = uv_ip6_addr(host, (int)n, (struct sockaddr_in6 *)ss);
	else
		r = uv_ip4_addr(host, (int)n, (struct sockaddr_in *)ss);
	if (r == 0)
		return 0;
bad:
	snprintf(err, errlen, "--listen %s: use ADDR:PORT with a numeric address "
		 "(127.0.0.1:8443, [::1]:8443, 0.0.0.0:8443)", orig);
	return -1;
}

static void format_addr(const struct sockaddr_storage *ss, char *out, size_t len, int *port)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		*port = ntohs(in6->sin6_port);
		snprintf(out, len, "[%s]:%d", host, *port);
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		*port = ntohs(in->sin_port);
		snprintf(out, len, "%s:%d", host, *port);
	}
}

/* Binds and listens; *port is the port bound. 0 or a libuv error. */
static int listen_one(struct gw *gw, const struct sockaddr_storage *ss, int v6only,
		      int *port, char *err, size_t errlen)
{
	struct gw_listener *l = &gw->listeners[gw->n_listeners];
	struct sockaddr_storage bound;
	char name[INET6_ADDRSTRLEN + 16];
	int len = sizeof(bound), r;

	format_addr(ss, name, sizeof(name), port);
	r = uv_tcp_init(gw->loop, &l->tcp);
	if (r) {
		snprintf(err, errlen, "cannot listen on %s: %s", name, uv_strerror(r));
		return r;
	}
	l->gw = gw;
	l->open = 1;
	l->tcp.data = l;
	gw->n_listeners++;
	r = uv_tcp_bind(&l->tcp, (const struct sockaddr *)ss, v6only ? UV_TCP_IPV6ONLY : 0);
	if (r == 0)
		r = uv_listen((uv_stream_t *)&l->tcp, 511, gw_accept);
	if (r == 0)
		r = uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&bound, &len);
	if (r) {
		snprintf(err, errlen, "cannot listen on %s: %s", name, uv_strerror(r));
		return r;
	}
	format_addr(&bound, name, sizeof(name), port);
	gw_log("listening on %s", name);
	return 0;
}

int gw_listen_all(struct gw *gw, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int port, r;

	if (gw->cfg.port >= 0) {
		port = gw->cfg.port;
		memset(&ss, 0, sizeof(ss));
		uv_ip6_addr("::", port, (struct sockaddr_in6 *)&ss);
		r = listen_one(gw, &ss, 1, &port, err, errlen);
		if (r == UV_EAFNOSUPPORT || r == UV_EADDRNOTAVAIL) {
			/* A host without IPv6 still serves IPv4. */
			gw_log("%s; IPv4 only", err);
			port = gw->cfg.port;
		} else if (r) {
			return -1;
		}
		uv_ip4_addr("0.0.0.0", port, (struct sockaddr_in *)&ss);
		return listen_one(gw, &ss, 0, &port, err, errlen) ? -1 : 0;
	}
	for (int i = 0; i < gw->cfg.n_listen; i++) {
		memset(&ss, 0, sizeof(ss));
		if (parse_addr(gw->cfg.listen[i], &ss, err, errlen) ||
		    listen_one(gw, &ss, 0, &port, err, errlen))
			return -1;
	}
	return 0;
}

void gw_listen_close(struct gw *gw)
{
	for (int i = 0; i < gw->n_listeners; i++) {
		if (gw->listeners[i].open)
			uv_close((uv_handle_t *)&gw->listeners[i].tcp, NULL);
		gw->listeners[i].open = 0;
	}
}
