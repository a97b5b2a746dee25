/* cmd.h: the subcommands, dispatched from main.c through a table, and the
 * option parsing they share. */
#ifndef CMD_H
#define CMD_H

struct conf;

enum { CMD_RUN, CMD_CHECK, CMD_STATUS };

int	cmd_run(int, char **);
int	cmd_status(int, char **);
int	cmd_check(int, char **);
int	cmd_parse(int, char **, struct conf *, int);
void	cmd_usage(void);

#endif
