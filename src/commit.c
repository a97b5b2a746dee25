/*
 * commit.c: the master's side of the journal. Every result is committed as
 * it is consumed in its turn (W) or held for it (H, in the spool); the
 * group commit runs every sync_interval; and --resume takes up an
 * interrupted run: committed results are read back and checked, chunks
 * before the first missing one are retired, held ones are held again,
 * quarantined records are quarantined again, and only the rest runs.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/event.h>

#include "log.h"
#include "master.h"
#include "notify.h"
#include "xmalloc.h"

/* A held result read back, waiting to see whether it was consumed. */
struct stash {
	const struct jrec	*s_rec;
	char			*s_data;
};

static int	commit_out_fd(const struct master *);
static void	commit_soon(struct master *);
static void	commit_sync_cb(int, short, void *);
static void	commit_flush_cb(int, short, void *);
static int	commit_cmp_id(const void *, const void *);
static int	commit_verify(struct master *, struct stash **, size_t *);
static int	commit_rebuild(struct master *, struct stash *, size_t);
static int	commit_requarantine(struct master *);

int
commit_on(const struct master *m)
{
	return m->m_jr.j_fd != -1;
}

/* The output's descriptor if it is a file to make durable, else -1. */
static int
commit_out_fd(const struct master *m)
{
	return m->m_out.o_path != NULL ? m->m_out.o_fd : -1;
}

/* The counters over all runs, for the T records. */
void
commit_stats(const struct master *m, struct jstats *st)
{
	const struct jstats	*base = &m->m_jr.j_stats;

	memset(st, 0, sizeof *st);
	st->st_done = m->m_chunks_done;
	st->st_bytes = m->m_bytes_done;
	st->st_failed = base->st_failed + m->m_retries;
	st->st_restarts = base->st_restarts + m->m_restarts;
	st->st_quarantined = m->m_quarantine.q_count;
}

/* Records were added: once this round of events is done, they are
 * written to the journal (which a killed master leaves in the page cache:
 * the next run takes them, checked against their results), and with
 * sync_interval = 0 made durable at once. */
static void
commit_soon(struct master *m)
{
	if (m->m_conf->sync_interval_ms == 0 && m->m_ev_sync != NULL)
		event_active(m->m_ev_sync, EV_TIMEOUT, 0);
	else if (m->m_ev_flush != NULL)
		event_active(m->m_ev_flush, EV_TIMEOUT, 0);
}

static void
commit_flush_cb(int fd, short events, void *arg)
{
	struct master	*m = arg;

	(void)fd;
	(void)events;
	if (m->m_status == -1 && journal_flush(&m->m_jr) == -1)
		master_end(m, EX_IOERR, "stopping: what is done cannot be "
		    "recorded (the journal keeps what was)");
}

/*
 * Before chunk C's result DATA is consumed: where it will be read from on
 * resume. A file output holds it itself; reduce and stream outputs (whose
 * bytes are gone once written) keep it in the spool. Returns 0 and *OFF
 * (the spool offset, or unused), or -1 with the message printed.
 */
int
commit_before_consume(struct master *m, struct chunk *c, const char *data,
    size_t len, uint64_t *off)
{
	if (m->m_conf->reduce == REDUCE_NONE && m->m_out.o_path != NULL)
		return 0;
	if (c->c_spooled != 0) {
		*off = c->c_spooled - 1;
		return 0;
	}
	return journal_spool(&m->m_jr, data, len, off);
}

/* Chunk C's result DATA was consumed in its turn: record it. OFF is what
 * commit_before_consume gave. */
void
commit_consumed(struct master *m, const struct chunk *c, const char *data,
    size_t len, uint64_t off)
{
	int	in_output = m->m_conf->reduce == REDUCE_NONE &&
		    m->m_out.o_path != NULL;

	journal_chunk(&m->m_jr, 'W', c->c_id, c->c_start, c->c_end,
	    in_output ? 'o' : 's', in_output ? m->m_out.o_bytes - len : off,
	    data, len);
	if (in_output)
		journal_kick(m->m_out.o_fd, &m->m_jr.j_out_kicked,
		    m->m_out.o_bytes);
	commit_soon(m);
}

