/* test_reduce.c: column-wise reduction of chunk results (sum, min, max,
 * mean) and the formatting of the reduced row. Expected numbers were worked
 * out by hand or with python3 ('%.17g' % x), never with reduce.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "reduce.h"

#define MAXCHUNKS	8

/* Chunks' results, a format, and the reduced line they must give (NULL:
 * reduce_result must fail with an error holding ERR). */
struct case_row {
	const char	*name;
	int		 kind;
	const char	*chunks[MAXCHUNKS];	/* NULL-terminated */
	const char	*format;
	const char	*want;
	const char	*err;
};

static const char *
kind_name(int kind)
{
	static const char *const names[] = { "none", "sum", "min", "max",
	    "mean" };

	return names[kind];
}

/* Adds every chunk (each must be accepted) and returns the result, to
 * free, or NULL with ERR filled. */
static char *
reduce_chunks(int kind, const char *const *chunks, const char *format,
    char *err, size_t errsz)
{
	struct reduce	 r;
	char		*out;
	size_t		 i;

	reduce_init(&r, kind);
	for (i = 0; chunks[i] != NULL; i++)
		if (reduce_add(&r, chunks[i], strlen(chunks[i]), err,
		    errsz) != 0)
			fail_msg("%s: chunk %zu <%s> rejected: %s",
			    kind_name(kind), i, chunks[i], err);
	err[0] = '\0';
	out = reduce_result(&r, format, err, errsz);
	reduce_free(&r);
	return out;
}

static void
check_cases(const struct case_row *rows, size_t n)
{
	char	 err[256], *out;
	size_t	 i;

	for (i = 0; i < n; i++) {
		out = reduce_chunks(rows[i].kind, rows[i].chunks,
		    rows[i].format, err, sizeof err);
		if (rows[i].want != NULL && out == NULL)
			ROW_FAIL("%s: no result (%s); expected <%s>",
			    rows[i].name, err, rows[i].want);
		else if (rows[i].want != NULL &&
		    strcmp(out, rows[i].want) != 0)
			ROW_FAIL("%s: result <%s>; expected <%s>",
			    rows[i].name, out, rows[i].want);
		else if (rows[i].want == NULL && out != NULL)
			ROW_FAIL("%s: result <%s>; expected an error",
			    rows[i].name, out);
		else if (rows[i].want == NULL &&
		    strstr(err, rows[i].err) == NULL)
			ROW_FAIL("%s: error <%s> does not say <%s>",
			    rows[i].name, err, rows[i].err);
		free(out);
	}
	rows_done();
}

