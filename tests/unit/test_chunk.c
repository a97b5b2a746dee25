/* test_chunk.c: cutting the input into chunks (split_lines_end and the
 * three splits of the chunk table) and the table's window: its capacity,
 * the retry queue and retiring; and the bisection of poison chunks into
 * pieces. Lines chunks are compared against a reference written here the
 * simplest way: the input as a list of lines, packed greedily; cuts and
 * pieces against references written byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gen.h"
#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "conf.h"

#define MAXCHUNKS	4096
#define BIGWINDOW	64

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

/*
 * Bisection. The references below are written the simplest way, byte by
 * byte: the line starts of the input, the cut a piece must get, and the
 * pieces a full bisection must end with.
 */
#define MAXLINES	(1 << 16)
#define MAXPOISON	8

/* Poison lines: [start, end) each, and whether bisection isolated it. */
struct poison {
	uint64_t	 start[MAXPOISON], end[MAXPOISON];
	int		 found[MAXPOISON];
	size_t		 n;
};

/* Where lines piece [S, E) of DATA must be cut: the first line start at
 * or after its middle, else the last one before it; 0 when it is a single
 * line. */
static uint64_t
ref_lines_cut(const char *data, uint64_t s, uint64_t e)
{
	uint64_t	mid = s + (e - s) / 2, i, before = 0;

	for (i = s + 1; i < e; i++) {
		if (data[i - 1] != '\n')
			continue;
		if (i >= mid)
			return i;
		before = i;
	}
	return before;
}

/* Whether a bytes or range piece of LEN can be cut with MIN, written
 * without the product 2 * MIN. */
static int
ref_can_cut(uint64_t len, uint64_t min)
{
	return len >= 2 && len / 2 >= min;
}

static unsigned
ceil_log2(uint64_t n)
{
	unsigned	k = 0;

	while (k < 63 && (1ULL << k) < n)
		k++;
	return k;
}

/* The piece of CT at index I of split chunk W's list. */
static struct chunk *
piece_at(struct chunktab *ct, const struct chunk *w, uint32_t i)
{
	return chunktab_get(ct, PIECE_BIT | w->c_pieces[i]);
}

/*
 * Checks that the pieces of split chunk W tile it exactly, in order: each
 * known to chunktab_get, not empty, W's own, and (DATA given, lines) at a
 * line start. Returns 0, or -1 after reporting.
 */
static int
check_tiling(struct chunktab *ct, struct chunk *w, const char *data,
    const char *what)
{
	struct chunk	*p;
	uint64_t	 pos = 0, len = w->c_end - w->c_start;
	uint32_t	 i;

	if (w->c_state != CH_SPLIT || w->c_npieces < 2) {
		ROW_FAIL("%s: chunk %llu: state %d with %u pieces after a "
		    "split", what, (unsigned long long)w->c_id, w->c_state,
		    w->c_npieces);
		return -1;
	}
	/* POS: the offset from the chunk's start (a range may be negative,
	 * so bounds are compared as distances). */
	for (i = 0; i < w->c_npieces; i++) {
		if ((p = piece_at(ct, w, i)) == NULL) {
			ROW_FAIL("%s: chunk %llu: piece %u (index %u) is not "
			    "known", what, (unsigned long long)w->c_id, i,
			    w->c_pieces[i]);
			return -1;
		}
		if (p->c_start - w->c_start != pos ||
		    p->c_end - p->c_start == 0 ||
		    p->c_end - p->c_start > len - pos ||
		    p->c_parent != w->c_id || !IS_PIECE(p->c_id) ||
		    chunktab_window(ct, p) != w ||
		    (data != NULL && pos != 0 &&
		    data[p->c_start - 1] != '\n')) {
			ROW_FAIL("%s: chunk %llu [%lld, %lld): piece %u is "
			    "[%lld, %lld) of %llu; expected it to start at "
			    "%lld", what, (unsigned long long)w->c_id,
			    (long long)w->c_start, (long long)w->c_end, i,
			    (long long)p->c_start, (long long)p->c_end,
			    (unsigned long long)p->c_parent,
			    (long long)(w->c_start + pos));
			return -1;
		}
		pos += p->c_end - p->c_start;
	}
	if (pos != len) {
		ROW_FAIL("%s: chunk %llu: pieces end at %lld, the chunk at "
		    "%lld", what, (unsigned long long)w->c_id,
		    (long long)(w->c_start + pos), (long long)w->c_end);
		return -1;
	}
	return 0;
}

/* Which poison line [S, E) overlaps, or -1. */
static int
poison_in(const struct poison *po, uint64_t s, uint64_t e)
{
	size_t	k;

	for (k = 0; k < po->n; k++)
		if (po->start[k] < e && po->end[k] > s)
			return (int)k;
	return -1;
}

/* The piece was done: its result is its own bytes. */
static void
piece_done(struct chunk *p, const char *data)
{
	p->c_len = (size_t)(p->c_end - p->c_start);
	p->c_result = malloc(p->c_len);
	assert_non_null(p->c_result);
	memcpy(p->c_result, data + p->c_start, p->c_len);
	p->c_state = CH_DONE;
}

/* Joins split chunk W, and checks that its result is its bytes less the
 * poison lines and that the pieces' ids are gone. Returns 0 or -1. */