/* A chunk is done and held for its turn: the next group commit spools it
 * (unless its turn has come by then: most held results never need to). */
void
commit_held(struct master *m)
{
	commit_soon(m);
}

/* The results held at a group commit go to the spool, so that they never
 * run again. Returns 0 or -1, with the message printed. */
static int
commit_spool_held(struct master *m)
{
	struct chunktab	*ct = &m->m_chunks;
	struct chunk	*c;
	uint64_t	 id, off;

	for (id = ct->ct_base; id < ct->ct_next; id++) {
		if ((c = chunktab_get(ct, id)) == NULL ||
		    c->c_state != CH_HELD || c->c_spooled != 0)
			continue;
		if (journal_spool(&m->m_jr, c->c_result, c->c_len, &off) == -1)
			return -1;
		c->c_spooled = off + 1;
		journal_chunk(&m->m_jr, 'H', c->c_id, c->c_start, c->c_end,
		    's', off, c->c_result, c->c_len);
	}
	return 0;
}

void
commit_quarantined(struct master *m, uint64_t id, uint64_t start,
    uint64_t end, const char *why)
{
	if (commit_on(m))
		journal_quarantine(&m->m_jr, id, start, end, why);
}

/*
 * --resume finds the journal of a complete job: kept (keep = yes), or left
 * by a run stopped between its last record and the journal's removal, or
 * even before its output got its name: that is done now. Returns -1
 * (nothing to run: exit 0) or the exit status.
 */
int
commit_complete_again(struct master *m)
{
	const struct conf	*conf = m->m_conf;
	int			 rc;

	rc = output_open(&m->m_out, conf->output, OUTPUT_LEFT);
	if (rc == 0 && m->m_out.o_keep) {
		log_warnx("job %s is complete; its last run stopped before "
		    "naming the output: %s is complete now", conf->name,
		    conf->output);
		if ((rc = output_commit(&m->m_out)) != 0)
			return rc;
	} else if (rc > 0)
		return rc;
	output_abort(&m->m_out);
	if (conf->keep) {
		log_warnx("job %s is complete already (journal %s, kept with "
		    "[state] keep = yes): nothing to do; --fresh runs it again",
		    conf->name, m->m_jr.j_path);
		return -1;
	}
	log_warnx("job %s is complete already: removing the journal %s its "
	    "last run left", conf->name, m->m_jr.j_path);
	journal_close(&m->m_jr, 1);
	return -1;
}

/* The run begins (after commit_resume): its B record. Returns 0 or -1. */
int
commit_begin(struct master *m)
{
	return journal_begin(&m->m_jr, commit_out_fd(m));
}

/* The group commit. Returns 0 or -1, with the message printed. */
int
commit_sync(struct master *m)
{
	struct jstats	st;

	if (!commit_on(m))
		return 0;
	if (commit_spool_held(m) == -1)
		return -1;
	commit_stats(m, &st);
	return journal_sync(&m->m_jr, commit_out_fd(m), &st, 0);
}

/* (Re)arms the group commit: every sync_interval, or with 0 on demand
 * (commit_soon). */
void
commit_arm(struct master *m)
{
	uint64_t	ms = m->m_conf->sync_interval_ms;

	if (m->m_ev_flush == NULL &&
	    (m->m_ev_flush = event_new(m->m_base, -1, 0, commit_flush_cb,
	    m)) == NULL)
		fatalx("cannot arm the journal");
	if (m->m_ev_sync != NULL)
		event_free(m->m_ev_sync);
	m->m_ev_sync = event_new(m->m_base, -1, ms > 0 ? EV_PERSIST : 0,
	    commit_sync_cb, m);
	if (m->m_ev_sync == NULL)
		fatalx("cannot arm the group commit");
	if (ms > 0)
		master_timer_ms(m->m_ev_sync, ms);
}

