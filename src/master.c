/*
 * master.c: the master's loop. One event_base; SIGCHLD, SIGTERM, SIGINT and
 * SIGHUP arrive as libevent signal events. The master never runs user code:
 * it cuts chunks, hands them out, checks what comes back, writes results in
 * order (or reduces them) and ends the job with one summary line.
 */
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "master.h"
#include "notify.h"
#include "progress.h"
#include "xmalloc.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/local/libexec/chunkvisor"
#endif

extern char	**environ;

static void	master_signal_cb(int, short, void *);
static void	master_sigbus(int);
static void	master_drain_cb(int, short, void *);
static void	master_tick_cb(int, short, void *);
static void	master_bar_cb(int, short, void *);
static size_t	master_in_flight(const struct master *);
static void	master_libevent_log_cb(int, const char *);
static void	master_libevent_fatal_cb(int) __attribute__((noreturn));
static int	master_setup(struct master *);
static int	master_find_worker(struct master *);
static char	*master_search(const char *, const char *);
static void	master_consume(struct master *, struct chunk *, const char *,
		    size_t);
static void	master_deliver(struct master *, struct chunk *, const char *,
		    size_t);
static void	master_catch_up(struct master *);
static void	master_poison(struct master *, struct chunk *, const char *);
static void	master_piece_done(struct master *, struct chunk *);
static uint64_t	master_median(uint64_t *, size_t);
static uint64_t	master_fail_limit(const struct master *);
static void	master_complete(struct master *);
static void	master_summary(struct master *, char *, size_t);
static void	master_free(struct master *);

/* Arms timer EV to fire in MS milliseconds. */
void
master_timer_ms(struct event *ev, uint64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

uint64_t
master_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Ends the job with STATUS (the first call wins) and leaves the loop. */
void
master_end(struct master *m, int status, const char *fmt, ...)
{
	va_list	ap;
	char	buf[1024];

	if (m->m_status != -1)
		return;
	m->m_status = status;
	if (!m->m_ready_sent)	/* a job done before all started */
		notify_send("READY=1");
	m->m_ready_sent = 1;
	notify_send("STOPPING=1");
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		log_warnx("%s", buf);
	}
	event_base_loopbreak(m->m_base);
}

/* "chunk 12 (bytes 786432..851968)": what a user needs to find it. */
void
master_describe_chunk(const struct master *m, const struct chunk *c,
    char *buf, size_t len)
{
	const char		*what = IS_PIECE(c->c_id) ? "a piece of " : "";
	unsigned long long	 id = IS_PIECE(c->c_id) ? c->c_parent : c->c_id;

	if (m->m_conf->split == SPLIT_RANGE)
		snprintf(buf, len, "%schunk %llu (integers %lld..%lld)", what,
		    id, (long long)c->c_start, (long long)c->c_end);
	else
		snprintf(buf, len, "%schunk %llu (bytes %llu..%llu of %s)",
		    what, id, (unsigned long long)c->c_start,
		    (unsigned long long)c->c_end, m->m_in.in_name);
}

/* How many failed attempts in a row, with no success ever, mean that
 * nothing can succeed: enough for every worker to be bisecting a poison
 * record of its own several times over. */
static uint64_t
master_fail_limit(const struct master *m)
{
	uint64_t	n = 4 * m->m_conf->max_attempts * (m->m_conf->workers + 1);

	return n < 20 ? 20 : n;
}

/*
 * An attempt at C (a chunk or a piece) failed, WHY says how: retry it. After
 * max_attempts it is poison: bisected, if it can be and bisect is on, else
 * quarantined (on_poison = skip) or the end of the job (fail).
 */
