// SPDX-License-Identifier: MIT
#include "proto.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define KEY_CODES 0x300 /* KEY_CNT in <linux/input-event-codes.h> */

size_t surface_build(uint8_t *buf, size_t cap, uint16_t type, uint16_t flags,
		     const void *payload, size_t plen, const void *extra,
		     size_t elen)
{
	struct surface_hdr h = { type, flags, (uint32_t)(plen + elen) };
	size_t total = sizeof(h) + plen + elen;

	if (total > cap || total > SURFACE_MAX_MSG)
		return 0;
	memcpy(buf, &h, sizeof(h));
	if (plen)
		memcpy(buf + sizeof(h), payload, plen);
	if (elen)
		memcpy(buf + sizeof(h) + plen, extra, elen);
	return total;
}

/* Fixed-size payloads: the length must match exactly. */
static int fixed(size_t want, size_t got, const uint8_t *p, void *dst)
{
	if (got != want)
		return -1;
	memcpy(dst, p, want);
	return 0;
}

static int check_hello(struct surface_msg *m, char *err, size_t errlen)
{
	const struct surface_hello *h = &m->u.hello;

	if (h->magic != SURFACE_MAGIC) {
		snprintf(err, errlen, "not a Porthole surface peer (bad magic)");
		return -1;
	}
	if (h->major != SURFACE_VERSION_MAJOR) {
		snprintf(err, errlen, "surface protocol %u.%u, this end speaks %u.x: upgrade the older side",
			 h->major, h->minor, SURFACE_VERSION_MAJOR);
		return -1;
	}
	return 0;
}

static int check_mode(const struct surface_mode *md, char *err, size_t errlen)
{
	if (md->format != SURFACE_FORMAT_XRGB8888 || !md->width ||
	    !md->height || md->width > 8192 || md->height > 8192 ||
	    md->stride / 4 < md->width ||
	    (uint64_t)md->stride * md->height > md->size ||
	    md->offset + md->size < md->offset) {
		snprintf(err, errlen, "surface mode %ux%u stride %u format %u does not fit its %llu bytes",
			 md->width, md->height, md->stride, md->format,
			 (unsigned long long)md->size);
		return -1;
	}
	return 0;
}

static int check_damage(struct surface_msg *m, const uint8_t *p,
			size_t len, char *err, size_t errlen)
{
	if (len < sizeof(m->damage))
		goto bad;
	memcpy(&m->damage, p, sizeof(m->damage));
	if (m->damage.count > SURFACE_MAX_RECTS ||
	    len != sizeof(m->damage) + m->damage.count * sizeof(struct surface_rect))
		goto bad;
	m->rects = (const struct surface_rect *)(p + sizeof(m->damage));
	/* Bounds against the mode are the receiver's to check (it knows it). */
	return 0;
bad:
	snprintf(err, errlen, "malformed damage message (%zu bytes)", len);
	return -1;
}

static int check_cursor(struct surface_msg *m, const uint8_t *p, size_t len,
			char *err, size_t errlen)
{
	struct surface_cursor_shape *c = &m->cursor;

	if (len < sizeof(*c))
		goto bad;
	memcpy(c, p, sizeof(*c));
	if (c->width > SURFACE_CURSOR_MAX || c->height > SURFACE_CURSOR_MAX ||
	    (c->width && c->hot_x >= c->width) ||
	    (c->height && c->hot_y >= c->height) ||
	    len != sizeof(*c) + (size_t)c->width * c->height * 4)
		goto bad;
	m->cursor_argb = (const uint32_t *)(p + sizeof(*c));
	return 0;
bad:
	snprintf(err, errlen, "malformed cursor shape (%zu bytes)", len);
	return -1;
}

int surface_check(const uint8_t *pkt, size_t len, enum surface_end at,
		  struct surface_msg *m, char *err, size_t errlen)
{
	const uint8_t *p;
	size_t plen;
	int to_display, r = -1;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(m->hdr) || len > SURFACE_MAX_MSG) {
		snprintf(err, errlen, "surface packet of %zu bytes", len);
		return -1;
	}
	memcpy(&m->hdr, pkt, sizeof(m->hdr));
	p = pkt + sizeof(m->hdr);
	plen = len - sizeof(m->hdr);
	if (m->hdr.len != plen) {
		snprintf(err, errlen, "surface header says %u bytes, packet has %zu",
			 m->hdr.len, plen);
		return -1;
	}
	to_display = m->hdr.type >= SURFACE_MODE && m->hdr.type < SURFACE_FRAME_REQUEST;
	if ((to_display && at != SURFACE_AT_DISPLAY) ||
	    (m->hdr.type >= SURFACE_FRAME_REQUEST && at != SURFACE_AT_VMM)) {
		snprintf(err, errlen, "surface message %u sent the wrong way",
			 m->hdr.type);
		return -1;
	}
	switch (m->hdr.type) {
	case SURFACE_HELLO:
		r = fixed(sizeof(m->u.hello), plen, p, &m->u.hello);
		if (!r)
			return check_hello(m, err, errlen);
		break;
	case SURFACE_AGENT:
		if (plen >= 1 && plen <= SURFACE_AGENT_MAX) {
			m->agent = p;
			return 0;
		}
		break;
	case SURFACE_MODE:
		r = fixed(sizeof(m->u.mode), plen, p, &m->u.mode);
		if (!r)
			return check_mode(&m->u.mode, err, errlen);
		break;
	case SURFACE_DAMAGE:
		return check_damage(m, p, plen, err, errlen);
	case SURFACE_CURSOR_SHAPE:
		return check_cursor(m, p, plen, err, errlen);
	case SURFACE_CURSOR_POS:
		r = fixed(sizeof(m->u.cursor_pos), plen, p, &m->u.cursor_pos);
		break;
	case SURFACE_VM_STATE:
		r = fixed(sizeof(m->u.vm_state), plen, p, &m->u.vm_state);
		break;
	case SURFACE_FRAME_REQUEST:
		r = fixed(sizeof(m->u.frame), plen, p, &m->u.frame);
		break;
	case SURFACE_KEY:
		r = fixed(sizeof(m->u.key), plen, p, &m->u.key);
		if (!r && (m->u.key.code >= KEY_CODES || m->u.key.down > 1))
			r = -1;
		break;
	case SURFACE_POINTER_ABS:
		r = fixed(sizeof(m->u.abs), plen, p, &m->u.abs);
		if (!r && (m->u.abs.x > 32767 || m->u.abs.y > 32767))
			r = -1;
		break;
	case SURFACE_POINTER_REL:
		r = fixed(sizeof(m->u.rel), plen, p, &m->u.rel);
		break;
	case SURFACE_BUTTONS:
		r = fixed(sizeof(m->u.buttons), plen, p, &m->u.buttons);
		if (!r && (m->u.buttons.mask & ~0x1fu))
			r = -1;
		break;
	case SURFACE_WHEEL:
		r = fixed(sizeof(m->u.wheel), plen, p, &m->u.wheel);
		break;
	default:
		snprintf(err, errlen, "unknown surface message type %u",
			 m->hdr.type);
		return -1;
	}
	if (r)
		snprintf(err, errlen, "malformed surface message type %u (%zu bytes)",
			 m->hdr.type, plen);
	return r;
}

ssize_t surface_send(int sock, const void *pkt, size_t len, int fd, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)pkt, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
}
