/*
 * proto.h: the wire protocol between the master and a worker. One
 * SOCK_SEQPACKET datagram is one message: a fixed header, then a payload
 * struct, then for batch messages an array of fixed-size records. Both ends
 * are on one machine, so fields are in host byte order; every field has a
 * fixed width and every struct a fixed size (checked below).
 *
 *	master				worker
 *	JOB	------------------->	(at spawn)
 *		<-------------------	HELLO
 *	ASSIGN	------------------->	(chunks to hold; acks results)
 *		<-------------------	DONE (results in the arena)
 *	ASSIGN	------------------->	(one reply per DONE, maybe empty)
 *	...
 *	STOP	------------------->	(job over: exit 0)
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		1
#define PROTO_FD_CHANNEL	3	/* the socket, in every worker */
#define PROTO_FD_INPUT		4	/* the input, read-only (bytes splits) */
#define PROTO_FD_ARENA		5	/* the result arena (a memfd) */
#define PROTO_ENV_CHANNEL	"CHUNKVISOR_CHANNEL"
#define PROTO_ENV_MASTER	"CHUNKVISOR_MASTER_PID"
#define PROTO_MAX_BATCH		1024	/* records in one ASSIGN or DONE */

/* Message types; a retired number stays reserved. */
enum msg_type {
	MSG_JOB = 1,
	MSG_HELLO = 2,
	MSG_ASSIGN = 3,
	MSG_DONE = 4,
	MSG_STOP = 5,
	MSG_NTYPES
};

struct msg_hdr {
	uint16_t	m_type;
	uint16_t	m_version;	/* PROTO_VERSION */
	uint32_t	m_len;		/* the whole datagram, header included */
};

/* Master to worker, once, first. */
struct msg_job {
	uint32_t	j_kind;		/* CV_BYTES or CV_RANGE */
	uint32_t	j_slot;
	uint64_t	j_input_size;	/* bytes of PROTO_FD_INPUT to map */
	uint64_t	j_seed;
	uint32_t	j_prefetch;
	uint32_t	j_pad;
};

/* Worker to master, once, first. */
struct msg_hello {
	uint32_t	h_pid;
	uint32_t	h_pad;
};

/* One chunk to hold: bytes [start, end) of the input, or the integers
 * start <= i < end (as int64_t) for CV_RANGE. c_id names it in DONE; for a
 * piece of a bisected chunk it is not the chunk's number, which c_chunk
 * gives (what the map function sees as cv_chunk.id). */
struct msg_chunk {
	uint64_t	c_id;
	uint64_t	c_chunk;
	uint64_t	c_start;
	uint64_t	c_end;
	uint32_t	c_attempt;
	uint32_t	c_pad;
};

/* Master to worker: a_count msg_chunk records follow. a_acked counts the
 * results of this worker the master has consumed so far: their arena space
 * may be reused. */
struct msg_assign {
	uint64_t	a_acked;
	uint32_t	a_count;
	uint32_t	a_pad;
};

/* One result: arena bytes [off, off + len), or a failed attempt. */
struct msg_result {
	uint64_t	r_id;
	uint64_t	r_off;
	uint64_t	r_len;
	uint64_t	r_nsec;		/* how long the attempt ran */
	uint32_t	r_status;	/* 0 ok; else the map function's code */
	uint32_t	r_pad;
};

/* Worker to master: d_count msg_result records follow. */
struct msg_done {
	uint32_t	d_count;
	uint32_t	d_pad;
};

/*
 * The first bytes of every arena: the worker's word on which chunk it is
 * running and since when, so that a crash is charged to that chunk and not
 * to the others it holds, and a chunk's timeout runs from its own start.
 * The master treats it as a hint and checks it against what the worker
 * holds. Results start at ARENA_DATA.
 */
struct arena_hdr {
	uint64_t	ah_running;	/* chunk id + 1; 0 when idle */
	uint64_t	ah_started;	/* its start, CLOCK_MONOTONIC ns */
	uint64_t	ah_pad[6];
};
#define ARENA_DATA	sizeof(struct arena_hdr)
#define ARENA_INITIAL	(1024 * 1024)

_Static_assert(sizeof(struct msg_hdr) == 8, "msg_hdr size");
_Static_assert(sizeof(struct msg_job) == 32, "msg_job size");
_Static_assert(sizeof(struct msg_hello) == 8, "msg_hello size");
_Static_assert(sizeof(struct msg_chunk) == 40, "msg_chunk size");
_Static_assert(sizeof(struct msg_assign) == 16, "msg_assign size");
_Static_assert(sizeof(struct msg_result) == 40, "msg_result size");
_Static_assert(sizeof(struct msg_done) == 8, "msg_done size");
_Static_assert(sizeof(struct arena_hdr) == 64, "arena_hdr size");

/* The largest datagram of either side: receive buffers have this size. */
#define PROTO_MAX_ASSIGN	(sizeof(struct msg_hdr) + sizeof(struct msg_assign) + \
	PROTO_MAX_BATCH * sizeof(struct msg_chunk))
#define PROTO_MAX_DONE	(sizeof(struct msg_hdr) + sizeof(struct msg_done) + \
	PROTO_MAX_BATCH * sizeof(struct msg_result))
#define PROTO_MAX_MSG	(PROTO_MAX_DONE > PROTO_MAX_ASSIGN ? PROTO_MAX_DONE : \
	PROTO_MAX_ASSIGN)

int		 proto_check(const void *, size_t, int, const char **);
size_t		 proto_records(const void *);
size_t		 proto_init(void *, int, size_t);
int		 proto_send(int, const void *, size_t);
const char	*proto_type_name(int);

#endif
