/* test_quarantine.c: the quarantine file, for lines, bytes and ranges, and
 * its line numbers asked in and out of order. The expected file is written
 * here byte by byte from a reference that counts each record's line number
 * from the start of the input, with none of quarantine.c's shortcuts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gen.h"
#include "rows.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "quarantine.h"

#define TEXT_N(s)	s, sizeof(s) - 1
#define MAXLINES	(1 << 14)

/* A growing byte buffer: the expected file. */
struct buf {
	char	*b_data;
	size_t	 b_len, b_cap;
};

static void	buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->b_len + n > b->b_cap) {
		b->b_cap = (b->b_len + n) * 2 + 64;
		b->b_data = realloc(b->b_data, b->b_cap);
		assert_non_null(b->b_data);
	}
	if (n > 0)
		memcpy(b->b_data + b->b_len, p, n);
	b->b_len += n;
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char	line[512];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof line);
	buf_add(b, line, (size_t)n);
}

/* Each test gets a fresh temporary directory as its state; it is removed,
 * with whatever the test left in it, even when the test fails. */
static int
tmpdir_setup(void **state)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir;

	if (asprintf(&dir, "%s/cv-quarantine.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") == -1)
		return -1;
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int
tmpdir_teardown(void **state)
{
	char		*dir = *state, path[PATH_MAX];
	struct dirent	*de;
	DIR		*d;
	int		 rc;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rc = rmdir(dir);
	free(dir);
	return rc;
}

static void
tmp_path(void **state, const char *name, char *path, size_t size)
{
	int	n;

	n = snprintf(path, size, "%s/%s", (const char *)*state, name);
	assert_true(n > 0 && (size_t)n < size);
}

/* The whole file at PATH, malloc'd; NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*data = NULL;
	size_t	 cap = 0, n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	*len = 0;
	do {
		if (*len == cap) {
			cap = cap * 2 + 4096;
			data = realloc(data, cap);
			assert_non_null(data);
		}
		n = fread(data + *len, 1, cap - *len, fp);
		*len += n;
	} while (n > 0);
	fclose(fp);
	return data;
}

/* Checks the file at PATH: two header lines that start with '#', then
 * exactly WANT. */
static void
check_file(const char *path, const struct buf *want, const char *what)
{
	char	*data, *p, *end, *nl;
	size_t	 len, i, n;
	int	 k;

	if ((data = slurp(path, &len)) == NULL) {
		ROW_FAIL("%s: cannot read %s: %s", what, path,
		    strerror(errno));
		return;
	}
	p = data;
	end = data + len;
	for (k = 0; k < 2; k++) {
		if (p == end || *p != '#' ||
		    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			ROW_FAIL("%s: header line %d missing", what, k + 1);
			free(data);
			return;
		}
		p = nl + 1;
	}
	n = (size_t)(end - p);
	for (i = 0; i < n && i < want->b_len && p[i] == want->b_data[i]; i++)
		;
	if (i < n || i < want->b_len)
		ROW_FAIL("%s: %zu bytes of records, expected %zu; they differ "
		    "from byte %zu: \"%.*s\" against \"%.*s\"", what, n,
		    want->b_len, i, (int)(n - i < 60 ? n - i : 60), p + i,
		    (int)(want->b_len - i < 60 ? want->b_len - i : 60),
		    want->b_data + i);
	free(data);
}

/* The reference line number of the line at OFF: newlines before it, + 1,
 * counted from the start every time. */
