/* output.h: where results go: a file written aside and renamed into place
 * when the job is complete, or standard output as chunks complete. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct output {
	int		 o_fd;
	const char	*o_name;	/* for messages */
	char		*o_path;	/* NULL: standard output, or special */
	int		 o_special;	/* a device, FIFO or socket: in place */
	char		*o_tmp;		/* its name until it is complete */
	int		 o_unnamed;	/* O_TMPFILE: no name yet */
	int		 o_keep;	/* journaled: kept when not complete */
	uint64_t	 o_bytes;
	int		 o_failed;
};

/* output_open's third argument. */
#define OUTPUT_PLAIN		0
#define OUTPUT_JOURNALED	1	/* a partial file that survives */
#define OUTPUT_LEFT		2	/* only the partial file left there */

int	output_open(struct output *, const char *, int);
int	output_resume(struct output *, uint64_t);
void	output_discard(struct output *);
int	output_write(struct output *, const void *, size_t);
int	output_commit(struct output *);
void	output_abort(struct output *);

#endif
