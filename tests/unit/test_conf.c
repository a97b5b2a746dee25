/* test_conf.c: the job file loader and the command-line setters of conf.c.
 * Each case writes a job file into a temporary directory, loads it with
 * stderr captured, and checks the exit status and the exact FILE:LINE: of
 * the one message printed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rows.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

/* Indexes into conf.vals[]: the order of conf.c's key table, which is the
 * order `chunkvisor check` prints. */
enum { K_NAME, K_INPUT, K_SPLIT, K_CHUNK_SIZE, K_RANGE, K_OUTPUT, K_ORDER,
	K_REDUCE, K_FORMAT, K_SEED, K_COUNT, K_COMMAND, K_PROGRAM };

static char	tmpdir[PATH_MAX];

struct capture {
	int	 c_saved;
	FILE	*c_fp;
};

static char	*job_path(const char *);
static char	*write_job(const char *, const char *, size_t);
static void	capture_start(struct capture *);
static char	*capture_end(struct capture *);
static int	load_job(struct conf *, const char *, const char *, size_t,
		    char **, char **);
static char	*expect_prefix(const char *, int);
static int	check_message(const char *, const char *, const char *);

static int
group_setup(void **state)
{
	const char	*t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_conf.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Removes every file the tests wrote, then the directory. */
static int
group_teardown(void **state)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;

	(void)state;
	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = job_path(de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static char *
job_path(const char *name)
{
	size_t	 n = strlen(tmpdir) + strlen(name) + 2;
	char	*p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", tmpdir, name);
	return p;
}

/* Writes LEN bytes of TEXT (strlen if 0) to the temporary directory's NAME
 * and returns its path, to free. */
static char *
write_job(const char *name, const char *text, size_t len)
{
	char	*path = job_path(name);
	FILE	*fp;

	if (len == 0)
		len = strlen(text);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Sends what is written to fd 2 into a temporary file until capture_end. */
static void
capture_start(struct capture *cap)
{
	fflush(stderr);
	cap->c_fp = tmpfile();
	assert_non_null(cap->c_fp);
	cap->c_saved = dup(2);
	assert_true(cap->c_saved >= 0);
	assert_true(dup2(fileno(cap->c_fp), 2) == 2);
}

/* Puts fd 2 back and returns what was written to it, to free. */
static char *
capture_end(struct capture *cap)
{
	char	*buf;
	long	 n;

	fflush(stderr);
	assert_true(dup2(cap->c_saved, 2) == 2);
	close(cap->c_saved);
	n = ftell(cap->c_fp);
	assert_true(n >= 0);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	rewind(cap->c_fp);
	if (n > 0)
		assert_int_equal(fread(buf, 1, (size_t)n, cap->c_fp),
		    (size_t)n);
	fclose(cap->c_fp);
	return buf;
}

/*
 * Writes TEXT as job file NAME, then conf_init, conf_load and (if that
 * succeeded) conf_finish into CONF, which the caller frees. Returns the
 * status; *MSGP is stderr's text and *PATHP the file's path, both to free.
 */
static int
load_job(struct conf *conf, const char *name, const char *text, size_t len,
    char **msgp, char **pathp)
{
	struct capture	 cap;
	char		*path;
	int		 rc;

	path = write_job(name, text, len);
	conf_init(conf);
	capture_start(&cap);
	rc = conf_load(conf, path);
	if (rc == 0)
		rc = conf_finish(conf);
	*msgp = capture_end(&cap);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return rc;
}

/* "PATH:LINE: ", or "PATH: " for line 0; to free. */
static char *
expect_prefix(const char *path, int line)
{
	size_t	 n = strlen(path) + 32;
	char	*p = malloc(n);

	assert_non_null(p);
	if (line > 0)
		snprintf(p, n, "%s:%d: ", path, line);
	else
		snprintf(p, n, "%s: ", path);
	return p;
}

/* MSG must be exactly one line: PREFIX, then text that holds WHAT. Returns
 * 0, or -1 after reporting why not. */
static int
check_message(const char *msg, const char *prefix, const char *what)
{
	if (strncmp(msg, prefix, strlen(prefix)) != 0) {
		ROW_FAIL("message <%s> does not start with <%s>", msg, prefix);
		return -1;
	}
	if (strstr(msg + strlen(prefix), what) == NULL) {
		ROW_FAIL("message <%s> does not say <%s>", msg, what);
		return -1;
	}
	if (strchr(msg, '\n') != msg + strlen(msg) - 1) {
		ROW_FAIL("message <%s> is not exactly one line", msg);
		return -1;
	}
	return 0;
}

/* A job file that is wrong, and the one message it must give. */
struct bad_job {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 status;
	int		 line;		/* of the message; 0: none */
	const char	*what;		/* part of the message */
};

static void
check_bad_jobs(const struct bad_job *rows, size_t n)
{
	struct conf	 conf;
	char		*msg, *path, *prefix;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		rc = load_job(&conf, "job.ini", rows[i].text, rows[i].len,
		    &msg, &path);
		prefix = expect_prefix(path, rows[i].line);
		if (rc != rows[i].status)
			ROW_FAIL("row %zu <%s>: status %d; expected %d "
			    "(message: %s)", i, rows[i].text, rc,
			    rows[i].status, msg);
		else if (check_message(msg, prefix, rows[i].what) == -1)
			print_error("  in row %zu <%s>\n", i, rows[i].text);
		free(prefix);
		free(msg);
		free(path);
		conf_free(&conf);
	}
	rows_done();
}

#define WORKERS	"[workers]\nprogram = w\n"
#define TEXT_N(s)	s, sizeof(s) - 1	/* a text that holds a NUL */

static void
test_structure_errors(void **state)
{
	static const struct bad_job rows[] = {
		{ WORKERS "[jobs]\nname = a\n", 0, 78, 3,
		    "unknown section [jobs]" },
		{ "[Job]\n", 0, 78, 1, "unknown section [Job]" },
		{ "[]\n", 0, 78, 1, "unknown section []" },
		{ "[job]\nsplit = lines\nbogus = 1\n" WORKERS, 0, 78, 3,
		    "unknown key 'bogus' in section [job]" },
		{ WORKERS "split = lines\n", 0, 78, 3,
		    "unknown key 'split' in section [workers]" },
		{ "name = a\n[job]\n" WORKERS, 0, 78, 1,
		    "'name' is outside any section" },
		{ "\n; c\nseed = 1\n", 0, 78, 3,
		    "'seed' is outside any section" },
		{ "[job]\nname = a\n\nname = b\n" WORKERS, 0, 78, 4,
		    "job.name is already set on line 2" },
		{ WORKERS "count = 2\n; x\ncount = 2\n", 0, 78, 5,
		    "workers.count is already set on line 3" },
		{ "[job]\nname = a\n" WORKERS "[job]\n", 0, 78, 5,
		    "section [job] already began on line 1" },
		{ WORKERS "\n[workers]\ncount = 1\n", 0, 78, 4,
		    "section [workers] already began on line 1" },
		{ "[job\nname = a\n", 0, 78, 1, "section header without ']'" },
		{ "[job] x\n", 0, 78, 1, "text after section header" },
		{ "[job]\nname = a\ngarbage\n" WORKERS, 0, 78, 3,
		    "expected 'key = value'" },
		{ "[job]\nname =\n" WORKERS, 0, 78, 2,
		    "job.name: no value given" },
		{ WORKERS "command = \n", 0, 78, 3,
		    "workers.command: no value given" },
		{ TEXT_N("[job]\nname = a\0b\n" WORKERS), 78, 2,
		    "NUL byte" },
		{ TEXT_N("[job]\n\0\n"), 78, 2, "NUL byte" },
	};

	(void)state;
	check_bad_jobs(rows, NITEMS(rows));
}

/* One bad value for every type of key, each on line 2 or 3. */
static void
test_bad_values(void **state)
{
	static const struct bad_job rows[] = {
		/* enums */
		{ "[job]\nsplit = words\n" WORKERS, 0, 78, 2,
		    "job.split: bad value 'words': expected lines, bytes or "
		    "range" },
		{ "[job]\nsplit = Lines\n" WORKERS, 0, 78, 2,
		    "job.split: bad value 'Lines'" },
		{ "[job]\norder = sorted\n" WORKERS, 0, 78, 2,
		    "job.order: bad value 'sorted': expected keep or any" },
		{ "[job]\nreduce = avg\n" WORKERS, 0, 78, 2,
		    "job.reduce: bad value 'avg': expected none, sum, min, "
		    "max or mean" },
		/* sizes */
		{ "[job]\nchunk_size = 4X\n" WORKERS, 0, 78, 2,
		    "job.chunk_size: bad value '4X'" },
		{ "[job]\nchunk_size = 0\n" WORKERS, 0, 78, 2,
		    "job.chunk_size: bad value '0'" },
		{ "[job]\nchunk_size = -1\n" WORKERS, 0, 78, 2,
		    "job.chunk_size: bad value '-1'" },
		{ "[job]\nchunk_size = 20000000T\n" WORKERS, 0, 78, 2,
		    "job.chunk_size: bad value '20000000T'" },
		{ WORKERS "memory_limit = 1.5G\n", 0, 78, 3,
		    "workers.memory_limit: bad value '1.5G'" },
		/* ranges */
		{ "[job]\nsplit = range\nrange = 10..0\n" WORKERS, 0, 78, 3,
		    "job.range: bad value '10..0'" },
		{ "[job]\nsplit = range\nrange = 1..2..3\n" WORKERS, 0, 78, 3,
		    "job.range: bad value '1..2..3'" },
		{ "[job]\nsplit = range\nrange = 0..\n" WORKERS, 0, 78, 3,
		    "job.range: bad value '0..'" },
		/* formats */
		{ "[job]\nreduce = sum\nformat = %s\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%s'" },
		{ "[job]\nreduce = sum\nformat = %n\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%n'" },
		{ "[job]\nreduce = sum\nformat = %*d\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%*d'" },
		{ "[job]\nreduce = sum\nformat = %.*f\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%.*f'" },
		{ "[job]\nreduce = sum\nformat = %ld\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%ld'" },
		{ "[job]\nreduce = sum\nformat = %x\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%x'" },
		{ "[job]\nreduce = sum\nformat = %d %\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '%d %'" },
		{ "[job]\nreduce = sum\nformat = 5%\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '5%'" },
		{ "[job]\nreduce = sum\nformat = no conversion\n" WORKERS, 0,
		    78, 3, "job.format: bad value 'no conversion'" },
		{ "[job]\nreduce = sum\nformat = 100%%\n" WORKERS, 0, 78, 3,
		    "job.format: bad value '100%%'" },
		/* whole numbers */
		{ "[job]\nseed = -1\n" WORKERS, 0, 78, 2,
		    "job.seed: bad value '-1'" },
		{ "[job]\nseed = abc\n" WORKERS, 0, 78, 2,
		    "job.seed: bad value 'abc'" },
		{ "[job]\nseed = 18446744073709551616\n" WORKERS, 0, 78, 2,
		    "job.seed: bad value '18446744073709551616'" },
		{ WORKERS "prefetch = 0\n", 0, 78, 3,
		    "workers.prefetch: bad value '0'" },
		{ WORKERS "prefetch = 65537\n", 0, 78, 3,
		    "workers.prefetch: bad value '65537'" },
		{ WORKERS "max_attempts = 0\n", 0, 78, 3,
		    "workers.max_attempts: bad value '0'" },
		{ WORKERS "max_attempts = 1001\n", 0, 78, 3,
		    "workers.max_attempts: bad value '1001'" },
		{ WORKERS "max_restarts = 1000001\n", 0, 78, 3,
		    "workers.max_restarts: bad value '1000001'" },
		/* worker counts */
		{ WORKERS "count = 0\n", 0, 78, 3,
		    "workers.count: bad value '0'" },
		{ WORKERS "count = 4097\n", 0, 78, 3,
		    "workers.count: bad value '4097'" },
		{ WORKERS "count = Auto\n", 0, 78, 3,
		    "workers.count: bad value 'Auto'" },
		{ WORKERS "count = -1\n", 0, 78, 3,
		    "workers.count: bad value '-1'" },
		/* durations */
		{ WORKERS "chunk_timeout = 5x\n", 0, 78, 3,
		    "workers.chunk_timeout: bad value '5x'" },
		{ WORKERS "stop_timeout = -1s\n", 0, 78, 3,
		    "workers.stop_timeout: bad value '-1s'" },
		{ WORKERS "restart_backoff = 1.5s\n", 0, 78, 3,
		    "workers.restart_backoff: bad value '1.5s'" },
		{ WORKERS "restart_backoff_max = 99999999999999999999\n", 0,
		    78, 3, "workers.restart_backoff_max: bad value" },
		{ WORKERS "restart_window = 0\n", 0, 78, 3,
		    "workers.restart_window: bad value '0'" },
		/* commands */
		{ "[workers]\ncommand = tr 'a-z\n", 0, 78, 2,
		    "workers.command: bad value 'tr 'a-z': a quote is not "
		    "closed" },
		{ "[workers]\ncommand = tr a\\\n", 0, 78, 2,
		    "workers.command: bad value 'tr a\\': a backslash ends "
		    "the command" },
	};

	(void)state;
	check_bad_jobs(rows, NITEMS(rows));
}

/* Mistakes that only the whole configuration shows, each reported at the
 * line of the key to blame. */
static void
test_cross_key_errors(void **state)
{
	static const struct bad_job rows[] = {
		{ "[workers]\ncommand = tr a b\nprogram = up\n", 0, 78, 2,
		    "workers.command and workers.program are both set" },
		{ "[job]\nname = a\n[workers]\ncount = 2\n", 0, 78, 3,
		    "no workers" },
		{ "[job]\nname = a\n", 0, 78, 2, "no workers" },
		{ "[job]\nrange = 0..10\n" WORKERS, 0, 78, 2,
		    "job.range needs split = range" },
		{ "[job]\nsplit = bytes\n\nrange = 0..10\n" WORKERS, 0, 78, 4,
		    "job.range needs split = range (split is bytes)" },
		{ "[job]\nsplit = range\n" WORKERS, 0, 78, 2,
		    "split = range needs job.range" },
		{ "[job]\nsplit = range\nrange = 0..10\ninput = f.txt\n"
		    WORKERS, 0, 78, 4,
		    "job.input is not used with split = range" },
		{ "[job]\nformat = %d\n" WORKERS, 0, 78, 2,
		    "job.format formats the reduced row: it needs job.reduce" },
		{ "[job]\nreduce = none\nformat = %d\n" WORKERS, 0, 78, 3,
		    "it needs job.reduce" },
		{ WORKERS "restart_backoff = 10s\nrestart_backoff_max = 1s\n",
		    0, 78, 3, "workers.restart_backoff (10s) exceeds "
		    "workers.restart_backoff_max (1s)" },
		{ WORKERS "restart_backoff_max = 1s\nrestart_backoff = 1001ms\n",
		    0, 78, 4, "exceeds" },
	};

	(void)state;
	check_bad_jobs(rows, NITEMS(rows));
}

/*
 * Only restart_backoff_max is in the file, below restart_backoff's default
 * (10ms): the message must point at the line the user wrote, as every
 * other job-file error does, not print the file name without a line.
 */
static void
test_backoff_max_below_default(void **state)
{
	static const struct bad_job rows[] = {
		{ WORKERS "restart_backoff_max = 5ms\n", 0, 78, 3,
		    "workers.restart_backoff (10ms) exceeds "
		    "workers.restart_backoff_max (5ms)" },
	};

	(void)state;
	check_bad_jobs(rows, NITEMS(rows));
}

/* The error's line is the file's line, after comments and blank lines. */
static void
test_error_line_number(void **state)
{
	static const struct bad_job rows[] = {
		{ "; a comment\n# another\n\n[job]\n\n   ; indented comment\n"
		    "chunk_size = 12Q\n" WORKERS, 0, 78, 7,
		    "job.chunk_size: bad value '12Q'" },
		{ "\r\n; dos\r\n[job]\r\n\r\n\r\n\r\nsplit = nope\r\n", 0, 78,
		    7, "job.split: bad value 'nope'" },
		{ "[job]\nname = a\n[workers]\nprogram = w\n\n\ncount = 0\n",
		    0, 78, 7, "workers.count: bad value '0'" },
	};

	(void)state;
	check_bad_jobs(rows, NITEMS(rows));
}

/*
 * Two mistakes: the first one is the one to report. A line inih cannot
 * parse (line 2) must not be hidden by a later key's error (line 3).
 */
static void
test_first_error_wins(void **state)
{
	static const struct bad_job rows[] = {
		{ "[job]\nname = a\nbogus = 1\nalso_bogus = 2\n" WORKERS, 0,
		    78, 3, "unknown key 'bogus'" },
		{ "[job]\ngarbage\nbogus = 1\n" WORKERS, 0, 78, 2,
		    "expected 'key = value'" },
		{ "[job]\ngarbage\n[nosuch]\n" WORKERS, 0, 78, 2,
		    "expected 'key = value'" },
	};

	(void)state;
	check_bad_jobs(rows, NITEMS(rows));
}

/* Builds a file whose line 3 has LEN bytes: "input = xxx...". */
static char *
long_line_job(size_t len)
{
	const char	*head = "[job]\nname = a\n", *tail = "\n" WORKERS;
	size_t		 n = strlen(head) + len + strlen(tail) + 1;
	char		*text = malloc(n);

	assert_non_null(text);
	strcpy(text, head);
	strcat(text, "input = ");
	memset(text + strlen(text), 'x', len - strlen("input = "));
	text[strlen(head) + len] = '\0';
	strcat(text, tail);
	return text;
}

/* inih's buffer holds 197 bytes of a line: a longer line is an error on
 * its own line, never two lines. */
static void
test_long_lines(void **state)
{
	struct conf	 conf;
	char		*text, *msg, *path, *prefix;
	int		 rc;

	(void)state;
	text = long_line_job(300);
	rc = load_job(&conf, "long.ini", text, 0, &msg, &path);
	assert_int_equal(rc, 78);
	prefix = expect_prefix(path, 3);
	assert_int_equal(check_message(msg, prefix, "line too long"), 0);
	free(prefix);
	free(path);
	free(msg);
	free(text);
	conf_free(&conf);

	/* The longest line that fits is read whole. */
	text = long_line_job(197);
	rc = load_job(&conf, "long.ini", text, 0, &msg, NULL);
	assert_int_equal(rc, 0);
	assert_string_equal(msg, "");
	assert_int_equal(strlen(conf.input), 197 - strlen("input = "));
	free(msg);
	free(text);
	conf_free(&conf);

	text = long_line_job(198);
	rc = load_job(&conf, "long.ini", text, 0, &msg, &path);
	assert_int_equal(rc, 78);
	prefix = expect_prefix(path, 3);
	assert_int_equal(check_message(msg, prefix, "line too long"), 0);
	free(prefix);
	free(path);
	free(msg);
	free(text);
	conf_free(&conf);
	rows_done();
}

/* An indented line is a key of its own, not the continuation of the value
 * above it (inih's multi-line values). */
static void
test_indented_lines(void **state)
{
	struct conf	 conf;
	char		*msg;

	(void)state;
	assert_int_equal(load_job(&conf, "indent.ini",
	    "[job]\nname = a\n\tsplit = bytes\n    chunk_size = 1K\n"
	    "  [workers]\n  program = w\n  count = 3\n", 0, &msg, NULL), 0);
	assert_string_equal(msg, "");
	assert_string_equal(conf.name, "a");
	assert_int_equal(conf.split, SPLIT_BYTES);
	assert_int_equal(conf.chunk_size, 1024);
	assert_string_equal(conf.program, "w");
	assert_int_equal(conf.workers, 3);
	assert_int_equal(conf.vals[K_COUNT].v_line, 7);
	free(msg);
	conf_free(&conf);
}

/*
 * A UTF-8 byte order mark before the first section must not hide that
 * section from the checks: a second [job] is still a duplicate, and an
 * unknown first section is still unknown.
 */
static void
test_bom(void **state)
{
	static const struct bad_job rows[] = {
		{ "\xef\xbb\xbf[job]\nname = a\n[job]\nseed = 2\n" WORKERS, 0,
		    78, 3, "section [job] already began on line 1" },
		{ "\xef\xbb\xbf[bogus]\n" WORKERS, 0, 78, 1,
		    "unknown section [bogus]" },
	};
	struct conf	 conf;
	char		*msg;

	(void)state;
	/* A BOM by itself is fine. */
	assert_int_equal(load_job(&conf, "bom.ini",
	    "\xef\xbb\xbf[job]\nname = a\n" WORKERS, 0, &msg, NULL), 0);
	assert_string_equal(msg, "");
	assert_string_equal(conf.name, "a");
	assert_string_equal(conf.program, "w");
	free(msg);
	conf_free(&conf);
	check_bad_jobs(rows, NITEMS(rows));
}

static void
test_missing_file(void **state)
{
	struct capture	 cap;
	struct conf	 conf;
	char		*path, *msg;

	(void)state;
	path = job_path("no-such-file.ini");
	conf_init(&conf);
	capture_start(&cap);
	assert_int_equal(conf_load(&conf, path), 66);
	msg = capture_end(&cap);
	assert_non_null(strstr(msg, path));
	assert_non_null(strstr(msg, "No such file or directory"));
	free(msg);
	free(path);
	conf_free(&conf);
}

/* Every key set in the file, none to its default: each value must land in
 * struct conf, with the line it came from. */
static void
test_good_file(void **state)
{
	static const char text[] =
	    "; a complete job file\n"				/*  1 */
	    "[job]\n"						/*  2 */
	    "name       = myjob ; inline comment\n"		/*  3 */
	    "input      = /data/in.txt\n"			/*  4 */
	    "split      = bytes\n"				/*  5 */
	    "chunk_size = 64KiB\n"				/*  6 */
	    "output     = out;put.txt\n"			/*  7 */
	    "order      = any\n"				/*  8 */
	    "reduce     = mean\n"				/*  9 */
	    "format     = Mean: %.3f (%+5d) 100%%\n"		/* 10 */
	    "seed       = 18446744073709551615\n"		/* 11 */
	    "\n"						/* 12 */
	    "[workers]\n"					/* 13 */
	    "count               = 7\n"				/* 14 */
	    "command             = tr 'a-z' \"A-Z\" x\\ y\n"	/* 15 */
	    "prefetch            = 65536\n"			/* 16 */
	    "chunk_timeout       = 30s\n"			/* 17 */
	    "stop_timeout        = 500ms\n"			/* 18 */
	    "max_attempts        = 1000\n"			/* 19 */
	    "restart_backoff     = 20ms\n"			/* 20 */
	    "restart_backoff_max = 2min\n"			/* 21 */
	    "max_restarts        = 0\n"				/* 22 */
	    "restart_window      = 1h\n"			/* 23 */
	    "memory_limit        = 1G\n";			/* 24 */
	static const int lines[CONF_NKEYS] = {
		3, 4, 5, 6, 0, 7, 8, 9, 10, 11,
		14, 15, 0, 16, 17, 18, 19, 20, 21, 22, 23, 24,
	};
	struct conf	 conf;
	char		*msg, *path;
	int		 k;

	(void)state;
	assert_int_equal(load_job(&conf, "good.ini", text, 0, &msg, &path),
	    0);
	assert_string_equal(msg, "");
	assert_string_equal(conf.path, path);
	assert_string_equal(conf.name, "myjob");
	assert_string_equal(conf.input, "/data/in.txt");
	assert_int_equal(conf.split, SPLIT_BYTES);
	assert_int_equal(conf.chunk_size, 65536);
	assert_string_equal(conf.output, "out;put.txt");
	assert_int_equal(conf.order, ORDER_ANY);
	assert_int_equal(conf.reduce, REDUCE_MEAN);
	assert_string_equal(conf.format, "Mean: %.3f (%+5d) 100%%");
	assert_int_equal(conf.format_columns, 2);
	assert_true(conf.seed == UINT64_MAX);
	assert_int_equal(conf.workers, 7);
	assert_string_equal(conf.command, "tr 'a-z' \"A-Z\" x\\ y");
	assert_non_null(conf.argv);
	assert_string_equal(conf.argv[0], "tr");
	assert_string_equal(conf.argv[1], "a-z");
	assert_string_equal(conf.argv[2], "A-Z");
	assert_string_equal(conf.argv[3], "x y");
	assert_null(conf.argv[4]);
	assert_null(conf.program);
	assert_int_equal(conf.prefetch, 65536);
	assert_int_equal(conf.chunk_timeout_ms, 30000);
	assert_int_equal(conf.stop_timeout_ms, 500);
	assert_int_equal(conf.max_attempts, 1000);
	assert_int_equal(conf.restart_backoff_ms, 20);
	assert_int_equal(conf.restart_backoff_max_ms, 120000);
	assert_int_equal(conf.max_restarts, 0);
	assert_int_equal(conf.restart_window_ms, 3600000);
	assert_int_equal(conf.memory_limit, 1073741824);
	assert_int_equal(conf.section_line[0], 2);
	assert_int_equal(conf.section_line[1], 13);
	for (k = 0; k < CONF_NKEYS; k++) {
		if (lines[k] == 0)
			continue;
		if (conf.vals[k].v_origin != ORIGIN_FILE ||
		    conf.vals[k].v_line != lines[k])
			ROW_FAIL("key %d: origin %d line %d; expected file, "
			    "line %d", k, conf.vals[k].v_origin,
			    conf.vals[k].v_line, lines[k]);
	}
	assert_string_equal(conf_value(&conf, "job", "name"), "myjob");
	assert_string_equal(conf_value(&conf, "workers", "memory_limit"),
	    "1G");
	assert_string_equal(conf_value(&conf, "job", "range"), "");
	free(msg);
	free(path);
	conf_free(&conf);
	rows_done();
}

/* Formats that conf.c accepts, and the columns each one takes. */
static void
test_formats_accepted(void **state)
{
	static const struct {
		const char	*format;
		int		 columns;
	} rows[] = {
		{ "%d", 1 },
		{ "%f", 1 },
		{ "Mean value: %.10f", 1 },
		{ "%.3f %e", 2 },
		{ "%%%d%%", 1 },
		{ "%g %G %E %e %f %d", 6 },
		{ "%-+ 0#12.5g", 1 },
		{ "%5d|%-5d|%05d", 3 },
		{ "%.f", 1 },
		{ "%00000000000000000000000000000000000000005d", 1 },
	};
	struct capture	 cap;
	struct conf	 conf;
	char		*msg;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		conf_init(&conf);
		capture_start(&cap);
		rc = conf_set(&conf, "job", "format", rows[i].format,
		    ORIGIN_CMDLINE, 0, "--set");
		msg = capture_end(&cap);
		if (rc != 0)
			ROW_FAIL("format <%s> refused: %s", rows[i].format,
			    msg);
		else if (conf.format_columns != rows[i].columns)
			ROW_FAIL("format <%s>: %d columns; expected %d",
			    rows[i].format, conf.format_columns,
			    rows[i].columns);
		free(msg);
		conf_free(&conf);
	}
	rows_done();
}

/* The same file with CRLF line endings: no '\r' in any value. */
static void
test_crlf(void **state)
{
	static const char text[] =
	    "; dos\r\n[job]\r\nname = crlf\r\nsplit = range\r\n"
	    "range = -5..5\r\nreduce = sum\r\nformat = %d\r\n"
	    "chunk_size = 3\r\n\r\n[workers]\r\ncommand = a 'b c'\r\n"
	    "stop_timeout = 1s\r\n";
	struct conf	 conf;
	char		*msg;

	(void)state;
	assert_int_equal(load_job(&conf, "crlf.ini", text, 0, &msg, NULL),
	    0);
	assert_string_equal(msg, "");
	assert_string_equal(conf.name, "crlf");
	assert_int_equal(conf.split, SPLIT_RANGE);
	assert_true(conf.range_start == -5);
	assert_true(conf.range_end == 5);
	assert_int_equal(conf.reduce, REDUCE_SUM);
	assert_string_equal(conf.format, "%d");
	assert_int_equal(conf.chunk_size, 3);
	assert_string_equal(conf.command, "a 'b c'");
	assert_string_equal(conf.argv[0], "a");
	assert_string_equal(conf.argv[1], "b c");
	assert_null(conf.argv[2]);
	assert_int_equal(conf.stop_timeout_ms, 1000);
	assert_int_equal(conf.vals[K_COMMAND].v_line, 11);
	free(msg);
	conf_free(&conf);
}

/* Nothing but a worker: every other key keeps its documented default. */
static void
test_defaults(void **state)
{
	struct conf	 conf;
	char		*msg;
	long		 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int		 k;

	(void)state;
	assert_int_equal(load_job(&conf, "my.job.ini",
	    "[workers]\nprogram = /usr/bin/w\n", 0, &msg, NULL), 0);
	assert_string_equal(msg, "");
	assert_string_equal(conf.name, "my.job");	/* from the file */
	assert_string_equal(conf.input, "-");
	assert_int_equal(conf.split, SPLIT_LINES);
	assert_int_equal(conf.chunk_size, 4194304);
	assert_string_equal(conf.output, "-");
	assert_int_equal(conf.order, ORDER_KEEP);
	assert_int_equal(conf.reduce, REDUCE_NONE);
	assert_null(conf.format);
	assert_int_equal(conf.seed, 1);
	assert_int_equal(conf.workers, ncpu < 1 ? 1 : ncpu);
	assert_null(conf.command);
	assert_null(conf.argv);
	assert_string_equal(conf.program, "/usr/bin/w");
	assert_int_equal(conf.prefetch, 2);
	assert_int_equal(conf.chunk_timeout_ms, 0);
	assert_int_equal(conf.stop_timeout_ms, 10000);
	assert_int_equal(conf.max_attempts, 3);
	assert_int_equal(conf.restart_backoff_ms, 10);
	assert_int_equal(conf.restart_backoff_max_ms, 5000);
	assert_int_equal(conf.max_restarts, 100);
	assert_int_equal(conf.restart_window_ms, 60000);
	assert_int_equal(conf.memory_limit, 0);
	for (k = 0; k < CONF_NKEYS; k++)
		if (k != K_PROGRAM && conf.vals[k].v_origin != ORIGIN_DEFAULT)
			ROW_FAIL("key %d: origin %d; expected default", k,
			    conf.vals[k].v_origin);
	free(msg);
	conf_free(&conf);

	/* No job file: the name comes from the program's base name. */
	conf_init(&conf);
	assert_int_equal(conf_set(&conf, "workers", "program", "/x/y/prog",
	    ORIGIN_CMDLINE, 0, "--set"), 0);
	assert_int_equal(conf_finish(&conf), 0);
	assert_string_equal(conf.name, "prog");
	conf_free(&conf);
	rows_done();
}

/* conf_set and conf_set_flag from the command line: errors are
 * "chunkvisor: FLAG: ..." and exit 64. */
static void
test_cmdline_errors(void **state)
{
	static const struct {
		const char	*flag;
		const char	*section, *key;	/* NULL: conf_set_flag */
		const char	*value;
		const char	*what;
	} rows[] = {
		{ "-j", "workers", "count", "0",
		    "workers.count: bad value '0'" },
		{ "-j", "workers", "count", "many",
		    "workers.count: bad value 'many'" },
		{ "-c", "job", "chunk_size", "4X",
		    "job.chunk_size: bad value '4X'" },
		{ "-c", "job", "chunk_size", "",
		    "job.chunk_size: no value given" },
		{ "--split", "job", "split", "words",
		    "job.split: bad value 'words'" },
		{ "--range", "job", "range", "9..1",
		    "job.range: bad value '9..1'" },
		{ "--set", NULL, NULL, "jobname=x",
		    "'jobname=x': expected SECTION.KEY=VALUE" },
		{ "--set", NULL, NULL, "job.name",
		    "'job.name': expected SECTION.KEY=VALUE" },
		{ "--set", NULL, NULL, "name=x.y",
		    "'name=x.y': expected SECTION.KEY=VALUE" },
		{ "--set", NULL, NULL, "", "expected SECTION.KEY=VALUE" },
		{ "--set", NULL, NULL, "job.bogus=1",
		    "unknown key 'bogus' in section [job]" },
		{ "--set", NULL, NULL, "jobs.name=1",
		    "unknown section [jobs]" },
		{ "--set", NULL, NULL, "job.=1",
		    "unknown key '' in section [job]" },
		{ "--set", NULL, NULL, "job.name=",
		    "job.name: no value given" },
		{ "--set", NULL, NULL, "workers.prefetch=0",
		    "workers.prefetch: bad value '0'" },
		{ "--set", NULL, NULL, "job.format=%s",
		    "job.format: bad value '%s'" },
		{ "--set", NULL, NULL, "workers.command='x",
		    "workers.command: bad value ''x'" },
	};
	struct capture	 cap;
	struct conf	 conf;
	char		*msg, prefix[64];
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NITEMS(rows); i++) {
		conf_init(&conf);
		capture_start(&cap);
		rc = rows[i].section != NULL ?
		    conf_set(&conf, rows[i].section, rows[i].key,
		    rows[i].value, ORIGIN_CMDLINE, 0, rows[i].flag) :
		    conf_set_flag(&conf, rows[i].flag, rows[i].value);
		msg = capture_end(&cap);
		snprintf(prefix, sizeof prefix, "chunkvisor: %s: ",
		    rows[i].flag);
		if (rc != 64)
			ROW_FAIL("row %zu %s <%s>: status %d; expected 64",
			    i, rows[i].flag, rows[i].value, rc);
		else
			check_message(msg, prefix, rows[i].what);
		free(msg);
		conf_free(&conf);
	}
	rows_done();
}