static uint64_t
ref_line(const char *data, uint64_t off)
{
	uint64_t	line = 1, i;

	for (i = 0; i < off; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/* The reference lines of record [START, END) of DATA, appended to B;
 * returns how many. */
static int
ref_add_lines(struct buf *b, const char *data, uint64_t chunk,
    uint64_t start, uint64_t end, const char *why)
{
	uint64_t	p, q, line = ref_line(data, start);
	int		n = 0;

	for (p = start; p < end; p = q, line++, n++) {
		for (q = p; q < end && data[q] != '\n'; q++)
			;
		buf_printf(b, "%llu\t%llu\t%llu\t%llu\t%s\t",
		    (unsigned long long)chunk, (unsigned long long)line,
		    (unsigned long long)p,
		    (unsigned long long)(q - p + (q < end)), why);
		buf_add(b, data + p, (size_t)(q - p));
		buf_add(b, "\n", 1);
		if (q < end)
			q++;	/* past the newline */
	}
	return n;
}

static const char *const whys[] = { "exit 1", "signal 11",
	"timeout after 30 s", "bad result: 7 bytes past the arena" };

/*
 * Many lines records, one or a few lines each, added in input order, in
 * reverse, shuffled, and with repeats, with line numbers asked now and
 * then in between: the file must be the reference's, record for record.
 */
static void
test_lines_reference(void **state)
{
	enum { NREC = 200 };
	static char	 data[1 << 17];
	static uint64_t	 starts[MAXLINES + 1];
	static struct {
		uint64_t	 chunk, start, end;
		const char	*why;
	} recs[NREC], t;
	struct quarantine q;
	struct buf	 want;
	char		 path[PATH_MAX], name[32], what[64];
	size_t		 size, nlines, i, j, nrec, line;
	uint64_t	 count;
	int		 round, n, rn;

	for (round = 0; round < 30; round++) {
		size = gen_lines(data, sizeof data, 1 + rng() % 1500,
		    round % 3 == 0, round % 4 != 3);
		if ((nlines = ref_line_starts(data, size, starts)) == 0)
			continue;
		/* Records of 1 to 3 whole lines. */
		for (nrec = 0; nrec < NREC; nrec++) {
			line = rng() % nlines;
			j = line + 1 + rng() % 3;
			recs[nrec].start = starts[line];
			recs[nrec].end = starts[j > nlines ? nlines : j];
			recs[nrec].chunk = rng() % 1000;
			recs[nrec].why = whys[rng() % NITEMS(whys)];
		}
		switch (round % 4) {
		case 0:		/* input order */
		case 1:		/* reverse */
			for (i = 1; i < nrec; i++)
				for (j = i; j > 0 && (round % 4 == 0 ?
				    recs[j - 1].start > recs[j].start :
				    recs[j - 1].start < recs[j].start); j--) {
					t = recs[j];
					recs[j] = recs[j - 1];
					recs[j - 1] = t;
				}
			break;
		case 2:		/* shuffled, with repeats */
			for (i = 0; i < nrec / 4; i++)
				recs[rng() % nrec] = recs[rng() % nrec];
			break;
		default:	/* as drawn */
			break;
		}
		snprintf(what, sizeof what, "round %d", round);
		snprintf(name, sizeof name, "q%d.tsv", round);
		tmp_path(state, name, path, sizeof path);
		quarantine_init(&q, path, SPLIT_LINES, data);
		memset(&want, 0, sizeof want);
		count = 0;
		for (i = 0; i < nrec; i++) {
			n = quarantine_add(&q, recs[i].chunk, recs[i].start,
			    recs[i].end, recs[i].why);
			rn = ref_add_lines(&want, data, recs[i].chunk,
			    recs[i].start, recs[i].end, recs[i].why);
			count += (uint64_t)rn;
			if (n != rn)
				ROW_FAIL("%s: record %zu [%llu, %llu): %d "
				    "records; expected %d", what, i,
				    (unsigned long long)recs[i].start,
				    (unsigned long long)recs[i].end, n, rn);
			if (rng() % 4 == 0) {
				line = rng() % nlines;
				if (quarantine_line(&q, starts[line]) !=
				    line + 1)
					ROW_FAIL("%s: line at %llu: %llu; "
					    "expected %zu", what,
					    (unsigned long long)starts[line],
					    (unsigned long long)
					    quarantine_line(&q, starts[line]),
					    line + 1);
			}
		}
		if (q.q_count != count)
			ROW_FAIL("%s: q_count %llu; expected %llu", what,
			    (unsigned long long)q.q_count,
			    (unsigned long long)count);
		assert_int_equal(quarantine_close(&q), 0);
		check_file(path, &want, what);
		unlink(path);
		free(want.b_data);
	}
	rows_done();
}

/* quarantine_line alone: every line start asked in order, in reverse, at
 * random, and twice, against a count from the start. */
static void
test_line_numbers(void **state)
{
	static char	 data[1 << 17];
	static uint64_t	 starts[MAXLINES + 1];
	struct quarantine q;
	size_t		 size, nlines, i, k, line;
	uint64_t	 got, want;
	int		 round, pass;

	(void)state;
	for (round = 0; round < 20; round++) {
		size = gen_lines(data, sizeof data, 1 + rng() % 3000,
		    round % 2, round % 3 != 0);
		if ((nlines = ref_line_starts(data, size, starts)) == 0)
			continue;
		if (round == 0)	/* the reference, by its own count */
			for (i = 0; i < nlines; i++)
				assert_true(ref_line(data, starts[i]) ==
				    i + 1);
		quarantine_init(&q, "/nonexistent/unused", SPLIT_LINES, data);
		for (pass = 0; pass < 4; pass++)
			for (k = 0; k < nlines; k++) {
				switch (pass) {
				case 0:
					line = rng() % nlines;
					break;
				case 1:
					line = k;
					break;
				case 2:
					line = nlines - 1 - k;
					break;
				default:
					line = k % 2 == 0 ? k :
					    nlines - 1 - k;
					break;
				}
				got = quarantine_line(&q, starts[line]);
				want = line + 1;
				if (got != want) {
					ROW_FAIL("round %d pass %d: line at "
					    "%llu: %llu; expected %llu", round,
					    pass,
					    (unsigned long long)starts[line],
					    (unsigned long long)got,
					    (unsigned long long)want);
					break;
				}
			}
		assert_int_equal(quarantine_close(&q), 0);
	}
	rows_done();
}

/* Bytes and range records: one line each, no line number, no record
 * text; a range's start as a signed integer. The data given is what the
 * master gives: the input for bytes, NULL for a range (there is none). */
static void
test_bytes_range_format(void **state)
{
	static const struct {
		int		 split;
		uint64_t	 chunk, start, end;
		const char	*why, *line;
	} rows[] = {
		{ SPLIT_BYTES, 0, 0, 4096, "exit 1",
		    "0\t-\t0\t4096\texit 1\t\n" },
		{ SPLIT_BYTES, 17, 1ULL << 40, (1ULL << 40) + 3, "signal 9",
		    "17\t-\t1099511627776\t3\tsignal 9\t\n" },
		{ SPLIT_BYTES, 3, 5, 6, "timeout",
		    "3\t-\t5\t1\ttimeout\t\n" },
		{ SPLIT_BYTES, UINT64_MAX, 0, UINT64_MAX, "x",
		    "18446744073709551615\t-\t0\t18446744073709551615\tx\t\n" },
		{ SPLIT_RANGE, 3, (uint64_t)-5, 5, "exit 2",
		    "3\t-\t-5\t10\texit 2\t\n" },
		{ SPLIT_RANGE, 4, (uint64_t)INT64_MIN,
		    (uint64_t)(INT64_MIN + 7), "exit 3",
		    "4\t-\t-9223372036854775808\t7\texit 3\t\n" },
		{ SPLIT_RANGE, 5, (uint64_t)(INT64_MAX - 1),
		    (uint64_t)INT64_MAX, "exit 4",
		    "5\t-\t9223372036854775806\t1\texit 4\t\n" },
		{ SPLIT_RANGE, 6, (uint64_t)INT64_MIN, (uint64_t)INT64_MAX,
		    "exit 5",
		    "6\t-\t-9223372036854775808\t18446744073709551615\texit 5"
		    "\t\n" },
		{ SPLIT_RANGE, 7, 0, 1, "signal 6",
		    "7\t-\t0\t1\tsignal 6\t\n" },
	};
	static const int	 splits[] = { SPLIT_BYTES, SPLIT_RANGE };
	static const char	 input[] = "an input";
	struct quarantine	 q;
	struct buf		 want;
	char			 path[PATH_MAX];
	size_t			 i, k;
	int			 n;

	for (k = 0; k < NITEMS(splits); k++) {
		tmp_path(state, k == 0 ? "bytes.tsv" : "range.tsv", path,
		    sizeof path);
		quarantine_init(&q, path, splits[k],
		    splits[k] == SPLIT_BYTES ? input : NULL);
		memset(&want, 0, sizeof want);
		for (i = 0; i < NITEMS(rows); i++) {
			if (rows[i].split != splits[k])
				continue;
			n = quarantine_add(&q, rows[i].chunk, rows[i].start,
			    rows[i].end, rows[i].why);
			if (n != 1)
				ROW_FAIL("row %zu: %d records; expected 1", i,
				    n);
			buf_add(&want, rows[i].line, strlen(rows[i].line));
		}
		assert_int_equal(quarantine_close(&q), 0);
		check_file(path, &want, k == 0 ? "bytes" : "range");
		free(want.b_data);
	}
	rows_done();
}

/* Line numbers, offsets and lengths worked out by hand: CRLF lines, an
 * empty one, and a last line without newline, added out of order. */
static void
test_crlf_last_line(void **state)
{
	/* a\r\n at 0, bb\r\n at 3, \r\n at 7, ccc at 9. */
	static const char	 data[] = "a\r\nbb\r\n\r\nccc";
	static const struct {
		uint64_t	 start, end;
		int		 n;
		const char	*lines;
	} rows[] = {
		{ 0, 12, 4, "0\t1\t0\t3\tx\ta\r\n" "0\t2\t3\t4\tx\tbb\r\n"
		    "0\t3\t7\t2\tx\t\r\n" "0\t4\t9\t3\tx\tccc\n" },
		{ 9, 12, 1, "0\t4\t9\t3\tx\tccc\n" },
		{ 7, 9, 1, "0\t3\t7\t2\tx\t\r\n" },
		{ 3, 7, 1, "0\t2\t3\t4\tx\tbb\r\n" },
		{ 0, 3, 1, "0\t1\t0\t3\tx\ta\r\n" },
		{ 7, 12, 2, "0\t3\t7\t2\tx\t\r\n" "0\t4\t9\t3\tx\tccc\n" },
		{ 3, 9, 2, "0\t2\t3\t4\tx\tbb\r\n" "0\t3\t7\t2\tx\t\r\n" },
		{ 9, 12, 1, "0\t4\t9\t3\tx\tccc\n" },
	};
	struct quarantine	 q;
	struct buf		 want, ref;
	char			 path[PATH_MAX];
	size_t			 i;
	int			 n;

	tmp_path(state, "crlf.tsv", path, sizeof path);
	quarantine_init(&q, path, SPLIT_LINES, data);
	memset(&want, 0, sizeof want);
	memset(&ref, 0, sizeof ref);
	for (i = 0; i < NITEMS(rows); i++) {
		n = quarantine_add(&q, 0, rows[i].start, rows[i].end, "x");
		if (n != rows[i].n)
			ROW_FAIL("row %zu: %d records; expected %d", i, n,
			    rows[i].n);
		buf_add(&want, rows[i].lines, strlen(rows[i].lines));
		assert_int_equal(ref_add_lines(&ref, data, 0, rows[i].start,
		    rows[i].end, "x"), rows[i].n);
	}
	/* The reference agrees with the hand. */
	assert_int_equal(ref.b_len, want.b_len);
	assert_memory_equal(ref.b_data, want.b_data, want.b_len);
	assert_true(q.q_count == 13);
	assert_int_equal(quarantine_close(&q), 0);
	check_file(path, &want, "crlf");
	free(want.b_data);
	free(ref.b_data);
	rows_done();
}

/* A record is written as it is, tabs and NUL bytes included. */
static void
test_tab_nul_verbatim(void **state)
{
	/* x\ty\n at 0, \0z\0\n at 4, \t\n at 8, \0 at 10. */
	static const char	 data[] = "x\ty\n\0z\0\n\t\n\0";
	static const struct {
		uint64_t	 start, end;
		const char	*line;
		size_t		 len;
	} rows[] = {
		{ 0, 4, TEXT_N("1\t1\t0\t4\tbad\tx\ty\n") },
		{ 4, 8, TEXT_N("1\t2\t4\t4\tbad\t\0z\0\n") },
		{ 8, 10, TEXT_N("1\t3\t8\t2\tbad\t\t\n") },
		{ 10, 11, TEXT_N("1\t4\t10\t1\tbad\t\0\n") },
	};
	struct quarantine	 q;
	struct buf		 want;
	char			 path[PATH_MAX];
	size_t			 i;

	tmp_path(state, "tab.tsv", path, sizeof path);
	quarantine_init(&q, path, SPLIT_LINES, data);
	memset(&want, 0, sizeof want);
	for (i = NITEMS(rows); i-- > 0; ) {	/* out of order, too */
		if (quarantine_add(&q, 1, rows[i].start, rows[i].end,
		    "bad") != 1)
			ROW_FAIL("row %zu: not one record", i);
	}
	for (i = NITEMS(rows); i-- > 0; )
		buf_add(&want, rows[i].line, rows[i].len);
	assert_int_equal(quarantine_close(&q), 0);
	check_file(path, &want, "tab and NUL");
	free(want.b_data);
	rows_done();
}

/* The file is made at the first record, not before: a job without
 * poison leaves none. */
static void
test_created_at_first_add(void **state)
{
	static const char	 data[] = "one\ntwo\n";
	struct quarantine	 q;
	struct buf		 want;
	struct stat		 st;
	char			 path[PATH_MAX];

	tmp_path(state, "lazy.tsv", path, sizeof path);
	quarantine_init(&q, path, SPLIT_LINES, data);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(quarantine_close(&q), 0);
	assert_int_equal(stat(path, &st), -1);

	quarantine_init(&q, path, SPLIT_LINES, data);
	assert_int_equal(quarantine_add(&q, 2, 4, 8, "exit 1"), 1);
	assert_int_equal(stat(path, &st), 0);
	/* Flushed at once: readable before the close. */
	memset(&want, 0, sizeof want);
	buf_printf(&want, "2\t2\t4\t4\texit 1\ttwo\n");
	check_file(path, &want, "before close");
	assert_int_equal(quarantine_close(&q), 0);
	check_file(path, &want, "after close");
	free(want.b_data);
	rows_done();
}

/* A file that cannot be made (its directory does not exist) or written
 * (/dev/full): quarantine_add says -1 and counts nothing. */
static void
test_unwritable(void **state)
{
	static const char	 data[] = "one\ntwo\n";
	static const int	 splits[] = { SPLIT_LINES, SPLIT_BYTES,
	    SPLIT_RANGE };
	struct quarantine	 q;
	struct stat		 st;
	char			 path[PATH_MAX], dir[PATH_MAX];
	size_t			 k;

	tmp_path(state, "missing", dir, sizeof dir);
	tmp_path(state, "missing/q.tsv", path, sizeof path);
	for (k = 0; k < NITEMS(splits); k++) {
		quarantine_init(&q, path, splits[k], data);
		assert_int_equal(quarantine_add(&q, 0, 0, 4, "exit 1"), QUARANTINE_CANTCREAT);
		assert_int_equal(quarantine_add(&q, 0, 4, 8, "exit 1"), QUARANTINE_CANTCREAT);
		assert_true(q.q_count == 0);
		assert_int_equal(quarantine_close(&q), 0);
		assert_int_equal(stat(dir, &st), -1);
	}
	if (access("/dev/full", W_OK) == 0) {
		quarantine_init(&q, "/dev/full", SPLIT_LINES, data);
		assert_int_equal(quarantine_add(&q, 0, 0, 8, "exit 1"), QUARANTINE_IOERR);
		assert_true(q.q_count == 0);
		quarantine_close(&q);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lines_reference,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test_setup_teardown(test_crlf_last_line,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tab_nul_verbatim,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_created_at_first_add,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_bytes_range_format,
		    tmpdir_setup, tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