static int
join_and_check(struct chunktab *ct, struct chunk *w, const char *data,
    const struct poison *po, const char *what)
{
	uint32_t	*ids, n = w->c_npieces, i;
	char		*want;
	size_t		 wlen = 0;
	uint64_t	 b;
	int		 rc = 0;

	if (!chunktab_pieces_done(ct, w)) {
		ROW_FAIL("%s: chunk %llu: pieces not all done", what,
		    (unsigned long long)w->c_id);
		return -1;
	}
	ids = calloc(n, sizeof *ids);
	want = malloc((size_t)(w->c_end - w->c_start) + 1);
	assert_non_null(ids);
	assert_non_null(want);
	memcpy(ids, w->c_pieces, n * sizeof *ids);
	for (b = w->c_start; b < w->c_end; b++)
		if (poison_in(po, b, b + 1) == -1)
			want[wlen++] = data[b];
	chunktab_join(ct, w);
	if (w->c_state != CH_HELD || w->c_npieces != 0 ||
	    w->c_pieces != NULL) {
		ROW_FAIL("%s: chunk %llu: state %d, %u pieces after the join",
		    what, (unsigned long long)w->c_id, w->c_state,
		    w->c_npieces);
		rc = -1;
	}
	if (w->c_len != wlen || (wlen > 0 &&
	    memcmp(w->c_result, want, wlen) != 0)) {
		ROW_FAIL("%s: chunk %llu: joined result of %zu bytes; "
		    "expected the chunk less its poison lines, %zu bytes",
		    what, (unsigned long long)w->c_id, w->c_len, wlen);
		rc = -1;
	}
	for (i = 0; i < n; i++)
		if (chunktab_get(ct, PIECE_BIT | ids[i]) != NULL) {
			ROW_FAIL("%s: chunk %llu: joined piece %u still known",
			    what, (unsigned long long)w->c_id, ids[i]);
			rc = -1;
		}
	free(ids);
	free(want);
	return rc;
}

/*
 * Bisects window chunk W of lines table CT as the master does: W and every
 * piece holding a poison line is split, every other piece is done with its
 * own bytes as its result, until the poison pieces cannot be cut; each must
 * then be exactly a poison line. The pieces must tile W after every split;
 * then the join must give W less the poison lines. Returns the number of
 * splits, or -1 after reporting.
 */
static long
bisect_lines(struct chunktab *ct, struct chunk *w, const char *data,
    struct poison *po, const char *what)
{
	struct chunk	*p;
	long		 splits = 0, pending = 0;
	uint64_t	 s, e;
	int		 k;

	w->c_state = CH_ASSIGNED;
	w->c_attempt = 3;
	for (p = w; p != NULL; p = pending > 0 ? chunktab_next(ct) : NULL) {
		assert_non_null(p);
		if (p != w) {
			pending--;
			if (!IS_PIECE(p->c_id) || p->c_state != CH_QUEUED ||
			    p->c_parent != w->c_id ||
			    chunktab_window(ct, p) != w ||
			    chunktab_get(ct, p->c_id) != p) {
				ROW_FAIL("%s: chunk %llu: a queued piece is "
				    "not right (id %#llx, state %d)", what,
				    (unsigned long long)w->c_id,
				    (unsigned long long)p->c_id, p->c_state);
				return -1;
			}
			p->c_state = CH_ASSIGNED;
			if (chunktab_pieces_done(ct, w)) {
				ROW_FAIL("%s: chunk %llu: pieces done while "
				    "one is assigned", what,
				    (unsigned long long)w->c_id);
				return -1;
			}
		}
		s = p->c_start;
		e = p->c_end;
		if ((k = poison_in(po, s, e)) == -1) {
			piece_done(p, data);
			continue;
		}
		if (chunktab_split(ct, p, 1) == 0) {
			/* P is gone (its place may be reused): not used. */
			if (++splits > 100000)
				fail_msg("%s: bisection does not end", what);
			pending += 2;
			if (check_tiling(ct, w, data, what) == -1)
				return -1;
			continue;
		}
		if (s != po->start[k] || e != po->end[k]) {
			ROW_FAIL("%s: chunk %llu: [%llu, %llu) cannot be cut; "
			    "the poison line is [%llu, %llu)", what,
			    (unsigned long long)w->c_id,
			    (unsigned long long)s, (unsigned long long)e,
			    (unsigned long long)po->start[k],
			    (unsigned long long)po->end[k]);
			return -1;
		}
		po->found[k] = 1;
		if (p == w)
			return 0;	/* the chunk itself is the line */
		p->c_state = CH_POISON;
	}
	if (ct->ct_qlen != 0) {
		ROW_FAIL("%s: %zu pieces left in the queue", what,
		    ct->ct_qlen);
		return -1;
	}
	return join_and_check(ct, w, data, po, what) == -1 ? -1 : splits;
}

/*
 * Runs a lines job over DATA with chunk size CS, bisecting each chunk that
 * holds a poison line, and checks the number of splits: never more than
 * the chunk's lines less one; for a single poison line at most two per
 * halving of the chunk's bytes; and, for lines all of one length (UNIFORM),
 * at most ceil(log2(lines)).
 */
static void
run_poison_job(const char *data, uint64_t size, uint64_t cs,
    struct poison *po, int uniform, const char *what)
{
	static uint64_t	 starts[MAXLINES + 1];
	struct chunktab	 ct;
	struct chunk	*c;
	size_t		 nlines, lines, npo, k, i;
	long		 splits;
	uint64_t	 len;

	nlines = ref_line_starts(data, size, starts);
	memset(po->found, 0, sizeof po->found);
	chunktab_init(&ct, 16, SPLIT_LINES, cs, data, 0, size);
	while ((c = chunktab_next(&ct)) != NULL) {
		assert_false(IS_PIECE(c->c_id));
		if (poison_in(po, c->c_start, c->c_end) == -1) {
			chunktab_retire(&ct, c);
			continue;
		}
		splits = bisect_lines(&ct, c, data, po, what);
		if (splits == -1) {
			chunktab_free(&ct);
			return;
		}
		len = c->c_end - c->c_start;
		for (lines = 0, i = 0; i < nlines; i++)
			lines += starts[i] >= c->c_start &&
			    starts[i] < c->c_end;
		for (npo = 0, k = 0; k < po->n; k++)
			npo += po->start[k] >= c->c_start &&
			    po->start[k] < c->c_end;
		if ((size_t)splits + 1 > lines ||
		    (uint64_t)splits > npo * (2 * ceil_log2(len) + 2) ||
		    (uniform && npo == 1 && splits > ceil_log2(lines)))
			ROW_FAIL("%s: chunk %llu of %zu lines, %llu bytes, "
			    "%zu poison: %ld splits", what,
			    (unsigned long long)c->c_id, lines,
			    (unsigned long long)len, npo, splits);
		chunktab_retire(&ct, c);
	}
	if (!chunktab_finished(&ct))
		ROW_FAIL("%s: the job did not finish", what);
	for (k = 0; k < po->n; k++)
		if (!po->found[k])
			ROW_FAIL("%s: poison line [%llu, %llu) not isolated",
			    what, (unsigned long long)po->start[k],
			    (unsigned long long)po->end[k]);
	chunktab_free(&ct);
}

