/*
 * chan.c: one worker's channel on the event loop. Every datagram is checked
 * by proto_check() for its shape, then here against what the master handed
 * out: a worker may only report chunks it holds, and only results inside
 * its arena. Anything else kills the worker (never the master) and its
 * chunks are retried elsewhere.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "chunkvisor.h"
#include "log.h"
#include "master.h"

/* Messages handled per wake-up before other events get a turn: a flooding
 * worker cannot starve the loop. */
#define CHAN_BURST	64

/* What may wait to be sent to one worker: far more than the protocol
 * needs (prefetch records and one reply per report); past it, the worker
 * is not reading, which is a fault. */
#define CHAN_MAX_QUEUE	(64 * 1024 * 1024)

static void	chan_write_cb(int, short, void *);

static void	chan_handle(struct slot *, size_t);
static void	chan_handle_done(struct slot *, const unsigned char *, size_t);
static int	chan_take(struct slot *, uint64_t);
static const char *chan_view(struct slot *, uint64_t, uint64_t);

void
chan_read_cb(int fd, short events, void *arg)
{
	struct slot	*s = arg;

	(void)fd;
	(void)events;
	chan_drain(s);
	master_dispatch(s->s_master);
}

/* Reads what the worker has sent, up to CHAN_BURST messages (all of them
 * if it has exited). Returns -1 once the channel is closed. */
int
chan_drain(struct slot *s)
{
	struct master	*m = s->s_master;
	struct iovec	 iov;
	struct msghdr	 mh;
	const char	*errstr;
	ssize_t		 n;
	int		 i;

	for (i = 0; s->s_fd != -1 && (s->s_pid == 0 || i < CHAN_BURST); i++) {
		iov.iov_base = m->m_buf.bytes;
		iov.iov_len = sizeof m->m_buf.bytes;
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(s->s_fd, &mh, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			slot_eof(s);
			return -1;
		}
		if (n == -1)
			slot_kill(s, "cannot be read from: %s", strerror(errno));
		else if (mh.msg_flags & MSG_TRUNC)
			slot_kill(s, "sent a message longer than any in the "
			    "protocol");
		else if (proto_check(m->m_buf.bytes, (size_t)n, 1, &errstr))
			slot_kill(s, "sent a bad message: %s", errstr);
		else
			chan_handle(s, (size_t)n);
		if (m->m_status != -1)
			break;
	}
	return s->s_fd == -1 ? -1 : 0;
}

static void
chan_handle(struct slot *s, size_t len)
{
	struct master		*m = s->s_master;
	const unsigned char	*p = m->m_buf.bytes + sizeof(struct msg_hdr);

	switch (m->m_buf.hdr.m_type) {
	case MSG_HELLO:
		if (s->s_state != SLOT_STARTING) {
			slot_kill(s, "sent a second HELLO");
			return;
		}
		s->s_state = SLOT_RUNNING;
		s->s_said_hello = 1;
		m->m_start_failures = 0;
		if (!s->s_ever_ready) {
			s->s_ever_ready = 1;
			master_worker_ready(m);
		}
		log_debug("worker %d (pid %ld) is ready", s->s_index,
		    (long)s->s_pid);
		chan_fill(s, 0);
		return;
	case MSG_DONE:
		if (s->s_state != SLOT_RUNNING) {
			slot_kill(s, "sent DONE before HELLO");
			return;
		}
		chan_handle_done(s, p, len);
		if (s->s_state == SLOT_RUNNING && m->m_status == -1)
			chan_fill(s, 1);
		return;
	}
}

/* Removes chunk ID from what the slot holds; 0 if it does not hold it. */
static int
chan_take(struct slot *s, uint64_t id)
{
	size_t	i;

	for (i = 0; i < s->s_nheld; i++) {
		if (s->s_held[i] != id)
			continue;
		memmove(&s->s_held[i], &s->s_held[i + 1],
		    (s->s_nheld - i - 1) * sizeof s->s_held[0]);
		s->s_nheld--;
		return 1;
	}
	return 0;
}

/* The master's view of arena bytes [off, off + len), mapping more of the
 * arena if the worker grew it; NULL if the range is not inside it. The
 * arena is sealed against shrinking, so a mapped byte stays readable. */
static const char *
chan_view(struct slot *s, uint64_t off, uint64_t len)
{
	struct stat	 st;
	void		*p;
	uint64_t	 end;

	if (off < ARENA_DATA || len > UINT64_MAX - off)
		return NULL;
	end = off + len;
	if (end > s->s_arena_len) {
		if (fstat(s->s_arena_fd, &st) == -1 ||
		    end > (uint64_t)st.st_size || (uint64_t)st.st_size > SIZE_MAX)
			return NULL;
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED,
		    s->s_arena_fd, 0);
		if (p == MAP_FAILED)
			return NULL;
		munmap((void *)(uintptr_t)s->s_arena, s->s_arena_len);
		s->s_arena = p;
		s->s_arena_len = (size_t)st.st_size;
	}
	return s->s_arena + off;
}

