// SPDX-License-Identifier: MIT
/*
 * The client-to-server RFB input porthole-display decodes itself (libvncserver
 * parses the rest): QEMU's client message 255 (subtype, then the extended
 * key event's fields), KeyEvent keysyms and PointerEvent masks as they
 * reach display/keymap.c and display/rfbmsg.c, in any order. The bytes are
 * a stream of such messages, as a client would send them:
 *   255 SUBTYPE BODY...      QEMU message (BODY as long as the subtype says)
 *   4 DOWN KEYSYM(4)         KeyEvent
 *   5 MASK X(2) Y(2)         PointerEvent
 *   0                        the client disconnects (release everything)
 * Invariants: every evdev code emitted is a real one; a release is only
 * emitted for a key that is down; after a disconnect nothing is down.
 */
#include "keymap.h"
#include "rfbmsg.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mirror {
	uint8_t down[KEYMAP_CODES];
};

static void emit(void *opaque, uint16_t code, int down, uint32_t keysym,
		 uint32_t xt)
{
	struct mirror *m = opaque;

	if (!code || code >= KEYMAP_CODES)
		abort();
	if (!down && !m->down[code])
		abort();            /* a release of a key that is not down */
	m->down[code] = (uint8_t)!!down;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keymap_state ks;
	struct rfb_pointer ptr = { 0 };
	struct mirror m;
	size_t i = 0;

	keymap_init(&ks);
	memset(&m, 0, sizeof(m));
	while (i < size) {
		uint8_t type = data[i++];

		if (type == RFB_MSG_QEMU) {
			struct rfb_qemu_key k;
			uint8_t *body;
			int len;

			if (i >= size)
				break;
			len = rfb_qemu_msg_len(data[i++]);
			if (len < 0)
				break;      /* the server drops such a client */
			if ((size_t)len > size - i)
				break;
			/* An exact-size copy: ASan sees any overread. */
			body = malloc((size_t)len ? (size_t)len : 1);
			memcpy(body, data + i, (size_t)len);
			i += (size_t)len;
			if (rfb_parse_qemu_key(body, (size_t)len, &k) == 0)
				keymap_xt(&ks, k.keycode, k.keysym, k.down, emit, &m);
			free(body);
		} else if (type == 4) {
			if (size - i < 5)
				break;
			keymap_keysym(&ks, be32(data + i + 1), data[i] != 0, emit, &m);
			i += 5;
		} else if (type == 5) {
			struct rfb_pointer_out o;
			uint16_t x, y;

			if (size - i < 5)
				break;
			x = (uint16_t)(data[i + 1] << 8 | data[i + 2]);
			y = (uint16_t)(data[i + 3] << 8 | data[i + 4]);
			rfb_pointer_event(&ptr, data[i], x, y, &o);
			if (o.wheel_v < -1 || o.wheel_v > 1 || o.wheel_h < -1 ||
			    o.wheel_h > 1 || (o.buttons & ~0x1fu) ||
			    source_abs_from_px(o.x, 1 + (x ^ y) % 8192) > 32767)
				abort();
			i += 5;
		} else if (type == 0) {
			keymap_release_all(&ks, emit, &m);
			for (size_t c = 0; c < KEYMAP_CODES; c++)
				if (m.down[c])
					abort();
		} else {
			break;              /* not ours: libvncserver's */
		}
	}
	keymap_release_all(&ks, emit, &m);
	for (size_t c = 0; c < KEYMAP_CODES; c++)
		if (m.down[c])
			abort();
	return 0;
}
