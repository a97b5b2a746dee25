/* test_proto.c: the message validator of proto.c against a table of hostile
 * datagrams, each of which must be rejected, and of valid ones, each of
 * which must pass; proto_init round trips; proto_send over a real
 * SOCK_SEQPACKET socketpair. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rows.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

#define HDR		sizeof(struct msg_hdr)
#define BUFSZ		(PROTO_MAX_MSG + 2 * sizeof(struct msg_chunk))

/* Datagram buffers, aligned for the structs. */
static union {
	struct msg_hdr	h;
	uint64_t	align;
	uint8_t		b[BUFSZ];
} dgram, rbuf;

/* The fixed payload size of each type, and the size of its records. */
static size_t
payload_of(int type)
{
	switch (type) {
	case MSG_JOB:	 return sizeof(struct msg_job);
	case MSG_HELLO:	 return sizeof(struct msg_hello);
	case MSG_ASSIGN: return sizeof(struct msg_assign);
	case MSG_DONE:	 return sizeof(struct msg_done);
	default:	 return 0;
	}
}

static size_t
record_of(int type)
{
	return type == MSG_ASSIGN ? sizeof(struct msg_chunk) :
	    type == MSG_DONE ? sizeof(struct msg_result) : 0;
}

/* What a row says the datagram is. */
struct dg_row {
	const char	*name;
	uint16_t	 type;
	uint16_t	 version;
	uint32_t	 count;		/* a_count or d_count */
	int64_t		 len;		/* datagram length; -1: exact for count */
	int64_t		 mlen;		/* m_len; -1: same as len */
	int		 from_worker;
};

/* Builds ROW into dgram (garbage in the records, as a peer may send);
 * returns the datagram's length. */
static size_t
build(const struct dg_row *row)
{
	size_t		len;
	uint32_t	mlen;

	memset(dgram.b, 0xa5, sizeof dgram.b);
	len = row->len >= 0 ? (size_t)row->len :
	    HDR + payload_of(row->type) +
	    (size_t)row->count * record_of(row->type);
	assert_true(len <= sizeof dgram.b);
	mlen = row->mlen >= 0 ? (uint32_t)row->mlen : (uint32_t)len;
	dgram.h.m_type = row->type;
	dgram.h.m_version = row->version;
	dgram.h.m_len = mlen;
	if (row->type == MSG_ASSIGN)
		memcpy(dgram.b + HDR + offsetof(struct msg_assign, a_count),
		    &row->count, sizeof row->count);
	else if (row->type == MSG_DONE)
		memcpy(dgram.b + HDR + offsetof(struct msg_done, d_count),
		    &row->count, sizeof row->count);
	return len;
}

#define W	1	/* sent by a worker */
#define M	0	/* sent by the master */
#define V	PROTO_VERSION
#define ONE_RES	(HDR + sizeof(struct msg_done) + sizeof(struct msg_result))
#define ONE_CHK	(HDR + sizeof(struct msg_assign) + sizeof(struct msg_chunk))

