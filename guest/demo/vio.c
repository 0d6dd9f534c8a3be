// SPDX-License-Identifier: MIT
/*
 * Finding the virtio devices on bus 0 and handing each to its driver
 * (vio.h). Runs before "ready": on PVM each config access costs two
 * trapped port I/Os, so an empty bus must stay cheap (32 reads).
 */
#include "demo.h"

#include "serial.h"

void *vio_page(struct vio *v)
{
	return v->pages_used < VIO_PAGES ? v->pages[v->pages_used++] : NULL;
}

void vio_report(const struct vdev *v, const char *why)
{
	struct line l;

	line_init(&l);
	line_str(&l, "virtio: ");
	line_str(&l, v->name);
	line_str(&l, " at ");
	pci_loc_str(&l, v->loc);
	if (why) {
		line_str(&l, " failed: ");
		line_str(&l, why);
	}
	serial_line(&l);
}

static bool is_virtio(const struct pci_fn *f)
{
	return f->vendor == VIRTIO_PCI_VENDOR &&
	       f->device >= VIRTIO_PCI_TRANS_FIRST &&
	       f->device < VIRTIO_PCI_MODERN_BASE + 0x40;
}

static const char *type_name(uint16_t type)
{
	switch (type) {
	case VIRTIO_ID_INPUT:
		return "input";
	case VIRTIO_ID_BLOCK:
		return "blk";
	case VIRTIO_ID_CONSOLE:
		return "console";
	default:
		return NULL;
	}
}

/* Hand a probed device to its driver; false if it is not one we drive. */
static bool attach(struct demo *d, struct vdev *dev, const char **why)
{
	struct vio *v = &d->vio;

	switch (dev->type) {
	case VIRTIO_ID_INPUT:
		if (v->nin == VIO_MAX_INPUTS) {
			*why = "too many input devices";
			return false;
		}
		v->in[v->nin].dev = dev;
		return vinput_setup(d, &v->in[v->nin++], why);
	case VIRTIO_ID_BLOCK:
		if (v->blk.dev) {
			*why = "only one disk is driven";
			return false;
		}
		v->blk.dev = dev;
		return vblk_setup(d, &v->blk, why);
	case VIRTIO_ID_CONSOLE:
		if (v->con.dev) {
			*why = "only one console is driven";
			return false;
		}
		v->con.dev = dev;
		return vcon_setup(d, &v->con, why);
	}
	return false;
}

/* One text-area line listing what was found, for the person watching. */
static void summary(struct demo *d)
{
	struct vio *v = &d->vio;
	struct line l;

	line_init(&l);
	line_str(&l, "virtio:");
	for (int i = 0; i < v->ndev; i++) {
		line_str(&l, " ");
		line_str(&l, v->dev[i].name);
		if (!v->dev[i].live)
			line_str(&l, "(failed)");
	}
	if (v->blk.dev && v->blk.dev->live) {
		line_str(&l, ", disk ");
		line_dec(&l, v->blk.capacity / 2048);
		line_str(&l, " MiB");
		if (v->blk.dev->features & BIT(VIRTIO_BLK_F_RO))
			line_str(&l, " read-only");
	}
	text_line(d, &l);
}

void vio_init(struct demo *d, bool reassign, bool high)
{
	struct vio *v = &d->vio;
	bool any = false;

	pci_window_init(&v->win, reassign, high);
	v->con.agent = -1;
	v->ptr.x = d->fb.width / 2;
	v->ptr.y = d->fb.height / 2;
	v->nfns = pci_scan_bus0(v->fns, VIO_MAX_FNS);
	for (int i = 0; i < v->nfns && v->ndev < VIO_MAX_DEVS; i++) {
		struct vdev *dev = &v->dev[v->ndev];
		const char *why = NULL;

		if (!is_virtio(&v->fns[i]))
			continue;
		any = true;
		if (!virtio_probe(dev, &v->win, v->fns, v->nfns, i, &why)) {
			dev->name = type_name(dev->type);
			if (dev->name)
				vio_report(dev, why);
			continue;
		}
		dev->name = type_name(dev->type);
		if (!dev->name)
			continue;	/* a virtio device we have no driver for */
		v->ndev++;
		vio_report(dev, attach(d, dev, &why) ? NULL : why);
	}
	if (!any)
		serial_puts("virtio: none\n");
	if (v->con.dev && v->con.dev->live)
		vcon_wait_agent(d);
	serial_puts("virtio: ready\n");
	if (v->ndev)
		summary(d);
}

void vio_poll(struct demo *d)
{
	struct vio *v = &d->vio;

	for (int i = 0; i < v->nin; i++)
		if (v->in[i].dev->live)
			vinput_poll(d, &v->in[i]);
	if (v->con.dev && v->con.dev->live)
		vcon_poll(d, &v->con);
}
