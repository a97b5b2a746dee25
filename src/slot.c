/*
 * slot.c: the lives of workers. Each slot is one worker at a time; when it
 * dies the slot respawns into the same index. A worker is gone only after
 * both its channel's EOF and its exit, which arrive in either order: its
 * chunks are requeued exactly once, at the first of the two (slot_lost), and
 * its descriptor and pid are released at the second (slot_release).
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "master.h"
#include "shm.h"
#include "spawn.h"
#include "xmalloc.h"

/* This many workers in a row dying before their HELLO means they cannot
 * start at all (a binary that crashes at once, a missing library): the
 * job stops with 69 at once instead of backing off for minutes. */
#define SLOT_START_FAILURES	10

static void	slot_timer_cb(int, short, void *);
static void	slot_close_chan(struct slot *);
static void	slot_stop(struct slot *, const char *);
static void	slot_log_attempt(struct slot *, size_t, uint64_t);
static void	slot_set_outcome(struct slot *, int);
static uint64_t	slot_start_timeout_ns(const struct master *);
static void	slot_reap_orphans(void);
static void	slot_exited(struct slot *, int);
static void	slot_maybe_release(struct slot *);
static void	slot_release(struct slot *);
static void	slot_requeue(struct slot *);
static void	slot_describe_exit(int, char *, size_t);
static char	**slot_environ(struct slot *);
static void	slot_environ_free(char **);
static int	slot_arena(struct slot *);
static int	slot_restart_allowed(struct master *);

/* "exited with status 3", "killed by signal SIGSEGV (Segmentation fault)" */
static void
slot_describe_exit(int status, char *buf, size_t len)
{
	const char	*abbrev;

	if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
		return;
	}
	abbrev = sigabbrev_np(WTERMSIG(status));
	snprintf(buf, len, "was killed by signal SIG%s (%s)",
	    abbrev ? abbrev : "?", strsignal(WTERMSIG(status)));
}

/* The master's environment, without CHUNKVISOR_ variables of its own
 * parent, plus the slot's. */
static char **
slot_environ(struct slot *s)
{
	struct master	*m = s->s_master;
	char		**env;
	size_t		  n;

	for (n = 0; m->m_environ[n] != NULL; n++)
		;
	env = xcalloc(n + 4, sizeof *env);
	memcpy(env, m->m_environ, n * sizeof *env);
	env[n++] = xasprintf("%s=%d", PROTO_ENV_CHANNEL, PROTO_FD_CHANNEL);
	env[n++] = xasprintf("%s=%ld", PROTO_ENV_MASTER, (long)getpid());
	env[n++] = xasprintf("CHUNKVISOR_SLOT=%d", s->s_index);
	return env;
}

/* Frees what slot_environ() added; the rest is the master's (which never
 * holds these three: master_setup() drops them). */
static void
slot_environ_free(char **env)
{
	char	**p;

	for (p = env; *p != NULL; p++)
		if (strncmp(*p, PROTO_ENV_CHANNEL "=", sizeof PROTO_ENV_CHANNEL) ==
		    0 || strncmp(*p, PROTO_ENV_MASTER "=",
		    sizeof PROTO_ENV_MASTER) == 0 ||
		    strncmp(*p, "CHUNKVISOR_SLOT=", 16) == 0)
			free(*p);
	free(env);
}

/* A fresh result arena: the worker may grow it, never shrink it. */
static int
slot_arena(struct slot *s)
{
	void	*p;

	if ((s->s_arena_fd = shm_create("chunkvisor-arena")) == -1)
		return -1;
	if (ftruncate(s->s_arena_fd, ARENA_INITIAL) == -1 ||
	    fcntl(s->s_arena_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL) ==
	    -1 ||
	    (p = mmap(NULL, ARENA_INITIAL, PROT_READ, MAP_SHARED,
	    s->s_arena_fd, 0)) == MAP_FAILED) {
		close(s->s_arena_fd);
		s->s_arena_fd = -1;
		return -1;
	}
	s->s_arena = p;
	s->s_arena_len = ARENA_INITIAL;
	return 0;
}

