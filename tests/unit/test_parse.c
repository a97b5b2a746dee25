/* test_parse.c: the value parsers of parse.c, table-driven: every row is
 * either accepted with exactly the value given, or rejected with a phrase
 * in *errstr. The argv rows were checked against python3's shlex.split. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

struct u64_row {
	const char	*in;
	uint64_t	 want;
};

/* Each string of BAD must be rejected by PARSE with a non-empty errstr. */
static void
check_u64_rejects(const char *what, const char *const *bad, size_t n,
    int (*parse)(const char *, uint64_t *, const char **))
{
	const char	*errstr;
	uint64_t	 v;
	size_t		 i;

	for (i = 0; i < n; i++) {
		errstr = NULL;
		v = 12345;
		if (parse(bad[i], &v, &errstr) != -1)
			ROW_FAIL("%s(\"%s\") accepted (value %llu); expected "
			    "a rejection", what, bad[i],
			    (unsigned long long)v);
		if (errstr == NULL || *errstr == '\0')
			ROW_FAIL("%s(\"%s\"): rejected without errstr", what,
			    bad[i]);
	}
}

/* Each row of GOOD must be accepted with exactly its value. */
static void
check_u64_accepts(const char *what, const struct u64_row *good, size_t n,
    int (*parse)(const char *, uint64_t *, const char **))
{
	const char	*errstr;
	uint64_t	 v;
	size_t		 i;

	for (i = 0; i < n; i++) {
		errstr = NULL;
		v = 12345;
		if (parse(good[i].in, &v, &errstr) != 0) {
			ROW_FAIL("%s(\"%s\") rejected (%s); expected %llu",
			    what, good[i].in, errstr ? errstr : "no errstr",
			    (unsigned long long)good[i].want);
			continue;
		}
		if (v != good[i].want)
			ROW_FAIL("%s(\"%s\") = %llu; expected %llu", what,
			    good[i].in, (unsigned long long)v,
			    (unsigned long long)good[i].want);
	}
}

static void
test_size_accepts(void **state)
{
	static const struct u64_row rows[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "512", 512 },
		{ "512B", 512 },
		{ "512b", 512 },
		{ "64K", 65536 },
		{ "64k", 65536 },
		{ "64KB", 65536 },
		{ "64kb", 65536 },
		{ "64KiB", 65536 },
		{ "64kib", 65536 },	/* lower case of KiB */
		{ "4M", 4194304 },
		{ "4m", 4194304 },
		{ "4MB", 4194304 },
		{ "4MiB", 4194304 },
		{ "4mib", 4194304 },
		{ "1G", 1073741824 },
		{ "1g", 1073741824 },
		{ "1GiB", 1073741824 },
		{ "1T", 1099511627776ULL },
		{ "1t", 1099511627776ULL },
		{ "1TB", 1099511627776ULL },
		{ "0K", 0 },
		{ "16777215T", 18446742974197923840ULL },
		{ "17179869183G", 18446744072635809792ULL },
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551615B", UINT64_MAX },
	};

	(void)state;
	check_u64_accepts("parse_size", rows, NITEMS(rows), parse_size);
	rows_done();
}

static void
test_size_rejects(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "-0", "1.5K", "1.0", "4X", "K", "B", "KiB",
		" 1K", "1K ", "1 K", "\t1", "1KK", "1iB", "1KiBB", "1Ki",
		"1KBB", "1BB", "0x10", "1e3", "1,000",
		"99999999999999999999",		/* digits overflow */
		"18446744073709551616",		/* UINT64_MAX + 1 */
		"18446744073709551616B",
		"20000000T",			/* multiply overflows */
		"16777216T",			/* exactly 2^64 */
		"17179869184G",
		"18014398509481984K",
	};

	(void)state;
	check_u64_rejects("parse_size", bad, NITEMS(bad), parse_size);
	rows_done();
}