/* A line of the input to poison: the first, the last, the longest, an
 * empty one (if any), or any. */
static size_t
pick_line(const char *data, const uint64_t *starts, size_t nlines, int how)
{
	size_t	i, best = 0;

	switch (how) {
	case 0:
		return 0;
	case 1:
		return nlines - 1;
	case 2:
		for (i = 1; i < nlines; i++)
			if (starts[i + 1] - starts[i] >
			    starts[best + 1] - starts[best])
				best = i;
		return best;
	case 3:
		for (i = rng() % nlines; i < nlines; i++)
			if (data[starts[i]] == '\n' || (data[starts[i]] ==
			    '\r' && starts[i + 1] - starts[i] == 2))
				return i;
		/* FALLTHROUGH */
	default:
		return rng() % nlines;
	}
}

static void
poison_line(struct poison *po, const uint64_t *starts, size_t line)
{
	po->start[po->n] = starts[line];
	po->end[po->n] = starts[line + 1];
	po->n++;
}

static char	gen_data[1 << 18];

/* One poison line in random inputs, at every kind of place, the input
 * one chunk or many. */
static void
test_bisect_lines_random(void **state)
{
	static uint64_t	 starts[MAXLINES + 1];
	struct poison	 po;
	char		 what[256];
	size_t		 size, nlines;
	uint64_t	 cs;
	int		 round, crlf, final_nl;

	(void)state;
	for (round = 0; round < 300; round++) {
		crlf = rng() % 3 == 0;
		final_nl = rng() % 4 != 0;
		size = gen_lines(gen_data, sizeof gen_data,
		    1 + rng() % (round % 10 == 0 ? 3 : 400), crlf, final_nl);
		if ((nlines = ref_line_starts(gen_data, size, starts)) == 0)
			continue;
		memset(&po, 0, sizeof po);
		poison_line(&po, starts, pick_line(gen_data, starts, nlines,
		    round % 5));
		cs = round % 2 == 0 ? UINT64_MAX : 1 + rng() % (size + 1);
		snprintf(what, sizeof what, "round %d (%zu lines, %zu bytes, "
		    "%s, %s, cs %llu, poison [%llu, %llu))", round, nlines,
		    size, crlf ? "crlf" : "lf", final_nl ? "final newline" :
		    "no final newline", (unsigned long long)cs,
		    (unsigned long long)po.start[0],
		    (unsigned long long)po.end[0]);
		run_poison_job(gen_data, size, cs, &po, 0, what);
	}
	rows_done();
}

/* Several poison lines in one chunk: adjacent ones, the first and the
 * last, and every line of a small input. */
static void
test_bisect_lines_several(void **state)
{
	static uint64_t	 starts[MAXLINES + 1];
	struct poison	 po;
	char		 what[256];
	size_t		 size, nlines, line, k, n;
	int		 round;

	(void)state;
	for (round = 0; round < 200; round++) {
		size = gen_lines(gen_data, sizeof gen_data, 2 + rng() % 300,
		    round % 3 == 0, round % 4 != 0);
		if ((nlines = ref_line_starts(gen_data, size, starts)) < 2)
			continue;
		memset(&po, 0, sizeof po);
		if (round % 10 == 0) {	/* every line of a short head */
			if (nlines > MAXPOISON) {
				nlines = MAXPOISON;
				size = starts[nlines];
			}
			n = nlines;
		} else
			n = 2 + rng() % 5;
		if (n > nlines)
			n = nlines;
		for (k = 0; k < n; k++) {
			if (n == nlines)
				line = k;
			else if (k == 1 && round % 2 == 0) {
				for (line = 0; starts[line] != po.start[0];
				    line++)
					;
				/* The next line, or the one before. */
				line = line + 1 < nlines ? line + 1 : line - 1;
			} else
				line = pick_line(gen_data, starts, nlines,
				    (int)(rng() % 5));
			if (poison_in(&po, starts[line], starts[line + 1]) ==
			    -1)
				poison_line(&po, starts, line);
		}
		snprintf(what, sizeof what, "several, round %d (%zu lines, "
		    "%zu bytes, %zu poison)", round, nlines, size, po.n);
		run_poison_job(gen_data, size, UINT64_MAX, &po, 0, what);
		run_poison_job(gen_data, size, 1 + size / 3, &po, 0, what);
	}
	rows_done();
}

/* Lines all of one length: a poison line anywhere is isolated in at most
 * ceil(log2(lines)) splits, as cutting at the line start nearest the
 * middle halves the lines. */
static void
test_bisect_lines_log(void **state)
{
	static const size_t	 counts[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16,
	    17, 31, 32, 33, 100, 1000, 1023, 1024, 1025, 4096 };
	static const char *const lines[] = { "\n", "a\n", "\r\n", "abcd\n",
	    "ab\r\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" };
	static uint64_t		 starts[MAXLINES + 1];
	struct poison		 po;
	char			 what[256];
	size_t			 i, j, k, n, len, size, line;

	(void)state;
	for (i = 0; i < NITEMS(counts); i++)
		for (j = 0; j < NITEMS(lines); j++) {
			n = counts[i];
			len = strlen(lines[j]);
			for (size = 0, k = 0; k < n; k++, size += len)
				memcpy(gen_data + size, lines[j], len);
			assert_true(ref_line_starts(gen_data, size, starts) ==
			    n);
			for (k = 0; k < 5; k++) {
				line = k == 0 ? 0 : k == 1 ? n - 1 :
				    k == 2 ? n / 2 : rng() % n;
				memset(&po, 0, sizeof po);
				poison_line(&po, starts, line);
				snprintf(what, sizeof what, "%zu lines of %zu "
				    "bytes, poison line %zu", n, len, line + 1);
				run_poison_job(gen_data, size, UINT64_MAX, &po,
				    1, what);
			}
		}
	rows_done();
}

/* The cut of a lines chunk, by hand: the line start nearest the middle
 * (the first at or after it, else the last before it); a single line,
 * with or without its newline, cannot be cut. */
