/* test_chunk.c: cutting the input into chunks (split_lines_end and the
 * three splits of the chunk table) and the table's window: its capacity,
 * the retry queue and retiring. Lines chunks are compared against a
 * reference written here the simplest way: the input as a list of lines,
 * packed greedily. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "conf.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXCHUNKS	4096
#define BIGWINDOW	64

/* A row that fails is reported and counted, and the test goes on to the
 * other rows; rows_done() then fails the test if any row failed. */
static int	row_failures;
#define ROW_FAIL(...) do {						\
	print_error(__VA_ARGS__);					\
	print_error("\n");						\
	row_failures++;							\
} while (0)

static void	rows_done(void);

static void
rows_done(void)
{
	int	n = row_failures;

	row_failures = 0;
	if (n != 0)
		fail_msg("%d row(s) failed", n);
}

/*
 * The reference cutter: starting at POS, take the next whole line (ending
 * after its '\n', or at the end of the input), then more whole lines while
 * the chunk stays within CS bytes. Returns the number of chunks; ENDS gets
 * where each ends. An empty input is one empty chunk.
 */
static size_t
ref_lines(const char *data, size_t size, uint64_t cs, uint64_t *ends)
{
	size_t	n = 0, pos = 0, end, i;

	if (size == 0) {
		ends[0] = 0;
		return 1;
	}
	while (pos < size) {
		end = pos;
		while (end < size) {
			for (i = end; i < size && data[i] != '\n'; i++)
				;
			if (i < size)
				i++;
			if (end > pos && i - pos > cs)
				break;
			end = i;
		}
		ends[n++] = end;
		pos = end;
	}
	return n;
}

/* Cuts DATA with a chunk table of split SPLIT, retiring each chunk as soon
 * as it is cut; returns the number of chunks, their ends in ENDS. */
static size_t
cut_all(int split, const char *data, uint64_t start, uint64_t end,
    uint64_t cs, uint64_t *starts, uint64_t *ends)
{
	struct chunktab	 ct;
	struct chunk	*c;
	size_t		 n = 0;

	chunktab_init(&ct, 1, split, cs, data, start, end);
	while ((c = chunktab_next(&ct)) != NULL) {
		assert_true(n < MAXCHUNKS);
		assert_true(c->c_id == n);
		assert_int_equal(c->c_state, CH_QUEUED);
		assert_int_equal(c->c_slot, -1);
		assert_int_equal(c->c_attempt, 0);
		assert_null(c->c_result);
		starts[n] = c->c_start;
		ends[n] = c->c_end;
		n++;
		chunktab_retire(&ct, c);
	}
	assert_true(chunktab_finished(&ct));
	assert_null(chunktab_next(&ct));
	chunktab_free(&ct);
	return n;
}

/*
 * Checks the lines chunks of DATA for CS: what the table cuts, what
 * split_lines_end says at each start, and what the reference says; and
 * the rules directly: contiguous, covering, '\n' at the end of all but
 * the last, within CS unless a single line.
 */
