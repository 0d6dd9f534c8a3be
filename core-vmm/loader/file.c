// SPDX-License-Identifier: MIT
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int loader_read_file(const char *path, uint64_t max, uint8_t **buf,
		     size_t *len, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		goto fail;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "%s is empty", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s is %lld MiB, more than fits (%llu MiB): give the VM more --memory",
			 path, (long long)st.st_size >> 20,
			 (unsigned long long)max >> 20);
		goto fail;
	}
	data = malloc(st.st_size);
	if (!data) {
		snprintf(err, errlen, "out of memory reading %s", path);
		goto fail;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", path,
				 n < 0 ? strerror(errno) : "file shrank");
			goto fail;
		}
		done += n;
	}
	close(fd);
	*buf = data;
	*len = done;
	return 0;
fail:
	free(data);
	close(fd);
	return -1;
}
