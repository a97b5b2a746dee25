/*
 * attemptlog.c: one tab-separated line per attempt, written (and flushed)
 * as the attempt ends:
 *
 *	CHUNK  RANGE  ATTEMPT  SLOT  PID  START  SECONDS  OUTCOME
 *
 * CHUNK is the window chunk's id (a piece of a bisected chunk has its
 * chunk's id and its own RANGE); RANGE is START..END in bytes, or the
 * integers for split = range; START is the wall-clock time the attempt
 * began, in seconds since the epoch; OUTCOME is ok, exit N (the worker
 * reported failure N), signal NAME, timeout, bad-message or
 * killed-by-master.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attemptlog.h"
#include "chunk.h"
#include "conf.h"
#include "log.h"

uint64_t
attemptlog_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Opens PATH (NULL or "" for no log), to APPEND to (a resumed job: the
 * earlier runs' lines stay) or anew. Returns 0, or -1 with the message
 * printed. */
int
attemptlog_open(struct attemptlog *al, const char *path, int split,
    int append)
{
	struct timespec	wall;
	long		at;

	memset(al, 0, sizeof *al);
	al->al_split = split;
	if (path == NULL || *path == '\0')
		return 0;
	if ((al->al_fp = fopen(path, append ? "a" : "w")) == NULL) {
		log_warn("cannot create attempt log %s", path);
		return -1;
	}
	if (fseek(al->al_fp, 0, SEEK_END) == -1 || (at = ftell(al->al_fp)) ==
	    -1)
		at = 0;
	clock_gettime(CLOCK_REALTIME, &wall);
	al->al_wall_ns = (int64_t)((uint64_t)wall.tv_sec * 1000000000 +
	    (uint64_t)wall.tv_nsec) - (int64_t)attemptlog_now_ns();
	if (at == 0)
		fprintf(al->al_fp, "# chunk\trange\tattempt\tslot\tpid\t"
		    "start\tseconds\toutcome\n");
	fflush(al->al_fp);
	return 0;
}

/* Attempt C->c_attempt of C (of window chunk ID) on SLOT/PID, which
 * started at monotonic START_NS and took DUR_NS, ended with OUTCOME. */
void
attemptlog_write(struct attemptlog *al, const struct chunk *c, uint64_t id,
    int slot, pid_t pid, uint64_t start_ns, uint64_t dur_ns,
    const char *outcome)
{
	int64_t	wall;

	if (al->al_fp == NULL)
		return;
	wall = (int64_t)start_ns + al->al_wall_ns;
	if (al->al_split == SPLIT_RANGE)
		fprintf(al->al_fp, "%llu\t%lld..%lld", (unsigned long long)id,
		    (long long)c->c_start, (long long)c->c_end);
	else
		fprintf(al->al_fp, "%llu\t%llu..%llu", (unsigned long long)id,
		    (unsigned long long)c->c_start,
		    (unsigned long long)c->c_end);
	fprintf(al->al_fp, "\t%u\t%d\t%ld\t%lld.%03lld\t%.6f\t%s\n",
	    c->c_attempt, slot, (long)pid, (long long)(wall / 1000000000),
	    (long long)(wall % 1000000000 / 1000000), (double)dur_ns / 1e9,
	    outcome);
	fflush(al->al_fp);
}

int
attemptlog_close(struct attemptlog *al)
{
	int	rc = 0;

	if (al->al_fp != NULL && (ferror(al->al_fp) || fclose(al->al_fp))) {
		log_warnx("cannot write the attempt log");
		rc = -1;
	}
	al->al_fp = NULL;
	return rc;
}