static void
check_lines(const char *what, const char *data, size_t size, uint64_t cs)
{
	static uint64_t	 starts[MAXCHUNKS], ends[MAXCHUNKS], want[MAXCHUNKS];
	size_t		 n, nref, i;
	uint64_t	 a, b, e;

	n = cut_all(SPLIT_LINES, data, 0, size, cs, starts, ends);
	nref = ref_lines(data, size, cs, want);
	if (n != nref) {
		ROW_FAIL("%s, size %zu, cs %llu: %zu chunks; reference has "
		    "%zu", what, size, (unsigned long long)cs, n, nref);
		return;
	}
	for (i = 0; i < n; i++) {
		a = starts[i];
		b = ends[i];
		if (b != want[i])
			ROW_FAIL("%s, cs %llu: chunk %zu ends at %llu; "
			    "reference %llu", what, (unsigned long long)cs, i,
			    (unsigned long long)b,
			    (unsigned long long)want[i]);
		if (a != (i == 0 ? 0 : ends[i - 1]) || b < a || b > size)
			ROW_FAIL("%s, cs %llu: chunk %zu is [%llu, %llu): not "
			    "contiguous", what, (unsigned long long)cs, i,
			    (unsigned long long)a, (unsigned long long)b);
		if (size > 0 && a == b)
			ROW_FAIL("%s, cs %llu: chunk %zu is empty", what,
			    (unsigned long long)cs, i);
		if (i + 1 < n && (b == 0 || data[b - 1] != '\n'))
			ROW_FAIL("%s, cs %llu: chunk %zu does not end in a "
			    "newline", what, (unsigned long long)cs, i);
		if (b - a > cs &&
		    memchr(data + a, '\n', (size_t)(b - a - 1)) != NULL)
			ROW_FAIL("%s, cs %llu: chunk %zu has %llu bytes and "
			    "more than one line", what,
			    (unsigned long long)cs, i,
			    (unsigned long long)(b - a));
		if (size > 0) {
			e = split_lines_end(data, size, a, cs);
			if (e != b)
				ROW_FAIL("%s, cs %llu: split_lines_end at %llu "
				    "= %llu; the table cut %llu", what,
				    (unsigned long long)cs,
				    (unsigned long long)a,
				    (unsigned long long)e,
				    (unsigned long long)b);
		}
	}
	if (ends[n - 1] != size)
		ROW_FAIL("%s, cs %llu: chunks end at %llu, the input at %zu",
		    what, (unsigned long long)cs,
		    (unsigned long long)ends[n - 1], size);
}

#define TEXT_N(s)	s, sizeof(s) - 1

static const uint64_t	sizes[] = { 1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64,
	100, 1000, 1ULL << 40, UINT64_MAX };

/* Hand-made inputs, each for every chunk size. */
static void
test_lines_fixed_inputs(void **state)
{
	static const struct {
		const char	*name;
		const char	*data;
		size_t		 size;
	} inputs[] = {
		{ "empty", TEXT_N("") },
		{ "one byte", TEXT_N("a") },
		{ "one newline", TEXT_N("\n") },
		{ "no trailing newline", TEXT_N("ab\ncd\nef") },
		{ "three lines", TEXT_N("ab\ncd\nef\n") },
		{ "long line", TEXT_N("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\ny\nzz\n") },
		{ "long last line", TEXT_N("a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb") },
		{ "long first, no newline", TEXT_N("xxxxxxxxxxxxxxxxxxxxxxxxxxx") },
		{ "crlf", TEXT_N("a\r\nbb\r\nccc\r\n\r\ndddd\r\n") },
		{ "nul bytes", TEXT_N("a\0b\n\0\n\0\0\0\n\0") },
		{ "blank lines", TEXT_N("\n\n\n\n\n\n\n") },
		{ "mixed", TEXT_N("one\ntwo two\n\nthree three three\nfour\n"
		    "five five five five five\n\nsix") },
	};
	size_t	i, j;

	(void)state;
	for (i = 0; i < NITEMS(inputs); i++)
		for (j = 0; j < NITEMS(sizes); j++)
			check_lines(inputs[i].name, inputs[i].data,
			    inputs[i].size, sizes[j]);
	rows_done();
}