/* Starts the slot's worker. Returns 0, or -1 after ending the job (69). */
/* A new, empty slot INDEX (its timer made, nothing started). */
struct slot *
slot_new(struct master *m, int index)
{
	struct slot	*s = xcalloc(1, sizeof *s);

	s->s_master = m;
	s->s_index = index;
	s->s_fd = -1;
	s->s_arena_fd = -1;
	s->s_relay.r_fd = -1;
	s->s_held = xcalloc((size_t)m->m_conf->prefetch, sizeof(uint64_t));
	s->s_backoff_ms = m->m_conf->restart_backoff_ms;
	slot_arm_timeout(s);	/* creates the timer */
	return s;
}

/* Frees a slot whose worker is gone (see slot_teardown). */
void
slot_free(struct slot *s)
{
	if (s->s_ev_timer != NULL)
		event_free(s->s_ev_timer);
	if (s->s_arena != NULL)
		munmap((void *)(uintptr_t)s->s_arena, s->s_arena_len);
	if (s->s_arena_fd != -1)
		close(s->s_arena_fd);
	free(s->s_held);
	free(s);
}

int
slot_spawn(struct slot *s)
{
	struct master		*m = s->s_master;
	struct spawn_req	 req;
	char			**env;
	int			 sv[2], exec_errno, rc;

	if (slot_arena(s) == -1) {
		master_end(m, EX_UNAVAILABLE, "cannot create the result arena "
		    "of worker %d: %s", s->s_index, strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		master_end(m, EX_UNAVAILABLE, "socketpair() failed while "
		    "spawning worker %d: %s", s->s_index, strerror(errno));
		return -1;
	}
	memset(&req, 0, sizeof req);
	req.sp_path = m->m_worker_path;
	req.sp_argv = m->m_worker_argv;
	req.sp_envp = env = slot_environ(s);
	req.sp_chan = sv[1];
	req.sp_input = m->m_conf->split == SPLIT_RANGE ? -1 : m->m_in.in_fd;
	req.sp_arena = s->s_arena_fd;
	if (relay_open(&s->s_relay, m->m_base, s->s_index, &req.sp_stderr) ==
	    -1)
		req.sp_stderr = -1;	/* then it shares the master's */
	/* The limit is for the worker's own memory: the input it maps,
	 * shared by all, comes on top. */
	req.sp_memory_limit = m->m_conf->memory_limit == 0 ? 0 :
	    m->m_conf->memory_limit + m->m_in.in_size;
	rc = spawn_worker(&req, &s->s_pid, &exec_errno);
	slot_environ_free(env);
	close(sv[1]);
	if (req.sp_stderr != -1)
		close(req.sp_stderr);
	if (rc == -1) {
		close(sv[0]);
		s->s_pid = 0;
		if (exec_errno != 0)
			master_end(m, EX_UNAVAILABLE, "cannot execute worker "
			    "%s: %s", m->m_worker_path, strerror(exec_errno));
		else
			master_end(m, EX_UNAVAILABLE, "fork() failed while "
			    "spawning worker %d: %s", s->s_index,
			    strerror(errno));
		return -1;
	}
	s->s_fd = sv[0];
	s->s_born = s->s_pid;
	s->s_state = SLOT_STARTING;
	s->s_outcome[0] = '\0';
	s->s_progress_ns = attemptlog_now_ns();
	s->s_results = 0;
	s->s_nheld = 0;
	s->s_done = 0;
	s->s_charged = 0;
	s->s_said_hello = 0;
	s->s_stop_sent = 0;
	s->s_why[0] = '\0';
	s->s_ev_read = event_new(m->m_base, s->s_fd, EV_READ | EV_PERSIST,
	    chan_read_cb, s);
	if (s->s_ev_read == NULL || event_add(s->s_ev_read, NULL) == -1)
		fatalx("cannot watch the channel of worker %d", s->s_index);
	log_debug("worker %d started (pid %ld)", s->s_index, (long)s->s_pid);
	slot_arm_timeout(s);
	/* A worker that died at once gets its EOF and reap like any other. */
	if (chan_send_job(s) == -1 && errno != EPIPE && errno != ECONNRESET)
		slot_kill(s, "cannot be sent its job: %s", strerror(errno));
	return 0;
}

static void
slot_close_chan(struct slot *s)
{
	if (s->s_fd == -1)
		return;
	chan_queue_free(s);
	event_free(s->s_ev_read);
	s->s_ev_read = NULL;
	close(s->s_fd);
	s->s_fd = -1;
}

/*
 * The chunk the worker is running, by its arena header, and since when:
 * the id must be one it holds and the time between its spawn and now, or
 * the header is not believed. Returns the index in s_held, or -1 when it
 * runs none that it holds. A header naming a chunk it does not hold counts
 * as the first it holds, from its last progress.
 */
int
slot_running(const struct slot *s, uint64_t *since)
{
	const volatile struct arena_hdr *ah = (const void *)s->s_arena;
	uint64_t	running, started, now = attemptlog_now_ns();
	size_t		i;

	if (s->s_nheld == 0 || s->s_arena == NULL)
		return -1;
	running = ah->ah_running;
	started = ah->ah_started;
	*since = started >= s->s_progress_ns && started <= now ? started :
	    s->s_progress_ns;
	if (running == 0)
		return -1;
	for (i = 0; i < s->s_nheld; i++)
		if (s->s_held[i] + 1 == running)
			return (int)i;
	*since = s->s_progress_ns;
	return 0;
}

/* Writes the attempt log line of held chunk I, which ended with the
 * slot's outcome. */
static void
slot_log_attempt(struct slot *s, size_t i, uint64_t since)
{
	struct master	*m = s->s_master;
	struct chunk	*c = chunktab_get(&m->m_chunks, s->s_held[i]);

	attemptlog_write(&m->m_log, c, chunktab_window(&m->m_chunks, c)->c_id,
	    s->s_index, s->s_born, since, attemptlog_now_ns() - since,
	    s->s_outcome[0] ? s->s_outcome : "killed-by-master");
}

/*
 * Gives back what the worker held. The chunk it was running (see
 * slot_running) has had an attempt; the others were never started and go
 * back as they were.
 */
static void
slot_requeue(struct slot *s)
{
	struct master	*m = s->s_master;
	struct chunk	*c;
	uint64_t	 since;
	size_t		 i;
	int		 running = slot_running(s, &since);

	/* A worker killed for the result it reported was charged for it
	 * already: the header still names that chunk, not one it holds. */
	if (s->s_charged || s->s_retiring)
		running = -1;	/* retired: as if it never ran */
	if (running != -1) {
		slot_log_attempt(s, (size_t)running, since);
		s->s_charged = 1;
	}
	for (i = 0; i < s->s_nheld; i++) {
		c = chunktab_get(&m->m_chunks, s->s_held[i]);
		if ((int)i == running)
			master_fail_chunk(m, c, -1, s->s_why);
		else {
			c->c_attempt--;
			chunktab_requeue(&m->m_chunks, c);
		}
	}
	s->s_nheld = 0;
}

/* The attempt's outcome for the log, from the wait status, unless the
 * master already named it (timeout, bad-message). */
static void
slot_set_outcome(struct slot *s, int status)
{
	const char	*abbrev;

	if (s->s_outcome[0] != '\0')
		return;
	if (WIFEXITED(status))
		snprintf(s->s_outcome, sizeof s->s_outcome, "exit %d",
		    WEXITSTATUS(status));
	else {
		abbrev = sigabbrev_np(WTERMSIG(status));
		snprintf(s->s_outcome, sizeof s->s_outcome, "signal %s",
		    abbrev != NULL ? abbrev : "?");
	}
}

/* The first sign of the worker's end: requeue what it held. */
void
slot_lost(struct slot *s)
{
	if (s->s_state != SLOT_STARTING && s->s_state != SLOT_RUNNING)
		return;
	s->s_state = SLOT_DYING;
	evtimer_del(s->s_ev_timer);
	if (s->s_nheld > 0)
		slot_requeue(s);
}

/*
 * Stops a worker that overran chunk_timeout: SIGKILL to its process group,
 * or first timeout_signal, then SIGKILL after timeout_grace (the slot's
 * timer) if it is still there. Its chunks are requeued at once.
 */
static void
slot_stop(struct slot *s, const char *why)
{
	const struct conf	*conf = s->s_master->m_conf;

	if (conf->timeout_signal == 0 || s->s_pid == 0) {
		slot_kill(s, "%s", why);
		return;
	}
	log_warnx("worker %d (pid %ld) %s; sending it SIG%s, SIGKILL after "
	    "%s", s->s_index, (long)s->s_pid, why,
	    sigabbrev_np(conf->timeout_signal),
	    conf_value(conf, "workers", "timeout_grace"));
	snprintf(s->s_why, sizeof s->s_why, "%s", why);
	kill(-s->s_pid, conf->timeout_signal);
	slot_lost(s);
	slot_close_chan(s);
	master_timer_ms(s->s_ev_timer, conf->timeout_grace_ms);
}

/* Kills a misbehaving worker, with its whole process group. */
void
slot_kill(struct slot *s, const char *fmt, ...)
{
	char	msg[128];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (s->s_state == SLOT_STARTING || s->s_state == SLOT_RUNNING) {
		log_warnx("worker %d (pid %ld) %s; killing it", s->s_index,
		    (long)s->s_pid, msg);
		snprintf(s->s_why, sizeof s->s_why, "%s", msg);
		if (s->s_outcome[0] == '\0')
			snprintf(s->s_outcome, sizeof s->s_outcome,
			    "bad-message");
	}
	if (s->s_pid != 0)
		kill(-s->s_pid, SIGKILL);
	slot_lost(s);
	slot_close_chan(s);
	slot_maybe_release(s);
}

/*
 * The worker closed its channel. A worker that exits closes it a moment
 * before it can be reaped, so the exit is waited for briefly here: then
 * the message names the real cause (a signal, an exit status) and not the
 * EOF. EOF alone proves nothing, though: a worker still running after that
 * (a bug, or hostile) is killed before its slot is reused.
 */
void
slot_eof(struct slot *s)
{
	struct timespec	ts = { 0, 1000 * 1000 };
	pid_t		pid = s->s_pid;
	int		i, status;

	for (i = 0; pid != 0 && i < 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			slot_exited(s, status);
			return;
		}
		nanosleep(&ts, NULL);
	}
	if (pid != 0 && (s->s_state == SLOT_STARTING ||
	    s->s_state == SLOT_RUNNING)) {
		log_warnx("worker %d (pid %ld) closed its channel but is still "
		    "running; killing it", s->s_index, (long)pid);
		snprintf(s->s_why, sizeof s->s_why, "closed its channel");
		kill(-pid, SIGKILL);
	}
	slot_lost(s);
	slot_close_chan(s);
	slot_maybe_release(s);
}

