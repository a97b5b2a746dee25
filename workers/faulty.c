/*
 * faulty.c: the fault-injection worker, a testing aid. It upper-cases each
 * chunk like `upper` (or copies it, with -t cat), except that on chosen
 * chunks it misbehaves as told:
 *
 *	faulty [-t upper|cat] [-s SEED] [-l LOG] [-f SPEC ...]
 *
 * With -l, each chunk it starts is first logged to LOG as one line,
 * "CHUNK ATTEMPT PID" (appended with one write, so that every worker can
 * share the file): a test counts from it which chunks ran how often.
 *
 * SPEC is KIND[:ARG][,match=TEXT][,p=PROBABILITY][,attempts=N]:
 *	crash[:SIG]	raise SIG (default SEGV; a name or a number)
 *	hang		never return
 *	exit[:N]	exit with status N (default 1) in the middle of a chunk
 *	fail[:N]	fail the attempt cleanly (the map function returns N)
 *	slow[:MS]	sleep MS milliseconds (default 100), then succeed
 *	garbage		send the master a malformed message
 *	bad-offset	report a result outside the arena
 *	double-done	report the previous chunk a second time
 *	close		close the channel and go on running
 *	leak[:SIZE]	allocate and touch SIZE bytes (default 64M), never freed
 *	orphan		leave a child process running, then succeed
 * A fault applies to a chunk that holds TEXT (default: every chunk), with
 * probability P (default 1; decided from the seed, the chunk id and the
 * attempt, so a run is repeatable), on attempts 1..N only (default all).
 * The first SPEC that applies wins.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chunkvisor.h"
#include "parse.h"
#include "proto.h"
#include "splitmix.h"

enum fault_kind { F_CRASH, F_HANG, F_EXIT, F_FAIL, F_SLOW, F_GARBAGE,
	F_BAD_OFFSET, F_DOUBLE_DONE, F_CLOSE, F_LEAK, F_ORPHAN };

static const char *const kind_names[] = { "crash", "hang", "exit", "fail",
	"slow", "garbage", "bad-offset", "double-done", "close", "leak",
	"orphan", NULL };

struct fault {
	int		 f_kind;
	long long	 f_arg;
	char		*f_match;
	double		 f_prob;
	unsigned	 f_attempts;	/* 0: all */
};

static struct fault	*faults;
static size_t		 nfaults;
static int		 upper = 1;
static int		 log_fd = -1;
static uint64_t		 seed = 1;
static uint64_t		 prev_id = UINT64_MAX;

static void	usage(void) __attribute__((noreturn));
static void	spec_parse(const char *);
static int	spec_signal(const char *);
static int	applies(const struct fault *, const struct cv_chunk *);
static void	raw_done(uint64_t, uint64_t, uint64_t);
static int	misbehave(const struct fault *, const struct cv_chunk *);

static void
usage(void)
{
	fprintf(stderr, "usage: faulty [-t upper|cat] [-s SEED] [-l LOG] -f "
	    "KIND[:ARG][,match=TEXT][,p=P][,attempts=N] ...\n");
	exit(64);
}

static int
spec_signal(const char *s)
{
	char	*end;
	long	 n;
	int	 i;

	n = strtol(s, &end, 10);
	if (*end == '\0' && n > 0 && n < NSIG)
		return (int)n;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 1; i < NSIG; i++)
		if (sigabbrev_np(i) != NULL && strcmp(sigabbrev_np(i), s) == 0)
			return i;
	fprintf(stderr, "faulty: unknown signal %s\n", s);
	exit(64);
}

static void
spec_parse(const char *spec)
{
	struct fault	 f = { 0, 0, NULL, 1.0, 0 };
	char		*copy = strdup(spec), *part, *arg, *save = NULL;
	const char	*errstr;
	uint64_t	 u;
	int		 i;

	part = strtok_r(copy, ",", &save);
	if (part == NULL)
		usage();
	if ((arg = strchr(part, ':')) != NULL)
		*arg++ = '\0';
	for (i = 0; kind_names[i] != NULL; i++)
		if (strcmp(part, kind_names[i]) == 0)
			break;
	if (kind_names[i] == NULL)
		usage();
	f.f_kind = i;
	f.f_arg = f.f_kind == F_CRASH ? SIGSEGV : f.f_kind == F_SLOW ? 100 :
	    f.f_kind == F_LEAK ? 64LL << 20 : 1;
	if (arg != NULL && f.f_kind == F_CRASH)
		f.f_arg = spec_signal(arg);
	else if (arg != NULL && f.f_kind == F_LEAK) {
		if (parse_size(arg, &u, &errstr) == -1)
			usage();
		f.f_arg = (long long)u;
	} else if (arg != NULL)
		f.f_arg = strtoll(arg, NULL, 10);
	while ((part = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(part, "match=", 6) == 0)
			f.f_match = strdup(part + 6);
		else if (strncmp(part, "p=", 2) == 0)
			f.f_prob = strtod(part + 2, NULL);
		else if (strncmp(part, "attempts=", 9) == 0)
			f.f_attempts = (unsigned)strtoul(part + 9, NULL, 10);
		else
			usage();
	}
	free(copy);
	faults = realloc(faults, (nfaults + 1) * sizeof *faults);
	if (faults == NULL)
		exit(70);
	faults[nfaults++] = f;
}