/* A few cuts worked out by hand, so that the reference is checked too. */
static void
test_lines_by_hand(void **state)
{
	static const struct {
		const char	*data;
		size_t		 size;
		uint64_t	 cs;
		uint64_t	 ends[8];	/* 0-terminated, but see n */
		size_t		 n;
	} rows[] = {
		{ TEXT_N(""), 4, { 0 }, 1 },
		{ TEXT_N("a"), 4, { 1 }, 1 },
		{ TEXT_N("abc"), 1, { 3 }, 1 },
		{ TEXT_N("ab\ncd\nef\n"), 3, { 3, 6, 9 }, 3 },
		{ TEXT_N("ab\ncd\nef\n"), 5, { 3, 6, 9 }, 3 },
		{ TEXT_N("ab\ncd\nef\n"), 6, { 6, 9 }, 2 },
		{ TEXT_N("ab\ncd\nef\n"), 9, { 9 }, 1 },
		{ TEXT_N("ab\ncdef"), 3, { 3, 7 }, 2 },
		{ TEXT_N("abc\n"), 3, { 4 }, 1 },
		{ TEXT_N("xxxxxxxxxx\ny\n"), 4, { 11, 13 }, 2 },
		{ TEXT_N("a\r\nbb\r\nccc\r\n"), 6, { 3, 7, 12 }, 3 },
		{ TEXT_N("a\r\nbb\r\nccc\r\n"), 7, { 7, 12 }, 2 },
		{ TEXT_N("a\0b\n\0\n\0"), 2, { 4, 6, 7 }, 3 },
		{ TEXT_N("a\0b\n\0\n\0"), 3, { 4, 7 }, 2 },
		{ TEXT_N("\n\n\n\n"), 2, { 2, 4 }, 2 },
		{ TEXT_N("\n\n\n\n"), 3, { 3, 4 }, 2 },
	};
	uint64_t	 starts[MAXCHUNKS], ends[MAXCHUNKS], ref[MAXCHUNKS];
	size_t		 i, j, n;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		n = cut_all(SPLIT_LINES, rows[i].data, 0, rows[i].size,
		    rows[i].cs, starts, ends);
		if (n != rows[i].n ||
		    ref_lines(rows[i].data, rows[i].size, rows[i].cs, ref) !=
		    rows[i].n) {
			ROW_FAIL("row %zu: %zu chunks; expected %zu", i, n,
			    rows[i].n);
			continue;
		}
		for (j = 0; j < n; j++)
			if (ends[j] != rows[i].ends[j] ||
			    ref[j] != rows[i].ends[j])
				ROW_FAIL("row %zu: chunk %zu ends at %llu "
				    "(reference %llu); expected %llu", i, j,
				    (unsigned long long)ends[j],
				    (unsigned long long)ref[j],
				    (unsigned long long)rows[i].ends[j]);
	}
	rows_done();
}

static uint32_t	rng_state = 12345;

/* A fixed-seed generator, so that every run tests the same inputs. */
static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 16) & 0x7fff;
}

/* Pseudo-random inputs: lines of 0 to 40 bytes, some with '\r' or NUL,
 * now and then a line of a few hundred bytes, with or without a final
 * newline. */
static void
test_lines_random_inputs(void **state)
{
	static const char	 alphabet[] = "ab \t\r\0";
	char			 data[2048];
	size_t			 size, len, k, target;
	int			 round, j;

	(void)state;
	for (round = 0; round < 300; round++) {
		size = 0;
		target = rng() % 1500;
		while (size < target) {
			len = rng() % 20 == 0 ? 100 + rng() % 300 :
			    rng() % 41;
			for (k = 0; k < len && size < sizeof data - 1; k++)
				data[size++] = alphabet[rng() %
				    (sizeof alphabet - 1)];
			if (size < sizeof data && rng() % 10 != 0)
				data[size++] = '\n';
		}
		if (size > 0 && rng() % 3 == 0)
			size--;		/* maybe no final newline */
		for (j = 0; j < (int)NITEMS(sizes); j++)
			check_lines("random", data, size, sizes[j]);
		for (j = 0; j < 4; j++)
			check_lines("random", data, size, 1 + rng() % 600);
	}
	rows_done();
}

