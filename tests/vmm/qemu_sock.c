// SPDX-License-Identifier: MIT
/*
 * qemu_sock PATH TIMEOUT_MS [EXPECT [COUNT]]
 *
 * The smallest unix-socket client qemu_crosscheck.sh needs (bash cannot
 * open a unix socket, and neither socat nor python is on a bare Debian):
 * connect to the stream socket PATH (retrying while QEMU creates it), send
 * all of stdin, then copy what comes back to stdout until EXPECT has been
 * seen COUNT times (default 1).
 *
 * Exit status: 0 when it was seen (or, without EXPECT, when TIMEOUT_MS ran
 * out), 1 on timeout, end of stream or a socket error, 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RECV_MAX (1 << 20)	/* what is kept for matching */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int connect_retry(const char *path, long long deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "qemu_sock: path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			perror("qemu_sock: socket");
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		if ((errno != ENOENT && errno != ECONNREFUSED) ||
		    now_ms() >= deadline) {
			fprintf(stderr, "qemu_sock: connect %s: %s\n", path,
				strerror(errno));
			return -1;
		}
		usleep(20000);
	}
}

/* stdin, whole, to the socket. */
static int send_stdin(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);

			if (w < 0) {
				perror("qemu_sock: send");
				return -1;
			}
			off += w;
		}
	return n < 0 ? -1 : 0;
}

static int count(const char *hay, size_t len, const char *needle)
{
	size_t nl = strlen(needle);
	int n = 0;

	for (const char *p = hay; (p = memmem(p, len - (p - hay), needle, nl));
	     p += nl)
		n++;
	return n;
}

int main(int argc, char **argv)
{
	const char *expect = argc > 3 ? argv[3] : NULL;
	int want = argc > 4 ? atoi(argv[4]) : 1;
	long long deadline;
	static char got[RECV_MAX];
	size_t len = 0;
	int fd;

	if (argc < 3 || argc > 5 || atol(argv[2]) <= 0 || want < 1 ||
	    (expect && !*expect)) {
		fprintf(stderr, "usage: qemu_sock PATH TIMEOUT_MS [EXPECT [COUNT]]\n");
		return 2;
	}
	deadline = now_ms() + atol(argv[2]);
	fd = connect_retry(argv[1], deadline);
	if (fd < 0 || send_stdin(fd) < 0)
		return 1;
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { fd, POLLIN, 0 };
		char buf[4096];
		ssize_t n;

		if (expect && count(got, len, expect) >= want)
			return 0;
		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		fwrite(buf, 1, n, stdout);
		fflush(stdout);
		if ((size_t)n > sizeof(got) - len)
			len = 0;	/* keep matching bounded; tests send little */
		memcpy(got + len, buf, n);
		len += n;
	}
	if (!expect)
		return 0;
	fprintf(stderr, "qemu_sock: %s: \"%s\" not seen %d time(s)\n", argv[1],
		expect, want);
	return 1;
}
