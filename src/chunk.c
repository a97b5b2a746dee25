/* chunk.c: cutting the input into chunks and keeping the window of chunks
 * in flight or waiting to be written. */
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "conf.h"
#include "log.h"
#include "xmalloc.h"

static int	chunktab_cut(struct chunktab *, uint64_t *, uint64_t *);

/*
 * Where the lines chunk that starts at POS ends, in DATA of SIZE bytes, for
 * a chunk size CS: after the last newline within the next CS bytes, so that
 * a chunk holds whole lines and at most CS bytes; a line longer than CS is a
 * chunk of its own; the input's last line needs no newline.
 */
uint64_t
split_lines_end(const char *data, uint64_t size, uint64_t pos, uint64_t cs)
{
	const char	*nl;

	if (size - pos <= cs)
		return size;
	nl = memrchr(data + pos, '\n', cs);
	if (nl != NULL)
		return (uint64_t)(nl - data) + 1;
	nl = memchr(data + pos + cs, '\n', size - pos - cs);
	return nl != NULL ? (uint64_t)(nl - data) + 1 : size;
}

/* WINDOW is rounded up to a power of two. For SPLIT_RANGE, START and END
 * are the range as int64_t values stored in uint64_t. An empty input or
 * range is one empty chunk, so that a reduce over it still has a row. */
void
chunktab_init(struct chunktab *ct, size_t window, int split, uint64_t cs,
    const char *data, uint64_t start, uint64_t end)
{
	size_t	cap = 16;

	while (cap < window)
		cap *= 2;
	memset(ct, 0, sizeof *ct);
	ct->ct_ring = xcalloc(cap, sizeof *ct->ct_ring);
	ct->ct_queue = xcalloc(cap, sizeof *ct->ct_queue);
	ct->ct_cap = cap;
	ct->ct_split = split;
	ct->ct_size = cs;
	ct->ct_data = data;
	ct->ct_pos = start;
	ct->ct_end = end;
	ct->ct_cut_all = 0;	/* an empty input is one empty chunk */
}

void
chunktab_free(struct chunktab *ct)
{
	size_t	i;

	for (i = 0; i < ct->ct_cap; i++)
		free(ct->ct_ring[i].c_result);
	free(ct->ct_ring);
	free(ct->ct_queue);
	memset(ct, 0, sizeof *ct);
}

/* Cuts the next chunk; 0 when the input is all cut. */
static int
chunktab_cut(struct chunktab *ct, uint64_t *start, uint64_t *end)
{
	int64_t	a, b;

	if (ct->ct_cut_all)
		return 0;
	*start = ct->ct_pos;
	switch (ct->ct_split) {
	case SPLIT_LINES:
		*end = split_lines_end(ct->ct_data, ct->ct_end, ct->ct_pos,
		    ct->ct_size);
		break;
	case SPLIT_BYTES:
		*end = ct->ct_end - ct->ct_pos <= ct->ct_size ? ct->ct_end :
		    ct->ct_pos + ct->ct_size;
		break;
	default:
		/* Unsigned arithmetic: b - a cannot overflow as a distance. */
		a = (int64_t)ct->ct_pos;
		b = (int64_t)ct->ct_end;
		*end = (uint64_t)b - (uint64_t)a <= ct->ct_size ?
		    (uint64_t)b : (uint64_t)a + ct->ct_size;
		break;
	}
	ct->ct_pos = *end;
	ct->ct_cut_all = ct->ct_pos == ct->ct_end;
	return 1;
}

/*
 * The next chunk to hand out: a retried one first (it holds up the output
 * the longest), else a newly cut one if the window has room. NULL when
 * there is nothing to hand out now.
 */
struct chunk *
chunktab_next(struct chunktab *ct)
{
	struct chunk	*c;
	uint64_t	 start, end;

	if (ct->ct_qlen > 0) {
		c = chunktab_get(ct, ct->ct_queue[ct->ct_qhead]);
		ct->ct_qhead = (ct->ct_qhead + 1) % ct->ct_cap;
		ct->ct_qlen--;
		return c;
	}
	if (ct->ct_next - ct->ct_base >= ct->ct_cap ||
	    !chunktab_cut(ct, &start, &end))
		return NULL;
	c = &ct->ct_ring[ct->ct_next % ct->ct_cap];
	memset(c, 0, sizeof *c);
	c->c_id = ct->ct_next++;
	c->c_start = start;
	c->c_end = end;
	c->c_state = CH_QUEUED;
	c->c_slot = -1;
	return c;
}

/* The record of chunk ID, or NULL if it is not in the window (retired, or
 * never cut): an id a worker made up. */
struct chunk *
chunktab_get(struct chunktab *ct, uint64_t id)
{
	struct chunk	*c;

	if (id < ct->ct_base || id >= ct->ct_next)
		return NULL;
	c = &ct->ct_ring[id % ct->ct_cap];
	return c->c_state == CH_FREE ? NULL : c;
}

/* Puts an assigned chunk back in line for another attempt. */
void
chunktab_requeue(struct chunktab *ct, struct chunk *c)
{
	if (ct->ct_qlen == ct->ct_cap)
		fatalx("chunk retry queue overflow");
	c->c_state = CH_QUEUED;
	c->c_slot = -1;
	ct->ct_queue[(ct->ct_qhead + ct->ct_qlen++) % ct->ct_cap] = c->c_id;
}

/* The chunk is written out: free its record, and move the window on past
 * every retired chunk at its start. */
void
chunktab_retire(struct chunktab *ct, struct chunk *c)
{
	free(c->c_result);
	c->c_result = NULL;
	c->c_state = CH_FREE;
	while (ct->ct_base < ct->ct_next &&
	    ct->ct_ring[ct->ct_base % ct->ct_cap].c_state == CH_FREE)
		ct->ct_base++;
}

/* Every chunk cut and retired: the job's work is done. */
int
chunktab_finished(const struct chunktab *ct)
{
	return ct->ct_cut_all && ct->ct_base == ct->ct_next;
}