static const struct dg_row hostile[] = {
	/* Shorter than the header. */
	{ "empty", MSG_HELLO, V, 0, 0, 16, W },
	{ "1 byte", MSG_HELLO, V, 0, 1, 16, W },
	{ "7 bytes", MSG_HELLO, V, 0, 7, 16, W },
	{ "7 bytes, m_len 7", MSG_STOP, V, 0, 7, 7, M },
	/* Wrong version. */
	{ "version 0", MSG_HELLO, 0, 0, -1, -1, W },
	{ "version 2", MSG_HELLO, 2, 0, -1, -1, W },
	{ "version 0xffff", MSG_HELLO, 0xffff, 0, -1, -1, W },
	{ "version 0x0100", MSG_DONE, 0x0100, 1, -1, -1, W },
	/* Unknown types. */
	{ "type 0", 0, V, 0, 8, -1, W },
	{ "type 0 from master", 0, V, 0, 8, -1, M },
	{ "type MSG_NTYPES", MSG_NTYPES, V, 0, 8, -1, M },
	{ "type 99", 99, V, 0, 8, -1, W },
	{ "type 99 from master", 99, V, 0, 8, -1, M },
	{ "type 0xffff", 0xffff, V, 0, 8, -1, W },
	{ "type 0x0102", 0x0102, V, 0, 16, -1, W },
	/* Master-only types from a worker, and the other way round. */
	{ "JOB from worker", MSG_JOB, V, 0, -1, -1, W },
	{ "ASSIGN from worker", MSG_ASSIGN, V, 0, -1, -1, W },
	{ "ASSIGN(1) from worker", MSG_ASSIGN, V, 1, -1, -1, W },
	{ "STOP from worker", MSG_STOP, V, 0, -1, -1, W },
	{ "HELLO from master", MSG_HELLO, V, 0, -1, -1, M },
	{ "DONE from master", MSG_DONE, V, 1, -1, -1, M },
	/* m_len differs from the datagram's length. */
	{ "HELLO m_len - 1", MSG_HELLO, V, 0, 16, 15, W },
	{ "HELLO m_len + 1", MSG_HELLO, V, 0, 16, 17, W },
	{ "HELLO m_len 0", MSG_HELLO, V, 0, 16, 0, W },
	{ "HELLO m_len 8", MSG_HELLO, V, 0, 16, 8, W },
	{ "HELLO m_len max", MSG_HELLO, V, 0, 16, 0xffffffff, W },
	{ "STOP m_len 0", MSG_STOP, V, 0, 8, 0, M },
	{ "DONE(1) m_len - 1", MSG_DONE, V, 1, ONE_RES, ONE_RES - 1, W },
	{ "DONE(1) m_len + 32", MSG_DONE, V, 1, ONE_RES, ONE_RES + 32, W },
	{ "ASSIGN(1) m_len for 2", MSG_ASSIGN, V, 1, ONE_CHK, ONE_CHK + 32,
	    M },
	/* Fixed-size messages of the wrong size (m_len agreeing). */
	{ "HELLO + 1 byte", MSG_HELLO, V, 0, 17, -1, W },
	{ "HELLO - 1 byte", MSG_HELLO, V, 0, 15, -1, W },
	{ "HELLO header only", MSG_HELLO, V, 0, 8, -1, W },
	{ "JOB - 1 byte", MSG_JOB, V, 0, 39, -1, M },
	{ "JOB + 1 byte", MSG_JOB, V, 0, 41, -1, M },
	{ "JOB + 32 bytes", MSG_JOB, V, 0, 72, -1, M },
	{ "STOP + 1 byte", MSG_STOP, V, 0, 9, -1, M },
	{ "STOP + 8 bytes", MSG_STOP, V, 0, 16, -1, M },
	/* Batch payload cut short. */
	{ "ASSIGN header only", MSG_ASSIGN, V, 0, 8, -1, M },
	{ "ASSIGN payload - 1", MSG_ASSIGN, V, 0, 23, -1, M },
	{ "DONE header only", MSG_DONE, V, 0, 8, -1, W },
	{ "DONE payload - 1", MSG_DONE, V, 1, 15, -1, W },
	/* DONE without results. */
	{ "DONE(0)", MSG_DONE, V, 0, -1, -1, W },
	{ "DONE(0) with a record", MSG_DONE, V, 0, ONE_RES, -1, W },
	/* More records than PROTO_MAX_BATCH. */
	{ "DONE(1025)", MSG_DONE, V, PROTO_MAX_BATCH + 1, -1, -1, W },
	{ "ASSIGN(1025)", MSG_ASSIGN, V, PROTO_MAX_BATCH + 1, -1, -1, M },
	{ "DONE(1025) sized for 1024", MSG_DONE, V, PROTO_MAX_BATCH + 1,
	    HDR + 8 + PROTO_MAX_BATCH * sizeof(struct msg_result), -1, W },
	/* Length not matching the count. */
	{ "DONE(1) - 1 byte", MSG_DONE, V, 1, ONE_RES - 1, -1, W },
	{ "DONE(1) + 1 byte", MSG_DONE, V, 1, ONE_RES + 1, -1, W },
	{ "DONE(1) no record", MSG_DONE, V, 1, HDR + 8, -1, W },
	{ "DONE(2) sized for 1", MSG_DONE, V, 2, ONE_RES, -1, W },
	{ "DONE(1) sized for 2", MSG_DONE, V, 1,
	    ONE_RES + sizeof(struct msg_result), -1, W },
	{ "DONE(1024) - 1 byte", MSG_DONE, V, PROTO_MAX_BATCH,
	    HDR + 8 + PROTO_MAX_BATCH * sizeof(struct msg_result) - 1, -1, W },
	{ "DONE(1024) + 1 byte", MSG_DONE, V, PROTO_MAX_BATCH,
	    HDR + 8 + PROTO_MAX_BATCH * sizeof(struct msg_result) + 1, -1, W },
	{ "ASSIGN(0) + 1 byte", MSG_ASSIGN, V, 0, HDR + 16 + 1, -1, M },
	{ "ASSIGN(0) with a record", MSG_ASSIGN, V, 0, ONE_CHK, -1, M },
	{ "ASSIGN(1) - 1 byte", MSG_ASSIGN, V, 1, ONE_CHK - 1, -1, M },
	{ "ASSIGN(1) + 1 byte", MSG_ASSIGN, V, 1, ONE_CHK + 1, -1, M },
	{ "ASSIGN(3) sized for 2 + 31", MSG_ASSIGN, V, 3,
	    HDR + 16 + 2 * 32 + 31, -1, M },
	{ "ASSIGN(1024) - 1 byte", MSG_ASSIGN, V, PROTO_MAX_BATCH,
	    PROTO_MAX_MSG - 1, -1, M },
	{ "ASSIGN(1024) + 1 byte", MSG_ASSIGN, V, PROTO_MAX_BATCH,
	    PROTO_MAX_MSG + 1, -1, M },
	/* Huge counts: count * 32 wraps to a small number in 32 bits. */
	{ "DONE(0xffffffff)", MSG_DONE, V, 0xffffffff, ONE_RES, -1, W },
	{ "DONE(0xffffffff) no record", MSG_DONE, V, 0xffffffff, HDR + 8,
	    -1, W },
	{ "DONE(0x80000000)", MSG_DONE, V, 0x80000000, HDR + 8, -1, W },
	{ "DONE(2^27): count*32 = 2^32", MSG_DONE, V, 0x08000000, HDR + 8,
	    -1, W },
	{ "DONE(2^27+1): count*32 = 2^32+32", MSG_DONE, V, 0x08000001,
	    ONE_RES, -1, W },
	{ "ASSIGN(0xffffffff)", MSG_ASSIGN, V, 0xffffffff, ONE_CHK, -1, M },
	{ "ASSIGN(2^27+1)", MSG_ASSIGN, V, 0x08000001, ONE_CHK, -1, M },
};

