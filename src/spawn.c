/*
 * spawn.c: fork and exec of a worker. All signals are blocked around fork
 * so the child cannot run a master handler; the child resets every
 * disposition and the mask, puts its three descriptors on fixed numbers,
 * closes everything else, starts its own process group (so a kill takes
 * its children too), asks for SIGKILL when the master dies, and reports a
 * failed exec through a close-on-exec pipe. It never returns into master
 * code: any failure is _exit(127).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "spawn.h"

/* Where the child parks descriptors before moving them onto 3, 4, 5. */
#define SPAWN_PARK	16

static void	spawn_child(const struct spawn_req *, int, pid_t)
		    __attribute__((noreturn));
static void	spawn_fail(int, int) __attribute__((noreturn));
static void	spawn_cloexec_all(void);

/* Marks every descriptor above the fixed ones close-on-exec, the slow way. */
static void
spawn_cloexec_all(void)
{
	long	max = sysconf(_SC_OPEN_MAX);
	int	fd;

	if (max < 0 || max > 1 << 20)
		max = 1 << 20;
	for (fd = PROTO_FD_ARENA + 1; fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void
spawn_fail(int errfd, int err)
{
	ssize_t	n;

	n = write(errfd, &err, sizeof err);
	(void)n;
	_exit(127);
}

static void
spawn_child(const struct spawn_req *req, int errfd, pid_t master)
{
	struct sigaction	sa;
	struct rlimit		rl;
	sigset_t		none;
	int			src[4], i, fd, devnull;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	if (setpgid(0, 0) == -1 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		spawn_fail(errfd, errno);
	if (getppid() != master)	/* the master died before the prctl */
		_exit(127);
	/* Park the descriptors high, then place them: a source may sit on a
	 * target's number. */
	src[0] = req->sp_chan;
	src[1] = req->sp_input;
	src[2] = req->sp_arena;
	src[3] = req->sp_stderr;
	if ((errfd = fcntl(errfd, F_DUPFD_CLOEXEC, SPAWN_PARK)) == -1)
		_exit(127);
	for (i = 0; i < 4; i++)
		if (src[i] != -1 &&
		    (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, SPAWN_PARK)) == -1)
			spawn_fail(errfd, errno);
	for (i = 0; i < 3; i++) {
		fd = PROTO_FD_CHANNEL + i;
		if (src[i] == -1)
			close(fd);
		else if (dup2(src[i], fd) == -1)
			spawn_fail(errfd, errno);
	}
	/* stdin from /dev/null; stderr to the master, which relays it; stdout
	 * is the master's output, so a worker's stray prints go to stderr. */
	if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(devnull, STDIN_FILENO) == -1 ||
	    (src[3] != -1 && dup2(src[3], STDERR_FILENO) == -1) ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
		spawn_fail(errfd, errno);
	/* Nothing else of the master's may reach the worker. */
	if (close_range(PROTO_FD_ARENA + 1, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		spawn_cloexec_all();	/* kernels before 5.11 */
	if (req->sp_memory_limit != 0) {
		rl.rlim_cur = rl.rlim_max = req->sp_memory_limit;
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			spawn_fail(errfd, errno);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(req->sp_path, req->sp_argv, req->sp_envp);
	spawn_fail(errfd, errno);
}

/*
 * Starts a worker. Returns 0 with *pidp set; or -1 with *exec_errno set
 * when the program could not be executed (the child is reaped), or with
 * errno set and *exec_errno 0 when fork or pipe failed.
 */
int
spawn_worker(const struct spawn_req *req, pid_t *pidp, int *exec_errno)
{
	sigset_t	all, old;
	pid_t		pid, master = getpid();
	int		pfd[2], err, saved;
	ssize_t		n;

	*exec_errno = 0;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return -1;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		spawn_child(req, pfd[1], master);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pfd[1]);
	if (pid == -1) {
		close(pfd[0]);
		errno = saved;
		return -1;
	}
	/* Both sides set the group, so that a kill from here cannot miss a
	 * child that has not got that far yet. */
	setpgid(pid, pid);
	do
		n = read(pfd[0], &err, sizeof err);
	while (n == -1 && errno == EINTR);
	close(pfd[0]);
	if (n == sizeof err) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		*exec_errno = err;
		return -1;
	}
	*pidp = pid;
	return 0;
}
