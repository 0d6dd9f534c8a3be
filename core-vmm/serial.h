/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART as found at COM1 (0x3f8, IRQ 4). The guest's bytes go into a
 * bounded buffer that the main loop drains to the log and the console socket;
 * while it is full the UART reports its transmitter busy, so a guest that
 * polls THRE (Linux, the demo) is slowed down rather than losing output.
 * Host input is queued in a receive FIFO of fixed size.
 */
#ifndef PORTHOLE_VMM_SERIAL_H
#define PORTHOLE_VMM_SERIAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "pio.h"

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ  4
#define SERIAL_TX_SIZE   16384
#define SERIAL_RX_SIZE   1024

struct serial_ops {
	void (*set_irq)(void *opaque, int irq, int level);
	void (*tx_ready)(void *opaque);	/* output waiting; called unlocked */
	void *opaque;
};

struct serial {
	pthread_mutex_t lock;
	struct serial_ops ops;
	int irq;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	int thr_ipending;
	int irq_level;
	uint8_t rx[SERIAL_RX_SIZE];
	size_t rx_head, rx_len;
	uint8_t tx[SERIAL_TX_SIZE];
	size_t tx_head, tx_len;
	uint64_t tx_dropped;
};

void serial_init(struct serial *s, int irq, const struct serial_ops *ops);
void serial_destroy(struct serial *s);
int serial_attach(struct serial *s, struct pio_bus *bus, uint16_t base);

/* The pio handler (exposed for the fuzz target and tests). */
void serial_pio(void *dev, uint16_t port, uint8_t *data, int size,
		bool is_write);

/* Host side: take up to max bytes the guest wrote; returns the count. */
size_t serial_take_output(struct serial *s, uint8_t *buf, size_t max);

/* Host side: queue input for the guest; returns how many bytes fit. */
size_t serial_put_input(struct serial *s, const uint8_t *buf, size_t len);

#endif