static void
chan_handle_done(struct slot *s, const unsigned char *p, size_t len)
{
	struct master		*m = s->s_master;
	struct msg_done		 d;
	struct msg_result	 r;
	struct chunk		*c;
	const char		*data;
	char			 why[64];
	uint32_t		 i;
	uint64_t		 now = attemptlog_now_ns();

	(void)len;
	memcpy(&d, p, sizeof d);
	p += sizeof d;
	for (i = 0; i < d.d_count && m->m_status == -1; i++, p += sizeof r) {
		memcpy(&r, p, sizeof r);
		if (!chan_take(s, r.r_id)) {
			slot_kill(s, "reported chunk %llu, which it does not "
			    "hold", (unsigned long long)r.r_id);
			return;
		}
		s->s_results++;
		s->s_progress_ns = now;
		if ((c = chunktab_get(&m->m_chunks, r.r_id)) == NULL ||
		    c->c_state != CH_ASSIGNED || c->c_slot != s->s_index)
			fatalx("chunk %llu held by worker %d is not assigned "
			    "to it", (unsigned long long)r.r_id, s->s_index);
		if (r.r_nsec > now)
			r.r_nsec = 0;	/* not believed */
		snprintf(why, sizeof why, "exit %u", r.r_status);
		attemptlog_write(&m->m_log, c,
		    chunktab_window(&m->m_chunks, c)->c_id, s->s_index,
		    s->s_born, now - r.r_nsec, r.r_nsec,
		    r.r_status != 0 ? why : "ok");
		if (r.r_status != 0) {
			snprintf(why, sizeof why, "the worker reported failure "
			    "%u", r.r_status);
			master_fail_chunk(m, c, -1, why);
			continue;
		}
		master_record_duration(m, r.r_nsec);
		if (r.r_len > m->m_result_max) {
			master_fail_chunk(m, c, -1, "bad-message");
			s->s_charged = 1;	/* that was its attempt */
			slot_kill(s, "reported a result of %llu bytes for chunk "
			    "%llu: more than a quarter of this machine's memory",
			    (unsigned long long)r.r_len,
			    (unsigned long long)r.r_id);
			return;
		}
		if ((data = chan_view(s, r.r_off, r.r_len)) == NULL) {
			master_fail_chunk(m, c, -1, "bad-message");
			s->s_charged = 1;	/* that was its attempt */
			slot_kill(s, "reported a result for chunk %llu outside "
			    "its arena (offset %llu, length %llu)",
			    (unsigned long long)r.r_id,
			    (unsigned long long)r.r_off,
			    (unsigned long long)r.r_len);
			return;
		}
		s->s_done++;
		master_result(m, c, data, (size_t)r.r_len);
	}
	slot_arm_timeout(s);
}

/*
 * Tops up what the worker holds to prefetch chunks, in ASSIGN messages that
 * also carry the ack count. With REPLY a message goes out even with no
 * chunk in it: the worker waits for the ack to reuse its arena.
 */
void
chan_fill(struct slot *s, int reply)
{
	struct master		*m = s->s_master;
	struct msg_assign	 a;
	struct msg_chunk	 rec;
	struct chunk		*c;
	unsigned char		*p;
	size_t			 n, len, was = s->s_nheld;

	do {
		p = m->m_buf.bytes + sizeof(struct msg_hdr) + sizeof a;
		for (n = 0; n < PROTO_MAX_BATCH &&
		    s->s_nheld < m->m_conf->prefetch && !m->m_draining &&
		    !s->s_retiring; n++, p += sizeof rec) {
			if ((c = chunktab_next(&m->m_chunks)) == NULL)
				break;
			c->c_state = CH_ASSIGNED;
			c->c_slot = s->s_index;
			c->c_attempt++;
			memset(&rec, 0, sizeof rec);
			rec.c_id = c->c_id;
			rec.c_chunk = chunktab_window(&m->m_chunks, c)->c_id;
			rec.c_start = c->c_start;
			rec.c_end = c->c_end;
			rec.c_attempt = c->c_attempt;
			memcpy(p, &rec, sizeof rec);
			s->s_held[s->s_nheld++] = c->c_id;
		}
		if (n == 0 && !reply)
			break;
		len = proto_init(m->m_buf.bytes, MSG_ASSIGN, n);
		memset(&a, 0, sizeof a);
		a.a_acked = s->s_results;
		a.a_count = (uint32_t)n;
		memcpy(m->m_buf.bytes + sizeof(struct msg_hdr), &a, sizeof a);
		if (chan_send(s, m->m_buf.bytes, len) == -1) {
			/* A worker that died is seen by its EOF and exit,
			 * which tell why; anything else is its fault. */
			if (errno == ENOBUFS)
				slot_kill(s, "does not read its channel");
			else if (errno != EPIPE && errno != ECONNRESET)
				slot_kill(s, "cannot be sent to: %s",
				    strerror(errno));
			return;
		}
		reply = 0;
	} while (n == PROTO_MAX_BATCH);
	if (was == 0 && s->s_nheld > 0) {
		s->s_progress_ns = attemptlog_now_ns();
		slot_arm_timeout(s);
	}
	/* Retiring, with all its results in: it may go. */
	if (s->s_retiring && s->s_nheld == 0 && !s->s_stop_sent) {
		s->s_stop_sent = 1;
		chan_send_stop(s);
	}
}