/* Bytes: every chunk CS bytes but the last. */
static void
test_bytes(void **state)
{
	static uint64_t	 starts[MAXCHUNKS], ends[MAXCHUNKS];
	static const struct {
		uint64_t	 size, cs;
		size_t		 n;
	} rows[] = {
		{ 0, 1, 1 }, { 0, 100, 1 }, { 1, 1, 1 }, { 7, 3, 3 },
		{ 6, 3, 2 }, { 7, 7, 1 }, { 7, 100, 1 }, { 1000, 1, 1000 },
		{ 1000, 999, 2 }, { 1ULL << 40, 1ULL << 30, 1024 },
		{ UINT64_MAX, UINT64_MAX, 1 },
		{ UINT64_MAX, 1ULL << 63, 2 },
	};
	size_t	i, j, n;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		n = cut_all(SPLIT_BYTES, NULL, 0, rows[i].size, rows[i].cs,
		    starts, ends);
		if (n != rows[i].n) {
			ROW_FAIL("bytes %llu/%llu: %zu chunks; expected %zu",
			    (unsigned long long)rows[i].size,
			    (unsigned long long)rows[i].cs, n, rows[i].n);
			continue;
		}
		for (j = 0; j < n; j++) {
			if (starts[j] != j * rows[i].cs ||
			    ends[j] != (j + 1 == n ? rows[i].size :
			    (j + 1) * rows[i].cs))
				ROW_FAIL("bytes %llu/%llu: chunk %zu is "
				    "[%llu, %llu)",
				    (unsigned long long)rows[i].size,
				    (unsigned long long)rows[i].cs, j,
				    (unsigned long long)starts[j],
				    (unsigned long long)ends[j]);
		}
	}
	rows_done();
}

/* Ranges: A..B in chunks of CS integers, as int64_t, without overflow at
 * either end of int64_t. */
static void
test_range(void **state)
{
	static uint64_t	 starts[MAXCHUNKS], ends[MAXCHUNKS];
	static const struct {
		int64_t		 a, b;
		uint64_t	 cs;
		size_t		 n;
		int64_t		 bounds[8];	/* start of each, then B */
	} rows[] = {
		{ 0, 10, 3, 4, { 0, 3, 6, 9, 10 } },
		{ 0, 9, 3, 3, { 0, 3, 6, 9 } },
		{ 0, 10, 10, 1, { 0, 10 } },
		{ 0, 10, 11, 1, { 0, 10 } },
		{ 0, 1, 1, 1, { 0, 1 } },
		{ -5, 5, 4, 3, { -5, -1, 3, 5 } },
		{ -10, -1, 3, 3, { -10, -7, -4, -1 } },
		{ -3, 0, 1, 3, { -3, -2, -1, 0 } },
		{ 5, 5, 3, 1, { 5, 5 } },	/* empty: one empty chunk */
		{ -7, -7, 1, 1, { -7, -7 } },
		{ 0, 0, 1, 1, { 0, 0 } },
		{ INT64_MIN, INT64_MAX, UINT64_MAX, 1,
		    { INT64_MIN, INT64_MAX } },
		{ INT64_MIN, INT64_MAX, 1ULL << 63, 2,
		    { INT64_MIN, 0, INT64_MAX } },
		{ INT64_MIN, INT64_MAX, 1ULL << 62, 4,
		    { INT64_MIN, -(1LL << 62), 0, 1LL << 62, INT64_MAX } },
		{ INT64_MIN, INT64_MAX, (1ULL << 63) - 1, 3,
		    { INT64_MIN, -1, INT64_MAX - 1, INT64_MAX } },
		{ INT64_MAX - 5, INT64_MAX, 2, 3,
		    { INT64_MAX - 5, INT64_MAX - 3, INT64_MAX - 1,
		    INT64_MAX } },
		{ INT64_MIN, INT64_MIN + 5, 2, 3,
		    { INT64_MIN, INT64_MIN + 2, INT64_MIN + 4,
		    INT64_MIN + 5 } },
		{ -1, INT64_MAX, 1ULL << 63, 1, { -1, INT64_MAX } },
		{ -2, INT64_MAX, 1ULL << 63, 2,
		    { -2, INT64_MAX - 1, INT64_MAX } },
		{ INT64_MAX, INT64_MAX, 1, 1, { INT64_MAX, INT64_MAX } },
		{ INT64_MIN, INT64_MIN, UINT64_MAX, 1,
		    { INT64_MIN, INT64_MIN } },
	};
	size_t	i, j, n;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		n = cut_all(SPLIT_RANGE, NULL, (uint64_t)rows[i].a,
		    (uint64_t)rows[i].b, rows[i].cs, starts, ends);
		if (n != rows[i].n) {
			ROW_FAIL("range %lld..%lld/%llu: %zu chunks; expected "
			    "%zu", (long long)rows[i].a, (long long)rows[i].b,
			    (unsigned long long)rows[i].cs, n, rows[i].n);
			continue;
		}
		for (j = 0; j < n; j++)
			if ((int64_t)starts[j] != rows[i].bounds[j] ||
			    (int64_t)ends[j] != rows[i].bounds[j + 1])
				ROW_FAIL("range %lld..%lld/%llu: chunk %zu is "
				    "%lld..%lld; expected %lld..%lld",
				    (long long)rows[i].a, (long long)rows[i].b,
				    (unsigned long long)rows[i].cs, j,
				    (long long)(int64_t)starts[j],
				    (long long)(int64_t)ends[j],
				    (long long)rows[i].bounds[j],
				    (long long)rows[i].bounds[j + 1]);
	}
	rows_done();
}

