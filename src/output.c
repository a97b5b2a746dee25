/* output.c: the output file's life: created beside its final name, written,
 * synced and renamed on success, removed on failure. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "xmalloc.h"

static int	output_name(struct output *);
static char	*output_link_target(const char *);

/*
 * Opens the output. A file is first created without a name (O_TMPFILE) in
 * the target's directory, so that a master killed mid-job leaves nothing
 * behind; it gets its name only when the job is complete. Where the file
 * system cannot do that, a hidden ".NAME.chunkvisor-XXXXXX" is used and
 * removed on failure. A JOURNALED job's output must outlive a crash: it is
 * written as ".NAME.chunkvisor-partial", which a resumed run takes up
 * again (see output_resume) and a failed run leaves; OUTPUT_LEFT opens
 * only one that is there (else returns -1). Returns 0 or the exit status
 * (73), with the message printed.
 */
int
output_open(struct output *o, const char *path, int journaled)
{
	const char	*slash;
	char		*dir, *real;
	mode_t		 mask;
	struct stat	 st;

	memset(o, 0, sizeof *o);
	o->o_name = strcmp(path, "-") == 0 ? "standard output" : path;
	if (strcmp(path, "-") == 0) {
		o->o_fd = STDOUT_FILENO;
		return 0;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_warnx("cannot create output %s: it is a directory", path);
		return EX_CANTCREAT;
	}
	/* A device, a FIFO or a socket (-o /dev/null) is written in place,
	 * as it comes: renaming a file over it would replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->o_fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
			log_warn("cannot open output %s", path);
			return EX_CANTCREAT;
		}
		o->o_special = 1;
		return 0;
	}
	/* Through a symbolic link, the file it names is replaced, not the
	 * link. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = output_link_target(path)) != NULL) {
		o->o_path = real;
		path = o->o_path;
	} else
		o->o_path = xstrdup(path);
	slash = strrchr(path, '/');
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	o->o_tmp = xasprintf("%s/.%s.chunkvisor-%s", dir,
	    slash != NULL ? slash + 1 : path, journaled ? "partial" : "XXXXXX");
	if (journaled) {
		free(dir);
		o->o_keep = 1;
		if ((o->o_fd = open(o->o_tmp, O_RDWR | O_CLOEXEC |
		    (journaled == OUTPUT_LEFT ? 0 : O_CREAT), 0666)) == -1) {
			if (errno == ENOENT && journaled == OUTPUT_LEFT) {
				output_abort(o);
				return -1;
			}
			log_warn("cannot create output %s (writing %s)", path,
			    o->o_tmp);
			output_abort(o);
			return EX_CANTCREAT;
		}
		return 0;
	}
	o->o_fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	free(dir);
	if (o->o_fd != -1) {
		o->o_unnamed = 1;
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		log_warn("cannot create output %s", path);
		output_abort(o);
		return EX_CANTCREAT;
	}
	if ((o->o_fd = mkostemp(o->o_tmp, O_CLOEXEC)) == -1) {
		log_warn("cannot create output %s (writing %s)", path,
		    o->o_tmp);
		output_abort(o);
		return EX_CANTCREAT;
	}
	/* mkstemp makes 0600; the output gets what a shell's > would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(o->o_fd, 0666 & ~mask) == -1)
		log_warn("fchmod %s", o->o_tmp);
	return 0;
}

/* Where symbolic link PATH points, for a target that may not exist yet (a
 * shell's > creates it): its real path, or, one level, what it names,
 * relative to the link's directory. NULL if it cannot be read. */
static char *
output_link_target(const char *path)
{
	char		 buf[PATH_MAX], *real;
	const char	*slash;
	ssize_t		 n;

	if ((real = realpath(path, NULL)) != NULL)
		return real;
	if ((n = readlink(path, buf, sizeof buf - 1)) == -1)
		return NULL;
	buf[n] = '\0';
	if (buf[0] == '/' || (slash = strrchr(path, '/')) == NULL)
		return xstrdup(buf);
	return xasprintf("%.*s/%s", (int)(slash - path), path, buf);
}

/* Gives the unnamed file the name o_tmp, through /proc (linkat with
 * AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH). */
static int
output_name(struct output *o)
{
	static const char	 abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec		 ts;
	char			 proc[64], *suffix;
	uint64_t		 r;
	int			 tries, i;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->o_fd);
	suffix = o->o_tmp + strlen(o->o_tmp) - 6;
	for (tries = 0; tries < 100; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		r = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() ^
		    (uint64_t)tries << 40;
		for (i = 0; i < 6; i++, r /= 36)
			suffix[i] = abc[r % 36];
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->o_tmp,
		    AT_SYMLINK_FOLLOW) == 0) {
			o->o_unnamed = 0;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
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
		if (n == -1 && errno == EPIPE && o->o_path == NULL) {
			/* A reader such as head(1) that has seen enough:
			 * no message, as SIGPIPE would have given none. */
			o->o_failed = 1;
			return -1;
		}
		if (n == -1) {
			log_warn("write error on %s", o->o_name);
			o->o_failed = 1;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		o->o_bytes += (uint64_t)n;
	}
	return 0;
}

/* A resumed job: the output is what was committed, its first LEN bytes.
 * Returns 0 or -1, with the message printed. */
int
output_resume(struct output *o, uint64_t len)
{
	if (o->o_path == NULL)
		return 0;
	if (ftruncate(o->o_fd, (off_t)len) == -1 ||
	    lseek(o->o_fd, (off_t)len, SEEK_SET) == -1) {
		log_warn("cannot take up %s again", o->o_tmp);
		return -1;
	}
	o->o_bytes = len;
	return 0;
}

/* The job is complete: make the file durable and give it its name. */
int
output_commit(struct output *o)
{
	if (o->o_special) {
		o->o_special = 0;
		if (close(o->o_fd) == -1) {
			o->o_fd = -1;
			log_warn("cannot write %s", o->o_name);
			return EX_IOERR;
		}
		o->o_fd = -1;
	}
	if (o->o_path == NULL)
		return 0;
	if (fsync(o->o_fd) == -1) {
		log_warn("cannot write %s", o->o_path);
		output_abort(o);
		return EX_IOERR;
	}
	if (o->o_unnamed && output_name(o) == -1) {
		log_warn("cannot link the output into place as %s", o->o_tmp);
		output_abort(o);
		return EX_CANTCREAT;
	}
	if (close(o->o_fd) == -1) {
		log_warn("cannot write %s", o->o_path);
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
	if (o->o_special)
		close(o->o_fd);
	o->o_special = 0;
	if (o->o_path == NULL)
		return;
	if (o->o_fd != -1)
		close(o->o_fd);
	if (o->o_tmp != NULL && !o->o_unnamed && !o->o_keep &&
	    unlink(o->o_tmp) == -1 && errno != ENOENT)
		log_warn("cannot remove %s", o->o_tmp);
	free(o->o_tmp);
	free(o->o_path);
	o->o_tmp = o->o_path = NULL;
	o->o_fd = -1;
	o->o_unnamed = 0;
	o->o_keep = 0;
}

/* Removes the partial output a journaled run left, whose journal is
 * discarded. */
void
output_discard(struct output *o)
{
	o->o_keep = 0;
	output_abort(o);
}