/* The command line overrides the file, and a later flag an earlier one. */
static void
test_cmdline_overrides(void **state)
{
	struct conf	 conf;
	char		*msg;

	(void)state;
	assert_int_equal(load_job(&conf, "over.ini",
	    "[job]\nname = file\nchunk_size = 1M\n[workers]\nprogram = up\n"
	    "count = 2\n", 0, &msg, NULL), 0);
	free(msg);
	assert_int_equal(conf.chunk_size, 1048576);
	assert_int_equal(conf_set_flag(&conf, "--set", "job.chunk_size=2M"),
	    0);
	assert_int_equal(conf.chunk_size, 2097152);
	assert_int_equal(conf.vals[K_CHUNK_SIZE].v_origin, ORIGIN_CMDLINE);
	assert_string_equal(conf.vals[K_CHUNK_SIZE].v_flag, "--set");
	assert_int_equal(conf_set(&conf, "job", "chunk_size", "3M",
	    ORIGIN_CMDLINE, 0, "-c"), 0);
	assert_int_equal(conf.chunk_size, 3145728);
	assert_string_equal(conf.vals[K_CHUNK_SIZE].v_flag, "-c");
	assert_string_equal(conf_value(&conf, "job", "chunk_size"), "3M");
	assert_int_equal(conf_set_flag(&conf, "--set", "job.name=a=b.c"), 0);
	assert_string_equal(conf.name, "a=b.c");
	assert_int_equal(conf_set(&conf, "workers", "count", "auto",
	    ORIGIN_CMDLINE, 0, "-j"), 0);
	assert_int_equal(conf.workers, 0);
	assert_int_equal(conf_set(&conf, "workers", "count", "4096",
	    ORIGIN_CMDLINE, 0, "-j"), 0);
	/* A command on the command line replaces the file's program. */
	assert_int_equal(conf_set_flag(&conf, "--set",
	    "workers.command=tr a-z 'A-Z'"), 0);
	assert_int_equal(conf_finish(&conf), 0);
	assert_null(conf.program);
	assert_int_equal(conf.vals[K_PROGRAM].v_origin, ORIGIN_DEFAULT);
	assert_string_equal(conf.argv[0], "tr");
	assert_string_equal(conf.argv[2], "A-Z");
	assert_int_equal(conf.workers, 4096);
	conf_free(&conf);

	/* ... and "-- COMMAND ARG..." replaces the file's command. */
	assert_int_equal(load_job(&conf, "over2.ini",
	    "[workers]\ncommand = cat\n", 0, &msg, NULL), 0);
	free(msg);
	{
		char	*words[] = { "sh", "-c", "echo 'x'", NULL };

		conf_set_argv(&conf, words);
	}
	assert_int_equal(conf_finish(&conf), 0);
	assert_string_equal(conf.argv[0], "sh");
	assert_string_equal(conf.argv[1], "-c");
	assert_string_equal(conf.argv[2], "echo 'x'");
	assert_null(conf.argv[3]);
	assert_string_equal(conf.command, "'sh' '-c' 'echo '\\''x'\\'''");
	assert_int_equal(conf.vals[K_COMMAND].v_origin, ORIGIN_CMDLINE);
	conf_free(&conf);
}