/* The worker's process is reaped with STATUS. */
static void
slot_exited(struct slot *s, int status)
{
	struct master	*m = s->s_master;
	pid_t		 pid = s->s_pid;
	char		 how[96], last[RELAY_LINES * (RELAY_KEEP + 4) + 32];
	int		 live = s->s_state == SLOT_RUNNING ||
			    s->s_state == SLOT_STARTING;

	slot_describe_exit(status, how, sizeof how);
	relay_drain(&s->s_relay);	/* its last words first */
	if (live) {
		snprintf(s->s_why, sizeof s->s_why, "%s", how);
		slot_set_outcome(s, status);
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		    s->s_nheld > 0)
			log_warnx("worker %d (pid %ld) %s", s->s_index,
			    (long)pid, how);
	} else if (s->s_why[0] == '\0')
		snprintf(s->s_why, sizeof s->s_why, "%s", how);
	/* Results it sent before it died are still in the socket. */
	s->s_pid = 0;	/* so that an EOF in the drain waits for none */
	if (live && s->s_fd != -1)
		chan_drain(s);
	kill(-pid, SIGKILL);	/* whatever it left in its group */
	if (!s->s_said_hello && WIFEXITED(status) &&
	    (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)) {
		relay_last(&s->s_relay, last, sizeof last);
		master_end(m, EX_UNAVAILABLE, "worker %s could not start (%s)%s",
		    m->m_worker_path, how, last);
	}
	slot_lost(s);
	slot_close_chan(s);
	slot_maybe_release(s);
}

