// SPDX-License-Identifier: MIT
/*
 * virtio-console with VIRTIO_CONSOLE_F_MULTIPORT (vio.h): the control
 * queues announce ports, we answer PORT_READY, and the port whose
 * PORT_NAME is DEMO_AGENT_PORT is opened and echoes lines back as the
 * guest agent would answer them. Queue numbers: port 0 uses 0/1, control
 * 2/3, port p >= 1 uses 2p+2 / 2p+3 (5.3.2).
 */
#include "demo.h"

#include "arch.h"
#include "io.h"
#include "serial.h"

#define WAIT_TICKS	TIMER_HZ	/* for the agent port at boot */
#define QUIET_TICKS	3		/* no news this long: every port known */
#define SLOT_SPINS	100000

static uint16_t rx_queue(uint32_t port)
{
	return port == 0 ? 0 : 2 * port + 2;
}

static void give_rx(struct vport *p, int i)
{
	struct vbuf b = { p->rxbuf[i], VCON_RXBUF };

	vq_add(&p->rx, NULL, 0, &b, 1, p->rxbuf[i]);
}

static void give_ctrl(struct vcon *c, int i)
{
	struct vbuf b = { c->crxbuf[i], VCON_RXBUF };

	vq_add(&c->crx, NULL, 0, &b, 1, c->crxbuf[i]);
}

/* Take back what the device has finished sending. */
static void reclaim(struct vq *q, bool *busy, const void *base, size_t size)
{
	const uint8_t *done;

	while ((done = vq_get(q, NULL)))
		busy[(done - (const uint8_t *)base) / size] = false;
}

/* A free transmit slot, waiting a little for the device to finish one. */
static int slot(struct vq *q, bool *busy, const void *base, size_t size)
{
	for (int spin = 0; spin < SLOT_SPINS; spin++) {
		reclaim(q, busy, base, size);
		for (int i = 0; i < VCON_BUFS; i++)
			if (!busy[i])
				return i;
		__asm__ volatile("pause");
	}
	return -1;
}

static void send_ctrl(struct vcon *c, uint32_t id, uint16_t event,
		      uint16_t value)
{
	int i = slot(&c->ctx, c->cmsg_busy, c->cmsg, sizeof(c->cmsg[0]));
	struct vbuf b;

	if (i < 0)
		return;		/* the device stopped reading: nothing to do */
	c->cmsg[i] = (struct virtio_console_control){ id, event, value };
	b = (struct vbuf){ &c->cmsg[i], sizeof(c->cmsg[i]) };
	if (vq_add(&c->ctx, &b, 1, NULL, 0, &c->cmsg[i])) {
		c->cmsg_busy[i] = true;
		vq_kick(&c->ctx);
	}
}

static bool setup_port(struct demo *d, struct vcon *c, uint32_t n,
		       const char **why)
{
	struct vport *p = &c->port[n];

	if ((!p->rx_page && !(p->rx_page = vio_page(&d->vio))) ||
	    (!p->tx_page && !(p->tx_page = vio_page(&d->vio)))) {
		*why = "out of ring pages";
		return false;
	}
	return virtio_queue(c->dev, &p->rx, rx_queue(n), p->rx_page, VCON_BUFS,
			    why) &&
	       virtio_queue(c->dev, &p->tx, rx_queue(n) + 1, p->tx_page,
			    VCON_BUFS, why);
}

