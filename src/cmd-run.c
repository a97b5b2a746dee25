/* cmd-run.c: `chunkvisor run`: parse, then hand the job to the master. */
#include "cmd.h"
#include "conf.h"
#include "master.h"

int
cmd_run(int argc, char **argv)
{
	struct conf	conf;
	int		rc;

	conf_init(&conf);
	if ((rc = cmd_parse(argc, argv, &conf, CMD_RUN)) == 0)
		rc = master_run(&conf);
	conf_free(&conf);
	return rc == -1 ? 0 : rc;
}