static void
commit_sync_cb(int fd, short events, void *arg)
{
	struct master	*m = arg;

	(void)fd;
	(void)events;
	if (m->m_status == -1 && commit_sync(m) == -1)
		master_end(m, EX_IOERR, "stopping: what is done cannot be "
		    "committed (the journal keeps what was)");
}

/*
 * The run ends: the summary and (COMPLETE) the C record committed. Then,
 * once the output has its name, commit_close removes the journal, unless
 * [state] keep.
 */
int
commit_end(struct master *m, const char *summary, int complete)
{
	struct jstats	st;

	if (!commit_on(m))
		return 0;
	if (!complete && commit_spool_held(m) == -1)
		return -1;
	commit_stats(m, &st);
	return journal_end(&m->m_jr, commit_out_fd(m), &st, summary,
	    complete);
}

/* Closes the journal, and the output of a job not COMPLETE: the journal
 * is removed with a complete job (unless keep), or when nothing was ever
 * committed (with the partial output: nothing to resume); else the two are
 * kept for --resume. */
void
commit_close(struct master *m, int complete)
{
	if (m->m_jr.j_path == NULL) {
		if (!complete)
			output_abort(&m->m_out);
		return;
	}
	if (!complete && m->m_jr.j_commits == 0) {
		output_discard(&m->m_out);
		journal_close(&m->m_jr, 1);
		return;
	}
	if (!complete)
		output_abort(&m->m_out);
	if (!complete && m->m_status != -1 && log_getlevel() != LOG_QUIET)
		log_warnx("the journal %s keeps %llu committed chunks: run "
		    "again with --resume to finish the job",
		    m->m_jr.j_path, (unsigned long long)m->m_chunks_done);
	journal_close(&m->m_jr, complete && !m->m_conf->keep);
}

static int
commit_cmp_id(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Whether record I's result in the partial output, mapped at MAP of SIZE
 * bytes, is there and (unless an earlier run checked it) matches its hash.
 */
static int
commit_in_output(const struct journal *j, size_t i, const char *map,
    uint64_t size)
{
	const struct jrec	*r = &j->j_recs[i];

	if (r->r_off > size || r->r_len > size - r->r_off)
		return 0;
	return i < j->j_verified || journal_hash(map != NULL ?
	    map + r->r_off : "", (size_t)r->r_len) == r->r_hash;
}

/*
 * Reads back the committed results in journal order and checks them: the
 * consumed ones of a stream or reduce are replayed (written or reduced
 * again, in the order they were), the held ones stashed; those in the
 * partial output are checked in place, once (an earlier resume checked
 * what came before its B record). The first record whose result is
 * missing or damaged ends the journal there. Returns 0 or the exit status.
 */
static int
commit_verify(struct master *m, struct stash **stashp, size_t *nstashp)
{
	struct journal		*j = &m->m_jr;
	const struct jrec	*r;
	struct stash		*stash = NULL;
	struct stat		 st;
	size_t			 i, k, nstash = 0;
	uint64_t		 outlen = 0, size = 0;
	char			*data, *map = NULL, err[256];
	int			 ok;

	if (commit_out_fd(m) != -1 && fstat(m->m_out.o_fd, &st) == 0 &&
	    st.st_size > 0) {
		size = (uint64_t)st.st_size;
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED,
		    m->m_out.o_fd, 0);
		if (map == MAP_FAILED)
			fatal("mmap %s", m->m_out.o_tmp);
	}
	for (i = 0; i < j->j_nrecs; i++) {
		r = &j->j_recs[i];
		if (r->r_type == 'Q')
			continue;
		data = NULL;
		ok = r->r_where == 'o' ? commit_in_output(j, i, map, size) :
		    journal_fetch(j, r, -1, &data) == 0;
		if (!ok) {
			log_warnx("journal %s: chunk %llu's committed result "
			    "(%s) is missing or damaged; dropping it and the "
			    "%zu records after it (those chunks run again)",
			    j->j_path, (unsigned long long)r->r_id,
			    r->r_where == 'o' ? m->m_out.o_tmp :
			    j->j_spool_path, j->j_nrecs - i - 1);
			break;
		}
		if (r->r_type == 'H') {
			stash = xreallocarray(stash, nstash + 1,
			    sizeof *stash);
			stash[nstash++] = (struct stash){ r, data };
			continue;
		}
		for (k = 0; k < nstash; k++)
			if (stash[k].s_rec->r_id == r->r_id) {
				free(stash[k].s_data);
				stash[k] = stash[--nstash];
				break;
			}
		if (r->r_where == 'o')
			outlen = r->r_off + r->r_len;
		else if (m->m_conf->reduce != REDUCE_NONE) {
			if (reduce_add(&m->m_reduce, data, (size_t)r->r_len,
			    err, sizeof err) == -1)
				fatalx("journal %s: chunk %llu's result "
				    "cannot be reduced: %s", j->j_path,
				    (unsigned long long)r->r_id, err);
		} else if (output_write(&m->m_out, data, (size_t)r->r_len) ==
		    -1) {
			free(data);
			free(stash);
			if (map != NULL)
				munmap(map, (size_t)size);
			return EX_IOERR;
		}
		free(data);
	}
	if (map != NULL)
		munmap(map, (size_t)size);
	if (journal_drop(j, i) == -1) {
		for (k = 0; k < nstash; k++)
			free(stash[k].s_data);
		free(stash);
		return EX_IOERR;
	}
	*stashp = stash;
	*nstashp = nstash;
	return output_resume(&m->m_out, outlen) == -1 ? EX_IOERR : 0;
}