static void
test_duration_accepts(void **state)
{
	static const struct u64_row rows[] = {
		{ "0", 0 },
		{ "0ms", 0 },
		{ "0s", 0 },
		{ "1ms", 1 },
		{ "500ms", 500 },
		{ "30s", 30000 },
		{ "5m", 300000 },
		{ "1min", 60000 },
		{ "2min", 120000 },
		{ "2h", 7200000 },
		{ "1", 1000 },		/* a bare number is seconds */
		{ "10", 10000 },
		{ "18446744073709551615ms", UINT64_MAX },
		{ "18446744073709551s", 18446744073709551000ULL },
		{ "18446744073709551", 18446744073709551000ULL },
		{ "307445734561825m", 18446744073709500000ULL },
		{ "5124095576030h", 18446744073708000000ULL },
	};

	(void)state;
	check_u64_accepts("parse_duration", rows, NITEMS(rows),
	    parse_duration);
	rows_done();
}

static void
test_duration_rejects(void **state)
{
	static const char *const bad[] = {
		"", "5x", "-1s", "-1", "+1s", "1.5s", "s", "ms", "min", "h",
		"5 s", " 5s", "5s ", "5sec", "5mins", "1d", "1hm", "5mss",
		"5ms5", "0x10s",
		"99999999999999999999",		/* digits overflow */
		"18446744073709551616ms",
		"18446744073709552",		/* seconds overflow */
		"18446744073709552s",
		"307445734561826m",
		"307445734561826min",
		"5124095576031h",
		"18446744073709551615h",
	};

	(void)state;
	check_u64_rejects("parse_duration", bad, NITEMS(bad),
	    parse_duration);
	rows_done();
}

static void
test_uint_bounds(void **state)
{
	static const struct {
		const char	*in;
		uint64_t	 min, max;
		int		 ok;
		uint64_t	 want;
	} rows[] = {
		{ "0", 0, 10, 1, 0 },
		{ "10", 0, 10, 1, 10 },
		{ "5", 5, 5, 1, 5 },
		{ "11", 0, 10, 0, 0 },
		{ "0", 1, 10, 0, 0 },
		{ "4", 5, 5, 0, 0 },
		{ "6", 5, 5, 0, 0 },
		{ "1", 1, 4096, 1, 1 },
		{ "4096", 1, 4096, 1, 4096 },
		{ "4097", 1, 4096, 0, 0 },
		{ "007", 0, 10, 1, 7 },
		{ "18446744073709551615", 0, UINT64_MAX, 1, UINT64_MAX },
		{ "18446744073709551616", 0, UINT64_MAX, 0, 0 },
		{ "99999999999999999999999", 0, UINT64_MAX, 0, 0 },
		{ "18446744073709551615", 0, UINT64_MAX - 1, 0, 0 },
		{ "", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 },
		{ "-0", 0, 10, 0, 0 },
		{ "+1", 0, 10, 0, 0 },
		{ "1x", 0, 10, 0, 0 },
		{ "1K", 0, 10000, 0, 0 },
		{ " 1", 0, 10, 0, 0 },
		{ "1 ", 0, 10, 0, 0 },
		{ "0x1", 0, 10, 0, 0 },
		{ "1.0", 0, 10, 0, 0 },
	};
	const char	*errstr;
	uint64_t	 v;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		errstr = NULL;
		v = 12345;
		rc = parse_uint(rows[i].in, rows[i].min, rows[i].max, &v,
		    &errstr);
		if (rows[i].ok && (rc != 0 || v != rows[i].want))
			ROW_FAIL("parse_uint(\"%s\", %llu, %llu): rc %d, "
			    "value %llu (%s); expected %llu", rows[i].in,
			    (unsigned long long)rows[i].min,
			    (unsigned long long)rows[i].max, rc,
			    (unsigned long long)v, errstr ? errstr : "",
			    (unsigned long long)rows[i].want);
		if (!rows[i].ok && (rc != -1 || errstr == NULL))
			ROW_FAIL("parse_uint(\"%s\", %llu, %llu) accepted "
			    "(%llu); expected a rejection", rows[i].in,
			    (unsigned long long)rows[i].min,
			    (unsigned long long)rows[i].max,
			    (unsigned long long)v);
	}
	rows_done();
}

