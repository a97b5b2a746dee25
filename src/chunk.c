/* chunk.c: cutting the input into chunks and keeping the window of chunks
 * in flight or waiting to be written. */
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "conf.h"
#include "log.h"
#include "xmalloc.h"

static int	chunktab_cut(struct chunktab *, uint64_t *, uint64_t *);
static uint32_t	chunktab_new_piece(struct chunktab *, uint64_t, uint64_t,
		    uint64_t);
static void	chunktab_free_piece(struct chunktab *, struct chunk *);
static struct chunk *chunktab_piece(const struct chunktab *, uint32_t);


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
	ct->ct_qcap = cap;
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

	for (i = 0; i < ct->ct_cap; i++) {
		free(ct->ct_ring[i].c_result);
		free(ct->ct_ring[i].c_pieces);
	}
	for (i = 0; i < ct->ct_npieces; i++)
		free(chunktab_piece(ct, (uint32_t)i)->c_result);
	for (i = 0; i < ct->ct_npieces; i += PIECE_BLOCK)
		free(ct->ct_pieces[i / PIECE_BLOCK]);
	free(ct->ct_pieces);
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

	if (ct->ct_qlen > 0) {
		c = chunktab_get(ct, ct->ct_queue[ct->ct_qhead]);
		ct->ct_qhead = (ct->ct_qhead + 1) % ct->ct_qcap;
		ct->ct_qlen--;
		return c;
	}
	return chunktab_cut_next(ct);
}

/* A newly cut chunk (QUEUED, not in the retry queue), or NULL when the
 * window is full or the input all cut. */
