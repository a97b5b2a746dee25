/*
 * chunkvisor.h: the worker API. A worker is a program whose main() calls
 * cv_worker_main() with a map function; chunkvisor starts it, hands it
 * chunks over a socket and collects what the map function writes.
 * See cv_worker_main(3).
 */
#ifndef CHUNKVISOR_H
#define CHUNKVISOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CV_VERSION	"0.1.0"

/* What a chunk holds: bytes of the input, or a range of integers. */
enum cv_kind { CV_BYTES = 0, CV_RANGE = 1 };

struct cv_chunk {
	uint64_t	 id;		/* 0, 1, 2, ... in input order */
	uint32_t	 attempt;	/* 1 on the first try */
	int		 kind;		/* CV_BYTES or CV_RANGE */
	/* CV_BYTES: the chunk's bytes, read-only, in place in the input. */
	const char	*data;
	size_t		 len;
	uint64_t	 offset;	/* of data[0] in the input */
	/* CV_RANGE: the integers start <= i < end. */
	int64_t		 start;
	int64_t		 end;
	uint64_t	 seed;		/* [job] seed */
	unsigned	 slot;		/* the worker's slot, 0 .. count-1 */
};

/* Where a chunk's result goes: a shared arena the master reads in place. */
struct cv_out;

int	 cv_write(struct cv_out *, const void *, size_t);
int	 cv_printf(struct cv_out *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	*cv_reserve(struct cv_out *, size_t);
void	 cv_commit(struct cv_out *, size_t);

/* Returns 0 when the chunk succeeded; anything else fails the attempt. */
typedef int (*cv_map_fn)(const struct cv_chunk *, struct cv_out *, void *);

int	 cv_worker_main(cv_map_fn, void *);

#ifdef __cplusplus
}
#endif

#endif