bool vcon_setup(struct demo *d, struct vcon *c, const char **why)
{
	struct vdev *v = c->dev;
	uint32_t max;

	/* Not a memset: the ring pages stay the ports' across resets. */
	for (int i = 0; i < VCON_PORTS; i++)
		c->port[i].added = c->port[i].named = c->port[i].open = false;
	memset(c->cmsg_busy, 0, sizeof(c->cmsg_busy));
	memset(c->tx_busy, 0, sizeof(c->tx_busy));
	c->agent = -1;
	c->len = 0;
	if ((!c->crx_page && !(c->crx_page = vio_page(&d->vio))) ||
	    (!c->ctx_page && !(c->ctx_page = vio_page(&d->vio)))) {
		*why = "out of ring pages";
		return false;
	}
	if (!virtio_begin(v, BIT(VIRTIO_CONSOLE_F_MULTIPORT), why))
		return false;
	c->multiport = v->features & BIT(VIRTIO_CONSOLE_F_MULTIPORT);
	max = c->multiport ? virtio_cfg32(v, 4) : 1;
	c->nports = max < 1 ? 1 : max > VCON_PORTS ? VCON_PORTS : max;
	if (!setup_port(d, c, 0, why) ||
	    (c->multiport &&
	     (!virtio_queue(v, &c->crx, 2, c->crx_page, VCON_BUFS, why) ||
	      !virtio_queue(v, &c->ctx, 3, c->ctx_page, VCON_BUFS, why)))) {
		virtio_fail(v);
		return false;
	}
	/* Ports beyond what the device has queues for are not used. */
	for (uint32_t n = 1; n < c->nports; n++)
		if (!setup_port(d, c, n, why)) {
			c->nports = n;
			break;
		}
	virtio_driver_ok(v);
	if (!c->multiport) {
		/* A lone port 0 is there from the start, nameless. */
		c->port[0].added = true;
		for (int i = 0; i < c->port[0].rx.size; i++)
			give_rx(&c->port[0], i);
		vq_kick(&c->port[0].rx);
		return true;
	}
	for (int i = 0; i < c->crx.size; i++)
		give_ctrl(c, i);
	vq_kick(&c->crx);
	send_ctrl(c, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
	return true;
}

static void port_added(struct vcon *c, uint32_t id)
{
	struct vport *p;

	if (id >= c->nports) {
		send_ctrl(c, id, VIRTIO_CONSOLE_PORT_READY, 0);	/* no queues */
		return;
	}
	p = &c->port[id];
	if (!p->added) {
		p->added = true;
		for (int i = 0; i < p->rx.size; i++)
			give_rx(p, i);
		vq_kick(&p->rx);
	}
	send_ctrl(c, id, VIRTIO_CONSOLE_PORT_READY, 1);
}

static void port_named(struct vcon *c, uint32_t id, const uint8_t *name,
		       size_t len)
{
	size_t want = strlen(DEMO_AGENT_PORT);

	while (len && name[len - 1] == 0)
		len--;		/* QEMU counts the NUL, others may not */
	if (id >= c->nports)
		return;
	c->port[id].named = true;
	if (len != want || memcmp(name, DEMO_AGENT_PORT, want) || !c->port[id].added)
		return;
	c->agent = id;
	c->len = 0;
	c->port[id].open = true;
	send_ctrl(c, id, VIRTIO_CONSOLE_PORT_OPEN, 1);
	serial_puts("virtio: agent port open\n");
}

static void control(struct vcon *c, const uint8_t *buf, uint32_t len)
{
	struct virtio_console_control m;

	if (len < sizeof(m))
		return;
	memcpy(&m, buf, sizeof(m));
	switch (m.event) {
	case VIRTIO_CONSOLE_DEVICE_ADD:
		port_added(c, m.id);
		break;
	case VIRTIO_CONSOLE_DEVICE_REMOVE:
		if (m.id < c->nports) {
			c->port[m.id].added = c->port[m.id].open = false;
			c->port[m.id].named = false;
		}
		if ((int64_t)m.id == c->agent)
			c->agent = -1;
		break;
	case VIRTIO_CONSOLE_PORT_NAME:
		port_named(c, m.id, buf + sizeof(m), len - sizeof(m));
		break;
	default:
		break;	/* CONSOLE_PORT, RESIZE, host-side PORT_OPEN: no action */
	}
}

/* "demo-agent: LINE\n" on the agent port. */
static void answer(struct vcon *c)
{
	static const char prefix[] = "demo-agent: ";
	struct vport *p = &c->port[c->agent];
	int i = slot(&p->tx, c->tx_busy, c->tx, sizeof(c->tx[0]));
	size_t n = sizeof(prefix) - 1;
	struct vbuf b;

	if (i < 0)
		return;
	memcpy(c->tx[i], prefix, n);
	memcpy(c->tx[i] + n, c->line, c->len);
	n += c->len;
	c->tx[i][n++] = '\n';
	b = (struct vbuf){ c->tx[i], n };
	if (vq_add(&p->tx, &b, 1, NULL, 0, c->tx[i])) {
		c->tx_busy[i] = true;
		vq_kick(&p->tx);
	}
}

static void agent_bytes(struct vcon *c, const uint8_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (c->len && c->line[c->len - 1] == '\r')
				c->len--;
			answer(c);
			c->len = 0;
		} else if (c->len < sizeof(c->line)) {
			c->line[c->len++] = s[i];
		}
	}
}

void vcon_poll(struct demo *d, struct vcon *c)
{
	uint8_t *buf;
	uint32_t len;
	bool given = false;

	while (c->multiport && (buf = vq_get(&c->crx, &len))) {
		control(c, buf, len < VCON_RXBUF ? len : VCON_RXBUF);
		give_ctrl(c, (buf - c->crxbuf[0]) / VCON_RXBUF);
		given = true;
	}
	if (given)
		vq_kick(&c->crx);
	for (uint32_t n = 0; n < c->nports; n++) {
		struct vport *p = &c->port[n];

		given = false;
		while ((buf = vq_get(&p->rx, &len))) {
			if ((int64_t)n == c->agent)
				agent_bytes(c, buf,
					    len < VCON_RXBUF ? len : VCON_RXBUF);
			give_rx(p, (buf - p->rxbuf[0]) / VCON_RXBUF);
			given = true;
		}
		if (given)
			vq_kick(&p->rx);
	}
	if (c->crx.broken || c->ctx.broken) {
		vio_report(c->dev, "the device returned a bad used entry");
		virtio_fail(c->dev);
	}
}

/* Every port the device added has a name, and no new message came. */
static bool all_named(const struct vcon *c)
{
	bool any = false;

	for (uint32_t n = 0; n < c->nports; n++) {
		if (c->port[n].added && !c->port[n].named)
			return false;
		any |= c->port[n].added;
	}
	return any;
}

void vcon_wait_agent(struct demo *d)
{
	struct vcon *c = &d->vio.con;
	int quiet = 0;

	if (!c->multiport)
		return;
	for (int t = 0; t < WAIT_TICKS && c->agent < 0 && c->dev->live; t++) {
		uint16_t before = c->crx.last_used;

		vio_poll(d);
		quiet = c->crx.last_used == before ? quiet + 1 : 0;
		if (quiet >= QUIET_TICKS && all_named(c))
			break;
		cpu_idle();
	}
}
