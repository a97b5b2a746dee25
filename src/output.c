/* output.c: the output file's life: created beside its final name, written,
 * synced and renamed on success, removed on failure. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "xmalloc.h"

/* Returns 0 or the exit status (73), with the message printed. */
int
output_open(struct output *o, const char *path)
{
	const char	*slash;
	mode_t		 mask;

	memset(o, 0, sizeof *o);
	if (strcmp(path, "-") == 0) {
		o->o_fd = STDOUT_FILENO;
		return 0;
	}
	o->o_path = xstrdup(path);
	slash = strrchr(path, '/');
	o->o_tmp = slash != NULL ?
	    xasprintf("%.*s/.%s.chunkvisor-XXXXXX", (int)(slash - path), path,
	    slash + 1) : xasprintf(".%s.chunkvisor-XXXXXX", path);
	if ((o->o_fd = mkostemp(o->o_tmp, O_CLOEXEC)) == -1) {
		log_warn("cannot create output %s (writing %s)", path,
		    o->o_tmp);
		free(o->o_tmp);
		o->o_tmp = NULL;
		return EX_CANTCREAT;
	}
	/* mkstemp makes 0600; the output gets what a shell's > would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(o->o_fd, 0666 & ~mask) == -1)
		log_warn("fchmod %s", o->o_tmp);
	return 0;
}

/* Writes all of BUF. Returns 0, or -1 after printing why: the caller stops
 * the job with exit 74. */
int
output_write(struct output *o, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(o->o_fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("write error on %s", o->o_path != NULL ?
			    o->o_tmp : "standard output");
			o->o_failed = 1;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		o->o_bytes += (uint64_t)n;
	}
	return 0;
}

/* The job is complete: make the file durable and give it its name. */
int
output_commit(struct output *o)
{
	if (o->o_path == NULL)
		return 0;
	if (fsync(o->o_fd) == -1 || close(o->o_fd) == -1) {
		log_warn("cannot write %s", o->o_tmp);
		o->o_fd = -1;
		output_abort(o);
		return EX_IOERR;
	}
	o->o_fd = -1;
	if (rename(o->o_tmp, o->o_path) == -1) {
		log_warn("cannot rename %s to %s", o->o_tmp, o->o_path);
		output_abort(o);
		return EX_CANTCREAT;
	}
	free(o->o_tmp);
	free(o->o_path);
	o->o_tmp = o->o_path = NULL;
	return 0;
}

void
output_abort(struct output *o)
{
	if (o->o_path == NULL)
		return;
	if (o->o_fd != -1)
		close(o->o_fd);
	if (o->o_tmp != NULL && unlink(o->o_tmp) == -1 && errno != ENOENT)
		log_warn("cannot remove %s", o->o_tmp);
	free(o->o_tmp);
	free(o->o_path);
	o->o_tmp = o->o_path = NULL;
	o->o_fd = -1;
}