static void
test_split_lines_by_hand(void **state)
{
	static const struct {
		const char	*data;
		size_t		 size;
		uint64_t	 start, end;
		uint64_t	 cut;		/* 0: cannot be cut */
	} rows[] = {
		{ TEXT_N("a\nb\nc\n"), 0, 6, 4 },
		{ TEXT_N("a\nb\nc\nd\n"), 0, 8, 4 },	/* middle: a start */
		{ TEXT_N("\n\n\n"), 0, 3, 1 },		/* middle: a start */
		{ TEXT_N("\n\n\n\n"), 0, 4, 2 },
		{ TEXT_N("\n\n"), 0, 2, 1 },
		{ TEXT_N("\n"), 0, 1, 0 },
		{ TEXT_N(""), 0, 0, 0 },
		{ TEXT_N("a"), 0, 1, 0 },
		{ TEXT_N("abc"), 0, 3, 0 },
		{ TEXT_N("abc\n"), 0, 4, 0 },
		{ TEXT_N("abc\r\n"), 0, 5, 0 },
		{ TEXT_N("ab\ncd"), 0, 5, 3 },
		{ TEXT_N("abcdefgh\nx\n"), 0, 11, 9 },
		{ TEXT_N("x\nabcdefgh\n"), 0, 11, 2 },
		{ TEXT_N("x\nabcdefgh"), 0, 10, 2 },
		{ TEXT_N("a\nbbbb"), 0, 6, 2 },
		{ TEXT_N("a\r\nb\r\n"), 0, 6, 3 },
		{ TEXT_N("\r\n\r\n"), 0, 4, 2 },
		{ TEXT_N("a\r\nbb\r\nccc\r\n"), 0, 12, 7 },
		{ TEXT_N("a\0b\n\0\n"), 0, 6, 4 },
		/* Chunks that do not start at 0. */
		{ TEXT_N("zz\na\nb\nc\nd\nzz\n"), 3, 9, 7 },
		{ TEXT_N("zz\na\nb\nc\nd\nzz\n"), 3, 11, 7 },
		{ TEXT_N("zz\na\nb\nc\nd\nzz\n"), 3, 14, 9 },
		{ TEXT_N("zz\na\nb\nc\nd\nzz\n"), 11, 14, 0 },
		{ TEXT_N("zz\na\nb\nc\nd\nzz"), 11, 13, 0 },
		{ TEXT_N("zz\na\nb\nc\nd\nzz"), 9, 13, 11 },
	};
	struct chunktab	 ct;
	struct chunk	*w, *a, *b;
	uint64_t	 got;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		if (rows[i].end > rows[i].start)
			assert_true(ref_lines_cut(rows[i].data, rows[i].start,
			    rows[i].end) == rows[i].cut);
		chunktab_init(&ct, 16, SPLIT_LINES, UINT64_MAX, rows[i].data,
		    rows[i].start, rows[i].end);
		w = chunktab_next(&ct);
		assert_non_null(w);
		assert_true(w->c_start == rows[i].start &&
		    w->c_end == rows[i].end);
		w->c_state = CH_ASSIGNED;
		/* For lines a cut is after a start: 0 is "none" here. */
		if (!chunktab_cut_point(&ct, w, 1, &got))
			got = 0;
		if (got != rows[i].cut)
			ROW_FAIL("lines row %zu [%llu, %llu): cut point %llu; "
			    "expected %llu", i,
			    (unsigned long long)rows[i].start,
			    (unsigned long long)rows[i].end,
			    (unsigned long long)got,
			    (unsigned long long)rows[i].cut);
		rc = chunktab_split(&ct, w, 1);
		if (rows[i].cut == 0) {
			if (rc != -1 || w->c_state != CH_ASSIGNED)
				ROW_FAIL("lines row %zu [%llu, %llu): split "
				    "returned %d (state %d); expected -1", i,
				    (unsigned long long)rows[i].start,
				    (unsigned long long)rows[i].end, rc,
				    w->c_state);
			chunktab_free(&ct);
			continue;
		}
		if (rc != 0 || w->c_state != CH_SPLIT || w->c_npieces != 2) {
			ROW_FAIL("lines row %zu: split returned %d", i, rc);
			chunktab_free(&ct);
			continue;
		}
		a = piece_at(&ct, w, 0);
		b = piece_at(&ct, w, 1);
		assert_non_null(a);
		assert_non_null(b);
		if (a->c_start != rows[i].start || a->c_end != rows[i].cut ||
		    b->c_start != rows[i].cut || b->c_end != rows[i].end)
			ROW_FAIL("lines row %zu [%llu, %llu): cut at %llu; "
			    "expected %llu", i,
			    (unsigned long long)rows[i].start,
			    (unsigned long long)rows[i].end,
			    (unsigned long long)a->c_end,
			    (unsigned long long)rows[i].cut);
		/* Queued, the first half first. */
		assert_ptr_equal(chunktab_next(&ct), a);
		assert_ptr_equal(chunktab_next(&ct), b);
		assert_true(a->c_parent == w->c_id && b->c_parent == w->c_id);
		chunktab_free(&ct);
	}
	rows_done();
}

/* The cut of lines pieces in random inputs, piece after piece (either
 * half goes on), against the reference; the first few mismatches are
 * shown. */
