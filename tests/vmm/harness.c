// SPDX-License-Identifier: MIT
#include "harness.h"
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void h_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void h_require_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR);

	if (fd < 0) {
		printf("skipped: /dev/kvm is not usable here (%s); these tests need KVM\n",
		       strerror(errno));
		exit(SKIP);
	}
	close(fd);
}

static void pump(struct harness *h)
{
	size_t room = sizeof(h->out) - 1 - h->out_len;

	h->out_len += serial_take_output(&h->vm.com1,
					 (uint8_t *)h->out + h->out_len, room);
	h->out[h->out_len] = 0;
	CHECK(h->out_len < sizeof(h->out) - 1, "guest output overflowed the test buffer");
}

const char *h_wait_line(struct harness *h, const char *prefix, int timeout_ms)
{
	static char line[512];
	uint64_t end = h_now_ms() + timeout_ms;

	for (;;) {
		char *p;

		pump(h);
		p = h->out + h->seen;
		while (*p) {
			char *nl = strchr(p, '\n');
			if (!nl)
				break;
			if (!strncmp(p, prefix, strlen(prefix))) {
				size_t n = nl - p;
				if (n >= sizeof(line))
					n = sizeof(line) - 1;
				memcpy(line, p, n);
				line[n] = 0;
				h->seen = nl + 1 - h->out;
				return line;
			}
			p = nl + 1;
		}
		if (h_now_ms() > end)
			return NULL;
		if (atomic_load(&h->vm.stop) != VMM_RUNNING)
			return NULL;
		{
			/* Fine-grained, so latency benchmarks can use it. */
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
}

void h_command(struct harness *h, const char *fmt, ...)
{
	char cmd[256], word[64], ok[80];
	size_t len, done = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	len = strlen(cmd);
	cmd[len++] = '\n';
	while (done < len) {
		done += serial_put_input(&h->vm.com1, (uint8_t *)cmd + done,
					 len - done);
		pump(h);
		if (done < len)
			h_sleep_ms(1);
	}
	sscanf(cmd, "%63s", word);
	snprintf(ok, sizeof(ok), "ok %s", word);
	CHECK(h_wait_line(h, ok, 20000), "no '%s' from the guest; it printed:\n%s",
	      ok, h->out);
}

void h_start_demo(struct harness *h, uint32_t w, uint32_t hgt,
		  const char *extra)
{
	struct h_options none = { 0 };

	h_start_demo_opts(h, w, hgt, extra, &none);
}

void h_start_demo_opts(struct harness *h, uint32_t w, uint32_t hgt,
		       const char *extra, const struct h_options *o)
{
	char cmdline[256], err[512];
	struct vmm_config cfg = {
		.name = "test", .demo_path = PORTHOLE_DEMO_ELF,
		.memory = 64ULL << 20, .ncpus = 1,
		.fb_width = w, .fb_height = hgt, .cmdline = cmdline,
		.agent_socket = o->agent_socket, .no_input = o->no_input,
	};

	if (o->disk) {
		cfg.disks[0] = (struct vmm_disk_config){ o->disk, o->disk_ro };
		cfg.ndisks = 1;
	}

	memset(h, 0, sizeof(*h));
	h->w = w;
	h->h = hgt;
	snprintf(cmdline, sizeof(cmdline), "porthole.fb=0x%llx,%u,%u,%u %s",
		 LAYOUT_FB_START, w, hgt, fb_stride_for(w), extra ? extra : "");
	CHECK(vmm_create(&h->vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	CHECK(vmm_start(&h->vm, err, sizeof(err)) == 0, "%s", err);
	CHECK(h_wait_line(h, "porthole-demo: ready", 30000),
	      "the demo guest did not get ready; it printed:\n%s", h->out);
}

void h_stop(struct harness *h)
{
	vmm_join(&h->vm);
	vmm_destroy(&h->vm);
}

uint32_t *h_snapshot(const struct harness *h)
{
	uint32_t *s = malloc((size_t)h->w * h->h * 4);

	CHECK(s, "out of memory");
	for (uint32_t y = 0; y < h->h; y++)
		for (uint32_t x = 0; x < h->w; x++)
			s[(size_t)y * h->w + x] = h_pixel(h, x, y);
	return s;
}
