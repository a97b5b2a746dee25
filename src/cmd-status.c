/* cmd-status.c: `chunkvisor status JOB.ini [--json]`: the state of a
 * running or interrupted job, read from its journal; nothing is started,
 * nothing written. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "chunk.h"
#include "cmd.h"
#include "conf.h"
#include "journal.h"
#include "log.h"

struct status {
	const char	*st_state;	/* none, running, interrupted, complete */
	int		 st_pid;	/* running: the master */
	uint64_t	 st_done, st_bytes;
	uint64_t	 st_total;	/* chunks; 0: unknown */
	int		 st_estimated;	/* st_total, for lines: from the bytes */
	int64_t		 st_in_size;	/* -1: unknown (range, stream) */
	double		 st_fraction;	/* -1: unknown */
	double		 st_rate, st_byte_rate;	/* the last run's, per s */
};

static void	status_json_str(const char *);
static void	status_time(const char *, uint64_t, int);
static void	status_gather(const struct conf *, const struct journal *,
		    struct status *);
static void	status_text(const struct conf *, const struct journal *,
		    const struct status *);
static void	status_json(const struct conf *, const struct journal *,
		    const struct status *);

static void
status_json_str(const char *s)
{
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* MS (wall clock, ms) as local time for people, or as a JSON string in
 * UTC; 0 is "never" (null). */
static void
status_time(const char *label, uint64_t ms, int json)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;
	char		buf[64];

	if (json) {
		printf(",\"%s\":", label);
		if (ms == 0) {
			fputs("null", stdout);
			return;
		}
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		status_json_str(buf);
		return;
	}
	if (ms == 0) {
		printf("%-12s never\n", label);
		return;
	}
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm));
	printf("%-12s %s\n", label, buf);
}

static void
status_gather(const struct conf *conf, const struct journal *j,
    struct status *st)
{
	const struct jrec	*r;
	struct stat		 sb;
	uint64_t		 span_ms;
	size_t			 i;

	for (i = 0; i < j->j_nrecs; i++) {
		r = &j->j_recs[i];
		if (r->r_type != 'W')
			continue;
		st->st_done++;
		if (conf->split != SPLIT_RANGE)
			st->st_bytes += r->r_end - r->r_start;
	}
	st->st_in_size = -1;
	st->st_fraction = -1;
	if (conf->split == SPLIT_RANGE)
		st->st_total = chunk_count(conf->chunk_size,
		    (uint64_t)conf->range_start, (uint64_t)conf->range_end);
	else if (strcmp(conf->input, "-") != 0 &&
	    stat(conf->input, &sb) == 0 && S_ISREG(sb.st_mode)) {
		st->st_in_size = (int64_t)sb.st_size;
		if (conf->split == SPLIT_BYTES)
			st->st_total = chunk_count(conf->chunk_size, 0,
			    (uint64_t)sb.st_size);
		st->st_fraction = sb.st_size == 0 ? 1 :
		    (double)st->st_bytes / (double)sb.st_size;
	}
	if (st->st_total > 0)
		st->st_fraction = (double)st->st_done / (double)st->st_total;
	if (j->j_complete)
		st->st_fraction = 1;
	/* Lines chunks end at line ends: how many there are is known only
	 * once all are cut; the bytes done so far tell it closely. */
	if (conf->split == SPLIT_LINES && st->st_fraction > 0) {
		st->st_total = (uint64_t)((double)st->st_done /
		    st->st_fraction + 0.5);
		st->st_estimated = !j->j_complete;
	}
	span_ms = j->j_stats.st_time_ms > j->j_run_ms ?
	    j->j_stats.st_time_ms - j->j_run_ms : 0;
	if (span_ms > 0 && j->j_stats.st_done >= j->j_run_stats.st_done) {
		st->st_rate = (double)(j->j_stats.st_done -
		    j->j_run_stats.st_done) * 1000 / (double)span_ms;
		st->st_byte_rate = (double)(j->j_stats.st_bytes -
		    j->j_run_stats.st_bytes) * 1000 / (double)span_ms;
	}
}

static void
status_text(const struct conf *conf, const struct journal *j,
    const struct status *st)
{
	printf("%-12s %s\n", "job", conf->name);
	printf("%-12s %s\n", "journal", conf->journal);
	if (st->st_pid > 0)
		printf("%-12s running (pid %d)\n", "state", st->st_pid);
	else
		printf("%-12s %s\n", "state", st->st_state);
	if (strcmp(st->st_state, "none") == 0)
		return;
	printf("%-12s %llu", "done", (unsigned long long)st->st_done);
	if (st->st_total > 0)
		printf(" of %s%llu", st->st_estimated ? "about " : "",
		    (unsigned long long)st->st_total);
	printf(" chunks");
	if (st->st_fraction >= 0)
		printf(" (%.1f%%", st->st_fraction * 100);
	if (st->st_fraction >= 0 && st->st_in_size >= 0 &&
	    conf->split != SPLIT_RANGE)
		printf(" of %.1f MB", (double)st->st_in_size / 1e6);
	printf("%s\n", st->st_fraction >= 0 ? ")" : "");
	printf("%-12s %llu\n", "failed", (unsigned long long)
	    j->j_stats.st_failed);
	printf("%-12s %llu\n", "restarts", (unsigned long long)
	    j->j_stats.st_restarts);
	printf("%-12s %llu\n", "quarantined", (unsigned long long)
	    j->j_stats.st_quarantined);
	status_time("started", j->j_started_ms, 0);
	printf("%-12s %llu\n", "runs", (unsigned long long)j->j_runs);
	status_time("last commit", j->j_stats.st_time_ms, 0);
	if (conf->split == SPLIT_RANGE)
		printf("%-12s %.1f chunks/s\n", "rate", st->st_rate);
	else
		printf("%-12s %.1f chunks/s, %.1f MB/s\n", "rate", st->st_rate,
		    st->st_byte_rate / 1e6);
	if (j->j_summary != NULL)
		printf("%-12s %s\n", "last run", j->j_summary);
}

