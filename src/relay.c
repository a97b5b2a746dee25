/*
 * relay.c: a worker's stderr (and stdout, which the master keeps for the
 * output) comes through a pipe, so that every line can be told apart by
 * its worker ("worker 2: ...") and the last ones can be quoted when the
 * job gives up on its workers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "relay.h"

static void	relay_read_cb(int, short, void *);
static void	relay_line(struct relay *);

/* Makes the pipe for worker SLOT; *wfd is the end the worker gets. */
int
relay_open(struct relay *r, struct event_base *base, int slot, int *wfd)
{
	int	pfd[2];

	r->r_len = 0;
	r->r_cut = 0;
	r->r_nlast = 0;		/* a new worker's words */
	r->r_slot = slot;
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	r->r_fd = pfd[0];
	*wfd = pfd[1];
	r->r_ev = event_new(base, r->r_fd, EV_READ | EV_PERSIST,
	    relay_read_cb, r);
	if (r->r_ev == NULL || event_add(r->r_ev, NULL) == -1)
		fatalx("cannot watch the stderr of worker %d", slot);
	return 0;
}

/* Relays the line in r_buf and keeps its start among the last ones. */
static void
relay_line(struct relay *r)
{
	log_line_start();
	fprintf(stderr, "worker %d: %.*s\n", r->r_slot, (int)r->r_len,
	    r->r_buf);
	snprintf(r->r_last[r->r_nlast++ % RELAY_LINES], RELAY_KEEP, "%.*s",
	    (int)r->r_len, r->r_buf);
	r->r_len = 0;
}

static void
relay_read_cb(int fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	relay_drain(arg);
}

/* Reads and relays what the pipe has now. */
void
relay_drain(struct relay *r)
{
	char	 buf[4096], *p, *nl;
	ssize_t	 n;
	size_t	 take;

	while (r->r_fd != -1 && (n = read(r->r_fd, buf, sizeof buf)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN: all read for now */
		}
		for (p = buf; p < buf + n; p += take) {
			/* A line cut at RELAY_MAX: its newline, perhaps in
			 * this read, ends it and starts no empty line. */
			if (r->r_cut && r->r_len == 0 && *p == '\n') {
				r->r_cut = 0;
				take = 1;
				continue;
			}
			r->r_cut = 0;
			nl = memchr(p, '\n', (size_t)(buf + n - p));
			take = (size_t)((nl != NULL ? nl : buf + n) - p);
			if (take > sizeof r->r_buf - r->r_len)
				take = sizeof r->r_buf - r->r_len;
			memcpy(r->r_buf + r->r_len, p, take);
			r->r_len += take;
			if (p + take < buf + n && p[take] == '\n') {
				relay_line(r);
				take++;
			} else if (r->r_len == sizeof r->r_buf) {
				relay_line(r);
				r->r_cut = 1;
			}
		}
	}
	/* EOF: a last line without newline; and no more wake-ups. */
	if (r->r_len > 0)
		relay_line(r);
	if (r->r_fd != -1)
		event_del(r->r_ev);
}

/* Relays what is left and closes the pipe. */
void
relay_close(struct relay *r)
{
	if (r->r_fd == -1)
		return;
	relay_drain(r);
	if (r->r_len > 0)
		relay_line(r);
	event_free(r->r_ev);
	close(r->r_fd);
	r->r_ev = NULL;
	r->r_fd = -1;
}

/* "; its last words: 'a' / 'b'" for a message, or "" if it said none. */
void
relay_last(const struct relay *r, char *buf, size_t len)
{
	size_t	i, n = r->r_nlast < RELAY_LINES ? r->r_nlast : RELAY_LINES;
	size_t	at;

	buf[0] = '\0';
	if (n == 0)
		return;
	at = (size_t)snprintf(buf, len, "; its last words:");
	for (i = r->r_nlast - n; i < r->r_nlast && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, " '%s'",
		    r->r_last[i % RELAY_LINES]);
}
