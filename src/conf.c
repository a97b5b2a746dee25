/* conf.c: the job file and its keys. One table describes every key (section,
 * name, type, default); defaults, the file and the command line all go
 * through the same setter, so a default is parsed exactly like user input. */
#include <sys/stat.h>

#include <ctype.h>
#include <signal.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "log.h"
#include "parse.h"
#include "xmalloc.h"

enum key_type { T_STRING, T_SIZE, T_DURATION, T_UINT, T_ENUM, T_RANGE,
	T_COUNT, T_COMMAND, T_FORMAT, T_BOOL, T_TIMEOUT, T_SIGNAL };

struct conf_key {
	const char		*k_section;
	const char		*k_name;
	int			 k_type;
	size_t			 k_off;
	const char		*k_default;	/* NULL: unset */
	uint64_t		 k_min;
	uint64_t		 k_max;
	const char *const	*k_enum;
};

static const char *const split_names[] = { "lines", "bytes", "range", NULL };
static const char *const order_names[] = { "keep", "any", NULL };
static const char *const reduce_names[] = { "none", "sum", "min", "max",
	"mean", NULL };
static const char *const poison_names[] = { "skip", "fail", NULL };
static const char *const sections[] = { "job", "workers", "failure", "state",
	NULL };

#define OFF(m)	offsetof(struct conf, m)
#define DMAX	UINT64_MAX

/* The order of this table is the order `chunkvisor check` prints. */
static const struct conf_key keys[CONF_NKEYS] = {
	{ "job", "name", T_STRING, OFF(name), NULL, 0, 0, NULL },
	{ "job", "input", T_STRING, OFF(input), "-", 0, 0, NULL },
	{ "job", "split", T_ENUM, OFF(split), "lines", 0, 0, split_names },
	{ "job", "chunk_size", T_SIZE, OFF(chunk_size), "4M", 1, DMAX, NULL },
	{ "job", "range", T_RANGE, OFF(range_start), NULL, 0, 0, NULL },
	{ "job", "output", T_STRING, OFF(output), "-", 0, 0, NULL },
	{ "job", "order", T_ENUM, OFF(order), "keep", 0, 0, order_names },
	{ "job", "reduce", T_ENUM, OFF(reduce), "none", 0, 0, reduce_names },
	{ "job", "format", T_FORMAT, OFF(format), NULL, 0, 0, NULL },
	{ "job", "seed", T_UINT, OFF(seed), "1", 0, DMAX, NULL },
	{ "workers", "count", T_COUNT, OFF(workers), "auto", 1, 4096, NULL },
	{ "workers", "command", T_COMMAND, OFF(command), NULL, 0, 0, NULL },
	{ "workers", "program", T_COMMAND, OFF(program), NULL, 0, 0, NULL },
	{ "workers", "prefetch", T_UINT, OFF(prefetch), "2", 1, 65536, NULL },
	{ "workers", "chunk_timeout", T_TIMEOUT, OFF(chunk_timeout_ms), "0",
	    0, DMAX, NULL },
	{ "workers", "stop_timeout", T_DURATION, OFF(stop_timeout_ms), "10s",
	    0, DMAX, NULL },
	{ "workers", "max_attempts", T_UINT, OFF(max_attempts), "3", 1, 1000,
	    NULL },
	{ "workers", "restart_backoff", T_DURATION, OFF(restart_backoff_ms),
	    "10ms", 0, DMAX, NULL },
	{ "workers", "restart_backoff_max", T_DURATION,
	    OFF(restart_backoff_max_ms), "5s", 0, DMAX, NULL },
	{ "workers", "max_restarts", T_UINT, OFF(max_restarts), "100", 0,
	    1000000, NULL },
	{ "workers", "restart_window", T_DURATION, OFF(restart_window_ms),
	    "60s", 1, DMAX, NULL },
	{ "workers", "memory_limit", T_SIZE, OFF(memory_limit), "0", 0, DMAX,
	    NULL },
	{ "workers", "timeout_signal", T_SIGNAL, OFF(timeout_signal), "none",
	    0, 0, NULL },
	{ "workers", "timeout_grace", T_DURATION, OFF(timeout_grace_ms), "1s",
	    0, DMAX, NULL },
	{ "failure", "bisect", T_BOOL, OFF(bisect), "yes", 0, 0, NULL },
	{ "failure", "bisect_min", T_SIZE, OFF(bisect_min), "1", 1, DMAX,
	    NULL },
	{ "failure", "on_poison", T_ENUM, OFF(on_poison), "skip", 0, 0,
	    poison_names },
	{ "failure", "quarantine", T_STRING, OFF(quarantine), NULL, 0, 0,
	    NULL },
	{ "state", "journal", T_STRING, OFF(journal), NULL, 0, 0, NULL },
	{ "state", "sync_interval", T_DURATION, OFF(sync_interval_ms), "1s",
	    0, DMAX, NULL },
	{ "state", "keep", T_BOOL, OFF(keep), "no", 0, 0, NULL },
	{ "state", "attempt_log", T_STRING, OFF(attempt_log), NULL, 0, 0,
	    NULL },
};