void
slot_reap_cb(int sig, short events, void *arg)
{
	struct master	*m = arg;
	struct slot	*s;
	pid_t		 pid;
	size_t		 i;
	int		 status, found;

	(void)sig;
	(void)events;
	/* Signals merge: reap until there is nothing left to reap. A worker
	 * stopped (SIGSTOP, SIGTSTP) by someone else does no work and would
	 * hold its chunks forever: it counts as hung, and is killed. */
	while ((pid = waitpid(-1, &status, WNOHANG | WUNTRACED)) > 0) {
		for (i = 0, found = 0; i < m->m_nslots && !found; i++) {
			s = m->m_slots[i];
			if (s->s_pid != pid)
				continue;
			found = 1;
			if (!WIFSTOPPED(status)) {
				slot_exited(s, status);
				continue;
			}
			snprintf(s->s_outcome, sizeof s->s_outcome,
			    "signal %s", sigabbrev_np(WSTOPSIG(status)) ?
			    sigabbrev_np(WSTOPSIG(status)) : "?");
			slot_kill(s, "was stopped by signal SIG%s",
			    sigabbrev_np(WSTOPSIG(status)) ?
			    sigabbrev_np(WSTOPSIG(status)) : "?");
		}
		if (!found)	/* a worker's orphan, reparented to us */
			log_debug("reaped orphan %ld", (long)pid);
	}
	master_dispatch(m);
}

