/* spawn.h: starting one worker process: the child's whole setup between
 * fork and exec, and exec's errno brought back over a close-on-exec pipe. */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>
#include <stdint.h>

struct spawn_req {
	const char	*sp_path;
	char *const	*sp_argv;
	char *const	*sp_envp;
	int		 sp_chan;	/* becomes PROTO_FD_CHANNEL */
	int		 sp_input;	/* becomes PROTO_FD_INPUT, or -1 */
	int		 sp_arena;	/* becomes PROTO_FD_ARENA */
	int		 sp_stderr;	/* becomes stderr and stdout, or -1 */
	uint64_t	 sp_memory_limit;	/* RLIMIT_AS, 0 for none */
};

int	spawn_worker(const struct spawn_req *, pid_t *, int *);

#endif