/* Finds KEY's line in TEXT (a conf_print listing) and checks its value
 * and origin comment. */
static void
check_print_line(const char *text, const char *key, const char *value,
    const char *origin)
{
	const char	*p, *eq, *eol, *semi;
	size_t		 klen = strlen(key), vlen;

	/* An unset key is listed commented out: ";key = ... ; not set". */
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strcmp(origin, "not set") == 0 && *p == ';' &&
		    strncmp(p + 1, key, klen) == 0 &&
		    (p[klen + 1] == ' ' || p[klen + 1] == '=')) {
			p++;
			break;
		} else if (strcmp(origin, "not set") != 0 &&
		    strncmp(p, key, klen) == 0 &&
		    (p[klen] == ' ' || p[klen] == '='))
			break;
	if (p == NULL || *p == '\0') {
		ROW_FAIL("conf_print: no line for %s", key);
		return;
	}
	eol = strchr(p, '\n');
	eq = strchr(p, '=');
	semi = eq;
	if (eq != NULL && eq < eol)
		for (semi = eol; semi > eq && *semi != ';'; semi--)
			;
	if (eq == NULL || eq > eol || semi == eq) {
		ROW_FAIL("conf_print: bad line for %s: %.*s", key,
		    (int)(eol - p), p);
		return;
	}
	for (eq++; *eq == ' '; eq++)
		;
	for (vlen = (size_t)(semi - eq); vlen > 0 && eq[vlen - 1] == ' ';
	    vlen--)
		;
	if (vlen != strlen(value) || strncmp(eq, value, vlen) != 0)
		ROW_FAIL("conf_print: %s = <%.*s>; expected <%s>", key,
		    (int)vlen, eq, value);
	if ((size_t)(eol - semi) != strlen(origin) + 2 ||
	    strncmp(semi + 2, origin, strlen(origin)) != 0)
		ROW_FAIL("conf_print: %s origin <%.*s>; expected <%s>", key,
		    (int)(eol - semi), semi, origin);
}

