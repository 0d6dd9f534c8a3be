// SPDX-License-Identifier: MIT
/*
 * virtio-blk through porthole-vmm as a process:
 *  - the guest writes and flushes, writes more without flushing, and the
 *    monitor is killed with SIGKILL: every flushed sector is intact, the
 *    unflushed ones hold either their old or their new contents, and nothing
 *    else on the disk changed;
 *  - a read-only disk refuses writes with an error status;
 *  - a disk in use by another monitor, missing, or not writable without ,ro
 *    is a one-line error before the guest starts.
 * argv: porthole-vmm, demo ELF.
 */
#include "demo_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define DISK_SECTORS 8192 /* 4 MiB */

static const char *vmm;
static char base[64], image[128];

struct vm {
	pid_t pid;
	int fd;
	char out[65536];
	size_t len;
};

static void start(struct vm *v, const char *name, const char *disk_arg,
		  const char *errlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	v->pid = fork();
	CHECK(v->pid >= 0, "fork");
	if (v->pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execl(vmm, vmm, "--demo", "--name", name, "--run-dir", base,
		      "--memory", "64M", "--fb", "640x480", "--disk", disk_arg,
		      (char *)NULL);
		_exit(127);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/serial.sock", base, name);
	v->fd = -1;
	for (int i = 0; i < 1000 && v->fd < 0; i++) {
		v->fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(v->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(v->fd);
			v->fd = -1;
			usleep(10000);
		}
	}
	CHECK(v->fd >= 0, "no serial socket (see %s)", errlog);
	v->len = 0;
}

/* Send a command; wait for a line starting with "ok" or "err"; return it. */
static const char *cmd(struct vm *v, const char *c)
{
	static char line[256];
	size_t start = v->len;

	CHECK(write(v->fd, c, strlen(c)) == (ssize_t)strlen(c), "write");
	CHECK(write(v->fd, "\n", 1) == 1, "write");
	for (;;) {
		char *p = v->out + start, *nl;
		ssize_t n;

		while ((nl = memchr(p, '\n', v->out + v->len - p))) {
			if (!strncmp(p, "ok ", 3) || !strncmp(p, "err ", 4)) {
				size_t l = nl - p < 255 ? nl - p : 255;
				memcpy(line, p, l);
				line[l] = 0;
				return line;
			}
			p = nl + 1;
		}
		CHECK(v->len < sizeof(v->out) - 1, "too much output");
		n = read(v->fd, v->out + v->len, sizeof(v->out) - 1 - v->len);
		CHECK(n > 0, "serial closed while waiting for '%s':\n%.*s", c,
		      (int)v->len, v->out);
		v->len += n;
	}
}

static void sector(uint64_t seed, uint64_t lba, uint8_t *buf)
{
	demo_disk_sector(seed, lba, buf);
}

static void check_image_after_kill(void)
{
	uint8_t buf[512], want[512], zero[512] = { 0 };
	int fd = open(image, O_RDONLY);

	CHECK(fd >= 0, "image");
	for (uint64_t lba = 0; lba < DISK_SECTORS; lba++) {
		CHECK(pread(fd, buf, 512, lba * 512) == 512, "read image");
		if (lba >= 100 && lba < 164) {          /* flushed: seed 11 */
			sector(11, lba, want);
			CHECK(!memcmp(buf, want, 512), "flushed sector %llu lost",
			      (unsigned long long)lba);
		} else if (lba >= 1000 && lba < 1032) { /* unflushed: seed 22 or old */
			sector(22, lba, want);
			CHECK(!memcmp(buf, want, 512) || !memcmp(buf, zero, 512),
			      "unflushed sector %llu is neither old nor new",
			      (unsigned long long)lba);
		} else {
			CHECK(!memcmp(buf, zero, 512), "sector %llu changed",
			      (unsigned long long)lba);
		}
	}
	close(fd);
}

static int wait_exit(pid_t pid)
{
	int st;
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void expect_start_error(const char *disk_arg, const char *want)
{
	char errlog[128], log[1024] = "";
	struct stat st;
	pid_t pid;
	FILE *f;

	snprintf(errlog, sizeof(errlog), "%s/bad.err", base);
	pid = fork();
	if (pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execl(vmm, vmm, "--demo", "--name", "bad", "--run-dir", base,
		      "--memory", "64M", "--disk", disk_arg, (char *)NULL);
		_exit(127);
	}
	CHECK(wait_exit(pid) == 1, "'%s' was not refused", disk_arg);
	f = fopen(errlog, "r");
	CHECK(f && fgets(log, sizeof(log), f), "no message");
	fclose(f);
	CHECK(strstr(log, want), "message '%s' lacks '%s'", log, want);
	snprintf(errlog, sizeof(errlog), "%s/bad", base);
	CHECK(stat(errlog, &st) < 0, "run directory left behind");
	printf("refused --disk %-28s %s", disk_arg, log);
}

int main(int argc, char **argv)
{
	char errlog[128], ro[160];
	struct vm v, other;
	const char *r;
	int fd;

	CHECK(argc == 2, "usage: test_disk PORTHOLE_VMM");
	vmm = argv[1];
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("skipped: /dev/kvm is not usable here\n");
		return 77;
	}
	snprintf(base, sizeof(base), "/tmp/porthole-disk-%d", (int)getpid());
	mkdir(base, 0700);
	snprintf(image, sizeof(image), "%s/disk.img", base);
	fd = open(image, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && ftruncate(fd, DISK_SECTORS * 512) == 0, "image");
	close(fd);
	snprintf(errlog, sizeof(errlog), "%s/vm.err", base);

	/* Durability across SIGKILL. */
	start(&v, "dur", image, errlog);
	r = cmd(&v, "disk info");
	CHECK(!strcmp(r, "ok disk 8192 rw"), "%s", r);
	r = cmd(&v, "disk write 100 64 11");
	CHECK(!strcmp(r, "ok disk write"), "%s", r);
	r = cmd(&v, "disk flush");
	CHECK(!strcmp(r, "ok disk flush"), "%s", r);
	r = cmd(&v, "disk write 1000 32 22");
	CHECK(!strcmp(r, "ok disk write"), "%s", r);

	/* While it runs, the image is locked against a second monitor. */
	expect_start_error(image, "in use");

	kill(v.pid, SIGKILL);
	wait_exit(v.pid);
	close(v.fd);
	check_image_after_kill();
	printf("SIGKILL after flush: flushed sectors intact, nothing else changed: ok\n");

	/* Read-only: reads work, writes fail with the device's IOERR. */
	snprintf(ro, sizeof(ro), "%s,ro", image);
	start(&v, "ro", ro, errlog);
	r = cmd(&v, "disk info");
	CHECK(!strcmp(r, "ok disk 8192 ro"), "%s", r);
	r = cmd(&v, "disk read 100 64 11");
	CHECK(!strcmp(r, "ok disk match"), "%s", r);
	r = cmd(&v, "disk write 100 1 99");
	CHECK(!strcmp(r, "err disk: status 1"), "write on ro: %s", r);
	/* Two read-only users may share an image. */
	start(&other, "ro2", ro, errlog);
	r = cmd(&other, "disk read 100 64 11");
	CHECK(!strcmp(r, "ok disk match"), "%s", r);
	kill(other.pid, SIGTERM);
	CHECK(wait_exit(other.pid) == 0, "ro2 exit");
	close(other.fd);
	/* ...but not with a writer. */
	expect_start_error(image, "in use");
	kill(v.pid, SIGTERM);
	CHECK(wait_exit(v.pid) == 0, "ro exit");
	close(v.fd);
	check_image_after_kill();
	printf("read-only disk refuses writes: ok\n");

	expect_start_error("/nonexistent/disk.img", "does not exist");
	chmod(image, 0444);
	if (access(image, W_OK)) /* root can write anyway */
		expect_start_error(image, ",ro");
	chmod(image, 0644);

	unlink(image);
	unlink(errlog);
	snprintf(errlog, sizeof(errlog), "%s/bad.err", base);
	unlink(errlog);
	rmdir(base);
	return 0;
}
