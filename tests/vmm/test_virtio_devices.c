// SPDX-License-Identifier: MIT
/*
 * The demo guest's virtio driver against Porthole's devices, through the
 * real VM: input injected with the host API comes out of the guest exactly
 * and in order; disk blocks round-trip; the agent port echoes; and after a
 * hostile guest has thrown malicious descriptor chains at every queue, the
 * monitor is alive and every device still works. (ASan watches that no
 * access leaves guest RAM.)
 */
#include "harness.h"
#include "demo_layout.h"

#include <linux/input-event-codes.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define W 1024
#define H 768

/* Expect exactly these "input ..." lines next, in order. */
static void expect_input(struct harness *h, const char *const *lines, int n)
{
	for (int i = 0; i < n; i++) {
		const char *got = h_wait_line(h, "input ", 5000);
		CHECK(got, "missing '%s'; guest printed:\n%s", lines[i],
		      h->out + (h->seen > 2000 ? h->seen - 2000 : 0));
		CHECK(!strcmp(got, lines[i]), "event %d: got '%s', want '%s'",
		      i, got, lines[i]);
	}
}

static void input_round_trip(struct harness *h)
{
	struct vmm_input *in = &h->vm.input;

	CHECK(vmm_input_key(in, KEY_A, true) == 0, "key");
	CHECK(vmm_input_key(in, KEY_A, false) == 0, "key");
	CHECK(vmm_input_key(in, KEY_F24, true) == 0, "F24");
	CHECK(vmm_input_key(in, KEY_VOLUMEUP, true) == 0, "media key");
	expect_input(h, (const char *const[]){
		"input kbd 1 30 1", "input kbd 0 0 0",
		"input kbd 1 30 0", "input kbd 0 0 0",
		"input kbd 1 194 1", "input kbd 0 0 0",
		"input kbd 1 115 1", "input kbd 0 0 0" }, 8);

	CHECK(vmm_input_abs(in, 16384, 8192) == 0, "abs");
	CHECK(vmm_input_buttons(in, VMM_INPUT_BTN_LEFT) == 0, "button");
	CHECK(vmm_input_buttons(in, 0) == 0, "button up");
	CHECK(vmm_input_wheel(in, 1, -2) == 0, "wheel");
	expect_input(h, (const char *const[]){
		"input tablet 3 0 16384", "input tablet 3 1 8192", "input tablet 0 0 0",
		"input tablet 1 272 1", "input tablet 0 0 0",
		"input tablet 1 272 0", "input tablet 0 0 0",
		"input tablet 2 8 1", "input tablet 2 6 -2", "input tablet 0 0 0" }, 10);

	CHECK(vmm_input_rel(in, 5, -3) == 0, "rel");
	expect_input(h, (const char *const[]){
		"input mouse 2 0 5", "input mouse 2 1 -3", "input mouse 0 0 0" }, 3);

	/* Hostile input from the host side is refused, not passed on. */
	CHECK(vmm_input_key(in, KEY_CNT, true) < 0, "key out of range");
	CHECK(vmm_input_abs(in, 40000, 0) < 0, "abs out of range");
}

static void pointer_drawn(struct harness *h)
{
	uint32_t x, y;
	int found = 0;

	CHECK(vmm_input_abs(&h->vm.input, 8192, 16384) == 0, "abs");
	CHECK(h_wait_line(h, "input tablet 0 0 0", 5000), "no syn");
	h_command(h, "ping"); /* the guest drew before it answered */
	x = DEMO_ABS_TO_PIXEL(8192, W);
	y = DEMO_ABS_TO_PIXEL(16384, H);
	for (uint32_t dy = 0; dy < DEMO_POINTER_H; dy++)
		for (uint32_t dx = 0; dx < DEMO_POINTER_W; dx++)
			found += h_pixel(h, x + dx, y + dy) == DEMO_COLOR_POINTER;
	CHECK(found > 10, "no pointer at %u,%u (%d pixels)", x, y, found);
}

static void disk_round_trip(struct harness *h)
{
	h_command(h, "disk write 8 16 77");
	h_command(h, "disk flush");
	h_command(h, "disk read 8 16 77");
	CHECK(strstr(h->out + h->seen - 40, "ok disk"), "disk read");
}

static void agent_echo(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[256];
	size_t len = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	      "agent socket %s", path);
	CHECK(write(fd, "hello agent\n", 12) == 12, "write");
	while (!memchr(buf, '\n', len)) {
		struct timeval tv = { 5, 0 };
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		CHECK(n > 0, "no answer on the agent port");
		len += n;
	}
	buf[len] = 0;
	CHECK(!strcmp(buf, "demo-agent: hello agent\n"), "agent said '%s'", buf);
	close(fd);
}

int main(void)
{
	char disk[] = "/tmp/porthole-disk-XXXXXX";
	char agent[64];
	struct harness h;
	struct h_options o = { .disk = disk, .agent_socket = agent };
	int fd;

	h_require_kvm();
	fd = mkstemp(disk);
	CHECK(fd >= 0 && ftruncate(fd, 8 << 20) == 0, "disk image");
	close(fd);
	snprintf(agent, sizeof(agent), "/tmp/porthole-agent-%d.sock", (int)getpid());

	h_start_demo_opts(&h, W, H, "porthole.anim=0 porthole.clock=0", &o);
	for (const char *dev = "kbd\0tablet\0mouse\0blk\0console\0"; *dev;
	     dev += strlen(dev) + 1) {
		char want[64];
		snprintf(want, sizeof(want), "virtio: %s at 00:", dev);
		CHECK(strstr(h.out, want), "guest did not find %s:\n%s", dev, h.out);
	}
	CHECK(strstr(h.out, "virtio: agent port open"), "agent port:\n%s", h.out);
	h_command(&h, "disk info");

	input_round_trip(&h);
	pointer_drawn(&h);
	disk_round_trip(&h);
	agent_echo(agent);
	printf("input, disk and agent: ok\n");

	/* The hostile guest, then everything again. */
	h_command(&h, "hostile 1234 200");
	CHECK(atomic_load(&h.vm.stop) == VMM_RUNNING, "the VM stopped");
	h_command(&h, "ping");
	input_round_trip(&h);
	disk_round_trip(&h);
	agent_echo(agent);
	printf("after the hostile guest: ok (bad chains seen: blk %llu)\n",
	       (unsigned long long)h.vm.disks[0].vp.vq[0].bad_chains);

	h_stop(&h);
	unlink(disk);
	return 0;
}
