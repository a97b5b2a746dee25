/*
 * journal.c: the journal, an append-only text file with one record per
 * line. Each line ends in " #" and eight hex digits, a checksum of what
 * precedes it: a line torn by a crash, or damaged, is known and dropped
 * with everything after it (those chunks run again).
 *
 *	chunkvisor-journal 1
 *	key SECTION.KEY=VALUE		the job's identity: each key that
 *	...				shapes the output, as given
 *	input size=N mtime=S.NS		the input file (a stream: its size
 *					and hash; split = range: none)
 *	identity HASH			of the lines above
 *	B time=MS pid=PID		a run begins, what came before
 *					checked
 *	W ID START END o|s OFF LEN HASH	chunk ID's result was consumed in its
 *					turn; it is in the output (o) or in
 *					the spool (s) at OFF
 *	H ID START END s OFF LEN HASH	chunk ID is done, its result held in
 *					the spool until its turn
 *	Q ID START END WHY		records of chunk ID were quarantined
 *	T time=MS done=N bytes=N failed=N restarts=N quarantined=N
 *	E SUMMARY			a run's summary line
 *	C time=MS			the job is complete
 *
 * Results are written to the output and the spool as they come, their
 * records to the journal after each round of events: a master killed at any
 * moment leaves them all in the page cache. Group commit: every
 * sync_interval the output and the spool are made durable first
 * (fdatasync), then the journal. Only a crash of the machine can thus lose
 * records (those since the last group commit), or keep a record whose
 * result did not reach the disk: a resumed run checks every result against
 * its record's hash (once: the records before a B were checked by the run
 * that wrote it, and made durable before it) and drops the first that
 * fails, with all after it. A chunk with a record never runs again.
 * Values are escaped (\xHH) so that a line is one line.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "input.h"
#include "journal.h"
#include "log.h"
#include "xmalloc.h"

#define JOURNAL_MAGIC	"chunkvisor-journal 1"

/* The keys whose values shape the output: a journal written under other
 * values is not this job's. The others (workers, timeouts, restart policy)
 * may change between runs, and while one runs (SIGHUP). */
static const char *const ident_keys[][2] = {
	{ "job", "input" }, { "job", "split" }, { "job", "chunk_size" },
	{ "job", "range" }, { "job", "output" }, { "job", "order" },
	{ "job", "reduce" }, { "job", "format" }, { "job", "seed" },
	{ "workers", "command" }, { "workers", "program" },
	{ "failure", "bisect" }, { "failure", "bisect_min" },
};
#define NIDENT	(sizeof ident_keys / sizeof ident_keys[0])

static void	jline(struct journal *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*jescape(const char *);
static char	*junescape(const char *);
static int	jparse(struct journal *, char *, uint64_t);
static char	**jident(const struct conf *, const struct input *, size_t *);
static int	jcompare(const struct journal *, char **, size_t, char *,
		    size_t);
static int	jspool_fd(struct journal *);
static int	jwrite(int, const char *, size_t);
static void	jfree_loaded(struct journal *);
static int	journal_lock(struct journal *);

/*
 * A 64-bit hash of BUF: four independent lanes of multiply and xor-shift
 * over 32 bytes a step (the master hashes every result: it must not be the
 * slow part), folded at the end; strong enough to catch a damaged or
 * foreign block.
 */
#define HMUL	0xff51afd7ed558ccdULL

static inline uint64_t
hmix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * HMUL;
	return h ^ (h >> 32);
}

uint64_t
journal_hash(const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	uint64_t		 a = 0x9e3779b97f4a7c15ULL ^ len, b = ~a,
				 c = a * 3, d = a * 5, w[4];

	for (; len >= 32; p += 32, len -= 32) {
		memcpy(w, p, 32);
		a = hmix(a, w[0]);
		b = hmix(b, w[1]);
		c = hmix(c, w[2]);
		d = hmix(d, w[3]);
	}
	a = hmix(a, b);
	a = hmix(a, c);
	a = hmix(a, d);
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(w, p, 8);
		a = hmix(a, w[0]);
	}
	if (len > 0) {
		w[0] = 0;
		memcpy(w, p, len);
		a = hmix(a, w[0] ^ 0xc4ceb9fe1a85ec53ULL);
	}
	a ^= a >> 33;
	a *= HMUL;
	a ^= a >> 33;
	return a;
}

