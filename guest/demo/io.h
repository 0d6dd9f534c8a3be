/* SPDX-License-Identifier: MIT */
/*
 * Port I/O and idling for ring 3. These are the plain instructions: with
 * IOPL 3 they run directly on VT-x, AMD-V and QEMU; on PVM (and always, for
 * `hlt`) they fault with #GP and traps.S performs them in ring 0.
 */
#ifndef PORTHOLE_DEMO_IO_H
#define PORTHOLE_DEMO_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Sleep until the next timer tick (60 Hz). */
static inline void cpu_idle(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

#endif
