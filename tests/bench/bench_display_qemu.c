// SPDX-License-Identifier: MIT
/*
 * QEMU's built-in VNC as a peer, on the same demo guest: q35 with
 * -device VGA, the guest told (porthole.fb=) to draw into the VGA's linear
 * framebuffer (BAR 0, which SeaBIOS puts at 0xfd000000 on this machine
 * model), and 1920x1080x32 set through the Bochs VBE registers (ports
 * 0x1ce/0x1cf) from the monitor, since the demo guest does not program
 * VBE. "Changed" is when the last pixel of a rectangle is in the VGA's
 * memory, read through /proc/PID/mem at the host address QEMU gives
 * (gpa2hva), polled every 50 us like Porthole's.
 */
#include "display_src.h"

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define VGA_LFB     0xfd000000ULL
#define VGA_STRIDE  (BD_W * 4)

struct qemu {
	struct dsrc base;
	pid_t pid;
	int serial, qmp, mem;
	uint64_t hva;
	char log[512];
};

/* One QMP command; the reply (up to the first "return" or "error") in out. */
static int qmp(struct qemu *q, const char *cmd, char *out, size_t outlen)
{
	size_t have = 0;
	uint64_t end = bd_now_ns() + 5000000000ULL;

	if (bd_send_line(q->qmp, cmd))
		return -1;
	while (bd_now_ns() < end && have < outlen - 1) {
		struct pollfd p = { q->qmp, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(q->qmp, out + have, outlen - 1 - have, MSG_DONTWAIT);
		if (n <= 0)
			return -1;
		have += n;
		out[have] = 0;
		/* Events come unasked; wait for the answer's line. */
		if ((strstr(out, "\"return\"") || strstr(out, "\"error\"")) &&
		    out[have - 1] == '\n')
			return strstr(out, "\"error\"") ? -1 : 0;
	}
	return -1;
}

static int hmp(struct qemu *q, const char *line, char *out, size_t outlen)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"%s\"}}\n",
		 line);
	return qmp(q, cmd, out, outlen);
}

static int vbe_write(struct qemu *q, int index, int value)
{
	char line[64], out[512];

	snprintf(line, sizeof(line), "o /h 0x1ce %d", index);
	if (hmp(q, line, out, sizeof(out)))
		return -1;
	snprintf(line, sizeof(line), "o /h 0x1cf %d", value);
	return hmp(q, line, out, sizeof(out));
}

