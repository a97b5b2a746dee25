/* quarantine.h: the records that failed for good, written to the
 * quarantine file as they are found, one tab-separated line each. */
#ifndef QUARANTINE_H
#define QUARANTINE_H

#include <stdint.h>
#include <stdio.h>

struct quarantine {
	FILE		*q_fp;		/* opened at the first record */
	const char	*q_path;
	int		 q_split;
	const char	*q_data;	/* the input, for lines */
	uint64_t	 q_count;	/* records written */
	/* Known points, sorted by offset: mk_line lines end before mk_off. */
	struct qmark {
		uint64_t mk_off;
		uint64_t mk_line;
	}		*q_marks;
	size_t		 q_nmarks;
};

#define QUARANTINE_CANTCREAT	(-1)
#define QUARANTINE_IOERR	(-2)

void	quarantine_init(struct quarantine *, const char *, int, const char *);
int	quarantine_add(struct quarantine *, uint64_t, uint64_t, uint64_t,
	    const char *);
int	quarantine_close(struct quarantine *);
uint64_t quarantine_line(struct quarantine *, uint64_t);

#endif
