/* input.c: opening, spooling and mapping the input. */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "input.h"
#include "log.h"
#include "shm.h"

static int	input_spool(struct input *, int);

/* Copies FD to its end into a memfd, then seals it so that no worker can
 * change what the others read. */
static int
input_spool(struct input *in, int fd)
{
	char	buf[65536];
	ssize_t	n, w;
	int	mfd;

	if ((mfd = shm_create("chunkvisor-input")) == -1) {
		log_warn("memfd_create() failed while spooling %s", in->in_name);
		return EX_IOERR;
	}
	for (;;) {
		do
			n = read(fd, buf, sizeof buf);
		while (n == -1 && errno == EINTR);
		if (n == 0)
			break;
		if (n == -1) {
			log_warn("read error on %s", in->in_name);
			close(mfd);
			return EX_IOERR;
		}
		for (ssize_t off = 0; off < n; off += w) {
			if ((w = write(mfd, buf + off, (size_t)(n - off))) ==
			    -1 && errno != EINTR) {
				log_warn("spooling %s into memory", in->in_name);
				close(mfd);
				return EX_IOERR;
			}
			if (w == -1)
				w = 0;
		}
		in->in_size += (uint64_t)n;
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) == -1)
		log_warn("sealing the spooled %s", in->in_name);
	in->in_fd = mfd;
	return 0;
}

/* Opens PATH ("-" for stdin). Returns 0 or the exit status, with the
 * message printed. */
int
input_open(struct input *in, const char *path)
{
	struct stat	 st;
	void		*p;
	int		 fd, rc;

	memset(in, 0, sizeof *in);
	in->in_fd = -1;
	in->in_name = strcmp(path, "-") == 0 ? "standard input" : path;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("cannot open input %s", path);
		return EX_NOINPUT;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("cannot stat input %s", in->in_name);
		return EX_NOINPUT;
	}
	if (S_ISDIR(st.st_mode)) {
		log_warnx("input %s is a directory", in->in_name);
		return EX_NOINPUT;
	}
	if (S_ISREG(st.st_mode)) {
		in->in_size = (uint64_t)st.st_size;
		in->in_fd = fd == STDIN_FILENO ?
		    fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
	} else {
		rc = input_spool(in, fd);
		if (fd != STDIN_FILENO)
			close(fd);
		if (rc != 0)
			return rc;
	}
	if (in->in_size == 0)
		return 0;
	p = mmap(NULL, in->in_size, PROT_READ, MAP_SHARED, in->in_fd, 0);
	if (p == MAP_FAILED) {
		log_warn("cannot map input %s (%llu bytes)", in->in_name,
		    (unsigned long long)in->in_size);
		return EX_IOERR;
	}
	madvise(p, in->in_size, MADV_SEQUENTIAL);
	in->in_data = p;
	return 0;
}

void
input_close(struct input *in)
{
	if (in->in_data != NULL)
		munmap((void *)(uintptr_t)in->in_data, in->in_size);
	if (in->in_fd != -1)
		close(in->in_fd);
	in->in_fd = -1;
	in->in_data = NULL;
}
