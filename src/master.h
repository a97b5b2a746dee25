/* master.h: the master's state: the job, its worker slots and the event
 * loop that ties them together. Shared by master.c (loop, signals, results,
 * shutdown), slot.c (worker lives) and chan.c (messages). */
#ifndef MASTER_H
#define MASTER_H

#include <sys/types.h>
#include <stdint.h>

#include "attemptlog.h"
#include "chunk.h"
#include "conf.h"
#include "input.h"
#include "journal.h"
#include "output.h"
#include "proto.h"
#include "quarantine.h"
#include "reduce.h"
#include "relay.h"

/*
 * A slot's states and transitions:
 *	EMPTY    -> STARTING  spawned, JOB sent, waiting for HELLO
 *	STARTING -> RUNNING   HELLO received: chunks are assigned
 *	STARTING,
 *	RUNNING  -> DYING     the first of EOF, exit, bad message, timeout:
 *	                      its chunks are requeued (once, here)
 *	DYING    -> WAITING   both EOF and exit seen: fd and pid released,
 *	                      respawn timer armed
 *	WAITING  -> STARTING  the timer fired
 */
enum slot_state { SLOT_EMPTY, SLOT_STARTING, SLOT_RUNNING, SLOT_DYING,
	SLOT_WAITING };

struct master;

/* Durations of the last chunks, for chunk_timeout = auto or N%. */
#define MASTER_DURATIONS	1023

struct slot {
	struct master	*s_master;
	int		 s_index;
	int		 s_state;
	pid_t		 s_pid;		/* 0 once reaped */
	pid_t		 s_born;	/* its pid, kept after the reap */
	int		 s_fd;		/* -1 once closed */
	struct event	*s_ev_read;
	struct event	*s_ev_timer;	/* chunk timeout, or respawn delay */
	struct event	*s_ev_write;	/* while s_outq holds messages */
	struct evbuffer	*s_outq;	/* what the socket could not take */
	int		 s_arena_fd;
	const char	*s_arena;	/* the master's read-only view */
	size_t		 s_arena_len;
	uint64_t	*s_held;	/* ids of the chunks it holds */
	size_t		 s_nheld;
	uint64_t	 s_results;	/* results consumed: the ack count */
	uint64_t	 s_done;	/* chunks completed since spawned */
	int		 s_charged;	/* its death failed a chunk's attempt */
	uint64_t	 s_backoff_ms;	/* the next respawn delay if it fails */
	int		 s_said_hello;
	int		 s_ever_ready;	/* the slot has had a worker start */
	char		 s_why[400];	/* how it died, for messages */
	char		 s_outcome[32];	/* for the attempt log */
	struct relay	 s_relay;	/* its stderr */
	int		 s_retiring;	/* the pool shrank: no more chunks */
	int		 s_retired;	/* EMPTY until the pool grows again */
	int		 s_stop_sent;
	int		 s_revive;	/* retiring, but wanted again */
	uint64_t	 s_retire_ms;	/* then it is stopped */
	uint64_t	 s_progress_ns;	/* spawn, work from idle, or result */
};