static void
test_split_lines_random(void **state)
{
	static uint64_t	 starts[MAXLINES + 1];
	struct chunktab	 ct;
	struct chunk	*p, *a, *b;
	size_t		 size, nlines, first, last;
	uint64_t	 want, s, e, got;
	int		 round, rc, bad = 0, n = 0;

	(void)state;
	for (round = 0; round < 400; round++) {
		size = gen_lines(gen_data, sizeof gen_data, 1 + rng() % 100,
		    rng() % 2, rng() % 2);
		if ((nlines = ref_line_starts(gen_data, size, starts)) == 0)
			continue;
		first = rng() % nlines;
		last = first + 1 + rng() % (nlines - first);
		chunktab_init(&ct, 16, SPLIT_LINES, UINT64_MAX, gen_data,
		    starts[first], starts[last]);
		p = chunktab_next(&ct);
		assert_non_null(p);
		for (;;) {
			s = p->c_start;
			e = p->c_end;
			want = ref_lines_cut(gen_data, s, e);
			p->c_state = CH_ASSIGNED;
			rc = chunktab_split(&ct, p, 1);
			n++;
			a = b = NULL;
			if (rc == 0) {
				a = chunktab_next(&ct);
				b = chunktab_next(&ct);
				assert_non_null(a);
				assert_non_null(b);
				assert_int_equal(ct.ct_qlen, 0);
				if (a->c_start != s || b->c_end != e ||
				    a->c_end != b->c_start)
					fail_msg("halves [%llu, %llu), [%llu, "
					    "%llu) of [%llu, %llu)",
					    (unsigned long long)a->c_start,
					    (unsigned long long)a->c_end,
					    (unsigned long long)b->c_start,
					    (unsigned long long)b->c_end,
					    (unsigned long long)s,
					    (unsigned long long)e);
			}
			got = rc == -1 ? 0 : a->c_end;
			if (got != want && bad++ < 10)
				ROW_FAIL("random lines [%llu, %llu): cut at "
				    "%llu; expected %llu (0: no cut)",
				    (unsigned long long)s,
				    (unsigned long long)e,
				    (unsigned long long)got,
				    (unsigned long long)want);
			if (rc == -1)
				break;
			if (rng() % 2 == 0) {
				p = a;
				b->c_state = CH_DONE;
			} else {
				p = b;
				a->c_state = CH_DONE;
			}
		}
		chunktab_free(&ct);
	}
	if (bad > 10) {
		print_error("%d of %d random cuts wrong\n", bad, n);
		row_failures += bad - 10;
	}
	rows_done();
}

#define R(x)		((uint64_t)(int64_t)(x))	/* a range value */

/* The cut of bytes and range chunks, by hand: at the middle if each half
 * keeps at least MIN (and the chunk has 2 or more), else none. */
static void
test_split_cut_by_hand(void **state)
{
	static const struct {
		int		 split;
		uint64_t	 start, end, min;
		int		 rc;
		uint64_t	 cut;
	} rows[] = {
		{ SPLIT_BYTES, 0, 0, 1, -1, 0 },
		{ SPLIT_BYTES, 0, 1, 1, -1, 0 },
		{ SPLIT_BYTES, 0, 1, 0, -1, 0 },
		{ SPLIT_BYTES, 0, 2, 0, 0, 1 },
		{ SPLIT_BYTES, 0, 2, 1, 0, 1 },
		{ SPLIT_BYTES, 0, 3, 1, 0, 1 },
		{ SPLIT_BYTES, 0, 3, 2, -1, 0 },
		{ SPLIT_BYTES, 10, 15, 3, -1, 0 },
		{ SPLIT_BYTES, 10, 16, 3, 0, 13 },
		{ SPLIT_BYTES, 10, 17, 3, 0, 13 },
		{ SPLIT_BYTES, 0, 13, 7, -1, 0 },
		{ SPLIT_BYTES, 0, 14, 7, 0, 7 },
		{ SPLIT_BYTES, 100, 1100, 500, 0, 600 },
		{ SPLIT_BYTES, 100, 1099, 500, -1, 0 },
		{ SPLIT_BYTES, 0, UINT64_MAX, 1, 0, (1ULL << 63) - 1 },
		{ SPLIT_BYTES, 0, UINT64_MAX, 1ULL << 62, 0,
		    (1ULL << 63) - 1 },
		{ SPLIT_BYTES, 0, UINT64_MAX, UINT64_MAX, -1, 0 },
		/* bisect_min may be as large as UINT64_MAX: 2 * min must not
		 * wrap round to allow a cut. */
		{ SPLIT_BYTES, 0, 10, 1ULL << 63, -1, 0 },
		{ SPLIT_BYTES, 0, 10, (1ULL << 63) + 1, -1, 0 },
		{ SPLIT_BYTES, 0, UINT64_MAX, 1ULL << 63, -1, 0 },
		{ SPLIT_RANGE, R(5), R(5), 1, -1, 0 },
		{ SPLIT_RANGE, R(-7), R(-3), 2, 0, R(-5) },
		{ SPLIT_RANGE, R(-7), R(-3), 3, -1, 0 },
		{ SPLIT_RANGE, R(-4), R(3), 1, 0, R(-1) },
		{ SPLIT_RANGE, R(-2), R(3), 1, 0, R(0) },
		{ SPLIT_RANGE, R(0), R(2), 1, 0, R(1) },
		{ SPLIT_RANGE, R(INT64_MAX - 2), R(INT64_MAX), 1, 0,
		    R(INT64_MAX - 1) },
		{ SPLIT_RANGE, R(INT64_MIN), R(INT64_MIN + 1), 1, -1, 0 },
		{ SPLIT_RANGE, R(INT64_MIN), R(INT64_MIN + 2), 1, 0,
		    R(INT64_MIN + 1) },
		{ SPLIT_RANGE, R(INT64_MIN), R(INT64_MAX), 1, 0, R(-1) },
		{ SPLIT_RANGE, R(INT64_MIN), R(INT64_MAX), 1ULL << 62, 0,
		    R(-1) },
		/* A cut at integer 0 is a cut like any other. */
		{ SPLIT_RANGE, R(-1), R(1), 1, 0, R(0) },
		{ SPLIT_RANGE, R(-4), R(4), 1, 0, R(0) },
		{ SPLIT_RANGE, R(-5), R(5), 3, 0, R(0) },
		{ SPLIT_RANGE, R(-3), R(4), 1, 0, R(0) },
		{ SPLIT_RANGE, R(INT64_MIN + 1), R(INT64_MAX), 1, 0, R(0) },
	};
	struct chunktab	 ct;
	struct chunk	*w, *a, *b;
	uint64_t	 cut;
	size_t		 i;
	int		 rc, can;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		assert_int_equal(ref_can_cut(rows[i].end - rows[i].start,
		    rows[i].min), rows[i].rc == 0);
		chunktab_init(&ct, 16, rows[i].split, UINT64_MAX, NULL,
		    rows[i].start, rows[i].end);
		w = chunktab_next(&ct);
		assert_non_null(w);
		assert_true(w->c_start == rows[i].start &&
		    w->c_end == rows[i].end);
		w->c_state = CH_ASSIGNED;
		/* What the master asks before it splits. */
		can = chunktab_cut_point(&ct, w, rows[i].min, &cut);
		if (can != (rows[i].rc == 0) || (can && cut != rows[i].cut))
			ROW_FAIL(rows[i].split == SPLIT_BYTES ?
			    "bytes row %zu [%llu, %llu) min %llu: cut point "
			    "%llu; expected %s %llu" :
			    "range row %zu [%lld, %lld) min %llu: cut point "
			    "%lld; expected %s %lld", i,
			    (unsigned long long)rows[i].start,
			    (unsigned long long)rows[i].end,
			    (unsigned long long)rows[i].min,
			    (unsigned long long)cut,
			    rows[i].rc == 0 ? "a cut at" : "none, not",
			    (unsigned long long)rows[i].cut);
		rc = chunktab_split(&ct, w, rows[i].min);
		if (rc != rows[i].rc) {
			ROW_FAIL(rows[i].split == SPLIT_BYTES ?
			    "bytes row %zu [%llu, %llu) min %llu: split "
			    "returned %d; expected %d" :
			    "range row %zu [%lld, %lld) min %llu: split "
			    "returned %d; expected %d", i,
			    (unsigned long long)rows[i].start,
			    (unsigned long long)rows[i].end,
			    (unsigned long long)rows[i].min, rc, rows[i].rc);
			chunktab_free(&ct);
			continue;
		}
		if (rc == -1) {
			assert_int_equal(w->c_state, CH_ASSIGNED);
			assert_int_equal(ct.ct_qlen, 0);
			chunktab_free(&ct);
			continue;
		}
		a = chunktab_next(&ct);
		b = chunktab_next(&ct);
		assert_non_null(a);
		assert_non_null(b);
		assert_ptr_equal(a, piece_at(&ct, w, 0));
		assert_ptr_equal(b, piece_at(&ct, w, 1));
		if (a->c_start != rows[i].start || a->c_end != rows[i].cut ||
		    b->c_start != rows[i].cut || b->c_end != rows[i].end)
			ROW_FAIL("row %zu: halves [%lld, %lld) [%lld, %lld); "
			    "expected the cut at %lld", i,
			    (long long)a->c_start, (long long)a->c_end,
			    (long long)b->c_start, (long long)b->c_end,
			    (long long)rows[i].cut);
		chunktab_free(&ct);
	}
	rows_done();
}