static void
test_range(void **state)
{
	static const struct {
		const char	*in;
		int		 ok;
		int64_t		 a, b;
	} rows[] = {
		{ "0..10", 1, 0, 10 },
		{ "-5..5", 1, -5, 5 },
		{ "5..5", 1, 5, 5 },
		{ "0..0", 1, 0, 0 },
		{ "-10..-5", 1, -10, -5 },
		{ "-7..-7", 1, -7, -7 },
		{ "0..1000000", 1, 0, 1000000 },
		{ "007..010", 1, 7, 10 },
		{ "-9223372036854775808..9223372036854775807", 1, INT64_MIN,
		    INT64_MAX },
		{ "9223372036854775807..9223372036854775807", 1, INT64_MAX,
		    INT64_MAX },
		{ "10..0", 0, 0, 0 },
		{ "-5..-6", 0, 0, 0 },
		{ "9223372036854775807..-9223372036854775808", 0, 0, 0 },
		{ "1..2..3", 0, 0, 0 },
		{ "a..b", 0, 0, 0 },
		{ "1..b", 0, 0, 0 },
		{ "a..1", 0, 0, 0 },
		{ "..5", 0, 0, 0 },
		{ "5..", 0, 0, 0 },
		{ "..", 0, 0, 0 },
		{ "...", 0, 0, 0 },
		{ "0...10", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "5", 0, 0, 0 },
		{ "0.10", 0, 0, 0 },
		{ "0-10", 0, 0, 0 },
		{ "1 ..2", 0, 0, 0 },
		{ "1.. 2", 0, 0, 0 },
		{ " 1..2", 0, 0, 0 },
		{ "1..2 ", 0, 0, 0 },
		{ "+1..2", 0, 0, 0 },
		{ "1..+2", 0, 0, 0 },
		{ "--1..2", 0, 0, 0 },
		{ "-..1", 0, 0, 0 },
		{ "1..-", 0, 0, 0 },
		{ "0x1..2", 0, 0, 0 },
		{ "1..2x", 0, 0, 0 },
		{ "1.5..2", 0, 0, 0 },
		{ "9223372036854775808..9223372036854775809", 0, 0, 0 },
		{ "0..9223372036854775808", 0, 0, 0 },
		{ "-9223372036854775809..0", 0, 0, 0 },
		{ "0..99999999999999999999999", 0, 0, 0 },
	};
	const char	*errstr;
	int64_t		 a, b;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		errstr = NULL;
		a = b = 12345;
		rc = parse_range(rows[i].in, &a, &b, &errstr);
		if (rows[i].ok && (rc != 0 || a != rows[i].a ||
		    b != rows[i].b))
			ROW_FAIL("parse_range(\"%s\"): rc %d, %lld..%lld (%s);"
			    " expected %lld..%lld", rows[i].in, rc,
			    (long long)a, (long long)b, errstr ? errstr : "",
			    (long long)rows[i].a, (long long)rows[i].b);
		if (!rows[i].ok && (rc != -1 || errstr == NULL))
			ROW_FAIL("parse_range(\"%s\") accepted (%lld..%lld); "
			    "expected a rejection", rows[i].in, (long long)a,
			    (long long)b);
	}
	rows_done();
}

