// SPDX-License-Identifier: MIT
#include "input.h"

#include <linux/input-event-codes.h>
#include <linux/virtio_input.h>
#include <string.h>

/* Byte offsets in the device configuration (5.8.4). */
#define CFG_SELECT  0
#define CFG_SUBSEL  1
#define CFG_SIZE    2
#define CFG_UNION   8
#define UNION_SIZE  128   /* bitmaps cover codes 0..1023 */

#define EV_SIZE 8         /* le16 type, le16 code, le32 value */

static const struct {
	const char *name, *serial;
	uint16_t product;
} kinds[] = {
	[VINPUT_KEYBOARD] = { "Porthole Keyboard", "porthole-keyboard", 0x0001 },
	[VINPUT_MOUSE]    = { "Porthole Mouse", "porthole-mouse", 0x0002 },
	[VINPUT_TABLET]   = { "Porthole Tablet", "porthole-tablet", 0x0003 },
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

/* --- what each kind has ------------------------------------------------- */

static bool is_button(uint16_t code)
{
	return code >= BTN_LEFT && code <= BTN_EXTRA;
}

static bool is_wheel(uint16_t code)
{
	return code == REL_WHEEL || code == REL_HWHEEL;
}

bool vinput_supports(enum vinput_kind kind, uint16_t type, uint16_t code)
{
	switch (kind) {
	case VINPUT_KEYBOARD:
		/* Every key of a PC keyboard, F13-F24, media, power and the
		 * Asian keys included, is in KEY_ESC..KEY_MICMUTE; an unused
		 * code in that range costs nothing. */
		if (type == EV_KEY)
			return code >= KEY_ESC && code <= KEY_MICMUTE;
		if (type == EV_LED)
			return code <= LED_SCROLLL;
		return false;
	case VINPUT_TABLET:
		if (type == EV_ABS)
			return code == ABS_X || code == ABS_Y;
		if (type == EV_KEY)
			return is_button(code);
		if (type == EV_REL)
			return is_wheel(code);
		return false;
	case VINPUT_MOUSE:
		if (type == EV_REL)
			return code == REL_X || code == REL_Y || is_wheel(code);
		if (type == EV_KEY)
			return is_button(code);
		return false;
	}
	return false;
}

/* --- configuration space ------------------------------------------------ */

static uint8_t fill_string(uint8_t *u, const char *s)
{
	size_t n = strlen(s);

	memcpy(u, s, n);
	return n;
}

static uint8_t fill_bits(enum vinput_kind kind, uint8_t type, uint8_t *u)
{
	uint8_t size = 0;

	/* The keyboard has autorepeat: an empty bitmap says so (as QEMU). */
	if (kind == VINPUT_KEYBOARD && type == EV_REP)
		return 1;
	for (unsigned code = 0; code < UNION_SIZE * 8; code++) {
		if (!vinput_supports(kind, type, code))
			continue;
		u[code / 8] |= 1u << (code % 8);
		size = code / 8 + 1;
	}
	return size;
}

static uint8_t fill_abs(enum vinput_kind kind, uint8_t axis, uint8_t *u)
{
	if (!vinput_supports(kind, EV_ABS, axis))
		return 0;
	put_le32(u + 0, 0);               /* min */
	put_le32(u + 4, VINPUT_ABS_MAX);  /* max; fuzz, flat, res stay 0 */
	return 20;
}

static uint8_t fill_union(enum vinput_kind kind, uint8_t sel, uint8_t sub,
			  uint8_t *u)
{
	switch (sel) {
	case VIRTIO_INPUT_CFG_ID_NAME:
		return sub ? 0 : fill_string(u, kinds[kind].name);
	case VIRTIO_INPUT_CFG_ID_SERIAL:
		return sub ? 0 : fill_string(u, kinds[kind].serial);
	case VIRTIO_INPUT_CFG_ID_DEVIDS:
		if (sub)
			return 0;
		put_le16(u + 0, VINPUT_BUS_VIRTUAL);
		put_le16(u + 2, VINPUT_VENDOR);
		put_le16(u + 4, kinds[kind].product);
		put_le16(u + 6, 1);
		return 8;
	case VIRTIO_INPUT_CFG_EV_BITS:
		return fill_bits(kind, sub, u);
	case VIRTIO_INPUT_CFG_ABS_INFO:
		return fill_abs(kind, sub, u);
	default:
		/* PROP_BITS: no properties (a tablet is a pointer, not a
		 * touchscreen); UNSET and unknown selectors: nothing. */
		return 0;
	}
}

/* Caller holds cfg_lock. The union holds zeros past `size`. */
static void select_config(struct vinput *vi)
{
	uint8_t sel = vi->cfg[CFG_SELECT], sub = vi->cfg[CFG_SUBSEL];

	memset(vi->cfg + CFG_SIZE, 0, sizeof(vi->cfg) - CFG_SIZE);
	vi->cfg[CFG_SIZE] = fill_union(vi->kind, sel, sub, vi->cfg + CFG_UNION);
}

static void vinput_config_rw(void *dev, uint32_t off, uint8_t *data, int size,
			     bool is_write)
{
	struct vinput *vi = dev;

	pthread_mutex_lock(&vi->cfg_lock);
	for (int i = 0; i < size; i++) {
		uint64_t o = (uint64_t)off + i;

		if (!is_write) {
			data[i] = o < sizeof(vi->cfg) ? vi->cfg[o] : 0;
			continue;
		}
		/* Only select and subsel are the driver's to write. */
		if (o == CFG_SELECT || o == CFG_SUBSEL)
			vi->cfg[o] = data[i];
	}
	if (is_write && off <= CFG_SUBSEL)
		select_config(vi);
	pthread_mutex_unlock(&vi->cfg_lock);
}

/* --- events --------------------------------------------------------------- */

int vinput_send(struct vinput *vi, const struct vinput_event *ev, int n)
{
	int ret = 1;

	if (n < 1 || n > VINPUT_REPORT_MAX)
		return -1;
	for (int i = 0; i < n; i++)
		if (!vinput_supports(vi->kind, ev[i].type, ev[i].code))
			return -1;

	pthread_mutex_lock(&vi->lock);
	/* All of it or none: half a report would leave the guest with
	 * events that no SYN_REPORT ever completes. */
	if (vi->active && vi->count + n + 1 <= VINPUT_RING) {
		for (int i = 0; i <= n; i++) {
			uint32_t slot = (vi->head + vi->count++) % VINPUT_RING;

			vi->ring[slot] = i < n ? ev[i] :
				(struct vinput_event){ EV_SYN, SYN_REPORT, 0 };
		}
		ret = 0;
	} else {
		vi->dropped++;
	}
	pthread_mutex_unlock(&vi->lock);
	if (ret == 0 && vi->attached)
		virtio_pci_kick(&vi->vp, 0);
	return ret;
}

/* Move queued events into the guest's buffers while both last. Chains are
 * popped under the ring lock (which orders them with the events) but pushed
 * outside it: the push may take the transport's lock, which is held when
 * the transport calls our reset. */
static void fill_eventq(struct vinput *vi, struct virtq *vq)
{
	struct vq_chain c;

	for (unsigned n = 0; n < VINPUT_RING + VINPUT_QUEUE_SIZE; n++) {
		enum vq_pop_result res;
		uint32_t written = 0;

		pthread_mutex_lock(&vi->lock);
		if (!vi->count) {
			pthread_mutex_unlock(&vi->lock);
			return;
		}
		res = vq_pop(vq, &c);
		if (res == VQ_EMPTY) {
			pthread_mutex_unlock(&vi->lock);
			return;
		}
		/* A buffer too small for one event is returned empty, and
		 * the event waits for the next one (Linux ignores len 0). */
		if (res == VQ_OK && c.in_bytes >= EV_SIZE) {
			const struct vinput_event *e = &vi->ring[vi->head];
			uint8_t raw[EV_SIZE];

			put_le16(raw, e->type);
			put_le16(raw + 2, e->code);
			put_le32(raw + 4, e->value);
			vq_write(&c, 0, raw, sizeof(raw));
			vi->head = (vi->head + 1) % VINPUT_RING;
			vi->count--;
			written = EV_SIZE;
		}
		pthread_mutex_unlock(&vi->lock);
		vq_push(vq, &c, written);
	}
	/* Only a guest that recycles tiny buffers as fast as we return them
	 * gets here; let the iothread breathe and come back. */
	if (vi->attached)
		virtio_pci_kick(&vi->vp, vq->index);
}

static void drain_statusq(struct vinput *vi, struct virtq *vq)
{
	struct vq_chain c;

	for (unsigned n = 0; n < VINPUT_QUEUE_SIZE; n++) {
		enum vq_pop_result res = vq_pop(vq, &c);
		uint8_t raw[EV_SIZE];

		if (res == VQ_EMPTY)
			return;
		if (res == VQ_OK && vi->kind == VINPUT_KEYBOARD &&
		    vq_read(&c, 0, raw, sizeof(raw)) == sizeof(raw)) {
			uint16_t type = raw[0] | raw[1] << 8;
			uint16_t code = raw[2] | raw[3] << 8;
			uint32_t value = raw[4] | raw[5] << 8 | raw[6] << 16 |
					 (uint32_t)raw[7] << 24;

			if (type == EV_LED && code <= LED_SCROLLL) {
				if (value)
					atomic_fetch_or(&vi->leds, 1u << code);
				else
					atomic_fetch_and(&vi->leds, ~(1u << code));
			}
		}
		vq_push(vq, &c, 0);
	}
	if (vi->attached)
		virtio_pci_kick(&vi->vp, vq->index);
}

static void vinput_notify(void *dev, struct virtq *vq)
{
	struct vinput *vi = dev;

	if (vq->index == 0)
		fill_eventq(vi, vq);
	else if (vq->index == 1)
		drain_statusq(vi, vq);
}

static void vinput_start(void *dev, uint64_t features)
{
	struct vinput *vi = dev;

	pthread_mutex_lock(&vi->lock);
	vi->active = true;
	pthread_mutex_unlock(&vi->lock);
}

static void vinput_reset(void *dev)
{
	struct vinput *vi = dev;

	/* Events queued for the old driver mean nothing to the next one. */
	pthread_mutex_lock(&vi->lock);
	vi->active = false;
	vi->head = vi->count = 0;
	pthread_mutex_unlock(&vi->lock);
	atomic_store(&vi->leds, 0);
	pthread_mutex_lock(&vi->cfg_lock);
	vi->cfg[CFG_SELECT] = vi->cfg[CFG_SUBSEL] = 0;
	select_config(vi);
	pthread_mutex_unlock(&vi->cfg_lock);
}

const struct virtio_device_ops vinput_ops = {
	.name = "input",
	.device_id = 18,
	.pci_class = 0x098000,   /* input device, other */
	.features = 0,
	.num_queues = 2,
	.queue_size = VINPUT_QUEUE_SIZE,
	.config_size = VINPUT_CONFIG_SIZE,
	.config_rw = vinput_config_rw,
	.notify = vinput_notify,
	.start = vinput_start,
	.reset = vinput_reset,
};

uint32_t vinput_leds(struct vinput *vi)
{
	return atomic_load(&vi->leds);
}

void vinput_init(struct vinput *vi, enum vinput_kind kind)
{
	memset(vi, 0, sizeof(*vi));
	vi->kind = kind;
	pthread_mutex_init(&vi->cfg_lock, NULL);
	pthread_mutex_init(&vi->lock, NULL);
	atomic_init(&vi->leds, 0);
	select_config(vi);
}

int vinput_attach(struct vinput *vi, enum vinput_kind kind,
		  const struct virtio_env *env, char *err, size_t errlen)
{
	vinput_init(vi, kind);
	if (virtio_pci_init(&vi->vp, &vinput_ops, vi, env, err, errlen)) {
		vinput_destroy(vi);
		return -1;
	}
	vi->attached = true;
	return 0;
}

void vinput_destroy(struct vinput *vi)
{
	if (vi->attached)
		virtio_pci_destroy(&vi->vp);
	vi->attached = false;
	pthread_mutex_destroy(&vi->cfg_lock);
	pthread_mutex_destroy(&vi->lock);
}