#define MAXLEAVES	8192

/* The pieces a full bisection of [S, E) with MIN ends with, in order. */
static size_t
ref_leaves(uint64_t s, uint64_t e, uint64_t min, uint64_t *ls, uint64_t *le,
    size_t n)
{
	uint64_t	len = e - s;

	if (!ref_can_cut(len, min)) {
		assert_true(n < MAXLEAVES);
		ls[n] = s;
		le[n] = e;
		return n + 1;
	}
	n = ref_leaves(s, s + len / 2, min, ls, le, n);
	return ref_leaves(s + len / 2, e, min, ls, le, n);
}

/*
 * Bisects the chunk [START, START + LEN) of split SPLIT fully: every piece
 * is split until it cannot be; each of those is done with a result that
 * names it. The smallest pieces must be the reference's, none below MIN
 * (unless the chunk itself is), covering the chunk in order, and the join
 * their results in order.
 */
static void
bisect_full(int split, uint64_t start, uint64_t len, uint64_t min)
{
	static uint64_t	 ls[MAXLEAVES], le[MAXLEAVES];
	static char	 want[MAXLEAVES * 48];
	struct chunktab	 ct;
	struct chunk	*w, *p;
	char		 what[96], name[48];
	size_t		 n, i, wlen = 0, pending = 0;
	int		 rc;

	snprintf(what, sizeof what, "%s [%lld, +%llu) min %llu",
	    split == SPLIT_BYTES ? "bytes" : "range", (long long)start,
	    (unsigned long long)len, (unsigned long long)min);
	n = ref_leaves(start, start + len, min, ls, le, 0);
	for (i = 0; i < n; i++) {
		if (n > 1 && le[i] - ls[i] < min)
			fail_msg("%s: the reference is wrong", what);
		wlen += (size_t)snprintf(want + wlen, sizeof want - wlen,
		    "%lld+%llu;", (long long)ls[i],
		    (unsigned long long)(le[i] - ls[i]));
	}
	chunktab_init(&ct, 16, split, len, NULL, start, start + len);
	w = chunktab_next(&ct);
	assert_non_null(w);
	assert_true(w->c_start == start && w->c_end == start + len);
	for (p = w; p != NULL; p = pending > 0 ? chunktab_next(&ct) : NULL) {
		assert_non_null(p);
		if (p != w) {
			pending--;
			assert_true(IS_PIECE(p->c_id));
			assert_int_equal(p->c_state, CH_QUEUED);
		}
		p->c_state = CH_ASSIGNED;
		snprintf(name, sizeof name, "%lld+%llu;",
		    (long long)p->c_start,
		    (unsigned long long)(p->c_end - p->c_start));
		rc = chunktab_split(&ct, p, min);
		if (rc == 0) {
			pending += 2;
			continue;
		}
		if (p == w)
			break;
		if (p->c_end - p->c_start < min ||
		    ref_can_cut(p->c_end - p->c_start, min)) {
			ROW_FAIL("%s: piece %s not cut, or below min", what,
			    name);
			chunktab_free(&ct);
			return;
		}
		p->c_result = strdup(name);
		assert_non_null(p->c_result);
		p->c_len = strlen(name);
		p->c_state = CH_DONE;
	}
	if (p == w) {
		if (n != 1)
			ROW_FAIL("%s: the chunk was not cut; expected %zu "
			    "pieces", what, n);
		chunktab_free(&ct);
		return;
	}
	if (check_tiling(&ct, w, NULL, what) == -1) {
		chunktab_free(&ct);
		return;
	}
	if (w->c_npieces != n) {
		ROW_FAIL("%s: %u smallest pieces; expected %zu", what,
		    w->c_npieces, n);
		chunktab_free(&ct);
		return;
	}
	for (i = 0; i < n; i++) {
		p = piece_at(&ct, w, (uint32_t)i);
		if (p->c_start != ls[i] || p->c_end != le[i] ||
		    p->c_state != CH_DONE) {
			ROW_FAIL("%s: piece %zu is [%lld, %lld); expected "
			    "[%lld, %lld)", what, i, (long long)p->c_start,
			    (long long)p->c_end, (long long)ls[i],
			    (long long)le[i]);
			break;
		}
	}
	assert_true(chunktab_pieces_done(&ct, w));
	chunktab_join(&ct, w);
	if (w->c_state != CH_HELD || w->c_len != wlen ||
	    memcmp(w->c_result, want, wlen) != 0)
		ROW_FAIL("%s: joined result %.*s; expected %.*s", what,
		    (int)(w->c_len > 200 ? 200 : w->c_len), w->c_result,
		    (int)(wlen > 200 ? 200 : wlen), want);
	chunktab_retire(&ct, w);
	assert_true(chunktab_finished(&ct));
	chunktab_free(&ct);
}