static void
test_bool(void **state)
{
	static const struct {
		const char	*in;
		int		 want;	/* -1: rejected */
	} rows[] = {
		{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 },
		{ "no", 0 }, { "false", 0 }, { "off", 0 }, { "0", 0 },
		{ "YES", 1 }, { "True", 1 }, { "ON", 1 },
		{ "No", 0 }, { "FALSE", 0 }, { "Off", 0 },
		{ "", -1 }, { "2", -1 }, { "-1", -1 }, { "01", -1 },
		{ "y", -1 }, { "n", -1 }, { "t", -1 }, { "f", -1 },
		{ "yess", -1 }, { " yes", -1 }, { "yes ", -1 },
		{ "enable", -1 }, { "nope", -1 }, { "o", -1 },
	};
	const char	*errstr;
	size_t		 i;
	int		 v, rc;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		errstr = NULL;
		v = 42;
		rc = parse_bool(rows[i].in, &v, &errstr);
		if (rows[i].want == -1 && (rc != -1 || errstr == NULL))
			ROW_FAIL("parse_bool(\"%s\") accepted (%d)",
			    rows[i].in, v);
		if (rows[i].want != -1 && (rc != 0 || v != rows[i].want))
			ROW_FAIL("parse_bool(\"%s\"): rc %d value %d; "
			    "expected %d", rows[i].in, rc, v, rows[i].want);
	}
	rows_done();
}

#define MAXWORDS	12

struct argv_row {
	const char	*in;
	const char	*want[MAXWORDS];	/* NULL-terminated */
};

/* Splits ROW's input and compares every word and the count. */
static void
check_argv_row(const struct argv_row *row)
{
	const char	*errstr = NULL;
	char		**argv = NULL;
	int		  argc = -1, n, i;

	for (n = 0; row->want[n] != NULL; n++)
		;
	if (parse_argv(row->in, &argv, &argc, &errstr) != 0) {
		ROW_FAIL("parse_argv(<%s>) rejected: %s", row->in,
		    errstr ? errstr : "no errstr");
		return;
	}
	if (argc != n)
		ROW_FAIL("parse_argv(<%s>): argc %d; expected %d", row->in,
		    argc, n);
	for (i = 0; i < n && i < argc; i++)
		if (strcmp(argv[i], row->want[i]) != 0)
			ROW_FAIL("parse_argv(<%s>): argv[%d] = <%s>; "
			    "expected <%s>", row->in, i, argv[i],
			    row->want[i]);
	if (argv[argc] != NULL)
		ROW_FAIL("parse_argv(<%s>): argv[argc] is not NULL",
		    row->in);
	parse_argv_free(argv);
}

/* Expected words from python3 -c 'import shlex; print(shlex.split(IN))'. */
static void
test_argv_like_shlex(void **state)
{
	static const struct argv_row rows[] = {
		{ "tr a-z A-Z", { "tr", "a-z", "A-Z", NULL } },
		{ "x", { "x", NULL } },
		{ "  a   b  ", { "a", "b", NULL } },
		{ "a\tb", { "a", "b", NULL } },
		{ "\t a \t b \t", { "a", "b", NULL } },
		{ "'hello world'", { "hello world", NULL } },
		{ "echo 'a \"b\" c'", { "echo", "a \"b\" c", NULL } },
		{ "'a\\b'", { "a\\b", NULL } },
		{ "\"a \\\" b\"", { "a \" b", NULL } },
		{ "\"a\\\\b\"", { "a\\b", NULL } },
		{ "\"a\\nb\"", { "a\\nb", NULL } },
		{ "a\\ b", { "a b", NULL } },
		{ "\\'x", { "'x", NULL } },
		{ "\\\"x", { "\"x", NULL } },
		{ "a\\\\b", { "a\\b", NULL } },
		{ "a\\nb", { "anb", NULL } },
		{ "a'b'\"c\"d", { "abcd", NULL } },
		{ "a\"b c\"d", { "ab cd", NULL } },
		{ "''", { "", NULL } },
		{ "a '' b", { "a", "", "b", NULL } },
		{ "\"\"", { "", NULL } },
		{ "a \"\" ''", { "a", "", "", NULL } },
		{ "x''", { "x", NULL } },
		{ "'' ''", { "", "", NULL } },
		{ "''\"\"''", { "", NULL } },
		{ "'a'\\''b'", { "a'b", NULL } },
		{ "\"it's\"", { "it's", NULL } },
		{ "'say \"hi\"'", { "say \"hi\"", NULL } },
		{ "$HOME | wc ; ls > f & (x) <y", { "$HOME", "|", "wc", ";",
		    "ls", ">", "f", "&", "(x)", "<y", NULL } },
		{ "*.txt ?", { "*.txt", "?", NULL } },
		{ "a#b #c", { "a#b", "#c", NULL } },
		{ "a 'b\\'", { "a", "b\\", NULL } },
		{ "caf\xc3\xa9 \xc3\xbc", { "caf\xc3\xa9", "\xc3\xbc", NULL } },
		{ "sh -c 'echo \"$1\"' x", { "sh", "-c", "echo \"$1\"", "x",
		    NULL } },
		{ "awk '{ print $1 }'", { "awk", "{ print $1 }", NULL } },
		{ "\"\\a\\'\"", { "\\a\\'", NULL } },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++)
		check_argv_row(&rows[i]);
	rows_done();
}