static const struct dg_row valid[] = {
	{ "HELLO", MSG_HELLO, V, 0, -1, -1, W },
	{ "JOB", MSG_JOB, V, 0, -1, -1, M },
	{ "STOP", MSG_STOP, V, 0, -1, -1, M },
	{ "ASSIGN(0)", MSG_ASSIGN, V, 0, -1, -1, M },
	{ "ASSIGN(1)", MSG_ASSIGN, V, 1, -1, -1, M },
	{ "ASSIGN(2)", MSG_ASSIGN, V, 2, -1, -1, M },
	{ "ASSIGN(1024)", MSG_ASSIGN, V, PROTO_MAX_BATCH, -1, -1, M },
	{ "DONE(1)", MSG_DONE, V, 1, -1, -1, W },
	{ "DONE(7)", MSG_DONE, V, 7, -1, -1, W },
	{ "DONE(1024)", MSG_DONE, V, PROTO_MAX_BATCH, -1, -1, W },
};

static void
test_hostile_rejected(void **state)
{
	const char	*errstr;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < NITEMS(hostile); i++) {
		len = build(&hostile[i]);
		errstr = NULL;
		if (proto_check(dgram.b, len, hostile[i].from_worker,
		    &errstr) != -1)
			ROW_FAIL("%s (%zu bytes) accepted", hostile[i].name,
			    len);
		else if (errstr == NULL || *errstr == '\0')
			ROW_FAIL("%s: rejected without errstr",
			    hostile[i].name);
	}
	rows_done();
}

static void
test_valid_accepted(void **state)
{
	const char	*errstr;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < NITEMS(valid); i++) {
		len = build(&valid[i]);
		errstr = NULL;
		if (proto_check(dgram.b, len, valid[i].from_worker,
		    &errstr) != 0) {
			ROW_FAIL("%s (%zu bytes) rejected: %s", valid[i].name,
			    len, errstr ? errstr : "no errstr");
			continue;
		}
		if (proto_records(dgram.b) != valid[i].count)
			ROW_FAIL("%s: proto_records %zu; expected %u",
			    valid[i].name, proto_records(dgram.b),
			    valid[i].count);
		/* The same datagram the other way is refused. */
		if (proto_check(dgram.b, len, !valid[i].from_worker,
		    &errstr) != -1)
			ROW_FAIL("%s accepted in the wrong direction",
			    valid[i].name);
	}
	rows_done();
}

