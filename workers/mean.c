/*
 * mean.c: the running example. For a range chunk [start, end) it draws one
 * uniform number in [0, 1) per integer i and prints "SUM COUNT"; reduce =
 * mean turns the rows into the mean. Number i is a hash of (seed, i)
 * (splitmix64), so it depends neither on the chunking nor on the attempt:
 * a retried chunk draws the same numbers.
 */
#include <stdint.h>

#include "chunkvisor.h"
#include "splitmix.h"

static int
mean_map(const struct cv_chunk *c, struct cv_out *out, void *arg)
{
	uint64_t	key = splitmix64(c->seed);
	double		sum = 0;
	int64_t		i;

	(void)arg;
	if (c->kind != CV_RANGE)
		return 2;
	for (i = c->start; i < c->end; i++)
		sum += (double)(splitmix64(key ^ (uint64_t)i) >> 11) *
		    0x1.0p-53;
	return cv_printf(out, "%.17g %lld\n", sum,
	    (long long)(c->end - c->start)) < 0;
}

int
main(void)
{
	return cv_worker_main(mean_map, NULL);
}