static void
status_json(const struct conf *conf, const struct journal *j,
    const struct status *st)
{
	fputs("{\"job\":", stdout);
	status_json_str(conf->name);
	fputs(",\"journal\":", stdout);
	status_json_str(conf->journal);
	fputs(",\"state\":", stdout);
	status_json_str(st->st_state);
	if (st->st_pid > 0)
		printf(",\"pid\":%d", st->st_pid);
	else
		fputs(",\"pid\":null", stdout);
	printf(",\"chunks_done\":%llu", (unsigned long long)st->st_done);
	if (st->st_total > 0)
		printf(",\"chunks_total\":%llu,\"chunks_total_exact\":%s",
		    (unsigned long long)st->st_total,
		    st->st_estimated ? "false" : "true");
	else
		fputs(",\"chunks_total\":null,\"chunks_total_exact\":false",
		    stdout);
	if (conf->split != SPLIT_RANGE)
		printf(",\"bytes_done\":%llu", (unsigned long long)st->st_bytes);
	else
		fputs(",\"bytes_done\":null", stdout);
	if (st->st_in_size >= 0)
		printf(",\"bytes_total\":%lld", (long long)st->st_in_size);
	else
		fputs(",\"bytes_total\":null", stdout);
	if (st->st_fraction >= 0)
		printf(",\"fraction\":%.6f", st->st_fraction);
	else
		fputs(",\"fraction\":null", stdout);
	printf(",\"failed\":%llu,\"restarts\":%llu,\"quarantined\":%llu,"
	    "\"runs\":%llu", (unsigned long long)j->j_stats.st_failed,
	    (unsigned long long)j->j_stats.st_restarts,
	    (unsigned long long)j->j_stats.st_quarantined,
	    (unsigned long long)j->j_runs);
	status_time("started", j->j_started_ms, 1);
	status_time("last_commit", j->j_stats.st_time_ms, 1);
	printf(",\"rate_chunks_per_s\":%.3f", st->st_rate);
	if (conf->split != SPLIT_RANGE)
		printf(",\"rate_bytes_per_s\":%.0f", st->st_byte_rate);
	else
		fputs(",\"rate_bytes_per_s\":null", stdout);
	fputs(",\"last_run\":", stdout);
	status_json_str(j->j_summary);
	fputs("}\n", stdout);
}

/*
 * Exit status: 0 when a state was printed (including "none": no journal,
 * the job has not run or completed), 64 usage, 78 bad job file or a file
 * at the journal's path that is no journal, 74 an unreadable journal.
 */
int
cmd_status(int argc, char **argv)
{
	struct conf	conf;
	struct journal	j;
	struct status	st;
	int		rc, fd = -1;

	conf_init(&conf);
	journal_init(&j);
	memset(&st, 0, sizeof st);
	if ((rc = cmd_parse(argc, argv, &conf, CMD_STATUS)) != 0)
		goto out;
	if (conf.journal == NULL) {
		fprintf(stderr, "chunkvisor: job %s keeps no journal ([state] "
		    "journal = none, or its output is a stream): no state to "
		    "show\n", conf.name);
		rc = EX_CONFIG;
		goto out;
	}
	st.st_state = "none";
	if ((fd = open(conf.journal, O_RDONLY | O_CLOEXEC)) == -1 &&
	    errno != ENOENT) {
		log_warn("cannot open journal %s", conf.journal);
		rc = EX_IOERR;
		goto out;
	}
	if (fd != -1 && (rc = journal_read(&j, conf.journal, fd)) != 0)
		goto out;
	if (fd != -1 && j.j_runs > 0)
		st.st_state = j.j_complete ? "complete" : "interrupted";
	/* The running master holds the journal locked (maybe still checking
	 * what it resumes, before its B record). */
	if (fd != -1 && flock(fd, LOCK_SH | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			st.st_state = "running";
			if ((st.st_pid = (int)journal_lock_pid(fd)) == 0)
				st.st_pid = (int)j.j_pid;
		}
	} else if (fd != -1)
		(void)flock(fd, LOCK_UN);	/* at once: a master may be
						 * starting */
	status_gather(&conf, &j, &st);
	if (conf.json)
		status_json(&conf, &j, &st);
	else
		status_text(&conf, &j, &st);
	if (fflush(stdout) == EOF)
		rc = EX_IOERR;
out:
	if (fd != -1)
		close(fd);
	journal_close(&j, 0);
	conf_free(&conf);
	return rc == -1 ? 0 : rc;
}
