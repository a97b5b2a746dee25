/* reduce.h: combining numeric chunk results column by column (reduce = sum,
 * min, max, mean) and formatting the reduced row (job.format). */
#ifndef REDUCE_H
#define REDUCE_H

#include <stddef.h>
#include <stdint.h>

struct reduce_col {
	int		 rc_int;	/* all values so far were integers */
	long long	 rc_i;
	double		 rc_d;
};

struct reduce {
	int			 r_kind;
	size_t			 r_ncols;	/* 0 until the first row */
	struct reduce_col	*r_cols;
	uint64_t		 r_rows;
};

void	 reduce_init(struct reduce *, int);
void	 reduce_free(struct reduce *);
int	 reduce_add(struct reduce *, const char *, size_t, char *, size_t);
char	*reduce_result(const struct reduce *, const char *, char *, size_t);

#endif