static void
test_print(void **state)
{
	static const struct {
		const char	*key, *value, *origin;
	} rows[] = {
		{ "name", "print", "default" },
		{ "input", "-", "default" },
		{ "split", "lines", "file, line 2" },
		{ "chunk_size", "64K", "command line" },
		{ "range", "", "not set" },
		{ "output", "-", "default" },
		{ "order", "keep", "default" },
		{ "reduce", "sum", "file, line 4" },
		{ "format", "%d lines", "file, line 5" },
		{ "seed", "1", "default" },
		{ "count", "3", "command line" },
		{ "command", "", "not set" },
		{ "program", "wc", "file, line 8" },
		{ "prefetch", "2", "default" },
		{ "chunk_timeout", "0", "default" },
		{ "stop_timeout", "10s", "default" },
		{ "max_attempts", "3", "default" },
		{ "restart_backoff", "10ms", "default" },
		{ "restart_backoff_max", "5s", "default" },
		{ "max_restarts", "100", "file, line 10" },
		{ "restart_window", "60s", "default" },
		{ "memory_limit", "0", "default" },
	};
	struct conf	 conf;
	char		*msg, *out = NULL;
	size_t		 len, i;
	FILE		*fp;

	(void)state;
	assert_int_equal(load_job(&conf, "print.ini",
	    "[job]\nsplit = lines\n\nreduce = sum\nformat = %d lines\n\n"
	    "[workers]\nprogram = wc\n\nmax_restarts = 100\n", 0, &msg,
	    NULL), 0);
	free(msg);
	assert_int_equal(conf_set(&conf, "job", "chunk_size", "64K",
	    ORIGIN_CMDLINE, 0, "-c"), 0);
	assert_int_equal(conf_set(&conf, "workers", "count", "3",
	    ORIGIN_CMDLINE, 0, "-j"), 0);
	assert_int_equal(conf_finish(&conf), 0);
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	conf_print(&conf, fp);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(strstr(out, "[job]\n"));
	assert_non_null(strstr(out, "[workers]\n"));
	assert_true(strstr(out, "[job]\n") < strstr(out, "[workers]\n"));
	for (i = 0; i < NITEMS(rows); i++)
		check_print_line(out, rows[i].key, rows[i].value,
		    rows[i].origin);
	free(out);
	conf_free(&conf);

	/* count = auto shows the number it resolved to. */
	assert_int_equal(load_job(&conf, "auto.ini",
	    "[workers]\nprogram = wc\ncount = auto\n", 0, &msg, NULL), 0);
	free(msg);
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	conf_print(&conf, fp);
	assert_int_equal(fclose(fp), 0);
	{
		char	n[32], origin[32];

		snprintf(n, sizeof n, "%llu",
		    (unsigned long long)conf.workers);
		snprintf(origin, sizeof origin, "file, line 3 (auto)");
		check_print_line(out, "count", n, origin);
		check_print_line(out, "name", "auto", "default");
	}
	free(out);
	conf_free(&conf);
	rows_done();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_cross_key_errors),
		cmocka_unit_test(test_backoff_max_below_default),
		cmocka_unit_test(test_error_line_number),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_indented_lines),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_formats_accepted),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cmdline_errors),
		cmocka_unit_test(test_cmdline_overrides),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