/* The window: the capacity is the requested window rounded up to a power
 * of two (at least 16); no chunk is cut past it until the base moves. */
static void
test_window_capacity(void **state)
{
	static const struct {
		size_t	window, cap;
	} rows[] = {
		{ 0, 16 }, { 1, 16 }, { 16, 16 }, { 17, 32 }, { 32, 32 },
		{ 100, 128 }, { 1024, 1024 },
	};
	struct chunktab	 ct;
	struct chunk	*c;
	size_t		 i, k;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		chunktab_init(&ct, rows[i].window, SPLIT_RANGE, 1, NULL, 0,
		    100000);
		assert_int_equal(ct.ct_cap, rows[i].cap);
		for (k = 0; k < rows[i].cap; k++) {
			c = chunktab_next(&ct);
			assert_non_null(c);
			assert_true(c->c_id == k);
			assert_true(c->c_start == k && c->c_end == k + 1);
		}
		assert_true(ct.ct_next - ct.ct_base == rows[i].cap);
		assert_null(chunktab_next(&ct));
		assert_null(chunktab_next(&ct));
		assert_false(chunktab_finished(&ct));
		chunktab_free(&ct);
	}
}

/* Retiring moves the base only over retired chunks; the room it makes is
 * used by new chunks. */
static void
test_window_retire(void **state)
{
	struct chunktab	 ct;
	struct chunk	*c[16], *d;
	int		 k;

	(void)state;
	chunktab_init(&ct, 16, SPLIT_RANGE, 10, NULL, 0, 1000);
	for (k = 0; k < 16; k++) {
		c[k] = chunktab_next(&ct);
		assert_non_null(c[k]);
		c[k]->c_state = CH_ASSIGNED;
	}
	assert_null(chunktab_next(&ct));

	/* Chunks 1 and 2 done out of order: held, base stays at 0. */
	c[2]->c_result = strdup("two");
	c[2]->c_state = CH_HELD;
	chunktab_retire(&ct, c[1]);
	assert_true(ct.ct_base == 0);
	assert_null(chunktab_next(&ct));
	assert_null(chunktab_get(&ct, 1));
	assert_non_null(chunktab_get(&ct, 2));

	/* Chunk 0 retired: the base moves over 0 and 1, not the held 2. */
	chunktab_retire(&ct, c[0]);
	assert_true(ct.ct_base == 2);
	assert_null(chunktab_get(&ct, 0));
	d = chunktab_next(&ct);
	assert_non_null(d);
	assert_true(d->c_id == 16);
	assert_true(d->c_start == 160 && d->c_end == 170);
	d = chunktab_next(&ct);
	assert_non_null(d);
	assert_true(d->c_id == 17);
	assert_null(chunktab_next(&ct));

	/* Retire 3..9 first, then 2: the base jumps to 10. */
	for (k = 3; k < 10; k++)
		chunktab_retire(&ct, c[k]);
	assert_true(ct.ct_base == 2);
	chunktab_retire(&ct, c[2]);
	assert_null(c[2]->c_result);
	assert_true(ct.ct_base == 10);
	for (k = 18; k < 26; k++) {
		d = chunktab_next(&ct);
		assert_non_null(d);
		assert_true(d->c_id == (uint64_t)k);
	}
	assert_null(chunktab_next(&ct));
	/* A held result still in the table is freed by chunktab_free. */
	c[12]->c_result = strdup("twelve");
	c[12]->c_state = CH_HELD;
	chunktab_free(&ct);
}