static void
slot_maybe_release(struct slot *s)
{
	if (s->s_state == SLOT_DYING && s->s_fd == -1 && s->s_pid == 0)
		slot_release(s);
}

/*
 * Restart intensity: more than max_restarts restarts within restart_window,
 * with no chunk completed by any worker in between, means the workers
 * cannot run at all (a bad binary, a missing library): stop instead of
 * spinning. Crashes while work gets done (poison records being bisected)
 * do not count against it. The ring holds the last max_restarts + 1
 * restart times.
 */
static int
slot_restart_allowed(struct master *m)
{
	const struct conf	*conf = m->m_conf;
	size_t			 n = (size_t)conf->max_restarts + 1;
	uint64_t		 now = master_now_ms(), oldest;

	m->m_restarts++;
	m->m_stalled_restarts++;
	m->m_restart_ms[m->m_restart_pos] = now;
	m->m_restart_pos = (m->m_restart_pos + 1) % n;
	oldest = m->m_restart_ms[m->m_restart_pos];
	return m->m_stalled_restarts < n ||
	    now - oldest > conf->restart_window_ms;
}

/* Both EOF and exit are in: free the slot and arm its respawn. */
static void
slot_release(struct slot *s)
{
	struct master		*m = s->s_master;
	const struct conf	*conf = m->m_conf;
	uint64_t		 delay;
	char			 last[RELAY_LINES * (RELAY_KEEP + 4) + 32];

	munmap((void *)(uintptr_t)s->s_arena, s->s_arena_len);
	close(s->s_arena_fd);
	s->s_arena = NULL;
	s->s_arena_fd = -1;
	s->s_state = SLOT_WAITING;
	relay_last(&s->s_relay, last, sizeof last);
	relay_close(&s->s_relay);
	if (m->m_status != -1 || m->m_draining)
		return;
	if (s->s_retiring) {
		s->s_retiring = 0;
		s->s_state = SLOT_EMPTY;
		if (s->s_revive) {	/* the pool grew again meanwhile */
			s->s_revive = 0;
			slot_spawn(s);
			return;
		}
		s->s_retired = 1;
		log_info("worker %d retired (%zu workers now)", s->s_index,
		    master_live_slots(m));
		return;
	}
	if (!s->s_said_hello && ++m->m_start_failures >= SLOT_START_FAILURES) {
		master_end(m, EX_UNAVAILABLE, "workers cannot start: %d in a "
		    "row died before their first message; the last: worker %d "
		    "%s%s", SLOT_START_FAILURES, s->s_index, s->s_why, last);
		return;
	}
	if (!slot_restart_allowed(m)) {
		master_end(m, EX_UNAVAILABLE, "workers are crash-looping: more "
		    "than %llu restarts within %s with no chunk done; the "
		    "last: worker %d %s%s",
		    (unsigned long long)conf->max_restarts,
		    conf_value(conf, "workers", "restart_window"), s->s_index,
		    s->s_why, last);
		return;
	}
	/*
	 * At once after a worker that got work done, or whose death was
	 * charged to the chunk it ran (that chunk's attempts, and bisection,
	 * deal with it: backing off would only slow them down). Else back
	 * off: a worker dying before it runs anything cannot be helped by
	 * retrying fast.
	 */
	if (s->s_done > 0 || s->s_charged) {
		delay = 0;
		s->s_backoff_ms = conf->restart_backoff_ms;
	} else {
		delay = s->s_backoff_ms;
		s->s_backoff_ms = s->s_backoff_ms * 2 >
		    conf->restart_backoff_max_ms ? conf->restart_backoff_max_ms :
		    s->s_backoff_ms * 2;
		if (s->s_backoff_ms == 0)
			s->s_backoff_ms = 1;
	}
	master_timer_ms(s->s_ev_timer, delay);
}

