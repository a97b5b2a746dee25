/* input.h: the job's input, mapped once and shared with every worker: a
 * regular file is mapped as it is; stdin, a pipe or a device is spooled
 * into a sealed memfd first. */
#ifndef INPUT_H
#define INPUT_H

#include <stdint.h>

struct input {
	int		 in_fd;		/* passed to workers read-only */
	const char	*in_data;	/* NULL when empty */
	uint64_t	 in_size;
	const char	*in_name;	/* for messages */
};

int	input_open(struct input *, const char *);
void	input_close(struct input *);

#endif
