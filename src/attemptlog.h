/* attemptlog.h: the attempt log ([state] attempt_log): one line per
 * attempt as it ends, the chunkvisor counterpart of GNU parallel's
 * --joblog, readable with awk while the job runs. */
#ifndef ATTEMPTLOG_H
#define ATTEMPTLOG_H

#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>

struct chunk;

struct attemptlog {
	FILE		*al_fp;		/* NULL: no log */
	int		 al_split;
	int64_t		 al_wall_ns;	/* wall clock minus monotonic */
};

int	attemptlog_open(struct attemptlog *, const char *, int, int);
void	attemptlog_write(struct attemptlog *, const struct chunk *, uint64_t,
	    int, pid_t, uint64_t, uint64_t, const char *);
int	attemptlog_close(struct attemptlog *);
uint64_t attemptlog_now_ns(void);

#endif
