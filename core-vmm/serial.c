// SPDX-License-Identifier: MIT
#include "serial.h"

#include <string.h>

enum {
	REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_RDI   0x01
#define IER_THRI  0x02
#define IIR_NONE  0x01
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_FIFO  0xc0
#define LCR_DLAB  0x80
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define MSR_CTS   0x10
#define MSR_DSR   0x20
#define MSR_DCD   0x80

void serial_init(struct serial *s, int irq, const struct serial_ops *ops)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->ops = *ops;
	s->irq = irq;
	s->mcr = 0x08; /* OUT2: the PC routes the UART's IRQ through it */
}

void serial_destroy(struct serial *s)
{
	pthread_mutex_destroy(&s->lock);
}

static int tx_room(const struct serial *s)
{
	return s->tx_len < SERIAL_TX_SIZE;
}

static void update_irq(struct serial *s)
{
	int level = ((s->ier & IER_RDI) && s->rx_len) ||
		    ((s->ier & IER_THRI) && s->thr_ipending);

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->ops.set_irq)
			s->ops.set_irq(s->ops.opaque, s->irq, level);
	}
}

static void rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_len == SERIAL_RX_SIZE)
		return;
	s->rx[(s->rx_head + s->rx_len) % SERIAL_RX_SIZE] = c;
	s->rx_len++;
}

/* Returns 1 when the main loop should be told there is output. */
static int write_thr(struct serial *s, uint8_t c)
{
	int was_empty = s->tx_len == 0;

	if (s->mcr & MCR_LOOP) {
		rx_push(s, c);
	} else if (tx_room(s)) {
		s->tx[(s->tx_head + s->tx_len) % SERIAL_TX_SIZE] = c;
		s->tx_len++;
	} else {
		s->tx_dropped++; /* the guest ignored THRE */
	}
	/* Transmission is instantaneous: THR is empty again at once. */
	s->thr_ipending = tx_room(s);
	return was_empty && s->tx_len;
}

static uint8_t read_msr(const struct serial *s)
{
	if (s->mcr & MCR_LOOP) {
		/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD;
		 * Linux's autoconfig checks exactly this. */
		return ((s->mcr & 0x02) << 3) | ((s->mcr & 0x01) << 5) |
		       ((s->mcr & 0x04) << 4) | ((s->mcr & 0x08) << 4);
	}
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static uint8_t read_iir(struct serial *s)
{
	uint8_t fifo = (s->fcr & 0x01) ? IIR_FIFO : 0;

	if ((s->ier & IER_RDI) && s->rx_len)
		return IIR_RDI | fifo;
	if ((s->ier & IER_THRI) && s->thr_ipending) {
		s->thr_ipending = 0; /* reading IIR acknowledges THRE */
		return IIR_THRI | fifo;
	}
	return IIR_NONE | fifo;
}

static int serial_write(struct serial *s, int reg, uint8_t v)
{
	int kick = 0;

	switch (reg) {
	case REG_RBR_THR:
		if (s->lcr & LCR_DLAB)
			s->dll = v;
		else
			kick = write_thr(s, v);
		break;
	case REG_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
		} else {
			/* Enabling THRI with an empty THR raises it at once. */
			if ((v & IER_THRI) && !(s->ier & IER_THRI))
				s->thr_ipending = tx_room(s);
			s->ier = v & 0x0f;
		}
		break;
	case REG_IIR_FCR:
		s->fcr = v & 0xc9;
		if (v & 0x02) /* clear receive FIFO */
			s->rx_len = 0;
		break;
	case REG_LCR:
		s->lcr = v;
		break;
	case REG_MCR:
		s->mcr = v & 0x1f;
		break;
	case REG_SCR:
		s->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
	update_irq(s);
	return kick;
}

static uint8_t serial_read(struct serial *s, int reg)
{
	uint8_t v = 0;

	switch (reg) {
	case REG_RBR_THR:
		if (s->lcr & LCR_DLAB) {
			v = s->dll;
		} else if (s->rx_len) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % SERIAL_RX_SIZE;
			s->rx_len--;
		}
		break;
	case REG_IER:
		v = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
		break;
	case REG_IIR_FCR:
		v = read_iir(s);
		break;
	case REG_LCR:
		v = s->lcr;
		break;
	case REG_MCR:
		v = s->mcr;
		break;
	case REG_LSR:
		v = (s->rx_len ? LSR_DR : 0) |
		    (tx_room(s) ? LSR_THRE | LSR_TEMT : 0);
		break;
	case REG_MSR:
		v = read_msr(s);
		break;
	case REG_SCR:
		v = s->scr;
		break;
	}
	update_irq(s);
	return v;
}

void serial_pio(void *dev, uint16_t port, uint8_t *data, int size,
		bool is_write)
{
	struct serial *s = dev;
	int reg = port & 7;
	int kick = 0;

	/* Wider accesses touch one 8-bit register; the rest reads as zero. */
	pthread_mutex_lock(&s->lock);
	if (is_write) {
		kick = serial_write(s, reg, data[0]);
	} else {
		memset(data, 0, size);
		data[0] = serial_read(s, reg);
	}
	pthread_mutex_unlock(&s->lock);
	if (kick && s->ops.tx_ready)
		s->ops.tx_ready(s->ops.opaque);
}

int serial_attach(struct serial *s, struct pio_bus *bus, uint16_t base)
{
	return pio_register(bus, base, 8, serial_pio, s);
}

size_t serial_take_output(struct serial *s, uint8_t *buf, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < max && s->tx_len) {
		buf[n++] = s->tx[s->tx_head];
		s->tx_head = (s->tx_head + 1) % SERIAL_TX_SIZE;
		s->tx_len--;
	}
	if (n && (s->ier & IER_THRI))
		s->thr_ipending = 1;
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t serial_put_input(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < len && s->rx_len < SERIAL_RX_SIZE)
		rx_push(s, buf[n++]);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}
