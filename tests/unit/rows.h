/*
 * rows.h: table-driven tests for cmocka. A row that fails is reported and
 * counted, and the test goes on to the other rows; rows_done() then fails
 * the test if any row failed. Include after <cmocka.h>.
 */
#ifndef ROWS_H
#define ROWS_H

#include <stddef.h>
#include <stdint.h>

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static int	row_failures;

#define ROW_FAIL(...) do {						\
	print_error(__VA_ARGS__);					\
	print_error("\n");						\
	row_failures++;							\
} while (0)

static void
rows_done(void)
{
	int	n = row_failures;

	row_failures = 0;
	if (n != 0)
		fail_msg("%d row(s) failed", n);
}

/* The offsets at which lines of DATA start, the reference the tests
 * compare cuts and line numbers with: STARTS gets them and then SIZE;
 * returns how many lines. */
static inline size_t
ref_line_starts(const char *data, size_t size, uint64_t *starts)
{
	size_t	i, n = 0;

	for (i = 0; i < size; i++)
		if (i == 0 || data[i - 1] == '\n')
			starts[n++] = i;
	starts[n] = size;
	return n;
}

#endif
