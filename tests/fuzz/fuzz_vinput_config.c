// SPDX-License-Identifier: MIT
/*
 * virtio-input's configuration space under a hostile driver: sequences of
 * reads and writes of any size at any offset, resets, and host reports of
 * any event. Reads past the union, and past `size` inside it, must be zero;
 * size never exceeds the union; nothing but select/subsel changes.
 */
#include "virtio/input.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_space(struct vinput *vi)
{
	uint8_t cfg[VINPUT_CONFIG_SIZE + 8];

	for (unsigned i = 0; i < sizeof(cfg); i++)
		vinput_ops.config_rw(vi, i, &cfg[i], 1, false);
	if (cfg[2] > 128)
		abort();
	for (unsigned i = 8 + cfg[2]; i < sizeof(cfg); i++)
		if (cfg[i])
			abort();
	for (unsigned i = 3; i < 8; i++)
		if (cfg[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vinput vi;

	if (size < 1)
		return 0;
	vinput_init(&vi, data[0] % 3);
	if (data[0] & 4)
		vinput_ops.start(&vi, 0);
	/* Records of 5 bytes: op, offset, size, value (2 bytes). */
	for (size_t i = 1; i + 5 <= size; i += 5) {
		const uint8_t *rec = data + i;
		uint8_t buf[4] = { rec[3], rec[4], rec[3], rec[4] };
		int len = 1 << (rec[2] % 3);
		uint32_t off = rec[1] % (VINPUT_CONFIG_SIZE + 16);

		switch (rec[0] % 6) {
		case 0:
			vinput_ops.config_rw(&vi, off, buf, len, true);
			break;
		case 1:
			vinput_ops.config_rw(&vi, off, buf, len, false);
			if (off >= VINPUT_CONFIG_SIZE && (buf[0] || buf[len - 1]))
				abort();
			break;
		case 2:
			check_space(&vi);
			break;
		case 3: {
			struct vinput_event ev = { rec[1] % 32, rec[3] | rec[4] << 8,
						   rec[2] };
			int n = rec[2] % (VINPUT_REPORT_MAX + 2);
			struct vinput_event evs[VINPUT_REPORT_MAX + 1];

			for (int k = 0; k < n; k++)
				evs[k] = ev;
			if (vinput_send(&vi, evs, n) == 0 &&
			    !vinput_supports(vi.kind, ev.type, ev.code))
				abort();
			break;
		}
		case 4:
			vinput_ops.reset(&vi);
			break;
		default:
			vinput_ops.start(&vi, 0);
			break;
		}
	}
	check_space(&vi);
	if (vi.count > VINPUT_RING)
		abort();
	vinput_destroy(&vi);
	return 0;
}