/* Retried chunks come out first, in the order they were requeued. */
static void
test_requeue_fifo(void **state)
{
	static const int	 order[] = { 3, 1, 4, 0, 5 };
	struct chunktab		 ct;
	struct chunk		*c[6], *d;
	size_t			 k;

	(void)state;
	chunktab_init(&ct, 16, SPLIT_LINES, 2, "a\nb\nc\nd\ne\nf\ng\nh\n", 0,
	    16);
	for (k = 0; k < 6; k++) {
		c[k] = chunktab_next(&ct);
		assert_non_null(c[k]);
		c[k]->c_state = CH_ASSIGNED;
		c[k]->c_slot = (int)k;
		c[k]->c_attempt = 1;
	}
	for (k = 0; k < NITEMS(order); k++) {
		chunktab_requeue(&ct, c[order[k]]);
		assert_int_equal(c[order[k]]->c_state, CH_QUEUED);
		assert_int_equal(c[order[k]]->c_slot, -1);
	}
	for (k = 0; k < NITEMS(order); k++) {
		d = chunktab_next(&ct);
		assert_ptr_equal(d, c[order[k]]);
		assert_true(d->c_id == (uint64_t)order[k]);
		assert_int_equal(d->c_attempt, 1);	/* kept */
		assert_true(d->c_start == 2 * (uint64_t)order[k]);
		d->c_state = CH_ASSIGNED;
	}
	/* Then new chunks; a requeue in between goes before them. */
	d = chunktab_next(&ct);
	assert_true(d->c_id == 6);
	d->c_state = CH_ASSIGNED;
	chunktab_requeue(&ct, c[2]);
	assert_ptr_equal(chunktab_next(&ct), c[2]);
	d = chunktab_next(&ct);
	assert_true(d->c_id == 7);
	assert_true(d->c_start == 14 && d->c_end == 16);
	assert_null(chunktab_next(&ct));	/* all cut */
	assert_false(chunktab_finished(&ct));
	for (k = 0; k < 8; k++)
		chunktab_retire(&ct, chunktab_get(&ct, k));
	assert_true(chunktab_finished(&ct));
	chunktab_free(&ct);
}

