/*
 * rows.h: table-driven tests for cmocka. A row that fails is reported and
 * counted, and the test goes on to the other rows; rows_done() then fails
 * the test if any row failed. Include after <cmocka.h>.
 */
#ifndef ROWS_H
#define ROWS_H

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

#endif