/* Bytes and ranges bisected as far as they go, with min 1, 3 and 7 (and
 * a few chunks with large min of their own). */
static void
test_bisect_bytes_range(void **state)
{
	static const uint64_t	 mins[] = { 1, 3, 7 };
	static const uint64_t	 lens[] = { 0, 1, 2, 3, 5, 6, 7, 8, 13, 14,
	    15, 20, 21, 100, 999, 1000, 1024, 4000, 4097 };
	static const struct {
		int		 split;
		uint64_t	 start;
	} places[] = {
		{ SPLIT_BYTES, 0 }, { SPLIT_BYTES, 12345 },
		{ SPLIT_BYTES, (1ULL << 40) + 1 },
		{ SPLIT_RANGE, 0 }, { SPLIT_RANGE, 1000 },
		{ SPLIT_RANGE, R(-100000) }, { SPLIT_RANGE, R(INT64_MIN) },
		{ SPLIT_RANGE, R(INT64_MAX - 5000) },
		{ SPLIT_RANGE, R(-2000) },	/* some cuts at 0 */
		{ SPLIT_RANGE, R(-500) },
	};
	static const struct {
		int		 split;
		uint64_t	 start, len, min;
	} big[] = {
		{ SPLIT_BYTES, 0, UINT64_MAX, 1ULL << 59 },
		{ SPLIT_BYTES, 1, UINT64_MAX - 1, 1ULL << 60 },
		{ SPLIT_RANGE, R(INT64_MIN), UINT64_MAX, 1ULL << 59 },
		{ SPLIT_RANGE, R(INT64_MIN), 1ULL << 63, 1ULL << 58 },
		{ SPLIT_RANGE, R(-1000), 1ULL << 40, 1ULL << 33 },
		{ SPLIT_BYTES, 0, 1ULL << 40, 1ULL << 30 },
	};
	size_t	i, j, k;

	(void)state;
	for (i = 0; i < NITEMS(places); i++)
		for (j = 0; j < NITEMS(lens); j++)
			for (k = 0; k < NITEMS(mins); k++)
				bisect_full(places[i].split, places[i].start,
				    lens[j], mins[k]);
	for (i = 0; i < NITEMS(big); i++)
		bisect_full(big[i].split, big[i].start, big[i].len,
		    big[i].min);
	rows_done();
}

/*
 * Piece ids: chunktab_get knows a piece only while it lives, and no id
 * past the pieces made (nor one whose high bits, but for PIECE_BIT, are
 * set). A pointer to a piece stays valid while thousands more are made.
 */
