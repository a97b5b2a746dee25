/* parse.h: the value syntaxes shared by the job file and the command line:
 * sizes (K, M, G), durations (ms, s, m, h), counts, ranges A..B, booleans
 * and shell-like word splitting. Each returns 0, or -1 with *errstr set to a
 * static phrase that completes "bad value: ...". */
#ifndef PARSE_H
#define PARSE_H

#include <stdint.h>

int	parse_size(const char *, uint64_t *, const char **);
int	parse_duration(const char *, uint64_t *, const char **);
int	parse_uint(const char *, uint64_t, uint64_t, uint64_t *,
	    const char **);
int	parse_range(const char *, int64_t *, int64_t *, const char **);
int	parse_bool(const char *, int *, const char **);
int	parse_argv(const char *, char ***, int *, const char **);
void	parse_argv_free(char **);

#endif
