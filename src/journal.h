/* journal.h: the job's journal ([state] journal): what a master killed at
 * any moment has committed, so that --resume runs only the rest. */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct input;

/* A record of the journal: a chunk's result (W consumed in its turn, H
 * done and held), or quarantined records (Q). */
struct jrec {
	int		 r_type;	/* 'W', 'H' or 'Q' */
	int		 r_where;	/* 'o' the output, 's' the spool */
	uint64_t	 r_id;
	uint64_t	 r_start, r_end;
	uint64_t	 r_off, r_len, r_hash;
	char		*r_why;		/* Q */
	uint64_t	 r_at;		/* the line's offset in the journal */
};

/* Counters, over all runs of the job: the T records. */
struct jstats {
	uint64_t	 st_time_ms;	/* wall clock */
	uint64_t	 st_done;	/* chunks consumed */
	uint64_t	 st_bytes;	/* input bytes in them */
	uint64_t	 st_failed;	/* failed attempts */
	uint64_t	 st_restarts;
	uint64_t	 st_quarantined;
};

struct journal {
	char		*j_path;	/* NULL: no journal */
	char		*j_spool_path;
	int		 j_fd;
	int		 j_spool_fd;
	uint64_t	 j_spool_end;
	int		 j_spool_dirty;
	char		*j_pend;	/* records not yet written */
	size_t		 j_npend, j_pendcap;
	int		 j_unsynced;	/* written, not yet made durable */
	uint64_t	 j_commits;	/* chunk records, loaded and new */
	uint64_t	 j_last_t_ms;	/* monotonic: the last T written */
	uint64_t	 j_out_kicked;	/* output bytes sent to the disk */
	uint64_t	 j_spool_kicked;
	/* What was read from an existing journal. */
	struct jrec	*j_recs;
	size_t		 j_nrecs;
	size_t		 j_verified;	/* records checked by an earlier run */
	char		**j_keys;	/* "key ..." and "input ..." lines */
	size_t		 j_nkeys;
	struct jstats	 j_stats;	/* the last T */
	struct jstats	 j_run_stats;	/* the T before the last B */
	uint64_t	 j_started_ms;	/* the first B */
	uint64_t	 j_run_ms;	/* the last B */
	uint64_t	 j_runs;
	pid_t		 j_pid;		/* the last B's */
	int		 j_complete;	/* a C record */
	char		*j_summary;	/* the last E */
	uint64_t	 j_good;	/* bytes of whole, valid lines */
};

void	 journal_init(struct journal *);
int	 journal_open(struct journal *, const struct conf *,
	    const struct input *);
int	 journal_read(struct journal *, const char *, int);
int	 journal_begin(struct journal *, int);
int	 journal_spool(struct journal *, const void *, size_t, uint64_t *);
void	 journal_chunk(struct journal *, int, uint64_t, uint64_t, uint64_t,
	    int, uint64_t, const void *, size_t);
void	 journal_quarantine(struct journal *, uint64_t, uint64_t, uint64_t,
	    const char *);
int	 journal_flush(struct journal *);
void	 journal_kick(int, uint64_t *, uint64_t);
int	 journal_sync(struct journal *, int, const struct jstats *, int);
int	 journal_end(struct journal *, int, const struct jstats *,
	    const char *, int);
int	 journal_fetch(struct journal *, const struct jrec *, int, char **);
int	 journal_drop(struct journal *, size_t);
void	 journal_close(struct journal *, int);
uint64_t journal_hash(const void *, size_t);
pid_t	 journal_lock_pid(int);
uint64_t journal_wall_ms(void);

#endif