enum { K_NAME, K_INPUT, K_SPLIT, K_CHUNK_SIZE, K_RANGE, K_OUTPUT, K_ORDER,
	K_REDUCE, K_FORMAT, K_SEED, K_COUNT, K_COMMAND, K_PROGRAM, K_PREFETCH,
	K_CHUNK_TIMEOUT, K_STOP_TIMEOUT, K_MAX_ATTEMPTS, K_BACKOFF,
	K_BACKOFF_MAX, K_MAX_RESTARTS, K_RESTART_WINDOW, K_MEMORY_LIMIT,
	K_TIMEOUT_SIGNAL, K_TIMEOUT_GRACE,
	K_BISECT, K_BISECT_MIN, K_ON_POISON, K_QUARANTINE, K_JOURNAL,
	K_SYNC_INTERVAL, K_KEEP, K_ATTEMPT_LOG };

/* State of one job file being read: the line counter is what inih's
 * handler is not told. */
struct loader {
	struct conf	*l_conf;
	FILE		*l_fp;
	int		 l_line;
	int		 l_status;	/* first error's exit status, or 0 */
	int		 l_section;	/* index into sections[], or -1 */
	char		*l_buf;
	size_t		 l_bufsz;
};

static int	conf_error(const struct conf *, int, int, const char *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));
static int	conf_error_key(const struct conf *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	conf_find(const char *, const char *);
static int	conf_parse_value(struct conf *, const struct conf_key *,
		    const char *, const char **);
static int	conf_check_format(const char *, int *, const char **);
static char	*loader_read_cb(char *, int, void *);
static int	loader_section(struct loader *, char *);
static int	loader_key_cb(void *, const char *, const char *,
		    const char *);
static int	conf_finish_workers(struct conf *);
static void	conf_override_worker(struct conf *, int);
static int	conf_finish_job(struct conf *);

/* Prints "FILE:LINE: message" (or "chunkvisor: FLAG: message") and returns
 * the exit status for it: 78 for the file, 64 for the command line. */
static int
conf_error(const struct conf *conf, int origin, int line, const char *flag,
    const char *fmt, ...)
{
	va_list	ap;

	if (origin == ORIGIN_CMDLINE)
		fprintf(stderr, "chunkvisor: %s: ", flag);
	else if (line > 0)
		fprintf(stderr, "%s:%d: ", conf->path, line);
	else if (conf->path != NULL)
		fprintf(stderr, "%s: ", conf->path);
	else
		fprintf(stderr, "chunkvisor: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return origin == ORIGIN_CMDLINE ? EX_USAGE : EX_CONFIG;
}

/* An error about key k, at the place its value came from. */
static int
conf_error_key(const struct conf *conf, int k, const char *fmt, ...)
{
	const struct conf_val	*v = &conf->vals[k];
	char			 buf[1024];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return conf_error(conf, v->v_origin, v->v_line, v->v_flag, "%s", buf);
}

static int
conf_find(const char *section, const char *name)
{
	int	k;

	for (k = 0; k < CONF_NKEYS; k++)
		if (strcmp(keys[k].k_section, section) == 0 &&
		    strcmp(keys[k].k_name, name) == 0)
			return k;
	return -1;
}

const char *
conf_split_name(int split)
{
	return split_names[split];
}

/* The text of a key's value as given (or its default); "" when unset. */
const char *
conf_value(const struct conf *conf, const char *section, const char *name)
{
	int	k = conf_find(section, name);

	if (k == -1)
		fatalx("conf_value: no key %s.%s", section, name);
	return conf->vals[k].v_text != NULL ? conf->vals[k].v_text : "";
}

void
conf_init(struct conf *conf)
{
	int	k, rc;

	memset(conf, 0, sizeof *conf);
	conf->progress = -1;
	for (k = 0; k < CONF_NKEYS; k++) {
		if (keys[k].k_default == NULL)
			continue;
		rc = conf_set(conf, keys[k].k_section, keys[k].k_name,
		    keys[k].k_default, ORIGIN_DEFAULT, 0, NULL);
		if (rc != 0)
			fatalx("bad default for %s.%s", keys[k].k_section,
			    keys[k].k_name);
	}
}

void
conf_free(struct conf *conf)
{
	int	k;

	for (k = 0; k < CONF_NKEYS; k++) {
		free(conf->vals[k].v_text);
		free(conf->vals[k].v_flag);
		if (keys[k].k_type == T_STRING || keys[k].k_type == T_FORMAT ||
		    keys[k].k_type == T_COMMAND)
			free(*(char **)((char *)conf + keys[k].k_off));
	}
	if (conf->argv != NULL)
		parse_argv_free(conf->argv);
	if (conf->prog_argv != NULL)
		parse_argv_free(conf->prog_argv);
	free(conf->path);
	memset(conf, 0, sizeof *conf);
}

/*
 * A format for the reduced row: text with printf conversions %f %e %g %d
 * (flags, width and precision allowed), one per column, and %% for a
 * percent sign. Anything else is refused here, so that the master never
 * hands a user string to printf unchecked.
 */
static int
conf_check_format(const char *s, int *ncols, const char **errstr)
{
	int	n = 0;

	for (; *s != '\0'; s++) {
		if (*s != '%')
			continue;
		if (*++s == '%')
			continue;
		while (*s != '\0' && strchr("-+ 0#", *s) != NULL)
			s++;
		while (isdigit((unsigned char)*s))
			s++;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
		if (*s == '\0' || strchr("feEgGd", *s) == NULL) {
			*errstr = "a format takes only %f, %e, %g, %d (with "
			    "flags, width, precision) and %%";
			return -1;
		}
		n++;
	}
	if (n == 0) {
		*errstr = "the format has no conversion (%f, %e, %g or %d)";
		return -1;
	}
	*ncols = n;
	return 0;
}

static int
conf_parse_value(struct conf *conf, const struct conf_key *key,
    const char *value, const char **errstr)
{
	void		*p = (char *)conf + key->k_off;
	uint64_t	 u;
	int		 i;

	switch (key->k_type) {
	case T_STRING:
	case T_COMMAND:
	case T_FORMAT:
		if (key->k_type == T_FORMAT &&
		    conf_check_format(value, &conf->format_columns, errstr) == -1)
			return -1;
		if (key->k_type == T_COMMAND) {
			char	***dst = key->k_off == OFF(command) ?
			    &conf->argv : &conf->prog_argv;
			char	  **argv;
			int	    argc;

			if (parse_argv(value, &argv, &argc, errstr) == -1)
				return -1;
			if (*dst != NULL)
				parse_argv_free(*dst);
			*dst = argv;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		return 0;
	case T_SIZE:
	case T_DURATION:
	case T_UINT:
		if (key->k_type == T_SIZE ? parse_size(value, &u, errstr) :
		    key->k_type == T_DURATION ?
		    parse_duration(value, &u, errstr) :
		    parse_uint(value, key->k_min, key->k_max, &u, errstr))
			return -1;
		if (u < key->k_min || u > key->k_max) {
			*errstr = u < key->k_min ? "value too small" :
			    "value too large";
			return -1;
		}
		*(uint64_t *)p = u;
		return 0;
	case T_COUNT:
		if (strcmp(value, "auto") == 0) {
			*(uint64_t *)p = 0;
			return 0;
		}
		if (parse_uint(value, key->k_min, key->k_max, &u, errstr)) {
			*errstr = "expected auto or a number of workers from "
			    "1 to 4096";
			return -1;
		}
		*(uint64_t *)p = u;
		return 0;
	case T_ENUM:
		for (i = 0; key->k_enum[i] != NULL; i++) {
			if (strcmp(value, key->k_enum[i]) == 0) {
				*(int *)p = i;
				return 0;
			}
		}
		*errstr = key->k_enum == split_names ?
		    "expected lines, bytes or range" :
		    key->k_enum == order_names ? "expected keep or any" :
		    key->k_enum == poison_names ? "expected skip or fail" :
		    "expected none, sum, min, max or mean";
		return -1;
	case T_RANGE:
		return parse_range(value, &conf->range_start, &conf->range_end,
		    errstr);
	case T_BOOL:
		return parse_bool(value, (int *)p, errstr);
	case T_SIGNAL:
		/* none, or a signal by name (TERM, SIGTERM) or number. */
		if (strcmp(value, "none") == 0) {
			*(int *)p = 0;
			return 0;
		}
		if (parse_uint(value, 1, NSIG - 1, &u, errstr) == 0) {
			*(int *)p = (int)u;
			return 0;
		}
		for (i = 1; i < NSIG; i++)
			if (sigabbrev_np(i) != NULL && (strcmp(value,
			    sigabbrev_np(i)) == 0 || (strncmp(value, "SIG",
			    3) == 0 && strcmp(value + 3, sigabbrev_np(i)) ==
			    0))) {
				*(int *)p = i;
				return 0;
			}
		*errstr = "expected none or a signal such as TERM or SIGINT";
		return -1;
	case T_TIMEOUT:
		/* A duration, or auto (300%), or N% of the median chunk. */
		conf->chunk_timeout_pct = 0;
		if (strcmp(value, "auto") == 0) {
			conf->chunk_timeout_pct = 300;
			return 0;
		}
		if (*value != '\0' && value[strlen(value) - 1] == '%') {
			char	*num = xstrndup(value, strlen(value) - 1);
			int	 rc = parse_uint(num, 1, 100000, &u, errstr);

			free(num);
			if (rc == -1) {
				*errstr = "expected a duration, auto, or a "
				    "percentage such as 300%";
				return -1;
			}
			conf->chunk_timeout_pct = u;
			return 0;
		}
		if (parse_duration(value, &u, errstr) == -1) {
			*errstr = "expected a duration (such as 30s), auto, "
			    "or a percentage such as 300%";
			return -1;
		}
		*(uint64_t *)p = u;
		return 0;
	}
	fatalx("key type %d", key->k_type);
}

/*
 * Sets SECTION.KEY = VALUE from ORIGIN. A key given twice in the job file is
 * an error (one of the two would be silently ignored); the command line
 * overrides the file, and a later flag overrides an earlier one.
 */
int
conf_set(struct conf *conf, const char *section, const char *name,
    const char *value, int origin, int line, const char *flag)
{
	struct conf_val	*v;
	const char	*errstr;
	int		 k;

	if ((k = conf_find(section, name)) == -1) {
		int known = 0;

		for (k = 0; sections[k] != NULL; k++)
			known |= strcmp(sections[k], section) == 0;
		return known ?
		    conf_error(conf, origin, line, flag,
		    "unknown key '%s' in section [%s]", name, section) :
		    conf_error(conf, origin, line, flag,
		    "unknown section [%s]", section);
	}
	v = &conf->vals[k];
	if (origin == ORIGIN_FILE && v->v_origin == ORIGIN_FILE)
		return conf_error(conf, origin, line, flag,
		    "%s.%s is already set on line %d", section, name,
		    v->v_line);
	if (*value == '\0' && k != K_ATTEMPT_LOG)
		return conf_error(conf, origin, line, flag,
		    "%s.%s: no value given", section, name);
	if (conf_parse_value(conf, &keys[k], value, &errstr) == -1)
		return conf_error(conf, origin, line, flag,
		    "%s.%s: bad value '%s': %s", section, name, value, errstr);
	if (origin == ORIGIN_CMDLINE && (k == K_COMMAND || k == K_PROGRAM))
		conf_override_worker(conf, k == K_COMMAND ? K_PROGRAM : K_COMMAND);
	free(v->v_text);
	free(v->v_flag);
	v->v_text = xstrdup(value);
	v->v_origin = origin;
	v->v_line = line;
	v->v_flag = flag != NULL ? xstrdup(flag) : NULL;
	return 0;
}

/* "-- COMMAND ARG...": the words as given, no splitting; the text shown
 * by check quotes each word so that it splits back the same. */
void
conf_set_argv(struct conf *conf, char **words)
{
	struct conf_val	*v = &conf->vals[K_COMMAND];
	char		*text = xstrdup(""), *q, *t;
	const char	*p;
	size_t		 n, i;

	for (n = 0; words[n] != NULL; n++)
		;
	if (conf->argv != NULL)
		parse_argv_free(conf->argv);
	conf->argv = xcalloc(n + 1, sizeof *conf->argv);
	for (i = 0; i < n; i++) {
		conf->argv[i] = xstrdup(words[i]);
		q = xmalloc(strlen(words[i]) * 4 + 3);
		t = q;
		*t++ = '\'';
		for (p = words[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				memcpy(t, "'\\''", 4);
				t += 4;
			} else
				*t++ = *p;
		}
		*t++ = '\'';
		*t = '\0';
		t = xasprintf("%s%s%s", text, i ? " " : "", q);
		free(text);
		free(q);
		text = t;
	}
	free(conf->command);
	conf->command = xstrdup(text);
	free(v->v_text);
	free(v->v_flag);
	v->v_text = text;
	v->v_origin = ORIGIN_CMDLINE;
	v->v_line = 0;
	v->v_flag = xstrdup("--");
	conf_override_worker(conf, K_PROGRAM);
}

/* A worker given on the command line replaces the job file's, whichever
 * kind it was: drop the other key K if it came from the file. */
static void
conf_override_worker(struct conf *conf, int k)
{
	struct conf_val	*v = &conf->vals[k];

	if (v->v_origin != ORIGIN_FILE)
		return;
	free(v->v_text);
	v->v_text = NULL;
	v->v_origin = ORIGIN_DEFAULT;
	if (k == K_PROGRAM) {
		free(conf->program);
		conf->program = NULL;
		parse_argv_free(conf->prog_argv);
		conf->prog_argv = NULL;
	} else {
		free(conf->command);
		conf->command = NULL;
		parse_argv_free(conf->argv);
		conf->argv = NULL;
	}
}

/* --set SECTION.KEY=VALUE */
int
conf_set_flag(struct conf *conf, const char *flag, const char *arg)
{
	const char	*dot, *eq;
	char		*section, *name;
	int		 rc;

	dot = strchr(arg, '.');
	eq = strchr(arg, '=');
	if (dot == NULL || eq == NULL || dot > eq)
		return conf_error(conf, ORIGIN_CMDLINE, 0, flag,
		    "'%s': expected SECTION.KEY=VALUE", arg);
	section = xstrndup(arg, (size_t)(dot - arg));
	name = xstrndup(dot + 1, (size_t)(eq - dot - 1));
	rc = conf_set(conf, section, name, eq + 1, ORIGIN_CMDLINE, 0, flag);
	free(section);
	free(name);
	return rc;
}

/*
 * inih reads through this. It is the place that knows line numbers, so it
 * also does what inih would get wrong silently (see STYLE.md): a line
 * longer than inih's buffer is an error rather than two lines; leading
 * blanks are removed, so an indented line is never taken as the
 * continuation of the previous value; section headers are checked here,
 * because inih does not tell the handler about a section with no keys.
 */
static char *
loader_read_cb(char *str, int num, void *arg)
{
	struct loader	*ld = arg;
	ssize_t		 n;
	char		*s;
	size_t		 len;

	if (ld->l_status != 0)
		return NULL;
	if ((n = getline(&ld->l_buf, &ld->l_bufsz, ld->l_fp)) == -1) {
		if (ferror(ld->l_fp))
			ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE,
			    ld->l_line, NULL, "read error: %s",
			    strerror(errno));
		return NULL;
	}
	ld->l_line++;
	ld->l_conf->last_line = ld->l_line;
	len = (size_t)n;
	if (strlen(ld->l_buf) != len) {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "the line holds a NUL byte");
		return NULL;
	}
	while (len > 0 && (ld->l_buf[len - 1] == '\n' ||
	    ld->l_buf[len - 1] == '\r'))
		ld->l_buf[--len] = '\0';
	s = ld->l_buf;
	if (ld->l_line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;	/* a UTF-8 byte-order mark */
		len -= 3;
	}
	for (; *s == ' ' || *s == '\t'; s++)
		len--;
	if (len + 3 > (size_t)num) {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "line too long (%zu bytes; at most %d)", len,
		    num - 3);
		return NULL;
	}
	if (*s == '[' && loader_section(ld, s) == -1)
		return NULL;
	/* inih would go on past a line it cannot parse and report it only at
	 * the end, after the handler has reported later lines. */
	if (*s != '\0' && *s != '[' && *s != ';' && *s != '#' &&
	    strpbrk(s, "=:") == NULL) {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "expected 'key = value', '[section]' or a comment");
		return NULL;
	}
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* "[name]" followed by nothing but blanks or a comment. */
static int
loader_section(struct loader *ld, char *s)
{
	char	*end, *name;
	int	 i;

	if ((end = strchr(s, ']')) == NULL) {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "section header without ']'");
		return -1;
	}
	name = xstrndup(s + 1, (size_t)(end - s - 1));
	for (i = 0; sections[i] != NULL; i++)
		if (strcmp(name, sections[i]) == 0)
			break;
	if (sections[i] == NULL) {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "unknown section [%s] (known: [job], [workers], "
		    "[failure], [state])",
		    name);
	} else if (ld->l_conf->section_line[i] != 0) {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "section [%s] already began on line %d", name,
		    ld->l_conf->section_line[i]);
	} else {
		for (end++; *end == ' ' || *end == '\t'; end++)
			;
		if (*end != '\0' && *end != ';' && *end != '#')
			ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE,
			    ld->l_line, NULL, "text after section header");
		else
			ld->l_conf->section_line[i] = ld->l_line;
	}
	free(name);
	return ld->l_status != 0 ? -1 : 0;
}