static int setup_vga(struct qemu *q, char *err, size_t errlen)
{
	/* Bochs DISPI: 1 XRES, 2 YRES, 3 BPP, 4 ENABLE (1 on, 0x40 linear
	 * framebuffer, 0x80 keep the memory: the desktop is drawn). */
	static const int regs[][2] = {
		{ 4, 0 }, { 1, BD_W }, { 2, BD_H }, { 3, 32 }, { 4, 0xc1 },
	};
	char out[4096], path[64], *p;

	if (qmp(q, "{\"execute\":\"qmp_capabilities\"}\n", out, sizeof(out))) {
		snprintf(err, errlen, "QEMU's QMP did not answer");
		return -1;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (vbe_write(q, regs[i][0], regs[i][1])) {
			snprintf(err, errlen, "cannot set the VGA mode through QMP");
			return -1;
		}
	if (hmp(q, "gpa2hva 0xfd000000", out, sizeof(out)) ||
	    !(p = strstr(out, "is 0x")) || !strstr(out, "vga.vram")) {
		snprintf(err, errlen, "no VGA memory at 0x%llx (gpa2hva: %.200s)",
			 VGA_LFB, out);
		return -1;
	}
	q->hva = strtoull(p + 3, NULL, 16);
	snprintf(path, sizeof(path), "/proc/%d/mem", q->pid);
	q->mem = open(path, O_RDONLY | O_CLOEXEC);
	if (q->mem < 0) {
		snprintf(err, errlen, "cannot read QEMU's memory (%s): %m", path);
		return -1;
	}
	return 0;
}

static uint32_t vram_pixel(struct qemu *q, int x, int y)
{
	uint32_t v = 0;

	if (pread(q->mem, &v, 4, q->hva + (uint64_t)y * VGA_STRIDE + x * 4) != 4)
		return 0xffffffff;
	return v & 0xffffff;
}

static uint64_t qemu_paint(struct dsrc *s, const struct vp_step *st)
{
	struct qemu *q = (struct qemu *)s;
	uint64_t end = bd_now_ns() + 2000000000ULL;
	uint32_t last = bd_step_last_pixel(st);
	char line[96];

	bd_step_command(st, line, sizeof(line));
	if (bd_send_line(q->serial, line))
		return 0;
	/* The guest paints row by row: the last pixel is the last written. */
	while (bd_now_ns() < end) {
		if (vram_pixel(q, st->x + st->w - 1, st->y + st->h - 1) == last)
			return bd_now_ns();
		bd_drain(q->serial);
		bd_sleep_us(50);
	}
	return 0;
}

static uint64_t qemu_cpu(struct dsrc *s)
{
	/* Not the guest's vCPU thread: its CPU is the guest's, not VNC's. */
	return bd_proc_cpu_ns(((struct qemu *)s)->pid, "CPU ");
}

static void qemu_stop(struct dsrc *s)
{
	struct qemu *q = (struct qemu *)s;

	bd_kill(q->pid, 2000);
	if (q->serial >= 0)
		close(q->serial);
	if (q->qmp >= 0)
		close(q->qmp);
	if (q->mem >= 0)
		close(q->mem);
	free(q);
}

struct dsrc *qemu_start(const char *tmp, const char *demo_elf, char *err,
			size_t errlen)
{
	char vnc[64], serial[300], qmp_path[300], chardev[400], qmp_arg[400];
	char append[160], tail[512];
	struct qemu *q = calloc(1, sizeof(*q));
	int port;

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->serial = q->qmp = q->mem = -1;
	if (access("/dev/kvm", R_OK | W_OK)) {
		snprintf(err, errlen, "no usable /dev/kvm (QEMU under TCG would measure TCG)");
		goto fail;
	}
	port = bd_free_port(6000); /* QEMU takes a display: port - 5900 */
	snprintf(vnc, sizeof(vnc), "127.0.0.1:%d,lossy=on", port - 5900);
	snprintf(serial, sizeof(serial), "%s/qemu-serial.sock", tmp);
	snprintf(qmp_path, sizeof(qmp_path), "%s/qemu-qmp.sock", tmp);
	snprintf(chardev, sizeof(chardev), "socket,id=s0,path=%s,server=on,wait=off",
		 serial);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off", qmp_path);
	snprintf(append, sizeof(append),
		 "porthole.fb=0x%llx,%d,%d,%d porthole.anim=0 porthole.clock=0",
		 VGA_LFB, BD_W, BD_H, VGA_STRIDE);
	snprintf(q->log, sizeof(q->log), "%s/qemu.log", tmp);
	{
		/* PVM refuses QEMU's write of IA32_ARCH_CAPABILITIES. */
		char *argv[] = {
			"qemu-system-x86_64", "-name", "bench,debug-threads=on",
			"-accel", "kvm", "-cpu", "host,-arch-capabilities",
			"-M", "q35", "-m", "128", "-nodefaults", "-no-user-config",
			"-device", "VGA,vgamem_mb=16", "-display", "none",
			"-vnc", vnc, "-chardev", chardev, "-serial", "chardev:s0",
			"-qmp", qmp_arg, "-kernel", (char *)demo_elf,
			"-append", append, NULL,
		};
		q->pid = bd_spawn(argv, q->log, -1);
	}
	q->serial = bd_connect_unix(serial, 10000);
	q->qmp = bd_connect_unix(qmp_path, 10000);
	if (q->serial < 0 || q->qmp < 0 ||
	    bd_wait_output(q->serial, "porthole-demo: ready", q->pid, 30000)) {
		bd_log_tail(q->log, tail, sizeof(tail));
		snprintf(err, errlen, "QEMU's demo guest did not get ready: %s", tail);
		goto fail;
	}
	if (setup_vga(q, err, errlen))
		goto fail;
	if (bd_wait_port(port, q->pid, 5000)) {
		snprintf(err, errlen, "QEMU's VNC server does not answer on %d", port);
		goto fail;
	}
	q->base = (struct dsrc){
		.name = "QEMU", .port = port,
		.changed = "the rectangle's last pixel is in VGA memory (/proc/PID/mem)",
		.paint = qemu_paint, .cpu_ns = qemu_cpu, .stop = qemu_stop,
	};
	return &q->base;
fail:
	qemu_stop(&q->base);
	return NULL;
}
