/* cmd-run.c: `chunkvisor run`: parse, then hand the job to the master;
 * on SIGHUP the master has the same command line parsed again. */
#include "cmd.h"
#include "conf.h"
#include "master.h"

static int	  run_argc;
static char	**run_argv;

/* The job file read again, with the same options over it. */
static int
cmd_run_reload(struct conf *conf)
{
	return cmd_parse(run_argc, run_argv, conf, CMD_RUN);
}

int
cmd_run(int argc, char **argv)
{
	struct conf	conf;
	int		rc;

	run_argc = argc;
	run_argv = argv;
	conf_init(&conf);
	if ((rc = cmd_parse(argc, argv, &conf, CMD_RUN)) == 0)
		rc = master_run(&conf, cmd_run_reload);
	conf_free(&conf);
	return rc == -1 ? 0 : rc;
}
