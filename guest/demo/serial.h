/* SPDX-License-Identifier: MIT */
/* COM1, polled: the guest takes no serial interrupts. */
#ifndef PORTHOLE_DEMO_SERIAL_H
#define PORTHOLE_DEMO_SERIAL_H

#include <stddef.h>

#include "lib.h"

void serial_init(void);
void serial_write(const char *s, size_t n);
void serial_puts(const char *s);
/* The line and a '\n'. */
void serial_line(const struct line *l);
/* The next received byte, or -1 when none is waiting. */
int serial_getc(void);

#endif