/*
 * The chunk table as the journal left it: chunks consumed (all before the
 * first that was not, and any after it with order = any) retired, held ones
 * held again, the others queued, cut where they were cut before.
 */
static int
commit_rebuild(struct master *m, struct stash *stash, size_t nstash)
{
	struct journal		*j = &m->m_jr;
	struct chunktab		*ct = &m->m_chunks;
	const struct jrec	*r, **byid;
	struct chunk		*c;
	uint64_t		*ids, base = 0, last = 0, pos, id;
	size_t			 i, n = 0, k, window;

	ids = xcalloc(j->j_nrecs + 1, sizeof *ids);
	for (i = 0; i < j->j_nrecs; i++)
		if (j->j_recs[i].r_type == 'W')
			ids[n++] = j->j_recs[i].r_id;
	qsort(ids, n, sizeof *ids, commit_cmp_id);
	while (base < n && ids[base] == base)
		base++;
	last = n > 0 ? ids[n - 1] + 1 : 0;
	for (k = 0; k < nstash; k++)
		if (stash[k].s_rec->r_id + 1 > last)
			last = stash[k].s_rec->r_id + 1;
	last = last < base ? base : last;
	/* Every chunk from base to last, by id: its W or H record. */
	byid = xcalloc((size_t)(last - base) + 1, sizeof *byid);
	for (i = 0; i < j->j_nrecs; i++) {
		r = &j->j_recs[i];
		if (r->r_type != 'Q' && r->r_id >= base && r->r_id < last &&
		    (r->r_type == 'W' || byid[r->r_id - base] == NULL))
			byid[r->r_id - base] = r;
	}
	pos = m->m_conf->split == SPLIT_RANGE ?
	    (uint64_t)m->m_conf->range_start : 0;
	for (i = 0; base > 0 && i < j->j_nrecs; i++)
		if (j->j_recs[i].r_type == 'W' &&
		    j->j_recs[i].r_id == base - 1)
			pos = j->j_recs[i].r_end;
	window = ct->ct_cap;
	if (last - base > window) {
		window = (size_t)(last - base);
		chunktab_free(ct);
		chunktab_init(ct, window, m->m_conf->split,
		    m->m_conf->chunk_size, m->m_in.in_data,
		    m->m_conf->split == SPLIT_RANGE ?
		    (uint64_t)m->m_conf->range_start : 0,
		    m->m_conf->split == SPLIT_RANGE ?
		    (uint64_t)m->m_conf->range_end : m->m_in.in_size);
	}
	chunktab_resume(ct, base, pos);
	m->m_chunks_done = n;
	for (id = base; id < last; id++) {
		r = byid[id - base];
		if ((c = chunktab_cut_next(ct)) == NULL || (r != NULL &&
		    (c->c_start != r->r_start || c->c_end != r->r_end))) {
			log_warnx("journal %s does not match the input: chunk "
			    "%llu was cut elsewhere; use --fresh",
			    j->j_path, (unsigned long long)id);
			free(byid);
			free(ids);
			return EX_CONFIG;
		}
		if (r != NULL && r->r_type == 'W')
			chunktab_retire(ct, c);
		else if (r != NULL) {
			for (k = 0; stash[k].s_rec != r; k++)
				;
			c->c_result = stash[k].s_data;
			stash[k].s_data = NULL;
			c->c_len = (size_t)r->r_len;
			c->c_spooled = r->r_off + 1;
			c->c_state = CH_HELD;
		} else
			chunktab_requeue(ct, c);
	}
	if (m->m_conf->split != SPLIT_RANGE)
		for (i = 0; i < j->j_nrecs; i++)
			if (j->j_recs[i].r_type == 'W')
				m->m_bytes_done += j->j_recs[i].r_end -
				    j->j_recs[i].r_start;
	free(byid);
	free(ids);
	return 0;
}

