/* cmd-check.c: `chunkvisor check`: validate a job file (with any options
 * over it) and print the effective configuration; start nothing. */
#include <stdio.h>

#include "cmd.h"
#include "conf.h"

int
cmd_check(int argc, char **argv)
{
	struct conf	conf;
	int		rc;

	conf_init(&conf);
	if ((rc = cmd_parse(argc, argv, &conf, CMD_CHECK)) == 0)
		conf_print(&conf, stdout);
	conf_free(&conf);
	return rc == -1 ? 0 : rc;
}