/* The slot's one timer: the respawn delay, the start timeout, or the
 * chunk timeout. */
static void
slot_timer_cb(int fd, short events, void *arg)
{
	struct slot	*s = arg;
	struct master	*m = s->s_master;
	uint64_t	 t = master_timeout_ns(m), since, now;
	char		 desc[256], msg[400];
	int		 i;

	(void)fd;
	(void)events;
	if (s->s_retiring && (s->s_state == SLOT_STARTING ||
	    s->s_state == SLOT_RUNNING) && master_now_ms() >= s->s_retire_ms) {
		/* What it holds goes back uncharged (slot_requeue). */
		snprintf(s->s_outcome, sizeof s->s_outcome, "retired");
		log_info("worker %d (pid %ld) retired: stopping it; its %zu "
		    "chunks go to the others", s->s_index, (long)s->s_pid,
		    s->s_nheld);
		snprintf(s->s_why, sizeof s->s_why, "retired");
		kill(-s->s_pid, SIGKILL);
		slot_lost(s);
		slot_close_chan(s);
	} else if (s->s_state == SLOT_WAITING && m->m_status == -1 &&
	    !m->m_draining)
		slot_spawn(s);
	else if (s->s_state == SLOT_STARTING) {
		snprintf(s->s_outcome, sizeof s->s_outcome, "timeout");
		slot_kill(s, "sent no HELLO within %.0f s of its start",
		    (double)slot_start_timeout_ns(m) / 1e9);
	} else if (s->s_state == SLOT_RUNNING && s->s_nheld > 0 && t > 0) {
		i = slot_running(s, &since);
		now = attemptlog_now_ns();
		if (now - since < t) {
			slot_arm_timeout(s);	/* it started later */
			return;
		}
		snprintf(s->s_outcome, sizeof s->s_outcome, "timeout");
		if (i == -1)
			snprintf(msg, sizeof msg, "holds chunks but reported "
			    "no progress for %.3g s (chunk_timeout)",
			    (double)t / 1e9);
		else {
			master_describe_chunk(m, chunktab_get(&m->m_chunks,
			    s->s_held[i]), desc, sizeof desc);
			snprintf(msg, sizeof msg, "ran %s for longer than "
			    "chunk_timeout (%.3g s)", desc, (double)t / 1e9);
		}
		slot_stop(s, msg);
	} else if (s->s_state == SLOT_DYING && s->s_pid != 0) {
		log_warnx("worker %d (pid %ld) outlived timeout_grace; "
		    "killing it", s->s_index, (long)s->s_pid);
		kill(-s->s_pid, SIGKILL);
	}
	master_dispatch(m);
}

