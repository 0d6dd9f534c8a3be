// SPDX-License-Identifier: MIT
/*
 * Every access here is an I/O exit (and on PVM a #GP emulated in ring 0),
 * so the driver does the least a 16550 needs and no more.
 */
#include "serial.h"

#include "arch.h"
#include "io.h"

#define REG_DATA	0	/* RBR / THR */
#define REG_FCR		2
#define REG_LSR		5

#define LSR_DR		0x01
#define LSR_THRE	0x20
/*
 * FIFOs on, without the clear bits, so input the host sent early survives
 * (QEMU still clears them if this turns them on). Trigger level 14: QEMU
 * offers its chardev no more than the trigger level at once, and one byte
 * per 60 Hz poll would make a command line take a quarter of a second.
 */
#define FCR_FIFO_14	0xc1

/* A UART that never drains must not hang the guest: give up after this. */
#define THRE_POLLS	100000

/*
 * Only the FIFO setting changes anything in an emulated UART: no emulator
 * looks at the divisor or line control (115200 8N1 is the host's view), and
 * IER is already 0 (polled) from reset. Each write would be an exit, and on
 * PVM a trapped #GP, on the way to "ready".
 */
void serial_init(void)
{
	outb(COM1 + REG_FCR, FCR_FIFO_14);
}

/*
 * Wait for THRE before each byte: porthole-vmm holds it clear while its
 * output buffer is full, so output is slowed rather than lost.
 */
static void serial_putc(char c)
{
	for (int i = 0; i < THRE_POLLS; i++)
		if (inb(COM1 + REG_LSR) & LSR_THRE)
			break;
	outb(COM1 + REG_DATA, (unsigned char)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

void serial_puts(const char *s)
{
	serial_write(s, strlen(s));
}

void serial_line(const struct line *l)
{
	serial_write(l->buf, l->len);
	serial_putc('\n');
}

int serial_getc(void)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + REG_DATA);
}
