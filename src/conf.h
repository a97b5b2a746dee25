/* conf.h: the job's configuration: the key table, the job file loader (inih
 * behind a line-counting reader), command-line overrides, validation and the
 * effective-configuration listing of `chunkvisor check`. */
#ifndef CONF_H
#define CONF_H

#include <stdint.h>
#include <stdio.h>

enum split_kind { SPLIT_LINES, SPLIT_BYTES, SPLIT_RANGE };
enum order_kind { ORDER_KEEP, ORDER_ANY };
enum poison_kind { POISON_SKIP, POISON_FAIL };
enum reduce_kind { REDUCE_NONE, REDUCE_SUM, REDUCE_MIN, REDUCE_MAX,
	REDUCE_MEAN };

enum resume_kind { RESUME_NONE, RESUME_CONTINUE, RESUME_FRESH };

enum conf_origin { ORIGIN_DEFAULT, ORIGIN_FILE, ORIGIN_CMDLINE };

/* Where a key's value came from, and its text as given. */
struct conf_val {
	char	*v_text;
	int	 v_origin;
	int	 v_line;	/* ORIGIN_FILE */
	char	*v_flag;	/* ORIGIN_CMDLINE: the flag as typed */
};

#define CONF_NKEYS	32

struct conf {
	/* [job] */
	char		*name;
	char		*input;
	int		 split;
	uint64_t	 chunk_size;
	int64_t		 range_start;
	int64_t		 range_end;
	char		*output;
	int		 order;
	int		 reduce;
	char		*format;
	int		 format_columns;	/* conversions in format */
	uint64_t	 seed;
	/* [workers] */
	uint64_t	 workers;		/* 0 until resolved: auto */
	char		*command;
	char		**argv;			/* command, split into words */
	char		*program;
	char		**prog_argv;		/* program, split into words */
	uint64_t	 prefetch;
	uint64_t	 chunk_timeout_ms;
	uint64_t	 chunk_timeout_pct;	/* auto: 300; 0: fixed */
	uint64_t	 stop_timeout_ms;
	uint64_t	 max_attempts;
	uint64_t	 restart_backoff_ms;
	uint64_t	 restart_backoff_max_ms;
	uint64_t	 max_restarts;
	uint64_t	 restart_window_ms;
	uint64_t	 memory_limit;
	int		 timeout_signal;	/* 0: SIGKILL at once */
	uint64_t	 timeout_grace_ms;
	/* [failure] */
	int		 bisect;
	uint64_t	 bisect_min;
	int		 on_poison;
	char		*quarantine;
	/* [state] */
	char		*journal;		/* NULL: none */
	uint64_t	 sync_interval_ms;
	int		 keep;
	char		*attempt_log;

	/* Options of `run` that are no job-file key. */
	int		 progress;	/* -1: on a terminal, 0 off, 1 on */
	int		 resume;	/* RESUME_* */
	int		 json;		/* status --json */

	/* Bookkeeping for messages and `check`. */
	char		*path;			/* the job file, or NULL */
	struct conf_val	 vals[CONF_NKEYS];
	int		 section_line[4];	/* by sections[] in conf.c */
	int		 last_line;
};

void	conf_init(struct conf *);
void	conf_free(struct conf *);
int	conf_load(struct conf *, const char *);
int	conf_load_stream(struct conf *, FILE *);
int	conf_set(struct conf *, const char *, const char *, const char *, int, int,
	    const char *);
int	conf_set_flag(struct conf *, const char *, const char *);
void	conf_set_argv(struct conf *, char **);
int	conf_finish(struct conf *);
void	conf_print(const struct conf *, FILE *);
int	conf_apply_live(struct conf *, struct conf *, int *);
const char *conf_split_name(int);
const char *conf_value(const struct conf *, const char *, const char *);

#endif