void
master_fail_chunk(struct master *m, struct chunk *c, int status,
    const char *why)
{
	const struct conf	*conf = m->m_conf;
	char			 desc[256];
	uint64_t		 cut;

	c->c_last_status = status;
	m->m_retries++;
	master_describe_chunk(m, c, desc, sizeof desc);
	/* Failures are the exception; when attempt after attempt fails
	 * with nothing done in between, on whatever chunk, the workers fail
	 * on everything (a broken command): bisecting all of the input would
	 * only take very long to say so. Once work has been done, a long run
	 * of failures may be a block of poison records: it takes a run
	 * sixteen times longer to stop. */
	if (++m->m_fails_in_row >= master_fail_limit(m) *
	    (m->m_successes == 0 ? 1 : 16)) {
		master_end(m, 1, "%llu attempts in a row failed with no chunk "
		    "done in between (the last: %s on %s): the workers seem to "
		    "fail on everything; stopping",
		    (unsigned long long)m->m_fails_in_row, why, desc);
		return;
	}
	if (c->c_attempt < conf->max_attempts) {
		log_info("%s: attempt %u failed (%s); retrying", desc,
		    c->c_attempt, why);
		chunktab_requeue(&m->m_chunks, c);
		return;
	}
	/* The split frees C if it is a piece: say it first. */
	if (conf->bisect && chunktab_cut_point(&m->m_chunks, c,
	    conf->bisect_min, &cut)) {
		log_warnx("%s failed %u attempts (the last: %s); bisecting it",
		    desc, c->c_attempt, why);
		chunktab_split(&m->m_chunks, c, conf->bisect_min);
		return;
	}
	master_poison(m, c, why);
}

/* C failed for good and cannot be cut further: quarantine it (its result
 * is empty), or stop the job. */
static void
master_poison(struct master *m, struct chunk *c, const char *why)
{
	struct chunk	*w = chunktab_window(&m->m_chunks, c);
	char		 desc[256];
	int		 n;

	master_describe_chunk(m, c, desc, sizeof desc);
	commit_quarantined(m, w->c_id, c->c_start, c->c_end, why);
	if (m->m_conf->on_poison == POISON_FAIL) {
		quarantine_add(&m->m_quarantine, w->c_id, c->c_start, c->c_end,
		    why);
		master_end(m, 1, "%s failed %u attempts (the last: %s); "
		    "stopping (on_poison = fail)", desc, c->c_attempt, why);
		return;
	}
	if ((n = quarantine_add(&m->m_quarantine, w->c_id, c->c_start,
	    c->c_end, why)) < 0) {
		master_end(m, n == QUARANTINE_IOERR ? EX_IOERR : EX_CANTCREAT,
		    NULL);
		return;
	}
	log_warnx("%s failed %u attempts (the last: %s); quarantined %d "
	    "record%s in %s", desc, c->c_attempt, why, n, n == 1 ? "" : "s",
	    m->m_quarantine.q_path);
	if (IS_PIECE(c->c_id)) {
		c->c_state = CH_POISON;
		master_piece_done(m, c);
	} else
		master_deliver(m, c, "", 0);
}

/* Writes (or reduces) one result in its turn. */
static void
master_consume(struct master *m, struct chunk *c, const char *data,
    size_t len)
{
	char	err[256], desc[256];

	uint64_t	off = 0;

	if (commit_on(m) &&
	    commit_before_consume(m, c, data, len, &off) == -1) {
		master_end(m, EX_IOERR, NULL);
		return;
	}
	if (m->m_conf->reduce != REDUCE_NONE) {
		if (reduce_add(&m->m_reduce, data, len, err, sizeof err) == -1) {
			master_describe_chunk(m, c, desc, sizeof desc);
			master_end(m, 1, "%s: its result cannot be reduced: %s",
			    desc, err);
			return;
		}
	} else if (output_write(&m->m_out, data, len) == -1) {
		master_end(m, EX_IOERR, NULL);
		return;
	}
	m->m_chunks_done++;
	if (m->m_conf->split != SPLIT_RANGE)
		m->m_bytes_done += c->c_end - c->c_start;
	if (commit_on(m))
		commit_consumed(m, c, data, len, off);
	chunktab_retire(&m->m_chunks, c);
}

/*
 * A window chunk's result. With order = keep it is written now only if it
 * is the oldest outstanding chunk (then every held successor follows);
 * otherwise it is copied (unless a join made it already) and held, which
 * the window bounds. With order = any it is written at once.
 */
