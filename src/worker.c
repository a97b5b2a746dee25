/*
 * worker.c: the worker side of the protocol, behind cv_worker_main(). It
 * holds the chunks the master assigned, runs the map function on each, and
 * reports results in batches. Results are written into the shared arena
 * (PROTO_FD_ARENA), which grows on demand; arena space is reused only after
 * the master has acknowledged every result written into it.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chunkvisor.h"
#include "proto.h"

/* Past this much unacknowledged result data, wait for the master. */
#define ARENA_SOFT_LIMIT	(64ULL << 20)

struct worker {
	int			 fd;
	struct msg_job		 job;
	const char		*input;
	char			*arena;
	uint64_t		 arena_size;
	uint64_t		 pos;		/* next free arena byte */
	struct msg_chunk	*held;		/* ring of assigned chunks */
	size_t			 held_cap, held_head, nheld;
	struct msg_result	 pend[PROTO_MAX_BATCH];	/* not sent yet */
	size_t			 npend;
	uint64_t		 sent;		/* results sent */
	uint64_t		 acked;		/* results the master consumed */
	int			 stop;
	union {
		struct msg_hdr	 hdr;
		unsigned char	 bytes[PROTO_MAX_MSG];
	} buf;
};

struct cv_out {
	struct worker	*w;
	uint64_t	 off;		/* of the result's first byte */
	uint64_t	 len;
	int		 failed;
};

static void	worker_die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	worker_pdeath_cb(int);
static void	worker_setup_signals(void);
static int	worker_recv(struct worker *, int);
static void	worker_handle(struct worker *, size_t);
static void	worker_hold(struct worker *, const struct msg_chunk *);
static void	worker_flush(struct worker *);
static int	worker_grow(struct worker *, uint64_t);
static void	worker_map_input(struct worker *);
static void	worker_run(struct worker *, cv_map_fn, void *);
static uint64_t	worker_now_ns(void);
static void	worker_atfork_child(void);

/* A protocol failure: nothing sensible is left to do but leave; the master
 * sees the exit and retries what this worker held. */