/* Every length from 0 to one past a whole valid DONE(2): only the exact
 * one passes. */
static void
test_every_length(void **state)
{
	static const struct dg_row done2 = { "DONE(2)", MSG_DONE, V, 2, -1,
	    -1, W };
	const char	*errstr;
	size_t		 exact, len;

	(void)state;
	exact = build(&done2);
	for (len = 0; len <= exact + 40; len++) {
		dgram.h.m_len = (uint32_t)len;
		if ((proto_check(dgram.b, len, 1, &errstr) == 0) !=
		    (len == exact))
			ROW_FAIL("DONE(2) of %zu bytes: %s", len,
			    len == exact ? "rejected" : "accepted");
	}
	rows_done();
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(proto_type_name(MSG_JOB), "JOB");
	assert_string_equal(proto_type_name(MSG_HELLO), "HELLO");
	assert_string_equal(proto_type_name(MSG_ASSIGN), "ASSIGN");
	assert_string_equal(proto_type_name(MSG_DONE), "DONE");
	assert_string_equal(proto_type_name(MSG_STOP), "STOP");
	assert_string_equal(proto_type_name(0), "unknown");
	assert_string_equal(proto_type_name(MSG_NTYPES), "unknown");
	assert_string_equal(proto_type_name(-1), "unknown");
	assert_string_equal(proto_type_name(99), "unknown");
	assert_string_equal(proto_type_name(65535), "unknown");
}

/* proto_init writes the header and zeroes the payload, leaves records
 * alone; with the count filled in, the result passes proto_check. */
static void
test_init_round_trip(void **state)
{
	static const struct {
		int	 type;
		size_t	 nrec;
		int	 from_worker;
	} rows[] = {
		{ MSG_JOB, 0, 0 }, { MSG_HELLO, 0, 1 }, { MSG_STOP, 0, 0 },
		{ MSG_ASSIGN, 0, 0 }, { MSG_ASSIGN, 1, 0 },
		{ MSG_ASSIGN, 5, 0 }, { MSG_ASSIGN, PROTO_MAX_BATCH, 0 },
		{ MSG_DONE, 1, 1 }, { MSG_DONE, 3, 1 },
		{ MSG_DONE, PROTO_MAX_BATCH, 1 },
	};
	const char	*errstr;
	size_t		 i, len, want, pay, k;
	uint32_t	 n;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		pay = payload_of(rows[i].type);
		want = HDR + pay + rows[i].nrec * record_of(rows[i].type);
		memset(dgram.b, 0x55, sizeof dgram.b);
		len = proto_init(dgram.b, rows[i].type, rows[i].nrec);
		assert_int_equal(len, want);
		assert_int_equal(dgram.h.m_type, rows[i].type);
		assert_int_equal(dgram.h.m_version, PROTO_VERSION);
		assert_int_equal(dgram.h.m_len, want);
		for (k = HDR; k < HDR + pay; k++)
			if (dgram.b[k] != 0)
				ROW_FAIL("type %d: payload byte %zu not zeroed",
				    rows[i].type, k);
		for (k = HDR + pay; k < want + 8; k++)
			if (dgram.b[k] != 0x55)
				ROW_FAIL("type %d: record byte %zu touched",
				    rows[i].type, k);
		n = (uint32_t)rows[i].nrec;
		if (rows[i].type == MSG_ASSIGN)
			memcpy(dgram.b + HDR +
			    offsetof(struct msg_assign, a_count), &n, sizeof n);
		if (rows[i].type == MSG_DONE)
			memcpy(dgram.b + HDR +
			    offsetof(struct msg_done, d_count), &n, sizeof n);
		errstr = NULL;
		if (proto_check(dgram.b, len, rows[i].from_worker, &errstr))
			ROW_FAIL("type %d with %zu records: %s", rows[i].type,
			    rows[i].nrec, errstr);
		else if (proto_records(dgram.b) != rows[i].nrec)
			ROW_FAIL("type %d: proto_records %zu; expected %zu",
			    rows[i].type, proto_records(dgram.b),
			    rows[i].nrec);
	}
	rows_done();
}

static void
make_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv), 0);
}

/* Receives one datagram into rbuf; returns its length, checking that it
 * was not truncated. */
static size_t
recv_one(int fd)
{
	struct msghdr	msg;
	struct iovec	iov;
	ssize_t		n;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = rbuf.b;
	iov.iov_len = sizeof rbuf.b;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	assert_true(n >= 0);
	assert_false(msg.msg_flags & MSG_TRUNC);
	return (size_t)n;
}

