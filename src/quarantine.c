/*
 * quarantine.c: the quarantine file. Each record that failed max_attempts
 * times (after bisection, a single line) gets one line:
 *
 *	CHUNK <tab> LINE <tab> OFFSET <tab> LENGTH <tab> FAILURE <tab> RECORD
 *
 * LINE is the record's 1-based line number (lines split; "-" otherwise),
 * OFFSET and LENGTH are in bytes (for split = range: the first integer and
 * the count), FAILURE is the last attempt's, and RECORD is the line without
 * its newline (lines split only). The file is created at the first record
 * and flushed after each, so `tail -f` shows them as they come.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "quarantine.h"
#include "xmalloc.h"

static int	quarantine_open(struct quarantine *);

void
quarantine_init(struct quarantine *q, const char *path, int split,
    const char *data)
{
	memset(q, 0, sizeof *q);
	q->q_path = path;
	q->q_split = split;
	q->q_data = data;
}

static int
quarantine_open(struct quarantine *q)
{
	if ((q->q_fp = fopen(q->q_path, "w")) == NULL) {
		log_warn("cannot create quarantine file %s", q->q_path);
		return -1;
	}
	fprintf(q->q_fp, "# chunkvisor quarantine: records that failed "
	    "max_attempts times\n# chunk\tline\toffset\tlength\tfailure\t"
	    "record\n");
	return 0;
}

/* The 1-based number of the line that starts at byte OFF: newlines are
 * counted from the nearest point known before OFF (every answer becomes
 * one), so records found out of order do not rescan the input. */
uint64_t
quarantine_line(struct quarantine *q, uint64_t off)
{
	const char	*p, *end;
	size_t		 lo = 0, hi = q->q_nmarks, mid;
	uint64_t	 line = 0, from = 0;

	while (lo < hi) {	/* the last mark at or before OFF */
		mid = (lo + hi) / 2;
		if (q->q_marks[mid].mk_off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0) {
		from = q->q_marks[lo - 1].mk_off;
		line = q->q_marks[lo - 1].mk_line;
	}
	p = q->q_data + from;
	end = q->q_data + off;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	if (lo == 0 || from != off) {
		q->q_marks = xreallocarray(q->q_marks, q->q_nmarks + 1,
		    sizeof *q->q_marks);
		memmove(&q->q_marks[lo + 1], &q->q_marks[lo],
		    (q->q_nmarks - lo) * sizeof *q->q_marks);
		q->q_marks[lo].mk_off = off;
		q->q_marks[lo].mk_line = line;
		q->q_nmarks++;
	}
	return line + 1;
}

/*
 * Quarantines bytes (or integers) [start, end) of chunk CHUNK, which failed
 * with WHY: for lines, one record per line in it. Returns the number of
 * records, or QUARANTINE_CANTCREAT or QUARANTINE_IOERR.
 */
int
quarantine_add(struct quarantine *q, uint64_t chunk, uint64_t start,
    uint64_t end, const char *why)
{
	const char	*p, *nl;
	uint64_t	 len;
	int		 n = 0;

	if (q->q_fp == NULL && quarantine_open(q) == -1)
		return QUARANTINE_CANTCREAT;
	if (q->q_split != SPLIT_LINES) {
		if (q->q_split == SPLIT_RANGE)
			fprintf(q->q_fp, "%llu\t-\t%lld\t%llu\t%s\t\n",
			    (unsigned long long)chunk, (long long)start,
			    (unsigned long long)(end - start), why);
		else
			fprintf(q->q_fp, "%llu\t-\t%llu\t%llu\t%s\t\n",
			    (unsigned long long)chunk,
			    (unsigned long long)start,
			    (unsigned long long)(end - start), why);
		n = 1;
	}
	for (p = q->q_split == SPLIT_LINES ? q->q_data + start : NULL;
	    p != NULL && p < q->q_data + end; p = nl + 1, n++) {
		nl = memchr(p, '\n', (size_t)(q->q_data + end - p));
		if (nl == NULL)
			nl = q->q_data + end;
		len = (uint64_t)(nl - p);
		fprintf(q->q_fp, "%llu\t%llu\t%llu\t%llu\t%s\t",
		    (unsigned long long)chunk,
		    (unsigned long long)quarantine_line(q,
		    (uint64_t)(p - q->q_data)),
		    (unsigned long long)(p - q->q_data),
		    (unsigned long long)len + (nl < q->q_data + end), why);
		fwrite(p, 1, (size_t)len, q->q_fp);
		fputc('\n', q->q_fp);
	}
	if (fflush(q->q_fp) == EOF || ferror(q->q_fp)) {
		log_warn("cannot write quarantine file %s", q->q_path);
		return QUARANTINE_IOERR;
	}
	q->q_count += (uint64_t)n;
	return n;
}

/* Returns 0, or -1 if the file could not be completed. */
int
quarantine_close(struct quarantine *q)
{
	int	rc = 0;

	if (q->q_fp != NULL && fclose(q->q_fp) == EOF) {
		log_warn("cannot write quarantine file %s", q->q_path);
		rc = -1;
	}
	q->q_fp = NULL;
	free(q->q_marks);
	q->q_marks = NULL;
	q->q_nmarks = 0;
	return rc;
}
