/* cmd-parse.c: the options of run and check. The job file is loaded first,
 * then every option is applied over it in the order given. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "log.h"
#include "xmalloc.h"

/* An option that sets a key: applied after the job file is loaded. */
struct flag_set {
	const char	*f_flag;	/* as typed, for messages */
	const char	*f_section;
	const char	*f_key;
	const char	*f_value;	/* NULL: f_key holds SECTION.KEY=VALUE */
};

enum { OPT_SPLIT = 256, OPT_RANGE, OPT_SET, OPT_VERSION, OPT_PROGRESS,
	OPT_NO_PROGRESS, OPT_RESUME, OPT_FRESH, OPT_JSON };

static const struct option longopts[] = {
	{ "input", required_argument, NULL, 'i' },
	{ "output", required_argument, NULL, 'o' },
	{ "workers", required_argument, NULL, 'j' },
	{ "chunk-size", required_argument, NULL, 'c' },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "set", required_argument, NULL, OPT_SET },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "fresh", no_argument, NULL, OPT_FRESH },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int	cmd_apply(struct conf *, const struct flag_set *, size_t);

static int
cmd_apply(struct conf *conf, const struct flag_set *sets, size_t n)
{
	size_t	i;
	int	rc;

	for (i = 0; i < n; i++) {
		rc = sets[i].f_value == NULL ?
		    conf_set_flag(conf, sets[i].f_flag, sets[i].f_key) :
		    conf_set(conf, sets[i].f_section, sets[i].f_key,
		    sets[i].f_value, ORIGIN_CMDLINE, 0, sets[i].f_flag);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Parses "[JOB.ini] [options] [-- COMMAND [ARG...]]" into CONF (which the
 * caller has conf_init'ed), loads the job file, applies the options and
 * checks the result. WHICH says which command: check and status need a job
 * file, --resume and --fresh are run's, --json is status's. Returns 0
 * or the exit status, with the message printed.
 */
int
cmd_parse(int argc, char **argv, struct conf *conf, int which)
{
	struct flag_set	*sets;
	size_t		 nsets = 0;
	char		**cmd = NULL;
	const char	*file = NULL;
	int		 ch, i, rc, nopt = argc, level = LOG_NORMAL;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			nopt = i;
			cmd = argv + i + 1;
			break;
		}
	sets = xcalloc((size_t)argc, sizeof *sets);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(nopt, argv, ":i:o:j:c:qvh", longopts,
	    NULL)) != -1) {
		struct flag_set *f = &sets[nsets];

		switch (ch) {
		case 'i': *f = (struct flag_set){ "-i", "job", "input", optarg };
			break;
		case 'o': *f = (struct flag_set){ "-o", "job", "output", optarg };
			break;
		case 'j': *f = (struct flag_set){ "-j", "workers", "count",
			    optarg };
			break;
		case 'c': *f = (struct flag_set){ "-c", "job", "chunk_size",
			    optarg };
			break;
		case OPT_SPLIT: *f = (struct flag_set){ "--split", "job",
			    "split", optarg };
			break;
		case OPT_RANGE: *f = (struct flag_set){ "--range", "job",
			    "range", optarg };
			break;
		case OPT_SET: *f = (struct flag_set){ "--set", NULL, optarg,
			    NULL };
			break;
		case OPT_PROGRESS: conf->progress = 1; continue;
		case OPT_NO_PROGRESS: conf->progress = 0; continue;
		case OPT_RESUME:
		case OPT_FRESH:
			if (which != CMD_RUN)
				goto only;
			if (conf->resume != RESUME_NONE &&
			    conf->resume != (ch == OPT_RESUME ?
			    RESUME_CONTINUE : RESUME_FRESH)) {
				fprintf(stderr, "chunkvisor: --resume and "
				    "--fresh exclude each other\n");
				free(sets);
				return EX_USAGE;
			}
			conf->resume = ch == OPT_RESUME ? RESUME_CONTINUE :
			    RESUME_FRESH;
			continue;
		case OPT_JSON:
			if (which != CMD_STATUS)
				goto only;
			conf->json = 1;
			continue;
		case 'q': level = LOG_QUIET; continue;
		case 'v': level = level < LOG_DEBUG ? level + 1 : level;
			continue;
		case 'h': cmd_usage(); free(sets); return -1;
		case ':':
			fprintf(stderr, "chunkvisor: %s needs a value\n",
			    argv[optind - 1]);
			free(sets);
			return EX_USAGE;
		only:
			fprintf(stderr, "chunkvisor: %s is an option of %s "
			    "only\n", argv[optind - 1], ch == OPT_JSON ?
			    "status" : "run");
			free(sets);
			return EX_USAGE;
		default:
			fprintf(stderr, "chunkvisor: unknown option %s (see "
			    "chunkvisor --help)\n", argv[optind - 1]);
			free(sets);
			return EX_USAGE;
		}
		nsets++;
	}
	log_setlevel(level);
	if (optind < nopt)
		file = argv[optind++];
	if (optind < nopt) {
		fprintf(stderr, "chunkvisor: unexpected argument '%s'; a command "
		    "goes after --\n", argv[optind]);
		free(sets);
		return EX_USAGE;
	}
	if (which != CMD_RUN && file == NULL) {
		fprintf(stderr, "chunkvisor: %s needs a job file\n",
		    which == CMD_CHECK ? "check" : "status");
		free(sets);
		return EX_USAGE;
	}
	rc = file != NULL ? conf_load(conf, file) : 0;
	if (rc == 0)
		rc = cmd_apply(conf, sets, nsets);
	if (rc == 0 && cmd != NULL) {
		if (*cmd == NULL) {
			fprintf(stderr, "chunkvisor: no command after --\n");
			rc = EX_USAGE;
		} else
			conf_set_argv(conf, cmd);
	}
	free(sets);
	return rc != 0 ? rc : conf_finish(conf);
}