/*
 * Inside double quotes a backslash before $ or ` is removed, as a POSIX
 * shell does and as parse.c documents; python's shlex keeps it ("\$" stays
 * "\$"), so these rows follow sh(1), not shlex.
 */
static void
test_argv_shell_escapes(void **state)
{
	static const struct argv_row rows[] = {
		{ "\"a\\$b\"", { "a$b", NULL } },
		{ "\"\\`x\\`\"", { "`x`", NULL } },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++)
		check_argv_row(&rows[i]);
	rows_done();
}

static void
test_argv_rejects(void **state)
{
	static const char *const bad[] = {
		"",		/* the command is empty */
		" ",
		"\t \t",
		"'abc",		/* a quote is not closed */
		"\"abc",
		"abc'",
		"a \"b",
		"a 'b",
		"\"abc\\\"",	/* the last quote is escaped */
		"\"\\\"",
		"a\\",		/* a backslash ends the command */
		"\\",
		"'a'\\",
		"a b \\",
	};
	const char	*errstr;
	char		**argv;
	int		  argc;
	size_t		  i;

	(void)state;
	for (i = 0; i < NITEMS(bad); i++) {
		errstr = NULL;
		argv = NULL;
		argc = -1;
		if (parse_argv(bad[i], &argv, &argc, &errstr) != -1) {
			if (argv != NULL)
				parse_argv_free(argv);
			ROW_FAIL("parse_argv(<%s>) accepted (%d words)",
			    bad[i], argc);
		}
		if (errstr == NULL || *errstr == '\0')
			ROW_FAIL("parse_argv(<%s>): rejected without errstr",
			    bad[i]);
	}
	rows_done();
}

/* A long command with many words: no fixed limit on words or length. */
static void
test_argv_many_words(void **state)
{
	char		 in[4 * 500 + 1], want[8];
	const char	*errstr = NULL;
	char		**argv = NULL;
	int		  argc = 0, i;

	(void)state;
	for (i = 0; i < 500; i++)
		snprintf(in + 4 * i, 5, "%03d ", i);
	assert_int_equal(parse_argv(in, &argv, &argc, &errstr), 0);
	assert_int_equal(argc, 500);
	for (i = 0; i < 500; i++) {
		snprintf(want, sizeof want, "%03d", i);
		assert_string_equal(argv[i], want);
	}
	assert_null(argv[500]);
	parse_argv_free(argv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_accepts),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_duration_accepts),
		cmocka_unit_test(test_duration_rejects),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_argv_like_shlex),
		cmocka_unit_test(test_argv_shell_escapes),
		cmocka_unit_test(test_argv_rejects),
		cmocka_unit_test(test_argv_many_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
