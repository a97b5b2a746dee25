/*
 * chunk.h: the chunk table. Chunks are cut from the input lazily, in
 * order, as workers need them; the table keeps a record only for chunks
 * between the oldest one not yet retired (written out) and the newest one
 * cut: a ring whose size is the reorder window. A job of a billion chunks
 * costs what one of ten does.
 */
#ifndef CHUNK_H
#define CHUNK_H

#include <stddef.h>
#include <stdint.h>

/*
 * States and their transitions:
 *	FREE     -> QUEUED    (cut from the input)
 *	QUEUED   -> ASSIGNED  (handed to a worker)
 *	ASSIGNED -> QUEUED    (its worker died or it failed: retried)
 *	ASSIGNED -> HELD      (done, waiting for its turn: order = keep)
 *	ASSIGNED -> FREE      (done and written; retired)
 *	HELD     -> FREE      (written in its turn)
 *	ASSIGNED -> SPLIT     (poison: bisected into pieces)
 *	SPLIT    -> HELD      (every piece done or quarantined)
 *
 * A piece is a struct chunk too, kept outside the window: its id has
 * PIECE_BIT set and indexes ct_pieces (in blocks of PIECE_BLOCK, so that a
 * pointer to a piece stays valid while others are made); c_parent names the
 * window chunk it
 * belongs to. Pieces go through QUEUED, ASSIGNED and SPLIT like chunks,
 * and end DONE (result kept) or POISON (quarantined, no result).
 */
enum chunk_state { CH_FREE, CH_QUEUED, CH_ASSIGNED, CH_HELD, CH_SPLIT,
	CH_DONE, CH_POISON };

#define PIECE_BIT	(1ULL << 63)
#define IS_PIECE(id)	(((id) & PIECE_BIT) != 0)
#define PIECE_BLOCK	1024

struct chunk {
	uint64_t	 c_id;
	uint64_t	 c_start;	/* byte offset, or int64 range start */
	uint64_t	 c_end;
	uint32_t	 c_attempt;	/* attempts started so far */
	int		 c_state;
	int		 c_slot;	/* ASSIGNED: the worker's slot */
	int		 c_last_status;	/* of the last failed attempt */
	char		*c_result;	/* HELD, DONE: a copy of the result */
	size_t		 c_len;
	uint64_t	 c_spooled;	/* HELD: in the spool at this - 1 */
	uint64_t	 c_parent;	/* a piece's window chunk */
	uint32_t	*c_pieces;	/* SPLIT: its pieces, in input order */
	uint32_t	 c_npieces;
};

struct chunktab {
	struct chunk	*ct_ring;
	size_t		 ct_cap;	/* a power of two: the window */
	uint64_t	 ct_base;	/* oldest chunk not retired */
	uint64_t	 ct_next;	/* id of the next chunk to cut */
	uint64_t	*ct_queue;	/* ids of retried chunks, FIFO */
	size_t		 ct_qhead, ct_qlen, ct_qcap;
	struct chunk	**ct_pieces;	/* pieces, in blocks that never move */
	uint32_t	 ct_npieces, ct_free_piece;	/* free list, + 1 */
	/* The cutter. */
	int		 ct_split;
	uint64_t	 ct_size;	/* chunk_size */
	const char	*ct_data;	/* the input, for lines */
	uint64_t	 ct_pos;	/* where the next chunk starts */
	uint64_t	 ct_end;	/* input size, or range end */
	int		 ct_cut_all;	/* the whole input is cut */
};

void		 chunktab_init(struct chunktab *, size_t, int, uint64_t,
		    const char *, uint64_t, uint64_t);
void		 chunktab_free(struct chunktab *);
struct chunk	*chunktab_next(struct chunktab *);
struct chunk	*chunktab_cut_next(struct chunktab *);
void		 chunktab_resume(struct chunktab *, uint64_t, uint64_t);
uint64_t	 chunk_count(uint64_t, uint64_t, uint64_t);
struct chunk	*chunktab_get(struct chunktab *, uint64_t);
void		 chunktab_requeue(struct chunktab *, struct chunk *);
void		 chunktab_retire(struct chunktab *, struct chunk *);
int		 chunktab_finished(const struct chunktab *);
int		 chunktab_split(struct chunktab *, struct chunk *, uint64_t);
int		 chunktab_cut_point(const struct chunktab *,
		    const struct chunk *, uint64_t, uint64_t *);
struct chunk	*chunktab_window(struct chunktab *, const struct chunk *);
int		 chunktab_pieces_done(struct chunktab *, struct chunk *);
void		 chunktab_join(struct chunktab *, struct chunk *);
uint64_t	 split_lines_end(const char *, uint64_t, uint64_t, uint64_t);

#endif