static int
applies(const struct fault *f, const struct cv_chunk *c)
{
	double	u;

	if (f->f_attempts != 0 && c->attempt > f->f_attempts)
		return 0;
	if (f->f_match != NULL && (c->kind != CV_BYTES ||
	    memmem(c->data, c->len, f->f_match, strlen(f->f_match)) == NULL))
		return 0;
	u = (double)(splitmix64(seed ^ splitmix64(c->id ^
	    splitmix64(c->attempt))) >> 11) * 0x1.0p-53;
	return u < f->f_prob;
}

/* A DONE the library would never send, straight onto the channel. */
static void
raw_done(uint64_t id, uint64_t off, uint64_t len)
{
	unsigned char		buf[sizeof(struct msg_hdr) +
				    sizeof(struct msg_done) +
				    sizeof(struct msg_result)];
	struct msg_done		d = { 1, 0 };
	struct msg_result	r;
	size_t			n;

	memset(&r, 0, sizeof r);
	r.r_id = id;
	r.r_off = off;
	r.r_len = len;
	n = proto_init(buf, MSG_DONE, 1);
	memcpy(buf + sizeof(struct msg_hdr), &d, sizeof d);
	memcpy(buf + sizeof(struct msg_hdr) + sizeof d, &r, sizeof r);
	(void)proto_send(PROTO_FD_CHANNEL, buf, n);
}

/* Does fault F to chunk C. Returns -1 to go on with the chunk as usual,
 * else the map function's return value. */
static int
misbehave(const struct fault *f, const struct cv_chunk *c)
{
	struct timespec	 ts;
	char		*p;

	if (f->f_kind != F_SLOW)	/* slowness is no fault to report */
		fprintf(stderr, "faulty: %s on chunk %llu, attempt %u\n",
		    kind_names[f->f_kind], (unsigned long long)c->id,
		    c->attempt);
	switch (f->f_kind) {
	case F_CRASH:
		raise((int)f->f_arg);
		_exit(128 + (int)f->f_arg);
	case F_HANG:
		for (;;)
			pause();
	case F_EXIT:
		_exit((int)f->f_arg);
	case F_FAIL:
		return (int)f->f_arg;
	case F_SLOW:
		ts.tv_sec = f->f_arg / 1000;
		ts.tv_nsec = (f->f_arg % 1000) * 1000000;
		nanosleep(&ts, NULL);
		return -1;
	case F_GARBAGE:
		(void)send(PROTO_FD_CHANNEL, "garbage!", 8, MSG_NOSIGNAL);
		return -1;
	case F_BAD_OFFSET:
		raw_done(c->id, 1ULL << 40, 4096);
		for (;;)
			pause();
	case F_DOUBLE_DONE:
		if (prev_id != UINT64_MAX)
			raw_done(prev_id, ARENA_DATA, 0);
		return -1;
	case F_CLOSE:
		close(PROTO_FD_CHANNEL);
		for (;;)
			pause();
	case F_LEAK:
		if ((p = malloc((size_t)f->f_arg)) == NULL)
			return 3;
		memset(p, 1, (size_t)f->f_arg);
		return -1;
	case F_ORPHAN:
		if (fork() == 0)
			for (;;)
				pause();
		return -1;
	}
	return -1;
}

static int
faulty_map(const struct cv_chunk *c, struct cv_out *out, void *arg)
{
	size_t	 i;
	int	 rc;
	char	*p;

	(void)arg;
	if (log_fd != -1) {
		char	line[64];
		int	n = snprintf(line, sizeof line, "%llu %u %d\n",
			    (unsigned long long)c->id, c->attempt,
			    (int)getpid());

		if (write(log_fd, line, (size_t)n) != n)
			return 1;
	}
	for (i = 0; i < nfaults; i++) {
		if (!applies(&faults[i], c))
			continue;
		if ((rc = misbehave(&faults[i], c)) != -1)
			return rc;
		break;
	}
	prev_id = c->id;
	if (c->kind == CV_RANGE)
		return cv_printf(out, "%lld\n", (long long)(c->end - c->start))
		    < 0;
	if ((p = cv_reserve(out, c->len)) == NULL)
		return 1;
	for (i = 0; i < c->len; i++) {
		unsigned char ch = (unsigned char)c->data[i];

		p[i] = (char)(upper && ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
	}
	cv_commit(out, c->len);
	return 0;
}

int
main(int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv, "f:l:s:t:")) != -1) {
		switch (ch) {
		case 'l':
			if ((log_fd = open(optarg, O_WRONLY | O_CREAT |
			    O_APPEND | O_CLOEXEC, 0666)) == -1) {
				fprintf(stderr, "faulty: %s: %s\n", optarg,
				    strerror(errno));
				exit(66);
			}
			break;
		case 'f':
			spec_parse(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 't':
			if (strcmp(optarg, "cat") != 0 &&
			    strcmp(optarg, "upper") != 0)
				usage();
			upper = strcmp(optarg, "upper") == 0;
			break;
		default:
			usage();
		}
	}
	return cv_worker_main(faulty_map, NULL);
}