int
chan_send_job(struct slot *s)
{
	struct master	*m = s->s_master;
	struct msg_job	 j;
	size_t		 len;

	len = proto_init(m->m_buf.bytes, MSG_JOB, 0);
	memset(&j, 0, sizeof j);
	j.j_kind = m->m_conf->split == SPLIT_RANGE ? CV_RANGE : CV_BYTES;
	j.j_slot = (uint32_t)s->s_index;
	j.j_input_size = m->m_in.in_size;
	j.j_seed = m->m_conf->seed;
	j.j_prefetch = (uint32_t)m->m_conf->prefetch;
	memcpy(m->m_buf.bytes + sizeof(struct msg_hdr), &j, sizeof j);
	return chan_send(s, m->m_buf.bytes, len);
}

void
chan_send_stop(struct slot *s)
{
	struct master	*m = s->s_master;
	size_t		 len;

	if (s->s_fd == -1)
		return;
	len = proto_init(m->m_buf.bytes, MSG_STOP, 0);
	(void)chan_send(s, m->m_buf.bytes, len);
}

/*
 * Sends one datagram without ever blocking the master: what the socket
 * cannot take now waits, in order, in the slot's queue and goes out when
 * the socket is writable. (A blocking send could deadlock with a worker
 * that is itself blocked sending to us, or hang on one that never reads.)
 * Returns 0, or -1 with errno set: the worker is gone (EPIPE, ECONNRESET)
 * or not reading (ENOBUFS).
 */
int
chan_send(struct slot *s, const void *buf, size_t len)
{
	uint32_t	n32 = (uint32_t)len;
	ssize_t		n;

	if (s->s_fd == -1) {
		errno = EPIPE;
		return -1;
	}
	if (s->s_outq == NULL || evbuffer_get_length(s->s_outq) == 0) {
		do
			n = send(s->s_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (n == -1 && errno == EINTR);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return -1;
	}
	if (s->s_outq == NULL) {
		s->s_outq = evbuffer_new();
		s->s_ev_write = event_new(s->s_master->m_base, s->s_fd,
		    EV_WRITE | EV_PERSIST, chan_write_cb, s);
		if (s->s_outq == NULL || s->s_ev_write == NULL)
			fatalx("cannot queue messages for worker %d",
			    s->s_index);
	}
	if (evbuffer_get_length(s->s_outq) + len > CHAN_MAX_QUEUE) {
		errno = ENOBUFS;
		return -1;
	}
	if (evbuffer_add(s->s_outq, &n32, sizeof n32) == -1 ||
	    evbuffer_add(s->s_outq, buf, len) == -1 ||
	    event_add(s->s_ev_write, NULL) == -1)
		fatalx("cannot queue messages for worker %d", s->s_index);
	return 0;
}

/* The socket takes more: send what waits, in order. */
static void
chan_write_cb(int fd, short events, void *arg)
{
	struct slot	*s = arg;
	uint32_t	 len;
	ssize_t		 n;
	unsigned char	*p;

	(void)events;
	while (evbuffer_get_length(s->s_outq) >= sizeof len) {
		evbuffer_copyout(s->s_outq, &len, sizeof len);
		p = evbuffer_pullup(s->s_outq, (ssize_t)(sizeof len + len));
		n = send(fd, p + sizeof len, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		if (n == -1) {
			/* Gone: its EOF and exit will tell. */
			evbuffer_drain(s->s_outq,
			    evbuffer_get_length(s->s_outq));
			break;
		}
		evbuffer_drain(s->s_outq, sizeof len + len);
	}
	event_del(s->s_ev_write);
}

/* Drops what still waits to be sent (the channel is closing). */
void
chan_queue_free(struct slot *s)
{
	if (s->s_ev_write != NULL)
		event_free(s->s_ev_write);
	if (s->s_outq != NULL)
		evbuffer_free(s->s_outq);
	s->s_ev_write = NULL;
	s->s_outq = NULL;
}