/* chunktab_get: only ids inside the window and not retired. */
static void
test_get_bounds(void **state)
{
	struct chunktab	 ct;
	struct chunk	*c;
	uint64_t	 k;

	(void)state;
	chunktab_init(&ct, 16, SPLIT_RANGE, 1, NULL, 0, 100);
	assert_null(chunktab_get(&ct, 0));	/* nothing cut yet */
	for (k = 0; k < 16; k++)
		chunktab_next(&ct);
	for (k = 0; k < 5; k++)
		chunktab_retire(&ct, chunktab_get(&ct, k));
	chunktab_retire(&ct, chunktab_get(&ct, 7));
	assert_true(ct.ct_base == 5);
	for (k = 0; k < 5; k++)
		assert_null(chunktab_get(&ct, k));
	assert_null(chunktab_get(&ct, 7));
	for (k = 5; k < 16; k++) {
		if (k == 7)
			continue;
		c = chunktab_get(&ct, k);
		assert_non_null(c);
		assert_true(c->c_id == k);
	}
	/* 16..20 share ring slots with 0..4 but were never cut. */
	for (k = 16; k < 21; k++)
		assert_null(chunktab_get(&ct, k));
	assert_null(chunktab_get(&ct, 21));
	assert_null(chunktab_get(&ct, 32 + 5));
	assert_null(chunktab_get(&ct, UINT64_MAX));
	assert_null(chunktab_get(&ct, UINT64_MAX - 10));
	chunktab_free(&ct);
}

/*
 * A long random run of next, requeue and retire against a model of the
 * window: which id next must return, which ids chunktab_get must know.
 * It goes round the ring many times.
 */
static void
test_window_model(void **state)
{
	enum { N = 3000, CAP = 16 };
	static int	 st[N];		/* 0 uncut, 1 out, 2 queued, 3 done */
	static uint64_t	 queue[200000];
	struct chunktab	 ct;
	struct chunk	*c;
	uint64_t	 base = 0, next = 0, id, want;
	size_t		 qh = 0, qt = 0, out = 0, step, k;
	uint64_t	 outs[CAP];

	(void)state;
	memset(st, 0, sizeof st);
	chunktab_init(&ct, CAP, SPLIT_RANGE, 3, NULL, (uint64_t)-4000,
	    (uint64_t)(-4000 + 3 * N));
	for (step = 0; step < 200000 && !(base == N); step++) {
		switch (rng() % 4) {
		case 0:
		case 1:
			if (qh != qt)
				want = queue[qh];
			else if (next - base < CAP && next < N)
				want = next;
			else
				want = UINT64_MAX;
			c = chunktab_next(&ct);
			if (want == UINT64_MAX) {
				assert_null(c);
				break;
			}
			assert_non_null(c);
			assert_true(c->c_id == want);
			assert_true((int64_t)c->c_start ==
			    -4000 + 3 * (int64_t)want);
			if (want == next)
				next++;
			else
				qh++;
			st[want] = 1;
			c->c_state = CH_ASSIGNED;
			outs[out++] = want;
			break;
		case 2:
			if (out == 0 || rng() % 3 == 0)
				break;
			k = rng() % out;
			id = outs[k];
			outs[k] = outs[--out];
			chunktab_requeue(&ct, chunktab_get(&ct, id));
			st[id] = 2;
			queue[qt++] = id;
			break;
		case 3:
			if (out == 0)
				break;
			k = rng() % out;
			id = outs[k];
			outs[k] = outs[--out];
			chunktab_retire(&ct, chunktab_get(&ct, id));
			st[id] = 3;
			while (base < next && st[base] == 3)
				base++;
			break;
		}
		assert_true(ct.ct_base == base);
		assert_true(ct.ct_next == next);
		id = rng() % (N + 20);
		c = chunktab_get(&ct, id);
		if (id >= base && id < next && st[id] != 3) {
			assert_non_null(c);
			assert_true(c->c_id == id);
		} else
			assert_null(c);
	}
	assert_true(base == N);
	assert_true(chunktab_finished(&ct));
	chunktab_free(&ct);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_fixed_inputs),
		cmocka_unit_test(test_lines_by_hand),
		cmocka_unit_test(test_lines_random_inputs),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_window_capacity),
		cmocka_unit_test(test_window_retire),
		cmocka_unit_test(test_requeue_fifo),
		cmocka_unit_test(test_get_bounds),
		cmocka_unit_test(test_window_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