/* The records quarantined in chunks the journal committed are quarantined
 * again (each once); the others are found again when their chunk runs. */
static int
commit_requarantine(struct master *m)
{
	const struct journal	*j = &m->m_jr;
	const struct jrec	*q, *r;
	size_t			 i, k;
	int			 kept, n;

	for (i = 0; i < j->j_nrecs; i++) {
		q = &j->j_recs[i];
		if (q->r_type != 'Q')
			continue;
		for (k = 0, kept = 0; k < j->j_nrecs && !kept; k++) {
			r = &j->j_recs[k];
			kept = r->r_type != 'Q' && r->r_id == q->r_id;
		}
		for (k = 0; k < i && kept; k++) {
			r = &j->j_recs[k];
			kept = !(r->r_type == 'Q' && r->r_id == q->r_id &&
			    r->r_start == q->r_start && r->r_end == q->r_end);
		}
		if (kept && (n = quarantine_add(&m->m_quarantine, q->r_id,
		    q->r_start, q->r_end, q->r_why)) < 0)
			return n == QUARANTINE_IOERR ? EX_IOERR : EX_CANTCREAT;
	}
	return 0;
}

/*
 * Takes up the run the journal records (--resume), after the output and
 * the chunk table are set up; a new journal only empties the partial
 * output. Returns 0 or the exit status.
 */
int
commit_resume(struct master *m)
{
	struct stash	*stash = NULL;
	size_t		 nstash = 0, k;
	uint64_t	 bytes = 0;
	int		 rc;

	if (!commit_on(m))
		return 0;
	if (m->m_jr.j_nrecs == 0)
		return output_resume(&m->m_out, 0) == -1 ? EX_IOERR : 0;
	/* Every committed result is read back: a service manager waiting
	 * for READY is told it may take a while (at 50 MB/s, plus 10 s). */
	for (k = 0; k < m->m_jr.j_nrecs; k++)
		bytes += m->m_jr.j_recs[k].r_len;
	notify_send("STATUS=resuming: checking %.1f MB of committed results\n"
	    "EXTEND_TIMEOUT_USEC=%llu", (double)bytes / 1e6,
	    (unsigned long long)(10 + bytes / 50000000) * 1000000);
	if ((rc = commit_verify(m, &stash, &nstash)) == 0 &&
	    (rc = commit_rebuild(m, stash, nstash)) == 0 &&
	    (rc = commit_requarantine(m)) == 0) {
		m->m_resumed_chunks = m->m_chunks_done;
		m->m_resumed_bytes = m->m_bytes_done;
		log_info("resuming job %s from journal %s: %llu chunks done "
		    "before, %zu held", m->m_conf->name, m->m_jr.j_path,
		    (unsigned long long)m->m_chunks_done, nstash);
	}
	for (k = 0; k < nstash; k++)
		free(stash[k].s_data);
	free(stash);
	return rc;
}
