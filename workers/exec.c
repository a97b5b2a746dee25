/*
 * exec.c: the adapter behind `command =`. For each chunk it runs the
 * command (argv[1..], no shell) with the chunk on its stdin, and its stdout
 * is the chunk's result; a non-zero exit or a signal fails the chunk. The
 * command runs in the adapter's process group, so that a kill of the
 * worker takes it and its children; it also dies with the adapter
 * (parent-death signal). The adapter is a subreaper: what the command
 * leaves running becomes the adapter's child and is killed once the command
 * has exited, so that leftovers do not pile up from chunk to chunk.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chunkvisor.h"

#define READ_STEP	65536

static char	**command;

static void	exec_child(const struct cv_chunk *, int, int) __attribute__((noreturn));
static int	exec_pump(const struct cv_chunk *, struct cv_out *, int, int,
		    pid_t, int);
static int	exec_exited(pid_t, int, short);
static int	exec_read(struct cv_out *, int);
static int	exec_found(const char *);
static void	exec_reap_leftovers(void);

static void
exec_child(const struct cv_chunk *c, int in, int out)
{
	struct sigaction	sa;
	sigset_t		none;
	char			buf[32];
	int			i;

	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1)
		_exit(127);
	/* Which chunk and attempt this is, for the command (GNU parallel's
	 * {#}): a command may log or name things by it. */
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->id);
	setenv("CHUNKVISOR_CHUNK", buf, 1);
	snprintf(buf, sizeof buf, "%u", c->attempt);
	setenv("CHUNKVISOR_ATTEMPT", buf, 1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execvp(command[0], command);
	fprintf(stderr, "chunkvisor exec: cannot execute %s: %s\n", command[0],
	    strerror(errno));
	_exit(127);
}

/* Reads what OUT has now into the result: 1 at EOF, 0 when it would
 * block, -1 on error. */
static int
exec_read(struct cv_out *res, int out)
{
	ssize_t	 n;
	char	*p;

	for (;;) {
		if ((p = cv_reserve(res, READ_STEP)) == NULL)
			return -1;
		n = read(out, p, READ_STEP);
		if (n > 0) {
			cv_commit(res, (size_t)n);
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : -1;
	}
}

/* Whether the command has exited (not reaped yet): its pidfd says so, or,
 * on kernels without pidfd_open, waitid with WNOWAIT. */
static int
exec_exited(pid_t pid, int pidfd, short revents)
{
	siginfo_t	si;

	if (pidfd != -1)
		return (revents & POLLIN) != 0;
	memset(&si, 0, sizeof si);
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == pid;
}

/*
 * Feeds the chunk to IN and reads OUT into the result, both at once (a
 * command may write before it has read everything), until the command
 * exits (PIDFD) or closes its stdout. The result is what the command wrote
 * up to its exit: a child it left running with our pipe open does not
 * hold the chunk up (it dies with the worker's process group).
 */
static int
exec_pump(const struct cv_chunk *c, struct cv_out *res, int in, int out,
    pid_t pid, int pidfd)
{
	struct pollfd	 pfd[3];
	size_t		 sent = 0;
	ssize_t		 n;
	int		 rc = 0;

	if (c->len == 0) {
		close(in);
		in = -1;
	}
	for (;;) {
		pfd[0] = (struct pollfd){ in, POLLOUT, 0 };
		pfd[1] = (struct pollfd){ out, POLLIN, 0 };
		pfd[2] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (poll(pfd, 3, pidfd == -1 ? 50 : -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (in != -1 && (pfd[0].revents & (POLLOUT | POLLERR))) {
			n = write(in, c->data + sent, c->len - sent);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				sent = c->len;	/* EPIPE: it reads no more */
			else if (n > 0)
				sent += (size_t)n;
			if (sent == c->len) {
				close(in);
				in = -1;
			}
		}
		if ((pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    (rc = exec_read(res, out)) != 0)
			break;
		if (exec_exited(pid, pidfd, pfd[2].revents)) {
			rc = exec_read(res, out);
			break;
		}
	}
	if (in != -1)
		close(in);
	return rc == -1 ? -1 : 0;
}

static int
exec_map(const struct cv_chunk *c, struct cv_out *res, void *arg)
{
	int	in[2], out[2], status, rc, pidfd;
	pid_t	pid;

	(void)arg;
	if (pipe2(in, O_CLOEXEC) == -1)
		return 1;
	if (pipe2(out, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		return 1;
	}
	if ((pid = fork()) == -1) {
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		return 1;
	}
	if (pid == 0)
		exec_child(c, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	rc = exec_pump(c, res, in[1], out[0], pid, pidfd);
	close(out[0]);
	if (pidfd != -1)
		close(pidfd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return 1;
	exec_reap_leftovers();
	if (rc != 0)
		return 1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Kills and reaps every child still there after the command exited: its
 * leftovers, reparented to us. A few rounds, since killing one can orphan
 * its own children to us; never a blocking wait. */
static void
exec_reap_leftovers(void)
{
	struct timespec	 ts = { 0, 1000 * 1000 };
	char		 path[64];
	FILE		*fp;
	long		 pid;
	int		 round, any;

	snprintf(path, sizeof path, "/proc/self/task/%ld/children",
	    (long)getpid());
	for (round = 0; round < 50; round++) {
		if ((fp = fopen(path, "r")) == NULL)
			return;
		for (any = 0; fscanf(fp, "%ld", &pid) == 1; any = 1)
			kill((pid_t)pid, SIGKILL);
		fclose(fp);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!any)
			return;
		nanosleep(&ts, NULL);
	}
}

/* Whether execvp would find NAME: checked once at start, so that a missing
 * command is "cannot start" (exit 127 before any chunk), not a failure of
 * every chunk. */
static int
exec_found(const char *name)
{
	char	*path, *dir, *p;
	int	 found = 0;

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0;
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	path = strdup(path);
	for (dir = strtok(path, ":"); dir != NULL && !found;
	    dir = strtok(NULL, ":")) {
		if (asprintf(&p, "%s/%s", *dir ? dir : ".", name) == -1)
			break;
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(path);
	return found;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: exec COMMAND [ARG...] (a chunkvisor "
		    "worker)\n");
		return 64;
	}
	command = argv + 1;
	if (getenv("CHUNKVISOR_CHANNEL") != NULL && !exec_found(command[0])) {
		fprintf(stderr, "chunkvisor: cannot execute command %s: %s\n",
		    command[0], strerror(errno));
		return 127;
	}
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		perror("chunkvisor exec: prctl(PR_SET_CHILD_SUBREAPER)");
	return cv_worker_main(exec_map, NULL);
}