struct master {
	struct conf		*m_conf;
	struct event_base	*m_base;
	struct event		*m_sig[4];
	struct input		 m_in;
	struct output		 m_out;
	struct chunktab		 m_chunks;
	struct reduce		 m_reduce;
	struct quarantine	 m_quarantine;
	struct attemptlog	 m_log;
	struct journal		 m_jr;
	struct event		*m_ev_sync;	/* the group commit */
	struct event		*m_ev_flush;	/* records to the journal */
	uint64_t		 m_resumed_chunks;	/* done before */
	uint64_t		 m_resumed_bytes;
	uint64_t		 m_durations[MASTER_DURATIONS];	/* ns */
	uint64_t		 m_ndurations;	/* ever recorded */
	uint64_t		 m_timeout_ns;	/* for auto/percent */
	int			 m_complete;	/* every chunk delivered */
	struct slot		**m_slots;	/* they never move */
	size_t			 m_nslots;
	char			*m_worker_path;
	char			**m_worker_argv;
	char			**m_environ;	/* without CHUNKVISOR_* */
	int			 m_status;	/* exit status; -1 running */
	int			 m_draining;	/* SIGTERM/SIGINT: no new work */
	int			 m_stop_now;	/* drain over: no grace at the end */
	struct event		*m_ev_tick;	/* sd_notify STATUS, WATCHDOG */
	struct event		*m_ev_bar;	/* the progress bar, 10/s */
	uint64_t		 m_watchdog_usec;	/* ping interval, or 0 */
	size_t			 m_nready;	/* slots whose worker started */
	int			 m_ready_sent;	/* READY=1 */
	int			(*m_reload)(struct conf *);	/* SIGHUP */
	struct event		*m_ev_drain;	/* stop_timeout */
	uint64_t		*m_restart_ms;	/* ring: last restarts' times */
	size_t			 m_restart_pos;
	uint64_t		 m_restarts;
	uint64_t		 m_stalled_restarts;	/* since progress */
	int			 m_start_failures;	/* in a row */
	uint64_t		 m_retries;
	uint64_t		 m_chunks_done;
	uint64_t		 m_successes;	/* results of chunks and pieces */
	uint64_t		 m_fails_in_row;	/* attempts, none done since */
	uint64_t		 m_result_max;	/* bytes: a quarter of RAM */
	uint64_t		 m_bytes_done;
	uint64_t		 m_start_ms;
	union {
		struct msg_hdr	 hdr;
		unsigned char	 bytes[PROTO_MAX_MSG];
	} m_buf;
};

int		 master_run(struct conf *, int (*)(struct conf *));
void		 master_reload(struct master *);
size_t		 master_live_slots(const struct master *);
void		 master_end(struct master *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 master_result(struct master *, struct chunk *, const char *,
		    size_t);
void		 master_fail_chunk(struct master *, struct chunk *, int,
		    const char *);
void		 master_dispatch(struct master *);
void		 master_worker_ready(struct master *);
uint64_t	 master_now_ms(void);
void		 master_timer_ms(struct event *, uint64_t);
void		 master_describe_chunk(const struct master *,
		    const struct chunk *, char *, size_t);

uint64_t	 master_timeout_ns(struct master *);
void		 master_record_duration(struct master *, uint64_t);

int		 commit_on(const struct master *);
void		 commit_stats(const struct master *, struct jstats *);
int		 commit_before_consume(struct master *, struct chunk *,
		    const char *, size_t, uint64_t *);
void		 commit_consumed(struct master *, const struct chunk *,
		    const char *, size_t, uint64_t);
void		 commit_held(struct master *);
void		 commit_quarantined(struct master *, uint64_t, uint64_t,
		    uint64_t, const char *);
int		 commit_begin(struct master *);
int		 commit_complete_again(struct master *);
int		 commit_sync(struct master *);
void		 commit_arm(struct master *);
int		 commit_end(struct master *, const char *, int);
void		 commit_close(struct master *, int);
int		 commit_resume(struct master *);

struct slot	*slot_new(struct master *, int);
void		 slot_free(struct slot *);
int		 slot_spawn(struct slot *);
int		 slot_running(const struct slot *, uint64_t *);
void		 slot_kill(struct slot *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 slot_lost(struct slot *);
void		 slot_eof(struct slot *);
void		 slot_reap_cb(int, short, void *);
void		 slot_arm_timeout(struct slot *);
void		 slot_retire(struct slot *);
void		 slot_unretire(struct slot *);
void		 slot_teardown(struct master *, int);

void		 chan_read_cb(int, short, void *);
int		 chan_drain(struct slot *);
void		 chan_fill(struct slot *, int);
int		 chan_send_job(struct slot *);
void		 chan_send_stop(struct slot *);
int		 chan_send(struct slot *, const void *, size_t);
void		 chan_queue_free(struct slot *);

#endif
