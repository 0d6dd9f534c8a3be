/* SPDX-License-Identifier: MIT */
/*
 * The VNC source: an existing VM's VNC server (QEMU's -vnc, libvirt's
 * graphics) as the display's screen, through libvncclient. Policy and
 * limits: docs/display.md, "The vnc: source".
 */
#ifndef PORTHOLE_DISPLAY_SOURCE_VNC_H
#define PORTHOLE_DISPLAY_SOURCE_VNC_H

#include <stddef.h>

#include "source.h"

/*
 * where: "PATH" (a unix socket: absolute, or starting with '.'), or
 * "HOST:PORT" / "[V6]:PORT" with HOST a loopback address or a name that
 * resolves only to loopback addresses. PORT is a TCP port (5900, not
 * QEMU's display number 0). 0, or -1 with a message in err.
 */
int source_vnc_init(struct source *s, const char *where, char *err,
		    size_t errlen);

/* Route libvncclient's log (process-wide hooks): quiet unless verbose; the
 * last line a connection thread logged becomes its disconnect reason. */
void source_vnc_log_setup(int verbose);

#endif