static int
loader_key_cb(void *arg, const char *section, const char *name,
    const char *value)
{
	struct loader	*ld = arg;

	if (ld->l_status != 0)
		return 0;
	if (*section == '\0') {
		ld->l_status = conf_error(ld->l_conf, ORIGIN_FILE, ld->l_line,
		    NULL, "'%s' is outside any section; put it under [job], "
		    "[workers], [failure] or [state]", name);
		return 0;
	}
	ld->l_status = conf_set(ld->l_conf, section, name, value, ORIGIN_FILE,
	    ld->l_line, NULL);
	return ld->l_status == 0;
}

/* Loads a job file. Returns 0 or the exit status (66 unreadable, 78 bad). */
int
conf_load(struct conf *conf, const char *path)
{
	struct stat	 st;
	FILE		*fp;
	int		 rc;

	conf->path = xstrdup(path);
	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("cannot open job file %s", path);
		return errno == ENOENT || errno == EACCES ? EX_NOINPUT :
		    EX_CONFIG;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		log_warnx("job file %s is a directory", path);
		fclose(fp);
		return EX_NOINPUT;
	}
	rc = conf_load_stream(conf, fp);
	fclose(fp);
	return rc;
}

/* Reads a job file from FP (conf->path names it in messages). Returns 0 or
 * the exit status. */