/* How long a worker may take to say HELLO: chunk_timeout when it is a
 * fixed duration, else a minute. */
static uint64_t
slot_start_timeout_ns(const struct master *m)
{
	uint64_t	ms = m->m_conf->chunk_timeout_ms;

	return (m->m_conf->chunk_timeout_pct == 0 && ms != 0 ? ms : 60000) *
	    1000000;
}

/*
 * Arms the slot's timer for what it is doing: starting (the start
 * timeout), or running chunks (the chunk timeout, from the start of the
 * chunk it runs, or from its last progress when it runs none).
 */
void
slot_arm_timeout(struct slot *s)
{
	struct master	*m = s->s_master;
	uint64_t	 t = 0, since = s->s_progress_ns, now, left, ms;
	struct timeval	 tv;

	if (s->s_ev_timer == NULL)
		s->s_ev_timer = evtimer_new(m->m_base, slot_timer_cb, s);
	/* Waiting: the respawn delay; dying: timeout_grace; empty: nothing.
	 * Those timers are not ours to change. */
	if (s->s_state == SLOT_WAITING || s->s_state == SLOT_DYING ||
	    s->s_state == SLOT_EMPTY)
		return;
	if (s->s_state == SLOT_STARTING)
		t = slot_start_timeout_ns(m);
	else if (s->s_state == SLOT_RUNNING && s->s_nheld > 0) {
		t = master_timeout_ns(m);
		(void)slot_running(s, &since);
	}
	now = attemptlog_now_ns();
	left = t == 0 ? UINT64_MAX : now - since >= t ? 1000000 :
	    t - (now - since);
	if (s->s_retiring) {
		ms = master_now_ms();
		ms = s->s_retire_ms > ms ? s->s_retire_ms - ms : 0;
		left = ms * 1000000 < left ? ms * 1000000 + 1000000 : left;
	}
	if (left == UINT64_MAX) {
		evtimer_del(s->s_ev_timer);
		return;
	}
	tv.tv_sec = (time_t)(left / 1000000000);
	tv.tv_usec = (suseconds_t)(left % 1000000000 / 1000);
	evtimer_add(s->s_ev_timer, &tv);
}

/* How long a retiring worker may take to finish what it holds. */
#define SLOT_RETIRE_MS	500

/*
 * The pool shrinks: S gets no more chunks; once all it holds is done it
 * is told to STOP (chan_fill), or after SLOT_RETIRE_MS it is stopped and
 * what it holds goes to the others, uncharged. A slot with no worker now
 * is retired at once.
 */
void
slot_retire(struct slot *s)
{
	if (s->s_state == SLOT_EMPTY || s->s_state == SLOT_WAITING) {
		evtimer_del(s->s_ev_timer);
		s->s_state = SLOT_EMPTY;
		s->s_retired = 1;
		return;
	}
	s->s_retiring = 1;
	s->s_retire_ms = master_now_ms() + SLOT_RETIRE_MS;
	if (s->s_state == SLOT_RUNNING || s->s_state == SLOT_STARTING) {
		slot_arm_timeout(s);
		if (s->s_state == SLOT_RUNNING)
			chan_fill(s, 0);
	}
}