static void
master_deliver(struct master *m, struct chunk *c, const char *data,
    size_t len)
{
	struct chunktab	*ct = &m->m_chunks;

	if (m->m_conf->order == ORDER_ANY || c->c_id == ct->ct_base) {
		master_consume(m, c, data, len);
		master_catch_up(m);
		return;
	}
	if (c->c_state != CH_HELD) {
		c->c_result = xmalloc(len);
		memcpy(c->c_result, data, len);
		c->c_len = len;
		c->c_state = CH_HELD;
	}
	if (commit_on(m))
		commit_held(m);
}

/* Writes every held result whose turn has come; once all are written, the
 * job is complete. */
static void
master_catch_up(struct master *m)
{
	struct chunktab	*ct = &m->m_chunks;
	struct chunk	*next;

	while (m->m_status == -1 &&
	    (next = chunktab_get(ct, ct->ct_base)) != NULL &&
	    next->c_state == CH_HELD)
		master_consume(m, next, next->c_result, next->c_len);
	if (m->m_status == -1 && chunktab_finished(ct))
		master_complete(m);
}

/* A piece of a bisected chunk is done or quarantined: once all of them
 * are, their results joined are the chunk's. */
static void
master_piece_done(struct master *m, struct chunk *p)
{
	struct chunk	*w = chunktab_window(&m->m_chunks, p);

	if (!chunktab_pieces_done(&m->m_chunks, w))
		return;
	chunktab_join(&m->m_chunks, w);
	master_deliver(m, w, w->c_result, w->c_len);
}

/* A chunk's (or a piece's) result, read in place from its worker's arena:
 * a piece keeps a copy until its chunk is whole. */
void
master_result(struct master *m, struct chunk *c, const char *data,
    size_t len)
{
	m->m_stalled_restarts = 0;
	m->m_fails_in_row = 0;
	m->m_successes++;
	if (!IS_PIECE(c->c_id)) {
		master_deliver(m, c, data, len);
		return;
	}
	c->c_result = xmalloc(len);
	memcpy(c->c_result, data, len);
	c->c_len = len;
	c->c_state = CH_DONE;
	master_piece_done(m, c);
}

/* Every chunk is in: the reduced row, if any, is the output. */
static void
master_complete(struct master *m)
{
	char	 err[256], *row;

	if (m->m_conf->reduce != REDUCE_NONE) {
		row = reduce_result(&m->m_reduce, m->m_conf->format, err,
		    sizeof err);
		if (row == NULL) {
			master_end(m, 1, "cannot reduce the results: %s", err);
			return;
		}
		if (output_write(&m->m_out, row, strlen(row)) == -1) {
			free(row);
			master_end(m, EX_IOERR, NULL);
			return;
		}
		free(row);
	}
	m->m_complete = 1;
	master_end(m, m->m_quarantine.q_count > 0 ? 1 : 0, NULL);
}

