// SPDX-License-Identifier: MIT
#include "source.h"
#include "source_vnc.h"

#include <stdio.h>
#include <string.h>

int source_create(struct source *s, const char *spec, const char *run_dir,
		  struct dloop *loop, const struct source_sink *sink, char *err,
		  size_t errlen)
{
	char path[4096];

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->sink = sink;
	if (!spec || !strcmp(spec, "surface")) {
		snprintf(path, sizeof(path), "%s/surface.sock", run_dir);
		return source_surface_init(s, path, err, errlen);
	}
	if (!strncmp(spec, "surface:", 8) && spec[8])
		return source_surface_init(s, spec + 8, err, errlen);
	if (!strncmp(spec, "vnc:", 4) && spec[4])
		return source_vnc_init(s, spec + 4, err, errlen);
	snprintf(err, errlen, "--source %s: expected surface, surface:PATH, vnc:PATH or vnc:HOST:PORT",
		 spec);
	return -1;
}

void source_destroy(struct source *s)
{
	if (s->ops && s->ops->destroy)
		s->ops->destroy(s);
	s->ops = NULL;
}
