/* log.c: stderr logging with a program-name prefix; libevent's own messages
 * are routed here too (see master.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char	*log_name = "chunkvisor";
static int		 log_level = LOG_NORMAL;
static int		 log_bar;	/* a progress bar is on the line */

static void	log_vmsg(const char *, int, va_list);

void
log_init(const char *name, int level)
{
	log_name = name;
	log_level = level;
}

/* Whatever is printed on stderr starts on a clean line: a progress bar
 * there is erased first (and redrawn by its next tick). */
void
log_line_start(void)
{
	if (log_bar) {
		fputs("\r\033[K", stderr);
		log_bar = 0;
	}
}

/* A progress bar is now on stderr's last line. */
void
log_bar_drawn(void)
{
	log_bar = 1;
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

/* One line: "name: message[: strerror]". errno is passed in, not read here,
 * so that formatting cannot clobber it first. */
static void
log_vmsg(const char *fmt, int saved_errno, va_list ap)
{
	char	buf[4096];

	vsnprintf(buf, sizeof buf, fmt, ap);
	log_line_start();
	if (saved_errno != 0)
		fprintf(stderr, "%s: %s: %s\n", log_name, buf,
		    strerror(saved_errno));
	else
		fprintf(stderr, "%s: %s\n", log_name, buf);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	log_vmsg(fmt, saved_errno, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(fmt, 0, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	log_vmsg(fmt, 0, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vmsg(fmt, 0, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	log_vmsg(fmt, saved_errno, ap);
	va_end(ap);
	exit(70);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(fmt, 0, ap);
	va_end(ap);
	exit(70);
}
