/* test_journal.c: the journal's records written and read back: every field
 * and escaped text survives; a journal cut at any byte of its last line
 * loses that line only; a damaged line ends the journal there; a foreign
 * file is refused; a result that no longer matches its hash is refused.
 * The header line is written here from the format's description (text,
 * " #", eight hex digits of the hash), not by journal.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"

static char	dir[] = "/tmp/test_journal.XXXXXX";
static char	path[64], spool[64];

/* A journal J open on a new file, holding only its first line. */
static void
fresh(struct journal *j)
{
	static const char	magic[] = "chunkvisor-journal 1";
	char			line[64];
	int			n;

	journal_init(j);
	j->j_path = strdup(path);
	j->j_spool_path = strdup(spool);
	unlink(spool);
	j->j_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(j->j_fd != -1);
	n = snprintf(line, sizeof line, "%s #%08x\n", magic,
	    (unsigned)(journal_hash(magic, sizeof magic - 1) & 0xffffffff));
	assert_int_equal(write(j->j_fd, line, (size_t)n), n);
}

/* What journal_read makes of PATH. */
static int
reread(struct journal *j)
{
	int	fd = open(path, O_RDONLY), rc;

	assert_true(fd != -1);
	journal_init(j);
	rc = journal_read(j, path, fd);
	close(fd);
	return rc;
}

static off_t
file_size(void)
{
	int	fd = open(path, O_RDONLY);
	off_t	n = lseek(fd, 0, SEEK_END);

	close(fd);
	return n;
}

static const char	why[] = "crashed \\ (SIGSEGV)\nline two\tx\x7f";

/* Writes three results (W in the output, H and W in the spool), one
 * quarantine record and counters. */
static void
write_some(struct journal *j)
{
	struct jstats	st = { 0, 3, 300, 2, 1, 4 };
	uint64_t	off;

	journal_chunk(j, 'W', 0, 0, 100, 'o', 0, "abc", 3);
	assert_int_equal(journal_spool(j, "held", 4, &off), 0);
	assert_int_equal(off, 0);
	journal_chunk(j, 'H', 2, 200, 300, 's', off, "held", 4);
	journal_quarantine(j, 1, 150, 160, why);
	journal_chunk(j, 'W', 1, 100, 200, 'o', 3, "", 0);
	journal_chunk(j, 'W', 2, 200, 300, 's', off, "held", 4);
	assert_int_equal(journal_sync(j, -1, &st, 1), 0);
}

static void
test_round_trip(void **state)
{
	struct journal	j;
	char		*data;

	(void)state;
	fresh(&j);
	write_some(&j);
	journal_close(&j, 0);
	assert_int_equal(reread(&j), 0);
	assert_int_equal(j.j_nrecs, 5);
	assert_int_equal(j.j_commits, 4);
	assert_int_equal(j.j_recs[0].r_type, 'W');
	assert_int_equal(j.j_recs[0].r_where, 'o');
	assert_int_equal(j.j_recs[0].r_end, 100);
	assert_int_equal(j.j_recs[0].r_len, 3);
	assert_int_equal(j.j_recs[0].r_hash, journal_hash("abc", 3));
	assert_int_equal(j.j_recs[1].r_type, 'H');
	assert_int_equal(j.j_recs[1].r_id, 2);
	assert_int_equal(j.j_recs[2].r_type, 'Q');
	assert_int_equal(j.j_recs[2].r_start, 150);
	assert_string_equal(j.j_recs[2].r_why, why);
	assert_int_equal(j.j_recs[3].r_len, 0);
	assert_int_equal(j.j_stats.st_done, 3);
	assert_int_equal(j.j_stats.st_quarantined, 4);
	assert_int_equal(j.j_spool_end, 4);
	assert_int_equal((off_t)j.j_good, file_size());
	/* The held result reads back from the spool, and checks. */
	j.j_path = strdup(path);
	j.j_spool_path = strdup(spool);
	assert_int_equal(journal_fetch(&j, &j.j_recs[1], -1, &data), 0);
	assert_memory_equal(data, "held", 4);
	free(data);
	j.j_recs[1].r_hash ^= 1;
	assert_int_equal(journal_fetch(&j, &j.j_recs[1], -1, &data), -1);
	assert_null(data);
	journal_close(&j, 1);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(spool, F_OK), -1);
}

/* Cut anywhere in the last line (the T record), the journal reads as the
 * lines before it; cut at a line's end, as every line up to there. */
static void
test_torn(void **state)
{
	struct journal	j;
	off_t		whole, last, at;
	char		*buf;
	int		fd;

	(void)state;
	fresh(&j);
	write_some(&j);
	journal_close(&j, 0);
	whole = file_size();
	buf = malloc((size_t)whole);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, (size_t)whole), whole);
	close(fd);
	for (last = whole - 1; last > 0 && buf[last - 1] != '\n'; last--)
		;
	for (at = last; at <= whole; at++) {
		fd = open(path, O_WRONLY | O_TRUNC);
		assert_int_equal(write(fd, buf, (size_t)at), at);
		close(fd);
		assert_int_equal(reread(&j), 0);
		assert_int_equal(j.j_nrecs, 5);
		assert_int_equal(j.j_good, at == whole ? whole : last);
		assert_int_equal(j.j_stats.st_done, at == whole ? 3 : 0);
		journal_close(&j, 0);
	}
	free(buf);
}

/* A changed byte in the third record: the journal ends before it. */
static void
test_damaged(void **state)
{
	struct journal	j;
	char		buf[4096], *p;
	ssize_t		n;
	int		fd;

	(void)state;
	fresh(&j);
	write_some(&j);
	journal_close(&j, 0);
	fd = open(path, O_RDWR);
	n = read(fd, buf, sizeof buf - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	p = strstr(buf, "\nQ 1 150");
	assert_non_null(p);
	p[3] = '7';
	assert_int_equal(pwrite(fd, buf, (size_t)n, 0), n);
	close(fd);
	assert_int_equal(reread(&j), 0);
	assert_int_equal(j.j_nrecs, 2);
	assert_int_equal(j.j_good, (uint64_t)(p + 1 - buf));
	journal_close(&j, 0);
}

static void
test_foreign(void **state)
{
	struct journal	j;
	int		fd;

	(void)state;
	fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	assert_int_equal(write(fd, "hello\nworld\n", 12), 12);
	close(fd);
	assert_int_equal(reread(&j), EX_CONFIG);
	journal_close(&j, 0);
	/* A first line cut short is a journal that never got going. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "chunkvisor-jour", 15), 15);
	close(fd);
	assert_int_equal(reread(&j), 0);
	assert_int_equal(j.j_good, 0);
	journal_close(&j, 0);
}

static void
test_hash(void **state)
{
	char		a[64], b[64];
	size_t		i;

	(void)state;
	memset(a, 'x', sizeof a);
	memcpy(b, a, sizeof b);
	for (i = 0; i < sizeof a; i++) {
		b[i] ^= 1;
		assert_true(journal_hash(a, sizeof a) !=
		    journal_hash(b, sizeof b));
		b[i] ^= 1;
		assert_true(journal_hash(a, i) != journal_hash(a, i + 1));
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_torn),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_hash),
	};
	int			rc;

	log_init("test_journal", LOG_QUIET);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/j.journal", dir);
	snprintf(spool, sizeof spool, "%s/j.spool", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	unlink(spool);
	rmdir(dir);
	return rc;
}