static void
test_kinds(void **state)
{
	static const struct case_row rows[] = {
		{ "sum", REDUCE_SUM, { "1 2\n3 4\n", "5 6\n", NULL }, NULL,
		    "9 12\n", NULL },
		{ "sum of negatives", REDUCE_SUM, { "-1 -2\n", "+3 -4\n",
		    NULL }, NULL, "2 -6\n", NULL },
		{ "sum, one chunk, one row", REDUCE_SUM, { "42", NULL }, NULL,
		    "42\n", NULL },
		{ "sum, empty chunks among", REDUCE_SUM, { "", "1\n", "",
		    "2\n", NULL }, NULL, "3\n", NULL },
		{ "min", REDUCE_MIN, { "3 -1\n", "2 5\n7 0\n", NULL }, NULL,
		    "2 -1\n", NULL },
		{ "max", REDUCE_MAX, { "3 -1\n", "2 5\n7 0\n", NULL }, NULL,
		    "7 5\n", NULL },
		{ "min of one row", REDUCE_MIN, { "8 9\n", NULL }, NULL,
		    "8 9\n", NULL },
		{ "mean", REDUCE_MEAN, { "10 2\n", "20 3\n", NULL }, NULL,
		    "6\n", NULL },
		{ "mean of two columns", REDUCE_MEAN, { "10 4 2\n",
		    "5 1 3\n", NULL }, NULL, "3 1\n", NULL },
		{ "mean, a third", REDUCE_MEAN, { "1 3\n", NULL }, NULL,
		    "0.33333333333333331\n", NULL },
		{ "mean, double sums", REDUCE_MEAN, { "0.5 1\n", "0.25 2\n",
		    NULL }, NULL, "0.25\n", NULL },
		{ "mean, negative count", REDUCE_MEAN, { "6 -3\n", NULL },
		    NULL, "-2\n", NULL },
		{ "mean, the example", REDUCE_MEAN, { "2.5 5\n", "2.5 5\n",
		    NULL }, "Mean value: %.10f", "Mean value: 0.5000000000\n",
		    NULL },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

/* Integers stay exact past 2^53 and up to the ends of int64_t; an int64
 * overflow turns the column into a double. */
static void
test_integers(void **state)
{
	static const struct case_row rows[] = {
		{ "2^53 + 1 plus 0", REDUCE_SUM, { "9007199254740993\n",
		    "0\n", NULL }, NULL, "9007199254740993\n", NULL },
		{ "2^53 plus 1", REDUCE_SUM, { "9007199254740992\n", "1\n",
		    NULL }, NULL, "9007199254740993\n", NULL },
		{ "2^53 + 1 as %d", REDUCE_SUM, { "9007199254740993\n", NULL },
		    "%d", "9007199254740993\n", NULL },
		{ "INT64_MAX", REDUCE_SUM, { "9223372036854775807\n", "0\n",
		    NULL }, NULL, "9223372036854775807\n", NULL },
		{ "INT64_MIN", REDUCE_SUM, { "-9223372036854775808\n", "0\n",
		    NULL }, NULL, "-9223372036854775808\n", NULL },
		{ "INT64_MAX - 1 + 1", REDUCE_SUM, { "9223372036854775806\n",
		    "1\n", NULL }, NULL, "9223372036854775807\n", NULL },
		{ "max past 2^53", REDUCE_MAX, { "9007199254740993\n",
		    "9007199254740992\n", NULL }, NULL, "9007199254740993\n",
		    NULL },
		{ "min past 2^53", REDUCE_MIN, { "9007199254740993\n",
		    "9007199254740992\n", NULL }, NULL, "9007199254740992\n",
		    NULL },
		{ "min negative past 2^53", REDUCE_MIN, { "5\n",
		    "-9007199254740993\n", NULL }, NULL,
		    "-9007199254740993\n", NULL },
		{ "overflow up", REDUCE_SUM, { "9223372036854775807\n",
		    "1\n", NULL }, NULL, "9.2233720368547758e+18\n", NULL },
		{ "overflow, then more", REDUCE_SUM,
		    { "9223372036854775807\n", "1\n", "-1\n", NULL }, NULL,
		    "9.2233720368547758e+18\n", NULL },
		{ "overflow down", REDUCE_SUM, { "-9223372036854775808\n",
		    "-1\n", NULL }, NULL, "-9.2233720368547758e+18\n", NULL },
		{ "overflow in one column only", REDUCE_SUM,
		    { "9223372036854775807 9007199254740993\n", "1 0\n",
		    NULL }, NULL, "9.2233720368547758e+18 9007199254740993\n",
		    NULL },
		{ "token past int64", REDUCE_SUM, { "9223372036854775808\n",
		    NULL }, NULL, "9.2233720368547758e+18\n", NULL },
		{ "token below int64", REDUCE_SUM, { "-9223372036854775809\n",
		    NULL }, NULL, "-9.2233720368547758e+18\n", NULL },
		{ "mean overflowing sums", REDUCE_MEAN,
		    { "9223372036854775807 1\n", "9223372036854775807 1\n",
		    NULL }, NULL, "9.2233720368547758e+18\n", NULL },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

static void
test_doubles(void **state)
{
	static const struct case_row rows[] = {
		{ "ints and doubles", REDUCE_SUM, { "1 2.5\n", "3 4\n", NULL },
		    NULL, "4 6.5\n", NULL },
		{ "0.1 + 0.2", REDUCE_SUM, { "0.1\n", "0.2\n", NULL }, NULL,
		    "0.30000000000000004\n", NULL },
		{ "exponents", REDUCE_SUM, { "1e3\n", "2.5E-1\n", NULL },
		    NULL, "1000.25\n", NULL },
		{ "1.5 + 2.25", REDUCE_SUM, { "1.5\n2.25\n", NULL }, NULL,
		    "3.75\n", NULL },
		{ "a double that is whole", REDUCE_SUM, { "2.0\n", "3\n",
		    NULL }, NULL, "5\n", NULL },
		{ "max, int then double", REDUCE_MAX, { "1 1.5\n", "2.5 1\n",
		    NULL }, NULL, "2.5 1.5\n", NULL },
		{ "min, int then double", REDUCE_MIN, { "1 1.5\n", "2.5 1\n",
		    NULL }, NULL, "1 1\n", NULL },
		{ "min of negatives", REDUCE_MIN, { "-0.5\n", "-0.25\n", NULL },
		    NULL, "-0.5\n", NULL },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

/* Blank lines, blanks around numbers and CRLF make no rows or columns. */
static void
test_blank_lines(void **state)
{
	static const struct case_row rows[] = {
		{ "blank lines", REDUCE_SUM, { "\n\n1 2\n  \n\t\n3 4\n\n",
		    "\n", NULL }, NULL, "4 6\n", NULL },
		{ "blanks around", REDUCE_SUM, { "  1\t 2  \n\t3 4\t\n",
		    NULL }, NULL, "4 6\n", NULL },
		{ "crlf", REDUCE_SUM, { "1 2\r\n3 4\r\n", NULL }, NULL,
		    "4 6\n", NULL },
		{ "no final newline", REDUCE_SUM, { "1 2\n3 4", "5 6",
		    NULL }, NULL, "9 12\n", NULL },
		{ "only blank chunks", REDUCE_SUM, { "\n", "  \n\n", "",
		    NULL }, NULL, NULL, "no chunk produced a row" },
		{ "no chunks", REDUCE_SUM, { NULL }, NULL, NULL,
		    "no chunk produced a row" },
		{ "no chunks, mean", REDUCE_MEAN, { NULL }, NULL, NULL,
		    "no chunk produced a row" },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

/* A chunk whose result is wrong anywhere is rejected whole: nothing of it
 * is added, and the first chunk's column count is not taken from it. */
static void
test_reject_all_or_nothing(void **state)
{
	static const struct {
		const char	*bad;
		const char	*err;
	} rows[] = {
		{ "5 5\n6\n", "line 2 has 1 columns; expected 2" },
		{ "5 5\n6 6 6\n", "line 2 has 3 columns; expected 2" },
		{ "5 5 5\n", "line 1 has 3 columns; expected 2" },
		{ "5\n", "line 1 has 1 columns; expected 2" },
		{ "\n\n5 5\n7\n", "line 4 has 1 columns" },
		{ "5 5\n5 x\n", "line 2, column 2: 'x' is not a number" },
		{ "5 5\n5 5\n5 5 5\n", "line 3 has 3 columns" },
	};
	struct reduce	 r;
	char		 err[256], *out;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		reduce_init(&r, REDUCE_SUM);
		assert_int_equal(reduce_add(&r, "1 2\n", 4, err, sizeof err),
		    0);
		err[0] = '\0';
		if (reduce_add(&r, rows[i].bad, strlen(rows[i].bad), err,
		    sizeof err) != -1)
			ROW_FAIL("<%s> accepted after \"1 2\"", rows[i].bad);
		else if (strstr(err, rows[i].err) == NULL)
			ROW_FAIL("<%s>: error <%s> does not say <%s>",
			    rows[i].bad, err, rows[i].err);
		assert_int_equal(reduce_add(&r, "10 20\n", 6, err,
		    sizeof err), 0);
		out = reduce_result(&r, NULL, err, sizeof err);
		if (out == NULL || strcmp(out, "11 22\n") != 0)
			ROW_FAIL("after rejecting <%s>: <%s>; expected "
			    "<11 22>", rows[i].bad, out ? out : err);
		free(out);
		reduce_free(&r);
	}

	/* A rejected first chunk does not fix the column count. */
	reduce_init(&r, REDUCE_MAX);
	assert_int_equal(reduce_add(&r, "1 2\n3\n", 6, err, sizeof err), -1);
	assert_int_equal(reduce_add(&r, "4 x 6\n", 6, err, sizeof err), -1);
	out = reduce_result(&r, NULL, err, sizeof err);
	assert_null(out);
	assert_int_equal(reduce_add(&r, "1 2 3\n", 6, err, sizeof err), 0);
	assert_int_equal(reduce_add(&r, "3 2 1\n", 6, err, sizeof err), 0);
	out = reduce_result(&r, NULL, err, sizeof err);
	assert_non_null(out);
	assert_string_equal(out, "3 2 3\n");
	free(out);
	reduce_free(&r);
	rows_done();
}

/* Every token that is not a finite number is refused, with the column
 * named, and the reduction is left as it was. */
static void
test_non_numbers(void **state)
{
	static const char *const bad[] = {
		"abc", "1x", "x1", "--1", "+-1", "1..2", "1.2.3", "1,5",
		"1_000", "+", "-", ".", "e5", "1e", "1e+", "0x", "#1", "1;",
		"nan", "NaN", "NAN", "-nan", "nan(1)", "inf", "-inf", "+inf",
		"INF", "Infinity", "-infinity", "1e999", "-1e999",
		"1e99999999999", "\xd9\xa1",
	};
	struct reduce	 r;
	char		 err[256], chunk[512], *out;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(bad); i++) {
		reduce_init(&r, REDUCE_SUM);
		assert_int_equal(reduce_add(&r, "1 1\n", 4, err, sizeof err),
		    0);
		snprintf(chunk, sizeof chunk, "2 2\n3 %s\n", bad[i]);
		err[0] = '\0';
		if (reduce_add(&r, chunk, strlen(chunk), err, sizeof err) !=
		    -1)
			ROW_FAIL("<%s> accepted as a number", bad[i]);
		else if (strstr(err, "line 2, column 2") == NULL ||
		    strstr(err, "is not a number") == NULL)
			ROW_FAIL("<%s>: error <%s>", bad[i], err);
		out = reduce_result(&r, NULL, err, sizeof err);
		if (out == NULL || strcmp(out, "1 1\n") != 0)
			ROW_FAIL("after <%s>: <%s>; expected <1 1>", bad[i],
			    out ? out : err);
		free(out);
		reduce_free(&r);
	}
	rows_done();
}

/* reduce = mean: the last column is the count; its sum may not be 0. */
static void
test_mean_errors(void **state)
{
	static const struct case_row rows[] = {
		{ "counts add up to 0", REDUCE_MEAN, { "5 1\n", "5 -1\n",
		    NULL }, NULL, NULL, "add up to 0" },
		{ "count 0", REDUCE_MEAN, { "5 0\n", NULL }, NULL, NULL,
		    "add up to 0" },
		{ "double counts add up to 0", REDUCE_MEAN, { "5 0.5\n",
		    "5 -0.5\n", NULL }, NULL, NULL, "add up to 0" },
		{ "one column", REDUCE_MEAN, { "5\n", "6\n", NULL }, NULL,
		    NULL, "needs rows of 2 to 65 columns" },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

/* Up to 64 means (65 columns) are fine; 66 columns are refused. */
static void
test_mean_width(void **state)
{
	char	 row[512], err[256], *out, *p;
	const char *chunks[2] = { row, NULL };
	int	 ncols, i;

	(void)state;
	for (ncols = 65; ncols <= 66; ncols++) {
		p = row;
		for (i = 0; i < ncols - 1; i++)
			p += sprintf(p, "%d ", 2 * i);
		sprintf(p, "2\n");
		out = reduce_chunks(REDUCE_MEAN, chunks, NULL, err,
		    sizeof err);
		if (ncols == 66) {
			assert_null(out);
			assert_non_null(strstr(err, "got 66"));
			continue;
		}
		assert_non_null(out);
		for (p = out, i = 0; i < ncols - 1; i++) {
			assert_int_equal(strtol(p, &p, 10), i);
			assert_true(*p == (i == ncols - 2 ? '\n' : ' '));
		}
		free(out);
	}
}

static void
test_formats(void **state)
{
	static const struct case_row rows[] = {
		{ "%.3f", REDUCE_SUM, { "1.5\n", "2.25\n", NULL }, "%.3f",
		    "3.750\n", NULL },
		{ "%.3f of an int", REDUCE_SUM, { "3\n", NULL }, "%.3f",
		    "3.000\n", NULL },
		{ "%d", REDUCE_SUM, { "40\n", "2\n", NULL }, "%d", "42\n",
		    NULL },
		{ "%d of a double rounds", REDUCE_SUM, { "2.5\n", NULL },
		    "%d", "3\n", NULL },
		{ "%d of a negative double", REDUCE_SUM, { "-2.5\n", NULL },
		    "%d", "-3\n", NULL },
		{ "%%", REDUCE_SUM, { "50\n", NULL }, "%d%%", "50%\n", NULL },
		{ "%% first", REDUCE_SUM, { "50\n", NULL }, "100%% = %d",
		    "100% = 50\n", NULL },
		{ "text around", REDUCE_SUM, { "3 1.25\n", "4 1.25\n", NULL },
		    "Total: %d items, %.1f avg.", "Total: 7 items, 2.5 avg.\n",
		    NULL },
		{ "flags and widths", REDUCE_SUM, { "3.14159 42 7\n", NULL },
		    "%+6.2f|%-5d|%05d", " +3.14|42   |00007\n", NULL },
		{ "e g E G", REDUCE_SUM, { "1234.5 0.0001234 1234.5 1e-10\n",
		    NULL }, "%e %g %E %G",
		    "1.234500e+03 0.0001234 1.234500E+03 1E-10\n", NULL },
		{ "mean with a format", REDUCE_MEAN, { "1 4\n", "0 4\n",
		    NULL }, "%.4f", "0.1250\n", NULL },
		{ "more conversions", REDUCE_SUM, { "1\n", NULL }, "%d %d",
		    NULL, "more conversions" },
		{ "more conversions, mean", REDUCE_MEAN, { "1 2\n", NULL },
		    "%f %f", NULL, "more conversions" },
		{ "fewer conversions", REDUCE_SUM, { "1 2\n", NULL }, "%d",
		    NULL, "fewer conversions" },
		{ "fewer conversions, mean", REDUCE_MEAN, { "1 2 3 4\n",
		    NULL }, "%f %f", NULL, "fewer conversions" },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

/* min and max do not depend on the order in which rows arrive (chunks
 * come back in any order with order = any, and retries reorder them). */
static void
test_min_max_order(void **state)
{
	static const struct {
		int		 kind;
		const char	*a, *b;
	} rows[] = {
		{ REDUCE_MAX, "9007199254740993\n", "1.5\n" },
		{ REDUCE_MIN, "-9007199254740993\n", "-1.5\n" },
		{ REDUCE_MAX, "3\n", "2.5\n" },
		{ REDUCE_MIN, "2\n", "2.5\n" },
	};
	const char	*ab[3], *ba[3];
	char		 err[256], *x, *y;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		ab[0] = ba[1] = rows[i].a;
		ab[1] = ba[0] = rows[i].b;
		ab[2] = ba[2] = NULL;
		x = reduce_chunks(rows[i].kind, ab, NULL, err, sizeof err);
		y = reduce_chunks(rows[i].kind, ba, NULL, err, sizeof err);
		assert_non_null(x);
		assert_non_null(y);
		if (strcmp(x, y) != 0)
			ROW_FAIL("%s of <%.*s> and <%.*s>: <%.*s> in that "
			    "order, <%.*s> in the other",
			    kind_name(rows[i].kind),
			    (int)strlen(rows[i].a) - 1, rows[i].a,
			    (int)strlen(rows[i].b) - 1, rows[i].b,
			    (int)strlen(x) - 1, x, (int)strlen(y) - 1, y);
		free(x);
		free(y);
	}
	rows_done();
}

/*
 * A conversion that conf.c accepts (flags may repeat, width and precision
 * may have any number of digits) but longer than reduce.c's spec buffer:
 * it must still print as printf would. Last in the list: the bug it shows
 * overruns a stack buffer, which a sanitizer build stops at.
 */
static void
test_long_conversion(void **state)
{
	static const struct case_row rows[] = {
		{ "43-byte %d", REDUCE_SUM, { "7\n", NULL },
		    "%00000000000000000000000000000000000000005d", "00007\n",
		    NULL },
		{ "46-byte %f", REDUCE_SUM, { "0.5\n", NULL },
		    "%.0000000000000000000000000000000000000000002f", "0.50\n",
		    NULL },
	};

	(void)state;
	check_cases(rows, NITEMS(rows));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_reject_all_or_nothing),
		cmocka_unit_test(test_non_numbers),
		cmocka_unit_test(test_mean_errors),
		cmocka_unit_test(test_mean_width),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_min_max_order),
		cmocka_unit_test(test_long_conversion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