/* Sorts in place just enough to find the median (quickselect). */
static uint64_t
master_median(uint64_t *v, size_t n)
{
	size_t		lo = 0, hi = n - 1, k = n / 2, i, j;
	uint64_t	pivot, t;

	while (lo < hi) {
		pivot = v[(lo + hi) / 2];
		for (i = lo, j = hi; i <= j; ) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i], v[i] = v[j], v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/*
 * A successful attempt took NS: with chunk_timeout = auto or N%, the
 * deadline is N% of the median of the last MASTER_DURATIONS chunks (from
 * the third on), at least one second; recomputed every 16 chunks.
 */
void
master_record_duration(struct master *m, uint64_t ns)
{
	uint64_t	copy[MASTER_DURATIONS], t;
	size_t		n;

	if (m->m_conf->chunk_timeout_pct == 0)
		return;
	m->m_durations[m->m_ndurations++ % MASTER_DURATIONS] = ns;
	n = m->m_ndurations < MASTER_DURATIONS ? (size_t)m->m_ndurations :
	    MASTER_DURATIONS;
	if (n < 3 || (m->m_ndurations > 16 && m->m_ndurations % 16 != 0))
		return;
	memcpy(copy, m->m_durations, n * sizeof copy[0]);
	t = master_median(copy, n) / 100 * m->m_conf->chunk_timeout_pct;
	t = t < 1000000000 ? 1000000000 : t;
	if (m->m_timeout_ns == 0) {
		/* The first deadline: workers already busy get theirs now,
		 * or one hung on an early chunk would never be timed out. */
		m->m_timeout_ns = t;
		for (n = 0; n < m->m_nslots; n++)
			slot_arm_timeout(m->m_slots[n]);
	}
	m->m_timeout_ns = t;
}

/* The chunk timeout in force, in ns; 0 for none (yet). */
uint64_t
master_timeout_ns(struct master *m)
{
	if (m->m_conf->chunk_timeout_pct != 0)
		return m->m_timeout_ns;
	return m->m_conf->chunk_timeout_ms * 1000000;
}

/* Gives every running worker the chunks it has room for; while draining,
 * ends the job once nothing is in flight. */
void
master_dispatch(struct master *m)
{
	size_t	i;

	if (m->m_draining) {
		if (m->m_status == -1 && master_in_flight(m) == 0)
			master_end(m, EX_TEMPFAIL, NULL);
		return;
	}
	for (i = 0; i < m->m_nslots && m->m_status == -1; i++)
		if (m->m_slots[i]->s_state == SLOT_RUNNING &&
		    m->m_slots[i]->s_nheld < m->m_conf->prefetch)
			chan_fill(m->m_slots[i], 0);
}

/* Chunks held by workers, that is, in flight. */
static size_t
master_in_flight(const struct master *m)
{
	size_t	i, n = 0;

	for (i = 0; i < m->m_nslots; i++)
		n += m->m_slots[i]->s_nheld;
	return n;
}

/*
 * SIGTERM or SIGINT: stop handing out chunks, let the ones in flight finish
 * (their results are delivered) for up to stop_timeout, then stop with 75.
 * A second signal stops at once.
 */
static void
master_signal_cb(int sig, short events, void *arg)
{
	struct master	*m = arg;
	const char	*name = sig == SIGINT ? "SIGINT" : "SIGTERM";
	uint64_t	 ms = m->m_conf->stop_timeout_ms;

	(void)events;
	if (sig == SIGHUP) {
		master_reload(m);
		return;
	}
	if (m->m_draining || ms == 0 || master_in_flight(m) == 0) {
		m->m_stop_now = 1;
		master_end(m, EX_TEMPFAIL, "interrupted by %s; stopping now",
		    name);
		return;
	}
	log_warnx("interrupted by %s; letting %zu chunks in flight finish "
	    "(up to %s; again to stop now)", name, master_in_flight(m),
	    conf_value(m->m_conf, "workers", "stop_timeout"));
	m->m_draining = 1;
	/* The drain may outlast the manager's stop timeout: ask for it,
	 * with a few seconds for the end. */
	notify_send("STATUS=stopping: %zu chunks in flight finish\n"
	    "EXTEND_TIMEOUT_USEC=%llu", master_in_flight(m),
	    (unsigned long long)(ms + 5000) * 1000);
	master_timer_ms(m->m_ev_drain, ms);
}

/* The service manager's view: progress every second, and the watchdog
 * ping at half of WATCHDOG_USEC. */
static void
master_tick_cb(int fd, short events, void *arg)
{
	struct master	*m = arg;

	(void)fd;
	(void)events;
	notify_send("STATUS=%llu chunks done, %.1f MB, %llu worker restarts, "
	    "%llu records quarantined%s", (unsigned long long)m->m_chunks_done,
	    (double)m->m_bytes_done / 1e6, (unsigned long long)m->m_restarts,
	    (unsigned long long)m->m_quarantine.q_count,
	    m->m_draining ? "; stopping" : "");
	if (m->m_watchdog_usec != 0)
		notify_send("WATCHDOG=1");
}

/* Redraws the progress bar. */
static void
master_bar_cb(int fd, short events, void *arg)
{
	struct master		*m = arg;
	const struct conf	*conf = m->m_conf;
	struct progress		 p;

	(void)fd;
	(void)events;
	memset(&p, 0, sizeof p);
	p.p_chunks = m->m_chunks_done;
	p.p_bytes = m->m_bytes_done;
	p.p_seconds = (double)(master_now_ms() - m->m_start_ms) / 1000.0;
	p.p_restarts = m->m_restarts;
	p.p_quarantined = m->m_quarantine.q_count;
	p.p_base_chunks = m->m_resumed_chunks;
	p.p_base_bytes = m->m_resumed_bytes;
	if (conf->split == SPLIT_RANGE) {
		p.p_total = chunk_count(conf->chunk_size,
		    (uint64_t)conf->range_start, (uint64_t)conf->range_end);
		p.p_fraction = (double)p.p_chunks / (double)p.p_total;
		p.p_base_fraction = (double)p.p_base_chunks /
		    (double)p.p_total;
	} else {
		if (conf->split == SPLIT_BYTES)
			p.p_total = chunk_count(conf->chunk_size, 0,
			    m->m_in.in_size);
		p.p_fraction = m->m_in.in_size == 0 ? 0 :
		    (double)p.p_bytes / (double)m->m_in.in_size;
		p.p_base_fraction = m->m_in.in_size == 0 ? 0 :
		    (double)p.p_base_bytes / (double)m->m_in.in_size;
	}
	progress_draw(&p);
}

/* A slot's first worker said HELLO: once every slot has had one, the job
 * is up (READY=1). */
void
master_worker_ready(struct master *m)
{
	if (++m->m_nready >= master_live_slots(m) && !m->m_ready_sent) {
		m->m_ready_sent = 1;
		notify_send("READY=1\nSTATUS=running with %zu workers",
		    m->m_nslots);
		log_debug("all %zu workers are up", m->m_nslots);
	}
}

static void
master_drain_cb(int fd, short events, void *arg)
{
	struct master	*m = arg;

	(void)fd;
	(void)events;
	m->m_stop_now = 1;
	master_end(m, EX_TEMPFAIL, "stop_timeout expired with %zu chunks "
	    "still in flight; stopping them", master_in_flight(m));
}

/*
 * The master reads the input through its mapping (to cut lines chunks) and
 * results through arenas sealed against shrinking: a SIGBUS can only mean
 * the input file was truncated while the job ran. Nothing can be trusted
 * after that; the output is an unnamed file that vanishes with us (where
 * the file system has no O_TMPFILE, its hidden temporary name stays), and
 * the workers follow (parent-death signal).
 */
static void
master_sigbus(int sig)
{
	static const char msg[] = "chunkvisor: the input file shrank while "
	    "the job ran (SIGBUS reading it); stopping\n";
	ssize_t	n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)n;
	_exit(EX_IOERR);
}