/* Datagrams keep their boundaries and bytes, from the smallest to the
 * largest message. */
static void
test_send_socketpair(void **state)
{
	struct msg_chunk	 ch;
	struct msg_hello	 hello;
	const char		*errstr;
	size_t			 len[3], n, k;
	uint32_t		 count;
	int			 sv[2];

	(void)state;
	make_pair(sv);

	/* master -> worker: STOP, a full ASSIGN, an empty ASSIGN. */
	len[0] = proto_init(dgram.b, MSG_STOP, 0);
	assert_int_equal(proto_send(sv[0], dgram.b, len[0]), 0);
	for (k = 0; k < PROTO_MAX_BATCH; k++) {
		memset(&ch, 0, sizeof ch);
		ch.c_id = k;
		ch.c_start = 10 * k;
		ch.c_end = 10 * k + 10;
		ch.c_attempt = 1;
		memcpy(dgram.b + HDR + sizeof(struct msg_assign) +
		    k * sizeof ch, &ch, sizeof ch);
	}
	len[1] = proto_init(dgram.b, MSG_ASSIGN, PROTO_MAX_BATCH);
	assert_int_equal(len[1], PROTO_MAX_ASSIGN);
	count = PROTO_MAX_BATCH;
	memcpy(dgram.b + HDR + offsetof(struct msg_assign, a_count), &count,
	    sizeof count);
	assert_int_equal(proto_send(sv[0], dgram.b, len[1]), 0);
	len[2] = proto_init(dgram.b, MSG_ASSIGN, 0);
	assert_int_equal(proto_send(sv[0], dgram.b, len[2]), 0);

	for (k = 0; k < 3; k++) {
		n = recv_one(sv[1]);
		assert_int_equal(n, len[k]);
		errstr = NULL;
		if (proto_check(rbuf.b, n, 0, &errstr) != 0)
			fail_msg("datagram %zu: %s", k, errstr);
	}
	/* The last one received was the empty ASSIGN; check the big one's
	 * records by sending it again. */
	proto_init(dgram.b, MSG_ASSIGN, PROTO_MAX_BATCH);
	memcpy(dgram.b + HDR + offsetof(struct msg_assign, a_count), &count,
	    sizeof count);
	assert_int_equal(proto_send(sv[0], dgram.b, len[1]), 0);
	n = recv_one(sv[1]);
	assert_int_equal(n, PROTO_MAX_ASSIGN);
	assert_memory_equal(rbuf.b, dgram.b, n);
	assert_int_equal(proto_records(rbuf.b), PROTO_MAX_BATCH);
	memcpy(&ch, rbuf.b + HDR + sizeof(struct msg_assign) + 1023 * sizeof ch,
	    sizeof ch);
	assert_true(ch.c_id == 1023 && ch.c_end == 10240);

	/* worker -> master: HELLO. */
	len[0] = proto_init(dgram.b, MSG_HELLO, 0);
	hello.h_pid = (uint32_t)getpid();
	hello.h_pad = 0;
	memcpy(dgram.b + HDR, &hello, sizeof hello);
	assert_int_equal(proto_send(sv[1], dgram.b, len[0]), 0);
	n = recv_one(sv[0]);
	assert_int_equal(n, sizeof(struct msg_hdr) + sizeof hello);
	assert_int_equal(proto_check(rbuf.b, n, 1, &errstr), 0);
	assert_memory_equal(rbuf.b, dgram.b, n);

	/* Nothing else is waiting. */
	assert_int_equal(recv(sv[0], rbuf.b, sizeof rbuf.b, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/* Sending to a closed peer fails with EPIPE and does not raise SIGPIPE
 * (which, at its default action, would end this test program). */
static void
test_send_closed_peer(void **state)
{
	struct sigaction	 sa, old;
	size_t			 len;
	int			 sv[2];

	(void)state;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGPIPE, &sa, &old), 0);
	make_pair(sv);
	close(sv[1]);
	len = proto_init(dgram.b, MSG_STOP, 0);
	errno = 0;
	assert_int_equal(proto_send(sv[0], dgram.b, len), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[0]);

	errno = 0;
	assert_int_equal(proto_send(sv[0], dgram.b, len), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_rejected),
		cmocka_unit_test(test_valid_accepted),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_init_round_trip),
		cmocka_unit_test(test_send_socketpair),
		cmocka_unit_test(test_send_closed_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