struct chunk *
chunktab_cut_next(struct chunktab *ct)
{
	struct chunk	*c;
	uint64_t	 start, end;

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

/* Resuming a job whose chunks before BASE are all written: the next chunk
 * to cut is BASE, starting at POS. */
void
chunktab_resume(struct chunktab *ct, uint64_t base, uint64_t pos)
{
	ct->ct_base = ct->ct_next = base;
	ct->ct_pos = pos;
	ct->ct_cut_all = base > 0 && pos == ct->ct_end;
}

/* How many chunks of CS cut [START, END) (an int64 range, or bytes) into:
 * an empty input is one chunk. (For lines, a lower bound.) */
uint64_t
chunk_count(uint64_t cs, uint64_t start, uint64_t end)
{
	uint64_t	span = end - start;

	return span / cs + (span % cs != 0 || span == 0);
}

/* The record of chunk ID, or NULL if it is not in the window (retired, or
 * never cut): an id a worker made up. */
struct chunk *
chunktab_get(struct chunktab *ct, uint64_t id)
{
	struct chunk	*c;

	if (IS_PIECE(id)) {
		if ((id & ~PIECE_BIT) >= ct->ct_npieces)
			return NULL;
		c = chunktab_piece(ct, (uint32_t)(id & ~PIECE_BIT));
		return c->c_state == CH_FREE ? NULL : c;
	}
	if (id < ct->ct_base || id >= ct->ct_next)
		return NULL;
	c = &ct->ct_ring[id % ct->ct_cap];
	return c->c_state == CH_FREE ? NULL : c;
}

/* Puts an assigned chunk back in line for another attempt. */
void
chunktab_requeue(struct chunktab *ct, struct chunk *c)
{
	uint64_t	*q;
	size_t		 i;

	/* Pieces of bisected chunks can outnumber the window: grow. */
	if (ct->ct_qlen == ct->ct_qcap) {
		q = xcalloc(ct->ct_qcap * 2, sizeof *q);
		for (i = 0; i < ct->ct_qlen; i++)
			q[i] = ct->ct_queue[(ct->ct_qhead + i) % ct->ct_qcap];
		free(ct->ct_queue);
		ct->ct_queue = q;
		ct->ct_qhead = 0;
		ct->ct_qcap *= 2;
	}
	c->c_state = CH_QUEUED;
	c->c_slot = -1;
	ct->ct_queue[(ct->ct_qhead + ct->ct_qlen++) % ct->ct_qcap] = c->c_id;
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

static struct chunk *
chunktab_piece(const struct chunktab *ct, uint32_t i)
{
	return &ct->ct_pieces[i / PIECE_BLOCK][i % PIECE_BLOCK];
}

/* A new piece [start, end) of window chunk PARENT, queued. */
static uint32_t
chunktab_new_piece(struct chunktab *ct, uint64_t parent, uint64_t start,
    uint64_t end)
{
	struct chunk	*c;
	uint32_t	 i;

	if (ct->ct_free_piece != 0) {
		i = ct->ct_free_piece - 1;
		ct->ct_free_piece = (uint32_t)chunktab_piece(ct, i)->c_parent;
	} else {
		if (ct->ct_npieces == UINT32_MAX - PIECE_BLOCK)
			fatalx("too many pieces of bisected chunks");
		if (ct->ct_npieces % PIECE_BLOCK == 0) {
			ct->ct_pieces = xreallocarray(ct->ct_pieces,
			    ct->ct_npieces / PIECE_BLOCK + 1,
			    sizeof *ct->ct_pieces);
			ct->ct_pieces[ct->ct_npieces / PIECE_BLOCK] =
			    xcalloc(PIECE_BLOCK, sizeof(struct chunk));
		}
		i = ct->ct_npieces++;
	}
	c = chunktab_piece(ct, i);
	memset(c, 0, sizeof *c);
	c->c_id = PIECE_BIT | i;
	c->c_start = start;
	c->c_end = end;
	c->c_parent = parent;
	c->c_slot = -1;
	chunktab_requeue(ct, c);
	return i;
}

static void
chunktab_free_piece(struct chunktab *ct, struct chunk *p)
{
	uint32_t	index = (uint32_t)(p->c_id & ~PIECE_BIT);

	free(p->c_result);
	memset(p, 0, sizeof *p);
	p->c_parent = ct->ct_free_piece;	/* the free list's link */
	ct->ct_free_piece = index + 1;
}

/* The window chunk that C (a chunk or a piece) belongs to. */
struct chunk *
chunktab_window(struct chunktab *ct, const struct chunk *c)
{
	return IS_PIECE(c->c_id) ? chunktab_get(ct, c->c_parent) :
	    (struct chunk *)(uintptr_t)c;
}

/*
 * Where to cut C in two, in *CUT: for lines, at the first line start at or
 * after its middle, else the last one before it; for bytes and ranges, at
 * the middle, if each half keeps at least MIN. Returns 0 when C cannot be
 * cut (a single line, or a smallest piece), else 1. (A range can be cut at
 * the integer 0, so 0 cannot stand for "no cut".)
 */
int
chunktab_cut_point(const struct chunktab *ct, const struct chunk *c,
    uint64_t min, uint64_t *cut)
{
	uint64_t	 len = c->c_end - c->c_start, mid;
	const char	*nl;

	if (len < 2)
		return 0;
	mid = c->c_start + len / 2;
	if (ct->ct_split != SPLIT_LINES) {
		*cut = mid;
		return len / 2 >= min;
	}
	/* A line starts at mid if byte mid - 1 ends one. */
	nl = memchr(ct->ct_data + mid - 1, '\n', c->c_end - mid + 1);
	if (nl != NULL && (uint64_t)(nl - ct->ct_data) + 1 < c->c_end) {
		*cut = (uint64_t)(nl - ct->ct_data) + 1;
		return 1;
	}
	nl = memrchr(ct->ct_data + c->c_start, '\n', mid - 1 - c->c_start);
	if (nl == NULL)
		return 0;
	*cut = (uint64_t)(nl - ct->ct_data) + 1;
	return 1;
}

/*
 * Bisects C (a window chunk or a piece): its two halves are queued as new
 * pieces in its place. Returns 0, or -1 when it cannot be cut (see
 * chunktab_cut_point); MIN is the smallest piece for bytes and ranges.
 */
int
chunktab_split(struct chunktab *ct, struct chunk *c, uint64_t min)
{
	struct chunk	*w = chunktab_window(ct, c);
	uint64_t	 cut, start = c->c_start, end = c->c_end, id = w->c_id;
	uint32_t	 a, b, at = 0, self;

	if (!chunktab_cut_point(ct, c, min, &cut))
		return -1;
	if (w == c) {
		c->c_state = CH_SPLIT;
		c->c_npieces = 0;
	} else {
		/* The piece gives its place in W's list to its halves. */
		self = (uint32_t)(c->c_id & ~PIECE_BIT);
		while (at < w->c_npieces && w->c_pieces[at] != self)
			at++;
		if (at == w->c_npieces)
			fatalx("piece %u is not in chunk %llu", self,
			    (unsigned long long)id);
		memmove(&w->c_pieces[at], &w->c_pieces[at + 1],
		    (w->c_npieces - at - 1) * sizeof *w->c_pieces);
		w->c_npieces--;
		chunktab_free_piece(ct, c);
	}
	a = chunktab_new_piece(ct, id, start, cut);
	b = chunktab_new_piece(ct, id, cut, end);
	w->c_pieces = xreallocarray(w->c_pieces, (size_t)w->c_npieces + 2,
	    sizeof *w->c_pieces);
	memmove(&w->c_pieces[at + 2], &w->c_pieces[at],
	    (w->c_npieces - at) * sizeof *w->c_pieces);
	w->c_pieces[at] = a;
	w->c_pieces[at + 1] = b;
	w->c_npieces += 2;
	return 0;
}

/* Whether every piece of split chunk W is done or quarantined. */
int
chunktab_pieces_done(struct chunktab *ct, struct chunk *w)
{
	uint32_t	i;
	int		st;

	for (i = 0; i < w->c_npieces; i++) {
		st = chunktab_piece(ct, w->c_pieces[i])->c_state;
		if (st != CH_DONE && st != CH_POISON)
			return 0;
	}
	return 1;
}

/* Joins the results of split chunk W's pieces, in order, into W's own
 * result (quarantined pieces give none), frees the pieces, and makes W
 * HELD: its result waits for its turn like any other. */
void
chunktab_join(struct chunktab *ct, struct chunk *w)
{
	struct chunk	*p;
	size_t		 len = 0;
	uint32_t	 i;

	for (i = 0; i < w->c_npieces; i++)
		len += chunktab_piece(ct, w->c_pieces[i])->c_len;
	w->c_result = xmalloc(len);
	w->c_len = 0;
	for (i = 0; i < w->c_npieces; i++) {
		p = chunktab_piece(ct, w->c_pieces[i]);
		if (p->c_len > 0)
			memcpy(w->c_result + w->c_len, p->c_result, p->c_len);
		w->c_len += p->c_len;
		chunktab_free_piece(ct, p);
	}
	free(w->c_pieces);
	w->c_pieces = NULL;
	w->c_npieces = 0;
	w->c_state = CH_HELD;
}