/* The pool grows: a retiring slot carries on, a retired one starts. */
void
slot_unretire(struct slot *s)
{
	if (s->s_retiring && !s->s_stop_sent) {
		s->s_retiring = 0;
		slot_arm_timeout(s);
		return;
	}
	/* Told to stop already: it goes, and comes back as a new worker
	 * (slot_release). */
	if (s->s_retiring) {
		s->s_revive = 1;
		return;
	}
	if (s->s_retired) {
		s->s_retired = 0;
		slot_spawn(s);
	}
}

/*
 * The end of the job, for every worker: STOP and close the channel, give
 * them a second to exit (SIGTERM first when interrupted; a tenth of one
 * when the drain is over or a second signal came: the stop must not
 * outlast stop_timeout by much), then SIGKILL each process group, which
 * also takes whatever a worker left behind, and reap. A stop always ends.
 */
void
slot_teardown(struct master *m, int interrupted)
{
	uint64_t	 deadline = master_now_ms() +
			    (m->m_stop_now ? 100 : 1000);
	struct timespec	 ts = { 0, 5 * 1000 * 1000 };
	struct slot	*s;
	size_t		 i, alive;
	uint64_t	 since;
	int		 status, running;

	for (i = 0; i < m->m_nslots; i++) {
		s = m->m_slots[i];
		if (s->s_state == SLOT_RUNNING &&
		    (running = slot_running(s, &since)) != -1) {
			snprintf(s->s_outcome, sizeof s->s_outcome,
			    "killed-by-master");
			slot_log_attempt(s, (size_t)running, since);
		}
		chan_send_stop(s);
		slot_close_chan(s);
		if (s->s_ev_timer != NULL)
			evtimer_del(s->s_ev_timer);
		if (interrupted && s->s_pid != 0)
			kill(-s->s_pid, SIGTERM);
	}
	do {
		for (i = 0, alive = 0; i < m->m_nslots; i++) {
			s = m->m_slots[i];
			if (s->s_pid != 0 &&
			    waitpid(s->s_pid, &status, WNOHANG) == s->s_pid) {
				kill(-s->s_pid, SIGKILL);
				s->s_pid = 0;
			}
			alive += s->s_pid != 0;
		}
		if (alive > 0)
			nanosleep(&ts, NULL);
	} while (alive > 0 && master_now_ms() < deadline);
	for (i = 0; i < m->m_nslots; i++) {
		s = m->m_slots[i];
		if (s->s_pid == 0)
			continue;
		kill(-s->s_pid, SIGKILL);
		while (waitpid(s->s_pid, &status, 0) == -1 && errno == EINTR)
			;
		s->s_pid = 0;
	}
	slot_reap_orphans();
	for (i = 0; i < m->m_nslots; i++)
		relay_close(&m->m_slots[i]->s_relay);
}

/*
 * The master is a child subreaper (master.c), so whatever a worker left
 * running when it died (a command's background child, even one that left
 * the worker's process group) is the master's child by now: kill and reap
 * every remaining child, so that nothing of the job outlives it, not even
 * as a zombie. The list comes from /proc; without it, what the group kills
 * took is still reaped.
 */
static void
slot_reap_orphans(void)
{
	struct timespec	 ts = { 0, 5 * 1000 * 1000 };
	uint64_t	 deadline = master_now_ms() + 1000;
	char		 path[64];
	FILE		*fp;
	long		 pid;

	snprintf(path, sizeof path, "/proc/self/task/%ld/children",
	    (long)getpid());
	do {
		if ((fp = fopen(path, "r")) != NULL) {
			while (fscanf(fp, "%ld", &pid) == 1)
				kill((pid_t)pid, SIGKILL);
			fclose(fp);
		}
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (pid == -1 && errno == ECHILD)
			return;
		nanosleep(&ts, NULL);
	} while (master_now_ms() < deadline);
}
