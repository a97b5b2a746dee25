/* relay.h: a worker's stderr, read by the master through a pipe and
 * relayed line by line as "worker N: ...", its last lines kept for the
 * messages that explain why a worker could not run. */
#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>

#define RELAY_LINES	3	/* last lines kept */
#define RELAY_KEEP	160	/* bytes kept of each */
#define RELAY_MAX	4096	/* a longer line is relayed in parts */

struct relay {
	int		 r_fd;			/* the pipe's read end, or -1 */
	struct event	*r_ev;
	int		 r_slot;
	char		 r_buf[RELAY_MAX];	/* a line being assembled */
	size_t		 r_len;
	int		 r_cut;			/* a full line was just relayed */
	char		 r_last[RELAY_LINES][RELAY_KEEP];
	size_t		 r_nlast;		/* lines ever relayed */
};

struct event_base;

int	relay_open(struct relay *, struct event_base *, int, int *);
void	relay_drain(struct relay *);
void	relay_close(struct relay *);
void	relay_last(const struct relay *, char *, size_t);

#endif