static void
master_libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
}

static void
master_libevent_fatal_cb(int err)
{
	fatalx("libevent: fatal error %d", err);
}

/* DIR/NAME if it is executable, else NULL. */
static char *
master_search(const char *dir, const char *name)
{
	char	*path;

	if (dir == NULL || *dir == '\0')
		return NULL;
	path = xasprintf("%s/%s", dir, name);
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/*
 * The worker program. A name with a slash is a path. A bare name is looked
 * up in $CHUNKVISOR_WORKER_DIR, then in workers/ beside the chunkvisor
 * executable (the build tree), then in LIBEXECDIR, then in $PATH (programs
 * only). A command runs under the exec adapter, found the same way.
 */
static int
master_find_worker(struct master *m)
{
	const struct conf	*conf = m->m_conf;
	const char		*name = conf->argv ? "exec" : conf->prog_argv[0];
	char *const		*args = conf->argv ? conf->argv :
				    conf->prog_argv + 1;
	char			 exe[PATH_MAX], *dir, *path = NULL, *p, *s;
	ssize_t			 n;
	int			 argc, i;

	if (strchr(name, '/') != NULL)
		path = xstrdup(name);
	if (path == NULL)
		path = master_search(getenv("CHUNKVISOR_WORKER_DIR"), name);
	if (path == NULL &&
	    (n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		if ((p = strrchr(exe, '/')) != NULL)
			*p = '\0';
		dir = xasprintf("%s/workers", exe);
		path = master_search(dir, name);
		free(dir);
	}
	if (path == NULL)
		path = master_search(LIBEXECDIR, name);
	if (path == NULL && conf->argv == NULL && getenv("PATH") != NULL) {
		p = xstrdup(getenv("PATH"));
		for (s = strtok(p, ":"); s != NULL && path == NULL;
		    s = strtok(NULL, ":"))
			path = master_search(s, name);
		free(p);
	}
	if (path == NULL) {
		log_warnx("cannot find worker %s '%s' in $CHUNKVISOR_WORKER_DIR, "
		    "the workers/ directory beside chunkvisor, %s%s",
		    conf->argv ? "adapter" : "program", name, LIBEXECDIR,
		    conf->argv ? "" : " or $PATH");
		return EX_UNAVAILABLE;
	}
	m->m_worker_path = path;
	for (argc = 0; args[argc] != NULL; argc++)
		;
	m->m_worker_argv = xcalloc((size_t)argc + 2, sizeof(char *));
	m->m_worker_argv[0] = path;
	for (i = 0; i < argc; i++)
		m->m_worker_argv[i + 1] = args[i];
	return 0;
}

/* Everything up to the first spawn. Returns 0 or the exit status. */
static int
master_setup(struct master *m)
{
	const struct conf	*conf = m->m_conf;
	static const int	 sigs[4] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	struct stat		 st;
	size_t			 i, n, window;
	int			 rc, notifying;

	/* First: a resume or a large input may take a while before READY. */
	notifying = notify_init();
	if ((rc = master_find_worker(m)) != 0)
		return rc;
	if (conf->split != SPLIT_RANGE &&
	    (rc = input_open(&m->m_in, conf->input)) != 0)
		return rc;
	if ((rc = journal_open(&m->m_jr, conf, &m->m_in)) != 0)
		return rc;
	if (m->m_jr.j_complete)
		return commit_complete_again(m);
	if ((rc = output_open(&m->m_out, conf->output,
	    m->m_jr.j_path != NULL ? OUTPUT_JOURNALED : OUTPUT_PLAIN)) != 0)
		return rc;
	/* The reorder window: room for every chunk in flight several times
	 * over, so one slow chunk does not idle the others at once. */
	window = (size_t)(conf->workers * conf->prefetch * 4);
	chunktab_init(&m->m_chunks, window < 64 ? 64 : window, conf->split,
	    conf->chunk_size, m->m_in.in_data,
	    conf->split == SPLIT_RANGE ? (uint64_t)conf->range_start : 0,
	    conf->split == SPLIT_RANGE ? (uint64_t)conf->range_end :
	    m->m_in.in_size);
	reduce_init(&m->m_reduce, conf->reduce);
	/* The master may have to hold a result (order = keep): one larger
	 * than a quarter of the machine's memory is taken as a fault. */
	m->m_result_max = (uint64_t)sysconf(_SC_PHYS_PAGES) *
	    (uint64_t)sysconf(_SC_PAGESIZE) / 4;
	/* The quarantine file lists this run's records (a resumed run's
	 * include the earlier ones): one left by an earlier run goes. */
	if (lstat(conf->quarantine, &st) == 0 && S_ISREG(st.st_mode) &&
	    unlink(conf->quarantine) == -1)
		log_warn("cannot remove the old quarantine file %s",
		    conf->quarantine);
	quarantine_init(&m->m_quarantine, conf->quarantine, conf->split,
	    m->m_in.in_data);
	if ((rc = commit_resume(m)) != 0)
		return rc;
	if (commit_begin(m) == -1)
		return EX_IOERR;
	if (attemptlog_open(&m->m_log, conf->attempt_log, conf->split,
	    m->m_jr.j_nrecs > 0) == -1)
		return EX_CANTCREAT;
	m->m_restart_ms = xcalloc((size_t)conf->max_restarts + 1,
	    sizeof *m->m_restart_ms);
	for (n = 0; environ[n] != NULL; n++)
		;
	m->m_environ = xcalloc(n + 1, sizeof(char *));
	for (i = 0, n = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "CHUNKVISOR_", 11) != 0 ||
		    strncmp(environ[i], "CHUNKVISOR_WORKER_DIR=", 22) == 0)
			m->m_environ[n++] = environ[i];
	event_set_log_callback(master_libevent_log_cb);
	event_set_fatal_callback(master_libevent_fatal_cb);
	if ((m->m_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/* What a dead worker leaves running becomes ours to reap and kill,
	 * not init's: see slot_reap_orphans(). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl(PR_SET_CHILD_SUBREAPER)");
	for (i = 0; i < 4; i++) {
		m->m_sig[i] = evsignal_new(m->m_base, sigs[i],
		    sigs[i] == SIGCHLD ? slot_reap_cb : master_signal_cb, m);
		if (m->m_sig[i] == NULL || event_add(m->m_sig[i], NULL) == -1)
			fatalx("cannot watch signal %d", sigs[i]);
	}
	if ((m->m_ev_drain = evtimer_new(m->m_base, master_drain_cb, m)) ==
	    NULL)
		fatalx("evtimer_new failed");
	if (commit_on(m))
		commit_arm(m);
	/* The bar: on a terminal unless -q or --no-progress; anywhere with
	 * --progress. */
	if (conf->progress == 1 || (conf->progress == -1 &&
	    isatty(STDERR_FILENO) && log_getlevel() != LOG_QUIET)) {
		struct timeval	tv = { 0, 100000 };

		m->m_ev_bar = event_new(m->m_base, -1, EV_PERSIST,
		    master_bar_cb, m);
		if (m->m_ev_bar == NULL || event_add(m->m_ev_bar, &tv) == -1)
			fatalx("cannot arm the progress bar");
	}
	if (notifying) {
		uint64_t	 usec = 1000000;
		struct timeval	 tv;

		m->m_watchdog_usec = notify_watchdog_usec();
		if (m->m_watchdog_usec != 0 && m->m_watchdog_usec < usec)
			usec = m->m_watchdog_usec;
		m->m_ev_tick = event_new(m->m_base, -1, EV_PERSIST,
		    master_tick_cb, m);
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		if (m->m_ev_tick == NULL || event_add(m->m_ev_tick, &tv) == -1)
			fatalx("cannot arm the notification timer");
	}
	m->m_nslots = (size_t)conf->workers;
	m->m_slots = xcalloc(m->m_nslots, sizeof *m->m_slots);
	for (i = 0; i < m->m_nslots; i++)
		m->m_slots[i] = slot_new(m, (int)i);
	return 0;
}

/* "upper: done: 153 chunks, 12.3 MB in 0.84 s (14.6 MB/s); ..." into BUF
 * of LEN: the summary line, for stderr and the journal. Rates are this
 * run's; chunks done by earlier runs (--resume) are counted and said. */
static void
master_summary(struct master *m, char *buf, size_t len)
{
	double	secs = (double)(master_now_ms() - m->m_start_ms) / 1000.0;
	double	mb = (double)m->m_bytes_done / 1e6;
	double	run_mb = (double)(m->m_bytes_done - m->m_resumed_bytes) / 1e6;
	size_t	n;

#define ADD(...)	do {						\
	if (n < len)							\
		n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);	\
} while (0)
	n = 0;
	if (secs <= 0)
		secs = 0.001;
	ADD("%s: %s: %llu chunks", m->m_conf->name,
	    m->m_complete ? "done" : "stopped",
	    (unsigned long long)m->m_chunks_done);
	if (m->m_resumed_chunks > 0)
		ADD(" (%llu by earlier runs)",
		    (unsigned long long)m->m_resumed_chunks);
	if (m->m_conf->split != SPLIT_RANGE)
		ADD(", %.1f MB", mb);
	ADD(" in %.2f s (", secs);
	if (m->m_conf->split != SPLIT_RANGE)
		ADD("%.1f MB/s", run_mb / secs);
	else
		ADD("%.0f chunks/s", (double)(m->m_chunks_done -
		    m->m_resumed_chunks) / secs);
	ADD("); %llu worker restarts, %llu failed attempts",
	    (unsigned long long)m->m_restarts,
	    (unsigned long long)m->m_retries);
	if (m->m_quarantine.q_count > 0)
		ADD(", %llu records quarantined in %s",
		    (unsigned long long)m->m_quarantine.q_count,
		    m->m_quarantine.q_path);
#undef ADD
}

static void
master_free(struct master *m)
{
	size_t	i;

	for (i = 0; i < m->m_nslots; i++)
		slot_free(m->m_slots[i]);
	free(m->m_slots);
	for (i = 0; i < 4; i++)
		if (m->m_sig[i] != NULL)
			event_free(m->m_sig[i]);
	if (m->m_ev_drain != NULL)
		event_free(m->m_ev_drain);
	if (m->m_ev_tick != NULL)
		event_free(m->m_ev_tick);
	if (m->m_ev_bar != NULL)
		event_free(m->m_ev_bar);
	if (m->m_ev_sync != NULL)
		event_free(m->m_ev_sync);
	if (m->m_ev_flush != NULL)
		event_free(m->m_ev_flush);
	notify_close();
	if (m->m_base != NULL)
		event_base_free(m->m_base);
	chunktab_free(&m->m_chunks);
	reduce_free(&m->m_reduce);
	input_close(&m->m_in);
	free(m->m_restart_ms);
	free(m->m_environ);
	free(m->m_worker_argv);
	free(m->m_worker_path);
}

/* Runs the job CONF describes; RELOAD reads it again (SIGHUP), or is
 * NULL. Returns the exit status. */
int
master_run(struct conf *conf, int (*reload)(struct conf *))
{
	struct master	 m;
	sigset_t	 block, old;
	size_t		 i;
	int		 rc, done;
	char		 summary[1024];

	memset(&m, 0, sizeof m);
	m.m_conf = conf;
	m.m_reload = reload;
	m.m_status = -1;
	m.m_in.in_fd = -1;
	m.m_out.o_fd = -1;
	journal_init(&m.m_jr);
	m.m_start_ms = master_now_ms();
	/* Until the signal events are set up (and while a resumed run checks
	 * and replays what it takes up), signals wait; a reader gone from a
	 * stream output is a write error, not a death. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGBUS, master_sigbus);
	rc = master_setup(&m);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		commit_close(&m, 0);
		master_free(&m);
		return rc == -1 ? 0 : rc;
	}
	/* A resumed job may have nothing left to run. */
	master_catch_up(&m);
	for (i = 0; i < m.m_nslots && m.m_status == -1; i++)
		slot_spawn(m.m_slots[i]);
	if (m.m_status == -1)
		event_base_dispatch(m.m_base);
	slot_teardown(&m, m.m_status == EX_TEMPFAIL);
	if (quarantine_close(&m.m_quarantine) == -1 && m.m_status <= 1)
		m.m_status = EX_IOERR;
	if (attemptlog_close(&m.m_log) == -1 && m.m_status <= 1)
		m.m_status = EX_IOERR;
	/* Complete, quarantined records aside: the rest is delivered. The
	 * journal says so before the output gets its name. */
	done = m.m_complete && m.m_status <= 1;
	master_summary(&m, summary, sizeof summary);
	if (commit_end(&m, summary, done) == -1 && done) {
		m.m_status = EX_IOERR;
		done = 0;
	}
	if (done && (rc = output_commit(&m.m_out)) != 0) {
		m.m_status = rc;
		done = 0;
	}
	commit_close(&m, done);
	log_line_start();	/* the progress bar goes */
	if (log_getlevel() != LOG_QUIET)
		fprintf(stderr, "chunkvisor: %s\n", summary);
	rc = m.m_status;
	master_free(&m);
	return rc;
}