uint64_t
journal_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
jmono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
journal_init(struct journal *j)
{
	memset(j, 0, sizeof *j);
	j->j_fd = -1;
	j->j_spool_fd = -1;
}

/* Appends one record (FMT, without its checksum) to the pending ones. */
static void
jline(struct journal *j, const char *fmt, ...)
{
	va_list	ap;
	size_t	need;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(j->j_pend + j->j_npend, j->j_pendcap - j->j_npend,
		    fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("journal record too long");
		need = j->j_npend + (size_t)n + 12;
		if (need <= j->j_pendcap)
			break;
		j->j_pendcap = need < 4096 ? 4096 : need * 2;
		j->j_pend = xreallocarray(j->j_pend, j->j_pendcap, 1);
	}
	snprintf(j->j_pend + j->j_npend + n, 12, " #%08x\n", (unsigned)
	    (journal_hash(j->j_pend + j->j_npend, (size_t)n) & 0xffffffff));
	j->j_npend += (size_t)n + 11;
}

/* S with every control byte and backslash as \xHH: one line, no tabs. */
static char *
jescape(const char *s)
{
	char	*out = xmalloc(strlen(s) * 4 + 1), *t = out;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			t += sprintf(t, "\\x%02x", (unsigned char)*s);
		else
			*t++ = *s;
	}
	*t = '\0';
	return out;
}

static char *
junescape(const char *s)
{
	char		*out = xmalloc(strlen(s) + 1), *t = out;
	unsigned int	 c;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &c) ==
		    1) {
			*t++ = (char)c;
			s += 3;
		} else
			*t++ = *s;
	}
	*t = '\0';
	return out;
}

/* The identity lines of the job CONF with input IN: "key ..." lines and
 * one "input ..." line. */
static char **
jident(const struct conf *conf, const struct input *in, size_t *np)
{
	char		**lines = xcalloc(NIDENT + 1, sizeof *lines), *v;
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < NIDENT; i++) {
		v = jescape(conf_value(conf, ident_keys[i][0],
		    ident_keys[i][1]));
		lines[i] = xasprintf("key %s.%s=%s", ident_keys[i][0],
		    ident_keys[i][1], v);
		free(v);
	}
	if (conf->split == SPLIT_RANGE)
		lines[i] = xstrdup("input none");
	else if (strcmp(conf->input, "-") != 0 &&
	    stat(conf->input, &st) == 0 && S_ISREG(st.st_mode))
		lines[i] = xasprintf("input size=%llu mtime=%lld.%09ld",
		    (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec);
	else
		lines[i] = xasprintf("input size=%llu hash=%016" PRIx64,
		    (unsigned long long)in->in_size, in->in_data == NULL ?
		    (uint64_t)0 : journal_hash(in->in_data, in->in_size));
	*np = i + 1;
	return lines;
}

/* Whether the journal's identity lines are LINES; if not, BUF says what
 * differs. */
static int
jcompare(const struct journal *j, char **lines, size_t n, char *buf,
    size_t len)
{
	const char	*eq;
	size_t		 i, k, klen;

	for (i = 0; i < n; i++) {
		eq = strchr(lines[i], '=');
		klen = strncmp(lines[i], "input ", 6) == 0 ? 6 :
		    (size_t)(eq - lines[i]) + 1;
		for (k = 0; k < j->j_nkeys; k++)
			if (strncmp(j->j_keys[k], lines[i], klen) == 0)
				break;
		if (k < j->j_nkeys && strcmp(j->j_keys[k], lines[i]) == 0)
			continue;
		if (klen == 6)
			snprintf(buf, len, "the input changed since it was "
			    "written (it had %s, it has %s)", k < j->j_nkeys ?
			    j->j_keys[k] + 6 : "nothing recorded",
			    lines[i] + 6);
		else
			snprintf(buf, len, "it was written with %.*s'%s', the "
			    "job now has '%s'", (int)klen - 4, lines[i] + 4,
			    k < j->j_nkeys ? strchr(j->j_keys[k], '=') + 1 :
			    "(nothing)", eq + 1);
		return 0;
	}
	return 1;
}

