/*
 * notify.c: sd_notify without libsystemd. $NOTIFY_SOCKET names a datagram
 * socket: a path, or an abstract name written with a leading '@', whose
 * address length must then be exact (no trailing NUL counted). Each
 * message is one datagram of NEWLINE-separated KEY=VALUE assignments.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static int			notify_fd = -1;
static struct sockaddr_un	notify_addr;
static socklen_t		notify_len;

/* Returns 1 when there is a service manager to tell, else 0. */
int
notify_init(void)
{
	const char	*path = getenv("NOTIFY_SOCKET");
	size_t		 len;

	if (path == NULL || *path == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    len >= sizeof notify_addr.sun_path) {
		log_warnx("NOTIFY_SOCKET=%s: not a socket path; not notifying",
		    path);
		return 0;
	}
	memset(&notify_addr, 0, sizeof notify_addr);
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, len);
	if (path[0] == '@')
		notify_addr.sun_path[0] = '\0';
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    len + (path[0] == '/'));
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) ==
	    -1) {
		log_warn("socket() for NOTIFY_SOCKET");
		return 0;
	}
	return 1;
}

/* Sends one notification; a failure is logged once and otherwise
 * ignored: the job does not depend on being watched. */
void
notify_send(const char *fmt, ...)
{
	static int	warned;
	char		buf[512];
	va_list		ap;
	int		n;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		n = (int)sizeof buf - 1;
	if (sendto(notify_fd, buf, (size_t)n, MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_addr, notify_len) == -1 && !warned) {
		warned = 1;
		log_warn("cannot notify the service manager at %s",
		    getenv("NOTIFY_SOCKET"));
	}
}

/* Half of WATCHDOG_USEC when the watchdog is on for this process, else 0. */
uint64_t
notify_watchdog_usec(void)
{
	const char	*usec = getenv("WATCHDOG_USEC");
	const char	*pid = getenv("WATCHDOG_PID");
	char		*end;
	unsigned long long n;

	if (notify_fd == -1 || usec == NULL)
		return 0;
	if (pid != NULL && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	n = strtoull(usec, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0)
		return 0;
	return n / 2;
}

void
notify_close(void)
{
	if (notify_fd != -1)
		close(notify_fd);
	notify_fd = -1;
}
