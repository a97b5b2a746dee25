/* main.c: chunkvisor's entry point: a table of subcommands. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "chunkvisor.h"
#include "cmd.h"
#include "log.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} cmds[] = {
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "status", cmd_status },
};

void
cmd_usage(void)
{
	fputs(
"usage: chunkvisor run [JOB.ini] [options] [-- COMMAND [ARG...]]\n"
"       chunkvisor check JOB.ini [options]\n"
"       chunkvisor status JOB.ini [options] [--json]\n"
"       chunkvisor --help | --version\n"
"\n"
"Runs a job as many chunks on worker processes, surviving their crashes.\n"
"\n"
"options (they override the job file):\n"
"  -i, --input PATH         input file, or - for standard input\n"
"  -o, --output PATH        output file, or - for standard output\n"
"  -j, --workers N|auto     number of worker processes\n"
"  -c, --chunk-size SIZE    bytes per chunk (K, M, G), or integers (range)\n"
"      --split lines|bytes|range\n"
"      --range A..B         the integers A <= i < B (split = range)\n"
"      --set SECTION.KEY=VALUE\n"
"                           any job file key; repeatable\n"
"      --resume             continue the interrupted run in the journal (or\n"
"                           start, when there is none)\n"
"      --fresh              discard the journal and start over\n"
"      --json               status: one JSON object\n"
"      --progress, --no-progress\n"
"                           a progress bar on stderr (default: on a terminal)\n"
"  -q, --quiet              no summary line; errors and warnings only\n"
"  -v, --verbose            more messages; twice for debugging\n"
"  -- COMMAND [ARG...]      the worker command (workers.command): each\n"
"                           chunk on its stdin, its stdout the result\n"
"\n"
"signals: SIGTERM, SIGINT drain and stop (75, resumable); SIGHUP reads the\n"
"job file again (worker count, timeouts, restart policy apply live).\n"
"\n"
"exit status: 0 done, 1 done but records quarantined (or stopped on a\n"
"poison record, or every attempt failing), 64 usage (or a journal waiting\n"
"for --resume or --fresh), 66 no input, 69 workers cannot start,\n"
"70 internal error, 73 cannot create output (or the job runs already),\n"
"74 I/O error, 75 interrupted (SIGTERM, SIGINT), 78 bad job file (or a\n"
"journal of another job).\n"
"See chunkvisor(1) and chunkvisor.ini(5).\n", stdout);
}

int
main(int argc, char **argv)
{
	size_t	i;

	log_init("chunkvisor", LOG_NORMAL);
	if (argc < 2) {
		fprintf(stderr, "usage: chunkvisor run [JOB.ini] [options] "
		    "[-- COMMAND [ARG...]]\n       chunkvisor check JOB.ini "
		    "[options]\n       chunkvisor status JOB.ini [options] "
		    "[--json]\n       chunkvisor --help | --version\n");
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_usage();
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("chunkvisor %s\n", CV_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "chunkvisor: unknown command '%s' (see chunkvisor "
	    "--help)\n", argv[1]);
	return EX_USAGE;
}