/* Parses one line (its checksum gone); 0 if it is no record we know. */
static int
jparse(struct journal *j, char *line, uint64_t at)
{
	struct jrec		 r;
	unsigned long long	 a, b, c, d, e, f;
	char			 type, where;
	int			 n = 0, pid;

	memset(&r, 0, sizeof r);
	r.r_at = at;
	if (strncmp(line, "key ", 4) == 0 || strncmp(line, "input ", 6) == 0) {
		j->j_keys = xreallocarray(j->j_keys, j->j_nkeys + 1,
		    sizeof *j->j_keys);
		j->j_keys[j->j_nkeys++] = xstrdup(line);
		return 1;
	}
	if (strncmp(line, "identity ", 9) == 0)
		return 1;
	if (sscanf(line, "B time=%llu pid=%d%n", &a, &pid, &n) == 2 &&
	    line[n] == '\0') {
		if (j->j_runs++ == 0)
			j->j_started_ms = a;
		j->j_run_ms = a;
		j->j_pid = pid;
		j->j_run_stats = j->j_stats;
		j->j_run_stats.st_time_ms = a;
		j->j_verified = j->j_nrecs;
		return 1;
	}
	if (sscanf(line, "%c %llu %llu %llu %c %llu %llu %llx%n", &type, &a,
	    &b, &c, &where, &d, &e, &f, &n) == 8 && line[n] == '\0' &&
	    (type == 'W' || type == 'H') && (where == 'o' || where == 's') &&
	    (type == 'W' || where == 's')) {
		r.r_type = type;
		r.r_where = where;
		r.r_id = a, r.r_start = b, r.r_end = c;
		r.r_off = d, r.r_len = e, r.r_hash = f;
	} else if (sscanf(line, "Q %llu %llu %llu %n", &a, &b, &c, &n) == 3 &&
	    n > 0) {
		r.r_type = 'Q';
		r.r_id = a, r.r_start = b, r.r_end = c;
		r.r_why = junescape(line + n);
	} else if (sscanf(line, "T time=%llu done=%llu bytes=%llu failed=%llu "
	    "restarts=%llu quarantined=%llu%n", &a, &b, &c, &d, &e, &f, &n) ==
	    6 && line[n] == '\0') {
		j->j_stats = (struct jstats){ a, b, c, d, e, f };
		return 1;
	} else if (strncmp(line, "E ", 2) == 0) {
		free(j->j_summary);
		j->j_summary = junescape(line + 2);
		return 1;
	} else if (sscanf(line, "C time=%llu%n", &a, &n) == 1 &&
	    line[n] == '\0') {
		j->j_complete = 1;
		return 1;
	} else
		return 0;
	j->j_recs = xreallocarray(j->j_recs, j->j_nrecs + 1, sizeof r);
	j->j_recs[j->j_nrecs++] = r;
	if (r.r_type != 'Q')
		j->j_commits++;
	if (r.r_where == 's' && r.r_off + r.r_len > j->j_spool_end)
		j->j_spool_end = r.r_off + r.r_len;
	return 1;
}

/*
 * Reads the journal PATH open on FD: its records into J, j_good the bytes
 * of whole, valid lines. A torn last line is dropped quietly; a damaged
 * line, with all after it, with a warning. Returns 0, or EX_CONFIG when
 * the file is no chunkvisor journal, or EX_IOERR.
 */