int
conf_load_stream(struct conf *conf, FILE *fp)
{
	struct loader	ld;
	int		rc;

	memset(&ld, 0, sizeof ld);
	ld.l_conf = conf;
	ld.l_fp = fp;
	rc = ini_parse_stream(loader_read_cb, &ld, loader_key_cb, &ld);
	free(ld.l_buf);
	if (ld.l_status != 0)
		return ld.l_status;
	if (rc != 0)
		return conf_error(conf, ORIGIN_FILE, rc, NULL,
		    "expected 'key = value', '[section]' or a comment");
	return 0;
}

static int
conf_finish_workers(struct conf *conf)
{
	struct conf_val	*cmd = &conf->vals[K_COMMAND];
	struct conf_val	*prog = &conf->vals[K_PROGRAM];
	long		 n;

	if (cmd->v_text != NULL && prog->v_text != NULL)
		return conf_error_key(conf, K_COMMAND, "workers.command and "
		    "workers.program are both set; use one");
	if (cmd->v_text == NULL && prog->v_text == NULL && conf->path == NULL)
		return conf_error(conf, ORIGIN_CMDLINE, 0, "run",
		    "no workers: give a command after -- (or a job file, or "
		    "--set workers.program=PROGRAM)");
	if (cmd->v_text == NULL && prog->v_text == NULL)
		return conf_error(conf, ORIGIN_FILE,
		    conf->section_line[1] ? conf->section_line[1] :
		    conf->last_line, NULL,
		    "no workers: set workers.command or workers.program "
		    "(or give a command after --)");
	if (conf->restart_backoff_ms > conf->restart_backoff_max_ms)
		return conf_error_key(conf,
		    conf->vals[K_BACKOFF].v_origin == ORIGIN_DEFAULT ?
		    K_BACKOFF_MAX : K_BACKOFF,
		    "workers.restart_backoff (%s) exceeds "
		    "workers.restart_backoff_max (%s)",
		    conf->vals[K_BACKOFF].v_text,
		    conf->vals[K_BACKOFF_MAX].v_text);
	if (conf->workers == 0) {
		if ((n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
			n = 1;
		conf->workers = (uint64_t)n;
	}
	return 0;
}

static int
conf_finish_job(struct conf *conf)
{
	const char	*base, *dot;
	struct stat	 st;

	if (conf->split == SPLIT_RANGE) {
		if (conf->vals[K_RANGE].v_text == NULL)
			return conf_error_key(conf, K_SPLIT,
			    "split = range needs job.range (A..B)");
		if (strcmp(conf->input, "-") != 0)
			return conf_error_key(conf, K_INPUT,
			    "job.input is not used with split = range");
	} else if (conf->vals[K_RANGE].v_text != NULL)
		return conf_error_key(conf, K_RANGE,
		    "job.range needs split = range (split is %s)",
		    split_names[conf->split]);
	if (conf->format != NULL && conf->reduce == REDUCE_NONE)
		return conf_error_key(conf, K_FORMAT,
		    "job.format formats the reduced row: it needs job.reduce");
	if (conf->name == NULL) {
		if (conf->path != NULL) {
			base = strrchr(conf->path, '/');
			base = base != NULL ? base + 1 : conf->path;
		} else {
			base = conf->argv != NULL ? conf->argv[0] :
			    conf->prog_argv[0];
			if (strrchr(base, '/') != NULL)
				base = strrchr(base, '/') + 1;
		}
		dot = strrchr(base, '.');
		conf->name = dot != NULL && dot != base &&
		    strcmp(dot, ".ini") == 0 ?
		    xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
	}
	/* Quarantined records go beside the output, or to NAME.quarantine
	 * when the output is standard output or a device (/dev/null). */
	if (conf->quarantine == NULL)
		conf->quarantine = strcmp(conf->output, "-") != 0 &&
		    (stat(conf->output, &st) == -1 || S_ISREG(st.st_mode)) ?
		    xasprintf("%s.quarantine", conf->output) :
		    xasprintf("%s.quarantine", conf->name);
	/* The journal goes beside a file output; a stream (standard output,
	 * a device) has one only where [state] journal names it. */
	if (conf->journal != NULL && strcmp(conf->journal, "none") == 0) {
		free(conf->journal);
		conf->journal = NULL;
	} else if (conf->journal == NULL && conf->vals[K_JOURNAL].v_text ==
	    NULL && strcmp(conf->output, "-") != 0 &&
	    (stat(conf->output, &st) == -1 || S_ISREG(st.st_mode)))
		conf->journal = xasprintf("%s.journal", conf->output);
	return 0;
}

/* Cross-key checks and derived values, after all sources are in. Returns 0
 * or the exit status, with the message printed at the offending key. */
int
conf_finish(struct conf *conf)
{
	int	rc;

	if ((rc = conf_finish_workers(conf)) != 0)
		return rc;
	return conf_finish_job(conf);
}

/* The keys a running job takes from its job file again on SIGHUP. */
static const int live_keys[] = { K_COUNT, K_CHUNK_TIMEOUT, K_STOP_TIMEOUT,
	K_MAX_ATTEMPTS, K_BACKOFF, K_BACKOFF_MAX, K_MAX_RESTARTS,
	K_RESTART_WINDOW, K_MEMORY_LIMIT, K_TIMEOUT_SIGNAL, K_TIMEOUT_GRACE,
	K_ON_POISON, K_SYNC_INTERVAL, K_KEEP };

static int
conf_is_live(int k)
{
	size_t	i;

	for (i = 0; i < sizeof live_keys / sizeof live_keys[0]; i++)
		if (live_keys[i] == k)
			return 1;
	return 0;
}

static void
conf_swap(void *a, void *b, size_t len)
{
	unsigned char	t[sizeof(struct conf_val)];

	memcpy(t, a, len);
	memcpy(a, b, len);
	memcpy(b, t, len);
}

/*
 * SIGHUP: RUN is the running job's configuration, NEW the job file (and the
 * same command line) read again. The keys that can change while the job
 * runs take their new values (logged, each); a change to any other key is
 * reported and ignored (counted in *IGNORED). Returns how many keys took
 * their new values.
 */
int
conf_apply_live(struct conf *run, struct conf *new, int *ignored)
{
	const char	*a, *b;
	size_t		 len;
	int		 k, n = 0;

	for (k = 0; k < CONF_NKEYS; k++) {
		a = run->vals[k].v_text != NULL ? run->vals[k].v_text : "";
		b = new->vals[k].v_text != NULL ? new->vals[k].v_text : "";
		if (strcmp(a, b) == 0 && (k != K_COUNT ||
		    run->workers == new->workers))
			continue;
		if (!conf_is_live(k)) {
			log_warnx("reload: %s.%s changed ('%s' to '%s'), but "
			    "it cannot change while the job runs: ignored",
			    keys[k].k_section, keys[k].k_name, a, b);
			(*ignored)++;
			continue;
		}
		log_warnx("reload: %s.%s: '%s' to '%s'", keys[k].k_section,
		    keys[k].k_name, a, b);
		len = keys[k].k_type == T_SIGNAL || keys[k].k_type == T_BOOL ||
		    keys[k].k_type == T_ENUM ? sizeof(int) : sizeof(uint64_t);
		conf_swap((char *)run + keys[k].k_off,
		    (char *)new + keys[k].k_off, len);
		if (k == K_CHUNK_TIMEOUT)
			conf_swap(&run->chunk_timeout_pct,
			    &new->chunk_timeout_pct, sizeof(uint64_t));
		conf_swap(&run->vals[k], &new->vals[k], sizeof run->vals[k]);
		n++;
	}
	return n;
}

/* The effective configuration as a job file, each key with its origin; an
 * unset key is shown commented out, so the listing reads back as a job. */
void
conf_print(const struct conf *conf, FILE *fp)
{
	const struct conf_val	*v;
	const char		*section = "", *text;
	char			 where[64], count[32];
	int			 k;

	fprintf(fp, "; effective configuration%s%s\n",
	    conf->path ? " of " : "", conf->path ? conf->path : "");
	for (k = 0; k < CONF_NKEYS; k++) {
		v = &conf->vals[k];
		if (strcmp(section, keys[k].k_section) != 0) {
			section = keys[k].k_section;
			fprintf(fp, "%s[%s]\n", k ? "\n" : "", section);
		}
		text = v->v_text;
		if (v->v_origin == ORIGIN_FILE)
			snprintf(where, sizeof where, "file, line %d",
			    v->v_line);
		else
			snprintf(where, sizeof where, "%s",
			    v->v_origin == ORIGIN_CMDLINE ? "command line" :
			    "default");
		if (k == K_NAME && text == NULL)
			text = conf->name;	/* derived: see conf_finish_job */
		if (k == K_QUARANTINE && text == NULL)
			text = conf->quarantine;
		if (k == K_JOURNAL && text == NULL)
			text = conf->journal != NULL ? conf->journal : "none";
		if (k == K_COUNT && strcmp(text, "auto") == 0) {
			snprintf(count, sizeof count, "%llu",
			    (unsigned long long)conf->workers);
			text = count;
			strncat(where, " (auto)", sizeof where - strlen(where) - 1);
		}
		if (text == NULL)
			fprintf(fp, ";%-19s=%-25s ; not set\n", keys[k].k_name,
			    "");
		else
			fprintf(fp, "%-20s= %-24s ; %s\n", keys[k].k_name, text,
			    where);
	}
}
