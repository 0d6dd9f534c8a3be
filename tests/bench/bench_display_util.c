// SPDX-License-Identifier: MIT
/* Processes, ports, sockets and CPU accounting for the display benchmarks. */
#include "display_src.h"
#include "demo_layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t bd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void bd_sleep_us(uint64_t us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int tcp_socket_at(int port, struct sockaddr_in *sa)
{
	*sa = (struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

int bd_free_port(int min)
{
	/* Start somewhere else each run: a port a killed run left in
	 * TIME_WAIT would bind, but a listener left over would not. */
	int span = 2000, start = (int)(bd_now_ns() / 1000 % span);

	for (int i = 0; i < span; i++) {
		int port = min + (start + i) % span;
		struct sockaddr_in sa;
		int fd = tcp_socket_at(port, &sa), ok;

		if (fd < 0)
			return -1;
		ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return port;
	}
	return -1;
}

int bd_wait_port(int port, pid_t pid, int timeout_ms)
{
	uint64_t end = bd_now_ns() + timeout_ms * 1000000ULL;

	while (bd_now_ns() < end) {
		struct sockaddr_in sa;
		int fd = tcp_socket_at(port, &sa), ok;

		if (fd < 0)
			return -1;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return 0;
		if (pid > 0 && !bd_alive(pid))
			return -1;
		bd_sleep_us(10000);
	}
	return -1;
}

pid_t bd_spawn(char *const argv[], const char *log, int keep_fd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	/* The child: it must not outlive the benchmark. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	{
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (null >= 0)
			dup2(null, STDIN_FILENO);
	}
	if (keep_fd >= 0)
		fcntl(keep_fd, F_SETFD, 0);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int bd_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

void bd_kill(pid_t pid, int timeout_ms)
{
	uint64_t end = bd_now_ns() + timeout_ms * 1000000ULL;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (bd_now_ns() < end) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		bd_sleep_us(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static uint64_t schedstat_ns(const char *path)
{
	unsigned long long ns = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

uint64_t bd_thread_cpu_ns(pid_t pid, pid_t tid)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	return schedstat_ns(path);
}

uint64_t bd_proc_cpu_ns(pid_t pid, const char *skip)
{
	char path[300], comm[64];
	struct dirent *e;
	uint64_t sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid_t tid = atoi(e->d_name);

		if (tid <= 0)
			continue;
		if (skip) {
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = 0;
			fclose(f);
			if (!strncmp(comm, skip, strlen(skip)))
				continue;
		}
		sum += bd_thread_cpu_ns(pid, tid);
	}
	closedir(d);
	return sum;
}

int bd_connect_unix(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t end = bd_now_ns() + timeout_ms * 1000000ULL;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	do {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		bd_sleep_us(5000);
	} while (bd_now_ns() < end);
	return -1;
}

void bd_log_tail(const char *log, char *out, size_t outlen)
{
	char buf[4096];
	ssize_t n = 0;
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	off_t size;

	out[0] = 0;
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof(buf) - 1)
		lseek(fd, size - (off_t)sizeof(buf) + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	/* The last three lines, on one line. */
	{
		char *p = buf + n;
		int lines = 0;

		while (p > buf && lines < 4)
			if (*--p == '\n')
				lines++;
		snprintf(out, outlen, "%s", p + (*p == '\n'));
		for (char *q = out; *q; q++)
			if (*q == '\n')
				*q = ' ';
	}
}

void bd_step_command(const struct vp_step *st, char *line, size_t len)
{
	if (st->pattern)
		snprintf(line, len, "pattern %d %d %d %d %u\n", st->x, st->y,
			 st->w, st->h, st->seed);
	else
		snprintf(line, len, "fill %d %d %d %d %06x\n", st->x, st->y,
			 st->w, st->h, st->color);
}

uint32_t bd_step_last_pixel(const struct vp_step *st)
{
	if (st->pattern)
		return demo_pattern_pixel(st->seed, (uint32_t)st->w - 1,
					  (uint32_t)st->h - 1);
	return st->color;
}

int bd_send_line(int fd, const char *line)
{
	size_t len = strlen(line), done = 0;

	while (done < len) {
		ssize_t n = send(fd, line + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

void bd_drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int bd_wait_output(int fd, const char *needle, pid_t pid, int timeout_ms)
{
	uint64_t end = bd_now_ns() + timeout_ms * 1000000ULL;
	size_t keep = strlen(needle), have = 0;
	char buf[4096 + 256];

	if (keep >= 256)
		return -1;
	while (bd_now_ns() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 20) <= 0) {
			if (pid > 0 && !bd_alive(pid))
				return -1;
			continue;
		}
		n = recv(fd, buf + have, 4096, MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n < 0)
			continue;
		have += n;
		buf[have] = 0;
		if (memmem(buf, have, needle, keep))
			return 0;
		/* Keep a needle's length: it may straddle two reads. */
		if (have > keep) {
			memmove(buf, buf + have - keep, keep);
			have = keep;
		}
	}
	return -1;
}
