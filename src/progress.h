/* progress.h: the progress bar on a terminal's stderr. */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdint.h>

struct progress {
	double		 p_fraction;	/* done, 0..1; < 0 when unknown */
	uint64_t	 p_chunks;
	uint64_t	 p_total;	/* chunks in all; 0 when unknown */
	uint64_t	 p_bytes;	/* 0 for ranges */
	double		 p_seconds;	/* since the start */
	/* What an earlier run did (--resume): not part of this run's rate. */
	uint64_t	 p_base_chunks, p_base_bytes;
	double		 p_base_fraction;
	uint64_t	 p_restarts;
	uint64_t	 p_quarantined;
};

void	progress_draw(const struct progress *);

#endif
