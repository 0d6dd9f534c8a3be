// SPDX-License-Identifier: MIT
/*
 * The browser client's files from --web-root. The file is found and read
 * on the worker pool (a disk may be slow; the loop may not be). A request
 * reaches only regular files whose real path lies inside the root's real
 * path: no "..", no symbolic link out of it.
 */
#include "gw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX (64u << 20)   /* the biggest file served */

struct static_job {
	uv_work_t w;
	struct gw_conn *c;
	char path[PATH_MAX];     /* root + decoded request path */
	char real[PATH_MAX];     /* what it resolved to: its name gives the type */
	const char *root;
	int found;
	uint8_t *data;
	size_t len;
};

static const struct { const char *ext, *type; } types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "json", "application/json" },
	{ "wasm", "application/wasm" },
	{ "ico", "image/x-icon" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "map", "application/json" },
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Percent-decodes the request path into out; refuses NUL, backslashes and
 * "." or ".." segments. "/" and "dir/" mean their index.html. */
static int decode_path(const char *in, char *out, size_t outlen)
{
	ssize_t o;

	if (in[0] != '/')
		return -1;
	o = gw_http_unescape(in, strlen(in), out, outlen - 10, 0);
	if (o <= 0 || memchr(out, '\\', (size_t)o))
		return -1;
	out[o] = 0;
	for (char *seg = out; seg; seg = strchr(seg + 1, '/')) {
		if (strcmp(seg, "/.") == 0 || strncmp(seg, "/./", 3) == 0 ||
		    strcmp(seg, "/..") == 0 || strncmp(seg, "/../", 4) == 0)
			return -1;
	}
	if (out[o - 1] == '/')
		strcpy(out + o, "index.html");
	return 0;
}

static void static_work(uv_work_t *w)
{
	struct static_job *j = w->data;
	size_t rootlen = strlen(j->root);
	char *real = j->real;
	struct stat st;
	size_t got = 0;
	int fd;

	if (!realpath(j->path, real) || strncmp(real, j->root, rootlen) ||
	    real[rootlen] != '/')
		return;
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > STATIC_MAX)
		goto out;
	j->data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!j->data)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, j->data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	j->len = got;
	j->found = got == (size_t)st.st_size;
out:
	close(fd);
}

static void static_after(uv_work_t *w, int status)
{
	struct static_job *j = w->data;
	struct gw_conn *c = j->c;

	if (!gw_conn_work_done(c)) {
		if (status == 0 && j->found)
			gw_http_reply(c, 200, type_of(j->real), "Cache-Control: no-cache\r\n",
				      j->data, j->len, 0);
		else
			gw_http_error(c, 404, "Not found.", 0);
	}
	free(j->data);
	free(j);
}

void gw_static_serve(struct gw_conn *c, const struct gw_http_req *r)
{
	struct static_job *j;
	char rel[GW_HTTP_MAX_URL + 16];
	int n;

	if (!c->gw->web_root[0] || decode_path(r->path, rel, sizeof(rel))) {
		gw_http_error(c, 404, "Not found.", 0);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		gw_conn_close(c);
		return;
	}
	j->w.data = j;
	j->c = c;
	j->root = c->gw->web_root;
	n = snprintf(j->path, sizeof(j->path), "%s%s", j->root, rel);
	if (n < 0 || (size_t)n >= sizeof(j->path) ||
	    uv_queue_work(c->gw->loop, &j->w, static_work, static_after)) {
		free(j);
		gw_http_error(c, 404, "Not found.", 0);
		return;
	}
	c->work++;
}