static void
test_piece_ids(void **state)
{
	enum { PCS = 8192 };
	static uint32_t	 ids[20000];
	struct chunktab	 ct;
	struct chunk	*w0, *w1, *pa, *pb, *p;
	uint64_t	 ida, idb;
	size_t		 nids, i, pending;

	(void)state;
	chunktab_init(&ct, 16, SPLIT_BYTES, PCS, NULL, 0, 16 * PCS);
	assert_null(chunktab_get(&ct, PIECE_BIT));	/* none made yet */
	w0 = chunktab_next(&ct);
	w1 = chunktab_next(&ct);
	assert_non_null(w0);
	assert_non_null(w1);
	w0->c_state = CH_ASSIGNED;
	assert_int_equal(chunktab_split(&ct, w0, 1), 0);
	pa = chunktab_next(&ct);
	pb = chunktab_next(&ct);
	assert_non_null(pa);
	assert_non_null(pb);
	ida = pa->c_id;
	idb = pb->c_id;
	assert_true(IS_PIECE(ida) && IS_PIECE(idb) && ida != idb);
	assert_ptr_equal(chunktab_get(&ct, ida), pa);
	pa->c_state = CH_ASSIGNED;
	pb->c_state = CH_ASSIGNED;
	/* Beyond the table. */
	assert_true(ct.ct_npieces == 2);
	assert_null(chunktab_get(&ct, PIECE_BIT | 2));
	assert_null(chunktab_get(&ct, PIECE_BIT | 3));
	assert_null(chunktab_get(&ct, PIECE_BIT | UINT32_MAX));
	assert_null(chunktab_get(&ct, PIECE_BIT | (1ULL << 32)));
	assert_null(chunktab_get(&ct, ida | (1ULL << 32)));
	assert_null(chunktab_get(&ct, ida | (1ULL << 62)));
	assert_null(chunktab_get(&ct, UINT64_MAX));
	/* Chunk 1 bisected down to single bytes: thousands of pieces. */
	w1->c_state = CH_ASSIGNED;
	assert_int_equal(chunktab_split(&ct, w1, 1), 0);
	for (pending = 2; pending > 0; pending--) {
		p = chunktab_next(&ct);
		assert_non_null(p);
		assert_true(p->c_parent == w1->c_id);
		p->c_state = CH_ASSIGNED;
		if (chunktab_split(&ct, p, 1) == 0) {
			pending += 2;
			continue;
		}
		p->c_state = CH_DONE;	/* no result: joins to nothing */
	}
	assert_int_equal(w1->c_npieces, PCS);
	assert_true(ct.ct_npieces > PCS / PIECE_BLOCK * PIECE_BLOCK);
	/* The first pieces did not move. */
	assert_ptr_equal(chunktab_get(&ct, ida), pa);
	assert_ptr_equal(chunktab_get(&ct, idb), pb);
	assert_true(pa->c_id == ida && pa->c_start == 0 &&
	    pa->c_end == PCS / 2 && pa->c_parent == 0 &&
	    pa->c_state == CH_ASSIGNED);
	assert_true(pb->c_id == idb && pb->c_start == PCS / 2 &&
	    pb->c_end == PCS && pb->c_parent == 0);
	assert_ptr_equal(chunktab_window(&ct, pa), w0);
	/* Every live piece is known, by its own id. */
	for (i = 0; i < w1->c_npieces; i++) {
		p = piece_at(&ct, w1, (uint32_t)i);
		assert_non_null(p);
		assert_true(p->c_id == (PIECE_BIT | w1->c_pieces[i]));
		assert_true(p->c_start == PCS + i && p->c_end == PCS + i + 1);
	}
	assert_null(chunktab_get(&ct, PIECE_BIT | ct.ct_npieces));
	/* Joined: its pieces' ids are gone; chunk 0's stay. */
	nids = w1->c_npieces;
	memcpy(ids, w1->c_pieces, nids * sizeof *ids);
	assert_true(chunktab_pieces_done(&ct, w1));
	chunktab_join(&ct, w1);
	assert_int_equal(w1->c_state, CH_HELD);
	assert_int_equal(w1->c_len, 0);
	for (i = 0; i < nids; i++)
		assert_null(chunktab_get(&ct, PIECE_BIT | ids[i]));
	assert_ptr_equal(chunktab_get(&ct, ida), pa);
	assert_ptr_equal(chunktab_get(&ct, idb), pb);
	/* The window chunks are not pieces. */
	assert_ptr_equal(chunktab_get(&ct, 1), w1);
	assert_true(chunktab_get(&ct, PIECE_BIT | 1) != w1);
	/* New pieces after the join are known again, the old ones kept. */
	pa->c_state = CH_ASSIGNED;
	assert_int_equal(chunktab_split(&ct, pa, 1), 0);
	for (i = 0; i < 2; i++) {
		p = chunktab_next(&ct);
		assert_non_null(p);
		assert_ptr_equal(chunktab_get(&ct, p->c_id), p);
		assert_true(p->c_parent == 0);
	}
	assert_int_equal(w0->c_npieces, 3);
	assert_ptr_equal(piece_at(&ct, w0, 2), pb);
	assert_int_equal(check_tiling(&ct, w0, NULL, "piece ids"), 0);
	chunktab_free(&ct);
	rows_done();
}

/*
 * The retry queue holds far more than the window (the halves of every
 * split go in it): a random run of next, requeue and split against a model
 * FIFO, which the queue must follow exactly as it grows and wraps.
 */
static void
test_queue_growth(void **state)
{
	enum { STEPS = 30000, CAP = 16 };
	static uint64_t	 model[4 * STEPS], outs[4 * STEPS];
	struct chunktab	 ct;
	struct chunk	*c, *w, *a, *b;
	size_t		 qh = 0, qt = 0, nout = 0, maxlen = 0, step, k, i;
	uint64_t	 id, s, cut;

	(void)state;
	chunktab_init(&ct, CAP, SPLIT_BYTES, 1 << 20, NULL, 0, CAP << 20);
	for (k = 0; k < CAP; k++) {
		c = chunktab_next(&ct);
		assert_non_null(c);
		c->c_state = CH_ASSIGNED;
		outs[nout++] = c->c_id;
	}
	for (step = 0; step < STEPS + 4 * STEPS; step++) {
		k = step < STEPS ? rng() % 8 : 0;	/* then: drain */
		if (k < 3) {
			c = chunktab_next(&ct);
			if (qh == qt) {
				assert_null(c);
				if (step >= STEPS)
					break;
				continue;
			}
			assert_non_null(c);
			if (c->c_id != model[qh])
				fail_msg("step %zu: next gave %#llx; expected "
				    "%#llx", step, (unsigned long long)c->c_id,
				    (unsigned long long)model[qh]);
			qh++;
			assert_int_equal(c->c_state, CH_QUEUED);
			c->c_state = CH_ASSIGNED;
			outs[nout++] = c->c_id;
		} else if (nout > 0) {
			i = rng() % nout;
			id = outs[i];
			outs[i] = outs[--nout];
			c = chunktab_get(&ct, id);
			assert_non_null(c);
			if (k < 5) {
				chunktab_requeue(&ct, c);
				model[qt++] = id;
			} else {
				w = chunktab_window(&ct, c);
				s = c->c_start;
				cut = s + (c->c_end - s) / 2;
				if (chunktab_split(&ct, c, 1) == -1)
					continue;	/* one byte: done */
				for (a = b = NULL, i = 0; i < w->c_npieces;
				    i++) {
					c = piece_at(&ct, w, (uint32_t)i);
					if (c->c_start == s)
						a = c;
					else if (c->c_start == cut)
						b = c;
				}
				assert_non_null(a);
				assert_non_null(b);
				model[qt++] = a->c_id;
				model[qt++] = b->c_id;
			}
		}
		assert_int_equal(ct.ct_qlen, qt - qh);
		if (qt - qh > maxlen)
			maxlen = qt - qh;
	}
	assert_true(qh == qt);
	assert_true(maxlen > 50 * CAP);
	assert_true(ct.ct_qcap >= maxlen);
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
		cmocka_unit_test(test_split_lines_by_hand),
		cmocka_unit_test(test_split_lines_random),
		cmocka_unit_test(test_split_cut_by_hand),
		cmocka_unit_test(test_bisect_lines_random),
		cmocka_unit_test(test_bisect_lines_several),
		cmocka_unit_test(test_bisect_lines_log),
		cmocka_unit_test(test_bisect_bytes_range),
		cmocka_unit_test(test_piece_ids),
		cmocka_unit_test(test_queue_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