int
journal_read(struct journal *j, const char *path, int fd)
{
	char		*buf = NULL, *p, *nl, *end, *hash;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	uint64_t	 lineno = 0, sum;
	int		 ok;

	for (;;) {
		if (cap - len < 65536) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = pread(fd, buf + len, cap - len - 1, (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("cannot read journal %s", path);
			free(buf);
			return EX_IOERR;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		lineno++;
		ok = (nl = memchr(p, '\n', (size_t)(end - p))) != NULL &&
		    nl - p >= 10 && (hash = nl - 10)[0] == ' ' && hash[1] == '#';
		if (ok) {
			*nl = '\0';
			sum = strtoull(hash + 2, NULL, 16);
			ok = sum == (journal_hash(p, (size_t)(hash - p)) &
			    0xffffffff);
			*hash = '\0';
		}
		if (ok && lineno == 1 && strcmp(p, JOURNAL_MAGIC) != 0)
			ok = 0;
		if (ok && lineno > 1)
			ok = jparse(j, p, (uint64_t)(p - buf));
		if (!ok && lineno == 1 && (nl != NULL || strncmp(p,
		    JOURNAL_MAGIC, (size_t)(end - p)) != 0)) {
			log_warnx("%s is not a chunkvisor journal (its first "
			    "line is not \"" JOURNAL_MAGIC "\"); not touching "
			    "it", path);
			free(buf);
			return EX_CONFIG;
		}
		if (!ok) {
			if (nl == NULL || nl + 1 >= end)
				log_info("journal %s: its last record is torn "
				    "(the run was cut short writing it); "
				    "dropping it", path);
			else
				log_warnx("journal %s: line %llu is damaged; "
				    "dropping it and all after it (those "
				    "chunks run again)", path,
				    (unsigned long long)lineno);
			break;
		}
		j->j_good = (uint64_t)(nl + 1 - buf);
	}
	free(buf);
	return 0;
}

static int
jwrite(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The pid of the process holding FD's file locked (flock), from
 * /proc/locks, or 0. */
pid_t
journal_lock_pid(int fd)
{
	struct stat	 st;
	FILE		*fp;
	char		 line[256], key[64];
	long		 pid;

	if (fstat(fd, &st) == -1 || (fp = fopen("/proc/locks", "re")) ==
	    NULL)
		return 0;
	snprintf(key, sizeof key, " %02x:%02x:%llu ", major(st.st_dev),
	    minor(st.st_dev), (unsigned long long)st.st_ino);
	/* "1: FLOCK  ADVISORY  WRITE 8123 fe:01:1234 0 EOF"; a waiter's
	 * line has "->" after the number. */
	pid = 0;
	while (pid == 0 && fgets(line, sizeof line, fp) != NULL)
		if (strstr(line, key) == NULL || strstr(line, "->") != NULL ||
		    sscanf(line, "%*s FLOCK %*s %*s %ld", &pid) != 1)
			pid = 0;
	fclose(fp);
	return (pid_t)pid;
}

/*
 * Opens the journal and locks it against a second master. A master just
 * killed may leave the lock a moment longer to a child of its between fork
 * and exec (which dies of its death): a second is waited before the
 * journal is taken as in use. The file locked must still be the one at
 * the path (not one a finishing master just removed). Returns 0 or the
 * exit status, with the message printed.
 */
static int
journal_lock(struct journal *j)
{
	struct stat	a, b;
	int		tries, rc, i;
	pid_t		pid;

	for (tries = 0; tries < 10; tries++) {
		if ((j->j_fd = open(j->j_path, O_RDWR | O_CREAT | O_CLOEXEC,
		    0666)) == -1) {
			log_warn("cannot open journal %s", j->j_path);
			return EX_CANTCREAT;
		}
		i = 0;
		while ((rc = flock(j->j_fd, LOCK_EX | LOCK_NB)) == -1 &&
		    errno == EWOULDBLOCK && i++ < 100)
			usleep(10000);
		if (rc == -1 && errno == EWOULDBLOCK) {
			if ((pid = journal_lock_pid(j->j_fd)) > 0)
				log_warnx("journal %s is in use: the job runs "
				    "already (pid %d)", j->j_path, (int)pid);
			else
				log_warnx("journal %s is in use: the job runs "
				    "already", j->j_path);
			return EX_CANTCREAT;
		}
		if (rc == -1) {
			log_warn("cannot lock journal %s", j->j_path);
			return EX_CANTCREAT;
		}
		if (fstat(j->j_fd, &a) == 0 && stat(j->j_path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 0;
		close(j->j_fd);
		j->j_fd = -1;
	}
	log_warnx("journal %s keeps being replaced; giving up", j->j_path);
	return EX_CANTCREAT;
}

/*
 * Opens the journal of CONF (none: returns 0 with j_path NULL), locked
 * against a second master. An existing journal is continued (--resume, its
 * records loaded for the master to check and apply), discarded (--fresh),
 * or makes the run refuse. Returns 0 or the exit status, with the message
 * printed.
 */
int
journal_open(struct journal *j, const struct conf *conf,
    const struct input *in)
{
	struct stat	 st;
	char		**ident, why[1024];
	size_t		 nident, i;
	int		 rc = 0, same;

	if (conf->journal == NULL)
		return 0;
	j->j_path = xstrdup(conf->journal);
	i = strlen(j->j_path);
	j->j_spool_path = i > 8 && strcmp(j->j_path + i - 8, ".journal") == 0 ?
	    xasprintf("%.*s.spool", (int)(i - 8), j->j_path) :
	    xasprintf("%s.spool", j->j_path);
	if ((rc = journal_lock(j)) != 0)
		goto forget;
	if (fstat(j->j_fd, &st) == -1)
		fatal("fstat %s", j->j_path);
	if (st.st_size > 0 && (rc = journal_read(j, j->j_path, j->j_fd)) != 0)
		goto forget;
	if (j->j_commits == 0 && !j->j_complete) {
		/* Nothing committed: nothing to resume or to lose. */
		jfree_loaded(j);
	} else if (conf->resume == RESUME_FRESH) {
		log_info("discarding journal %s (%llu chunks done)", j->j_path,
		    (unsigned long long)j->j_stats.st_done);
		jfree_loaded(j);
	} else {
		ident = jident(conf, in, &nident);
		same = jcompare(j, ident, nident, why, sizeof why);
		for (i = 0; i < nident; i++)
			free(ident[i]);
		free(ident);
		if (conf->resume == RESUME_NONE && same) {
			log_warnx("journal %s holds %s run of job %s (%llu "
			    "chunks done): use --resume to continue it, or "
			    "--fresh to discard it and start over", j->j_path,
			    j->j_complete ? "a completed" : "an interrupted",
			    conf->name, (unsigned long long)j->j_stats.st_done);
			rc = EX_USAGE;
		} else if (conf->resume == RESUME_NONE) {
			log_warnx("journal %s holds %s run of another job "
			    "(%llu chunks done; %s): use --fresh to discard it "
			    "and run this one", j->j_path, j->j_complete ?
			    "a completed" : "an interrupted",
			    (unsigned long long)j->j_stats.st_done, why);
			rc = EX_USAGE;
		} else if (!same) {
			log_warnx("journal %s belongs to another job: %s; "
			    "refusing to resume (restore the job, or use "
			    "--fresh to discard the journal)", j->j_path, why);
			rc = EX_CONFIG;
		}
		if (rc != 0)
			goto forget;
	}
	if (j->j_nrecs == 0 && !j->j_complete) {
		if (ftruncate(j->j_fd, 0) == -1 ||
		    (unlink(j->j_spool_path) == -1 && errno != ENOENT)) {
			log_warn("cannot reset journal %s", j->j_path);
			rc = EX_CANTCREAT;
			goto forget;
		}
		j->j_good = 0;
		jline(j, "%s", JOURNAL_MAGIC);
		ident = jident(conf, in, &nident);
		for (i = 0; i < nident; i++) {
			jline(j, "%s", ident[i]);
			free(ident[i]);
		}
		free(ident);
		jline(j, "identity %016" PRIx64, journal_hash(j->j_pend,
		    j->j_npend));
	} else if (ftruncate(j->j_fd, (off_t)j->j_good) == -1) {
		log_warn("cannot write journal %s", j->j_path);
		rc = EX_IOERR;
		goto forget;
	}
	if (lseek(j->j_fd, 0, SEEK_END) == -1)
		fatal("lseek %s", j->j_path);
	return 0;

forget:
	/* Not ours (another master's, or no journal at all): closed, and
	 * never removed. */
	journal_close(j, 0);
	return rc;
}

/*
 * The run begins, once what it took up from the journal is checked: a B
 * record, made durable with the header of a new journal. The records
 * before a B were checked by the run that wrote it (see j_verified).
 * Returns 0 or -1, with the message printed.
 */
int
journal_begin(struct journal *j, int outfd)
{
	if (j->j_fd == -1)
		return 0;
	/* What was checked may have been read from the page cache: durable
	 * first, with the output (OUTFD) and the spool. */
	j->j_spool_dirty = j->j_spool_fd != -1;
	jline(j, "B time=%llu pid=%d", (unsigned long long)journal_wall_ms(),
	    (int)getpid());
	return journal_sync(j, outfd, NULL, 0);
}

static int
jspool_fd(struct journal *j)
{
	if (j->j_spool_fd == -1 && (j->j_spool_fd = open(j->j_spool_path,
	    O_RDWR | O_CREAT | O_CLOEXEC, 0666)) == -1)
		log_warn("cannot open spool %s", j->j_spool_path);
	return j->j_spool_fd;
}

/* Appends a result to the spool; *OFF is where it went. Returns 0 or -1,
 * with the message printed. */
int
journal_spool(struct journal *j, const void *buf, size_t len, uint64_t *off)
{
	const char	*p = buf;
	ssize_t		 n;

	if (jspool_fd(j) == -1)
		return -1;
	*off = j->j_spool_end;
	while (len > 0) {
		n = pwrite(j->j_spool_fd, p, len, (off_t)j->j_spool_end);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("cannot write spool %s", j->j_spool_path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		j->j_spool_end += (uint64_t)n;
	}
	j->j_spool_dirty = 1;
	journal_kick(j->j_spool_fd, &j->j_spool_kicked, j->j_spool_end);
	return 0;
}

/*
 * Written data goes to the disk as it comes, JOURNAL_KICK bytes at a time
 * (sync_file_range, which does not wait): a group commit then waits only
 * for the last of it, not for all that a fast job wrote in sync_interval.
 * FD has END bytes; *KICKED were sent before.
 */
#define JOURNAL_KICK	(8 << 20)

void
journal_kick(int fd, uint64_t *kicked, uint64_t end)
{
	if (end < *kicked + JOURNAL_KICK)
		return;
	(void)sync_file_range(fd, (off_t)*kicked, (off_t)(end - *kicked),
	    SYNC_FILE_RANGE_WRITE);
	*kicked = end;
}

/* Records chunk ID [START, END) as consumed (TYPE 'W') or held ('H'), its
 * result of LEN bytes at OFF in the output or spool (WHERE 'o' or 's'). */
void
journal_chunk(struct journal *j, int type, uint64_t id, uint64_t start,
    uint64_t end, int where, uint64_t off, const void *data, size_t len)
{
	jline(j, "%c %llu %llu %llu %c %llu %zu %016" PRIx64, type,
	    (unsigned long long)id, (unsigned long long)start,
	    (unsigned long long)end, where, (unsigned long long)off, len,
	    journal_hash(data, len));
	j->j_commits++;
}

void
journal_quarantine(struct journal *j, uint64_t id, uint64_t start,
    uint64_t end, const char *why)
{
	char	*e = jescape(why);

	jline(j, "Q %llu %llu %llu %s", (unsigned long long)id,
	    (unsigned long long)start, (unsigned long long)end, e);
	free(e);
}

/* Writes the pending records to the journal, without waiting for the
 * disk. Returns 0 or -1, with the message printed. */
int
journal_flush(struct journal *j)
{
	if (j->j_fd == -1 || j->j_npend == 0)
		return 0;
	if (jwrite(j->j_fd, j->j_pend, j->j_npend) == -1) {
		log_warn("cannot write journal %s", j->j_path);
		return -1;
	}
	j->j_good += j->j_npend;
	j->j_npend = 0;
	j->j_unsynced = 1;
	return 0;
}

/*
 * The group commit: the output (OUTFD, or -1) and the spool made durable,
 * then the pending records, with counters ST (a T record at most once a
 * second, or FORCE) appended and made durable. Returns 0 or -1, with the
 * message printed.
 */
int
journal_sync(struct journal *j, int outfd, const struct jstats *st,
    int force)
{
	uint64_t	now = jmono_ms();

	if (j->j_fd == -1 || (j->j_npend == 0 && !j->j_unsynced && !force))
		return 0;
	if (outfd != -1 && fdatasync(outfd) == -1 && errno != EINVAL) {
		log_warn("cannot make the output durable");
		return -1;
	}
	if (j->j_spool_dirty && fdatasync(j->j_spool_fd) == -1) {
		log_warn("cannot write spool %s", j->j_spool_path);
		return -1;
	}
	j->j_spool_dirty = 0;
	if (st != NULL && (force || now - j->j_last_t_ms >= 1000)) {
		jline(j, "T time=%llu done=%llu bytes=%llu failed=%llu "
		    "restarts=%llu quarantined=%llu",
		    (unsigned long long)journal_wall_ms(),
		    (unsigned long long)st->st_done,
		    (unsigned long long)st->st_bytes,
		    (unsigned long long)st->st_failed,
		    (unsigned long long)st->st_restarts,
		    (unsigned long long)st->st_quarantined);
		j->j_last_t_ms = now;
	}
	if (journal_flush(j) == -1)
		return -1;
	if (fdatasync(j->j_fd) == -1) {
		log_warn("cannot write journal %s", j->j_path);
		return -1;
	}
	j->j_unsynced = 0;
	return 0;
}

/* The run ends: its SUMMARY line, a C record if the job is COMPLETE, all
 * made durable. Returns 0 or -1. */
int
journal_end(struct journal *j, int outfd, const struct jstats *st,
    const char *summary, int complete)
{
	char	*e;

	if (j->j_fd == -1)
		return 0;
	if (summary != NULL) {
		e = jescape(summary);
		jline(j, "E %s", e);
		free(e);
	}
	if (complete)
		jline(j, "C time=%llu", (unsigned long long)journal_wall_ms());
	return journal_sync(j, outfd, st, 1);
}

/*
 * Reads record R's result (from the output open on OUTFD, or the spool)
 * into *BUF and checks it against its hash. Returns 0, or -1 when it is
 * missing or differs.
 */
int
journal_fetch(struct journal *j, const struct jrec *r, int outfd, char **buf)
{
	int		 fd = r->r_where == 'o' ? outfd : jspool_fd(j);
	uint64_t	 got = 0;
	struct stat	 st;
	ssize_t		 n;

	/* A length no file holds is damage, not a size to allocate. */
	*buf = NULL;
	if (fd == -1 || fstat(fd, &st) == -1 ||
	    r->r_off > (uint64_t)st.st_size ||
	    r->r_len > (uint64_t)st.st_size - r->r_off)
		return -1;
	*buf = xmalloc(r->r_len + 1);
	while (fd != -1 && got < r->r_len) {
		n = pread(fd, *buf + got, (size_t)(r->r_len - got),
		    (off_t)(r->r_off + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	if (got == r->r_len && journal_hash(*buf, (size_t)r->r_len) ==
	    r->r_hash)
		return 0;
	free(*buf);
	*buf = NULL;
	return -1;
}

/* Keeps only the first N records read: the rest are cut from the journal
 * (their chunks run again), and the spool is cut after what is kept.
 * Returns 0, or -1 with the message printed: a journal that cannot be cut
 * must not be written on. */
int
journal_drop(struct journal *j, size_t n)
{
	size_t	i;

	if (n < j->j_nrecs) {
		j->j_good = j->j_recs[n].r_at;
		if (ftruncate(j->j_fd, (off_t)j->j_good) == -1 ||
		    lseek(j->j_fd, 0, SEEK_END) == -1) {
			log_warn("cannot cut journal %s", j->j_path);
			return -1;
		}
	}
	for (i = n; i < j->j_nrecs; i++)
		free(j->j_recs[i].r_why);
	j->j_nrecs = n;
	if (j->j_verified > n)
		j->j_verified = n;
	j->j_spool_end = 0;
	j->j_commits = 0;
	for (i = 0; i < n; i++) {
		if (j->j_recs[i].r_type != 'Q')
			j->j_commits++;
		if (j->j_recs[i].r_where == 's' && j->j_recs[i].r_off +
		    j->j_recs[i].r_len > j->j_spool_end)
			j->j_spool_end = j->j_recs[i].r_off +
			    j->j_recs[i].r_len;
	}
	if (jspool_fd(j) == -1 ||
	    ftruncate(j->j_spool_fd, (off_t)j->j_spool_end) == -1) {
		log_warn("cannot cut spool %s", j->j_spool_path);
		return -1;
	}
	return 0;
}

static void
jfree_loaded(struct journal *j)
{
	size_t	i;

	for (i = 0; i < j->j_nrecs; i++)
		free(j->j_recs[i].r_why);
	free(j->j_recs);
	j->j_recs = NULL;
	j->j_nrecs = 0;
	j->j_verified = 0;
	for (i = 0; i < j->j_nkeys; i++)
		free(j->j_keys[i]);
	free(j->j_keys);
	j->j_keys = NULL;
	j->j_nkeys = 0;
	free(j->j_summary);
	j->j_summary = NULL;
	j->j_commits = 0;
	j->j_complete = 0;
	j->j_spool_end = 0;
	memset(&j->j_stats, 0, sizeof j->j_stats);
}

/* Closes the journal; REMOVE: the job is complete, the journal and spool
 * go. */
void
journal_close(struct journal *j, int remove)
{
	if (remove && j->j_path != NULL) {
		if (unlink(j->j_path) == -1 && errno != ENOENT)
			log_warn("cannot remove journal %s", j->j_path);
		if (unlink(j->j_spool_path) == -1 && errno != ENOENT)
			log_warn("cannot remove spool %s", j->j_spool_path);
	}
	if (j->j_fd != -1)
		close(j->j_fd);
	if (j->j_spool_fd != -1)
		close(j->j_spool_fd);
	jfree_loaded(j);
	free(j->j_pend);
	free(j->j_path);
	free(j->j_spool_path);
	journal_init(j);
}