static void
worker_die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "chunkvisor worker %ld: ", (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

/* The master is gone, or closed the channel, or sent SIGTERM: take the
 * whole process group, the children of a command included, along. Quietly:
 * the master knows why. */
static void
worker_pdeath_cb(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
	_exit(75);
}

static void
worker_setup_signals(void)
{
	struct sigaction	 sa;
	const char		*master;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = worker_pdeath_cb;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		worker_die("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	/* The master may have died before the prctl above took effect. */
	master = getenv(PROTO_ENV_MASTER);
	if (master != NULL && getppid() != (pid_t)strtol(master, NULL, 10))
		worker_pdeath_cb(SIGTERM);
}

/* Receives and handles one message; with MSG_DONTWAIT returns 0 when none
 * is waiting, else 1. EOF means the master is gone. */
static int
worker_recv(struct worker *w, int flags)
{
	struct iovec	 iov = { w->buf.bytes, sizeof w->buf.bytes };
	struct msghdr	 mh;
	ssize_t		 n;
	const char	*errstr;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do
		n = recvmsg(w->fd, &mh, flags);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == -1 && errno == ECONNRESET)
		worker_pdeath_cb(0);
	if (n == -1)
		worker_die("recvmsg: %s", strerror(errno));
	if (n == 0)
		worker_pdeath_cb(0);
	if (mh.msg_flags & MSG_TRUNC)
		worker_die("message from the master truncated");
	if (proto_check(w->buf.bytes, (size_t)n, 0, &errstr) == -1)
		worker_die("bad message from the master: %s", errstr);
	worker_handle(w, (size_t)n);
	return 1;
}

static void
worker_handle(struct worker *w, size_t len)
{
	const unsigned char	*p = w->buf.bytes + sizeof(struct msg_hdr);
	struct msg_assign	 a;
	struct msg_chunk	 c;
	size_t			 i;

	(void)len;
	switch (w->buf.hdr.m_type) {
	case MSG_JOB:
		memcpy(&w->job, p, sizeof w->job);
		break;
	case MSG_ASSIGN:
		memcpy(&a, p, sizeof a);
		if (a.a_acked > w->sent)
			worker_die("master acknowledged unsent results");
		w->acked = a.a_acked;
		p += sizeof a;
		for (i = 0; i < a.a_count; i++, p += sizeof c) {
			memcpy(&c, p, sizeof c);
			worker_hold(w, &c);
		}
		break;
	case MSG_STOP:
		w->stop = 1;
		break;
	}
}

static void
worker_hold(struct worker *w, const struct msg_chunk *c)
{
	struct msg_chunk	*ring;
	size_t			 i, cap;

	if (w->nheld == w->held_cap) {
		cap = w->held_cap ? w->held_cap * 2 : 16;
		if ((ring = calloc(cap, sizeof *ring)) == NULL)
			worker_die("out of memory");
		for (i = 0; i < w->nheld; i++)
			ring[i] = w->held[(w->held_head + i) % w->held_cap];
		free(w->held);
		w->held = ring;
		w->held_cap = cap;
		w->held_head = 0;
	}
	w->held[(w->held_head + w->nheld++) % w->held_cap] = *c;
}

static void
worker_flush(struct worker *w)
{
	struct msg_done	 d;
	size_t		 len;

	if (w->npend == 0)
		return;
	len = proto_init(w->buf.bytes, MSG_DONE, w->npend);
	d.d_count = (uint32_t)w->npend;
	d.d_pad = 0;
	memcpy(w->buf.bytes + sizeof(struct msg_hdr), &d, sizeof d);
	memcpy(w->buf.bytes + sizeof(struct msg_hdr) + sizeof d, w->pend,
	    w->npend * sizeof w->pend[0]);
	if (proto_send(w->fd, w->buf.bytes, len) == -1) {
		if (errno == EPIPE || errno == ECONNRESET)
			worker_pdeath_cb(0);
		worker_die("send DONE: %s", strerror(errno));
	}
	w->sent += w->npend;
	w->npend = 0;
}

/* Makes room for NEED more bytes at w->pos. The master sealed the arena
 * against shrinking, so growing is all a worker can do to it. */
static int
worker_grow(struct worker *w, uint64_t need)
{
	uint64_t	 size = w->arena_size;
	void		*p;

	if (need > UINT64_MAX / 4 - w->pos) {
		errno = EOVERFLOW;
		return -1;
	}
	while (size < w->pos + need)
		size *= 2;
	if (ftruncate(PROTO_FD_ARENA, (off_t)size) == -1)
		return -1;
	p = mremap(w->arena, w->arena_size, size, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return -1;
	w->arena = p;
	w->arena_size = size;
	return 0;
}

void *
cv_reserve(struct cv_out *out, size_t n)
{
	struct worker	*w = out->w;
	uint64_t	 end = out->off + out->len;

	if (n > w->arena_size - end) {
		w->pos = end;
		if (worker_grow(w, n) == -1) {
			out->failed = errno;
			return NULL;
		}
	}
	return w->arena + end;
}

void
cv_commit(struct cv_out *out, size_t n)
{
	out->len += n;
}

int
cv_write(struct cv_out *out, const void *buf, size_t n)
{
	void	*p;

	if ((p = cv_reserve(out, n)) == NULL)
		return -1;
	memcpy(p, buf, n);
	cv_commit(out, n);
	return 0;
}

int
cv_printf(struct cv_out *out, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = cv_reserve(out, (size_t)n + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	cv_commit(out, (size_t)n);
	return n;
}

static void
worker_map_input(struct worker *w)
{
	struct stat	 st;
	void		*p;

	if (fstat(PROTO_FD_ARENA, &st) == -1)
		worker_die("fstat arena: %s", strerror(errno));
	w->arena_size = (uint64_t)st.st_size;
	p = mmap(NULL, w->arena_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    PROTO_FD_ARENA, 0);
	if (p == MAP_FAILED)
		worker_die("mmap arena: %s", strerror(errno));
	w->arena = p;
	if (w->job.j_kind != CV_BYTES || w->job.j_input_size == 0)
		return;
	p = mmap(NULL, w->job.j_input_size, PROT_READ, MAP_SHARED,
	    PROTO_FD_INPUT, 0);
	if (p == MAP_FAILED)
		worker_die("mmap input: %s", strerror(errno));
	w->input = p;
}

static uint64_t
worker_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* In a child the map function forks: the worker's descriptors are not
 * its to keep. */
static int	worker_has_input;	/* fd 4 is ours: a bytes job */

static void
worker_atfork_child(void)
{
	close(PROTO_FD_CHANNEL);
	if (worker_has_input)
		close(PROTO_FD_INPUT);
	close(PROTO_FD_ARENA);
}

/* Runs one held chunk and queues its result. */
static void
worker_run(struct worker *w, cv_map_fn map, void *arg)
{
	struct msg_chunk	 c = w->held[w->held_head];
	struct arena_hdr	*ah = (struct arena_hdr *)(void *)w->arena;
	struct cv_chunk		 ch;
	struct cv_out		 out;
	struct msg_result	*r;
	uint64_t		 start;
	int			 rc;

	w->held_head = (w->held_head + 1) % w->held_cap;
	w->nheld--;
	memset(&ch, 0, sizeof ch);
	ch.id = c.c_chunk;
	ch.attempt = c.c_attempt;
	ch.kind = (int)w->job.j_kind;
	ch.seed = w->job.j_seed;
	ch.slot = w->job.j_slot;
	if (ch.kind == CV_BYTES) {
		if (c.c_end > w->job.j_input_size || c.c_start > c.c_end)
			worker_die("chunk %llu is outside the input",
			    (unsigned long long)c.c_chunk);
		ch.data = w->input + c.c_start;
		ch.len = c.c_end - c.c_start;
		ch.offset = c.c_start;
	} else {
		ch.start = (int64_t)c.c_start;
		ch.end = (int64_t)c.c_end;
	}
	out.w = w;
	out.off = w->pos;
	out.len = 0;
	out.failed = 0;
	start = worker_now_ns();
	ah->ah_started = start;
	ah->ah_running = c.c_id + 1;
	rc = map(&ch, &out, arg);
	ah = (struct arena_hdr *)(void *)w->arena;	/* it may have moved */
	ah->ah_running = 0;
	r = &w->pend[w->npend++];
	memset(r, 0, sizeof *r);
	r->r_id = c.c_id;
	r->r_nsec = worker_now_ns() - start;
	if (rc != 0 || out.failed) {
		r->r_status = rc != 0 ? (uint32_t)rc : 1;
		return;
	}
	r->r_off = out.off;
	r->r_len = out.len;
	w->pos = (out.off + out.len + 7) & ~7ULL;
}

int
cv_worker_main(cv_map_fn map, void *arg)
{
	static struct worker	 wk;
	struct worker		*w = &wk;
	struct msg_hello	 h;
	const char		*env;
	size_t			 len;

	if ((env = getenv(PROTO_ENV_CHANNEL)) == NULL) {
		fprintf(stderr, "this program is a chunkvisor worker; run it "
		    "with chunkvisor run (see cv_worker_main(3))\n");
		return 64;
	}
	w->fd = PROTO_FD_CHANNEL;
	/* Keep the fixed descriptors from whatever the map function runs or
	 * forks: a child holding the channel would hide the worker's EOF. */
	for (int fd = PROTO_FD_CHANNEL; fd <= PROTO_FD_ARENA; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	pthread_atfork(NULL, NULL, worker_atfork_child);
	worker_setup_signals();
	worker_recv(w, 0);
	if (w->buf.hdr.m_type != MSG_JOB)
		worker_die("first message is not JOB");
	worker_map_input(w);
	worker_has_input = w->job.j_kind == CV_BYTES;
	w->pos = ARENA_DATA;
	len = proto_init(w->buf.bytes, MSG_HELLO, 0);
	h.h_pid = (uint32_t)getpid();
	h.h_pad = 0;
	memcpy(w->buf.bytes + sizeof(struct msg_hdr), &h, sizeof h);
	if (proto_send(w->fd, w->buf.bytes, len) == -1) {
		if (errno == EPIPE || errno == ECONNRESET)
			worker_pdeath_cb(0);
		worker_die("send HELLO: %s", strerror(errno));
	}
	while (!w->stop) {
		if (w->nheld == 0) {
			worker_flush(w);
			worker_recv(w, 0);
			continue;
		}
		while (worker_recv(w, MSG_DONTWAIT))
			;
		if (w->acked == w->sent && w->npend == 0)
			w->pos = ARENA_DATA;
		else if (w->pos > ARENA_SOFT_LIMIT) {
			worker_flush(w);
			while (w->acked < w->sent && !w->stop)
				worker_recv(w, 0);
			continue;
		}
		worker_run(w, map, arg);
		if (w->nheld <= w->job.j_prefetch / 2 ||
		    w->npend == PROTO_MAX_BATCH)
			worker_flush(w);
	}
	return 0;
}
