// SPDX-License-Identifier: MIT
/*
 * Starts a monitor command, times the first byte it prints on its serial
 * console (stdout) and the first line containing MARKER, then measures its
 * memory: total RSS and RSS outside guest memory (mappings whose size equals
 * the guest RAM or framebuffer sizes given), and stops it.
 *
 * usage: bench_boot MARKER RAM_KIB FB_KIB -- command args...
 * prints: first_byte_ms ready_ms rss_kib overhead_kib
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Sum Rss of all mappings, and of those whose size is ram or fb KiB. */
static void measure(pid_t pid, long ram_kib, long fb_kib, long *rss,
		    long *guest)
{
	char path[64], line[512];
	long size = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	*rss = *guest = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %ld kB", &v) == 1)
			size = v;
		else if (sscanf(line, "Rss: %ld kB", &v) == 1) {
			*rss += v;
			if (size == ram_kib || (fb_kib && size == fb_kib))
				*guest += v;
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	char buf[65536];
	size_t len = 0;
	double t0, first = -1, ready = -1;
	long rss, guest;
	int pipefd[2], status;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr, "usage: bench_boot MARKER RAM_KIB FB_KIB -- cmd...\n");
		return 2;
	}
	if (pipe(pipefd))
		return 2;
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execvp(argv[5], argv + 5);
		_exit(127);
	}
	close(pipefd[1]);
	while (ready < 0) {
		struct pollfd p = { pipefd[0], POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 120000) <= 0)
			break;
		n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		if (first < 0)
			first = now_ms() - t0;
		len += n;
		buf[len] = 0;
		if (strstr(buf, argv[1]))
			ready = now_ms() - t0;
		if (len > sizeof(buf) - 2)
			len = 0;
	}
	usleep(200000); /* let it settle into idle */
	measure(pid, atol(argv[2]), atol(argv[3]), &rss, &guest);
	kill(pid, SIGTERM);
	usleep(100000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (ready < 0) {
		fprintf(stderr, "bench_boot: '%s' never appeared; output:\n%s\n",
			argv[1], buf);
		return 1;
	}
	printf("%.2f %.2f %ld %ld\n", first, ready, rss, rss - guest);
	return 0;
}
