/* proto.c: building and validating protocol messages. The validator is
 * table-driven: each type has a fixed payload, a record size for what follows
 * and the direction it may travel; a datagram must match exactly. */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "proto.h"

struct msg_shape {
	const char	*name;
	size_t		 payload;	/* fixed part after the header */
	size_t		 record;	/* size of each following record, or 0 */
	int		 from_worker;
};

static const struct msg_shape shapes[MSG_NTYPES] = {
	[MSG_JOB] = { "JOB", sizeof(struct msg_job), 0, 0 },
	[MSG_HELLO] = { "HELLO", sizeof(struct msg_hello), 0, 1 },
	[MSG_ASSIGN] = { "ASSIGN", sizeof(struct msg_assign),
	    sizeof(struct msg_chunk), 0 },
	[MSG_DONE] = { "DONE", sizeof(struct msg_done),
	    sizeof(struct msg_result), 1 },
	[MSG_STOP] = { "STOP", 0, 0, 0 },
};

const char *
proto_type_name(int type)
{
	if (type <= 0 || type >= MSG_NTYPES || shapes[type].name == NULL)
		return "unknown";
	return shapes[type].name;
}

/* The record count of a batch message that passed proto_check(). */
size_t
proto_records(const void *buf)
{
	const struct msg_hdr	*h = buf;
	const uint8_t		*p = (const uint8_t *)buf + sizeof *h;
	uint32_t		 n;

	if (h->m_type == MSG_ASSIGN)
		memcpy(&n, p + offsetof(struct msg_assign, a_count), sizeof n);
	else if (h->m_type == MSG_DONE)
		memcpy(&n, p + offsetof(struct msg_done, d_count), sizeof n);
	else
		n = 0;
	return n;
}

/*
 * Checks one received datagram of LEN bytes, sent by a worker when
 * FROM_WORKER, else by the master. Returns 0, or -1 with *errstr naming
 * what is wrong. Field values that depend on state (chunk ids, arena
 * bounds) are the receiver's to check after this.
 */
int
proto_check(const void *buf, size_t len, int from_worker, const char **errstr)
{
	struct msg_hdr		 h;
	const struct msg_shape	*s;
	size_t			 n;

	if (len < sizeof h) {
		*errstr = "message shorter than its header";
		return -1;
	}
	memcpy(&h, buf, sizeof h);
	if (h.m_version != PROTO_VERSION) {
		*errstr = "wrong protocol version";
		return -1;
	}
	if (h.m_type == 0 || h.m_type >= MSG_NTYPES) {
		*errstr = "unknown message type";
		return -1;
	}
	s = &shapes[h.m_type];
	if (s->from_worker != from_worker) {
		*errstr = "message type not allowed in this direction";
		return -1;
	}
	if (h.m_len != len) {
		*errstr = "length field differs from the datagram's length";
		return -1;
	}
	if (len < sizeof h + s->payload) {
		*errstr = "message shorter than its payload";
		return -1;
	}
	n = s->record != 0 ? proto_records(buf) : 0;
	if (s->record != 0 && n > PROTO_MAX_BATCH) {
		*errstr = "batch larger than PROTO_MAX_BATCH";
		return -1;
	}
	if (h.m_type == MSG_DONE && n == 0) {
		*errstr = "DONE without results";
		return -1;
	}
	if (len != sizeof h + s->payload + n * s->record) {
		*errstr = "length does not match the record count";
		return -1;
	}
	return 0;
}

/* Writes the header of a TYPE message with NREC records into buf (which has
 * room) and returns the datagram's length. The fixed payload is zeroed; the
 * records, which the caller may have written already, are left alone. */
size_t
proto_init(void *buf, int type, size_t nrec)
{
	struct msg_hdr	h;
	size_t		len;

	len = sizeof h + shapes[type].payload + nrec * shapes[type].record;
	memset(buf, 0, sizeof h + shapes[type].payload);
	h.m_type = (uint16_t)type;
	h.m_version = PROTO_VERSION;
	h.m_len = (uint32_t)len;
	memcpy(buf, &h, sizeof h);
	return len;
}

/* Sends one datagram; never raises SIGPIPE. Returns 0 or -1 with errno. */
int
proto_send(int fd, const void *buf, size_t len)
{
	ssize_t	n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}
