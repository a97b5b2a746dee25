/* parse.c: strict parsers for configuration values. Strict means: no
 * leading sign unless the syntax has one, no trailing junk, no overflow,
 * no empty value; every rejection says what was expected. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "xmalloc.h"

static int	parse_number(const char **, uint64_t *);
static int	mul_overflows(uint64_t, uint64_t, uint64_t *);

/* Reads a run of decimal digits at *sp into *v; 0 if none or overflow. */
static int
parse_number(const char **sp, uint64_t *v)
{
	const char	*s = *sp;
	uint64_t	 n = 0;

	if (!isdigit((unsigned char)*s))
		return 0;
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return 0;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*sp = s;
	*v = n;
	return 1;
}

static int
mul_overflows(uint64_t a, uint64_t b, uint64_t *r)
{
	if (b != 0 && a > UINT64_MAX / b)
		return 1;
	*r = a * b;
	return 0;
}

/* A byte count with an optional binary suffix: 512, 64K, 4M, 1G (also
 * KB, KiB, ... and lower case). */
int
parse_size(const char *s, uint64_t *out, const char **errstr)
{
	uint64_t	 n, mul = 1;

	if (!parse_number(&s, &n)) {
		*errstr = "expected a size such as 512, 64K, 4M or 1G";
		return -1;
	}
	switch (toupper((unsigned char)*s)) {
	case 'K': mul = 1ULL << 10; s++; break;
	case 'M': mul = 1ULL << 20; s++; break;
	case 'G': mul = 1ULL << 30; s++; break;
	case 'T': mul = 1ULL << 40; s++; break;
	}
	if (mul != 1 && (strcasecmp(s, "iB") == 0 || strcasecmp(s, "B") == 0))
		s += strlen(s);
	else if (mul == 1 && strcasecmp(s, "B") == 0)
		s++;
	if (*s != '\0') {
		*errstr = "expected a size such as 512, 64K, 4M or 1G";
		return -1;
	}
	if (mul_overflows(n, mul, out)) {
		*errstr = "size too large";
		return -1;
	}
	return 0;
}

/* A duration in milliseconds: 500ms, 30s, 5m, 2h; a bare number is
 * seconds; 0 stands alone. */
int
parse_duration(const char *s, uint64_t *ms, const char **errstr)
{
	static const struct {
		const char	*suffix;
		uint64_t	 ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 },
		{ "min", 60000 }, { "h", 3600000 },
	};
	uint64_t	 n;
	size_t		 i;

	if (!parse_number(&s, &n)) {
		*errstr = "expected a duration such as 500ms, 30s, 5m or 1h";
		return -1;
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(s, units[i].suffix) != 0)
			continue;
		if (mul_overflows(n, units[i].ms, ms)) {
			*errstr = "duration too long";
			return -1;
		}
		return 0;
	}
	*errstr = "expected a duration such as 500ms, 30s, 5m or 1h";
	return -1;
}

/* A plain decimal integer within [min, max]. */
int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    const char **errstr)
{
	uint64_t	 n;

	if (!parse_number(&s, &n) || *s != '\0') {
		*errstr = "expected a whole number";
		return -1;
	}
	if (n < min) {
		*errstr = "number too small";
		return -1;
	}
	if (n > max) {
		*errstr = "number too large";
		return -1;
	}
	*out = n;
	return 0;
}

/* A..B with A <= B, both signed 64-bit integers; B is exclusive. */
int
parse_range(const char *s, int64_t *a, int64_t *b, const char **errstr)
{
	const char	*dots;
	char		*end;
	long long	 v[2];
	int		 i;

	*errstr = "expected a range A..B of integers, such as 0..1000000";
	if ((dots = strstr(s, "..")) == NULL)
		return -1;
	for (i = 0; i < 2; i++) {
		const char *p = i == 0 ? s : dots + 2;

		if (!isdigit((unsigned char)*p) && *p != '-')
			return -1;
		errno = 0;
		v[i] = strtoll(p, &end, 10);
		if (errno == ERANGE) {
			*errstr = "range bound out of 64-bit range";
			return -1;
		}
		if (end == p || (i == 0 ? end != dots : *end != '\0'))
			return -1;
	}
	if (v[0] > v[1]) {
		*errstr = "range start is greater than its end";
		return -1;
	}
	*a = v[0];
	*b = v[1];
	return 0;
}

int
parse_bool(const char *s, int *out, const char **errstr)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	*errstr = "expected yes or no";
	return -1;
}

/*
 * Splits a command line into words the way a POSIX shell would for a simple
 * command, without running one: blanks separate words; 'single quotes'
 * keep everything literally; "double quotes" keep everything but a
 * backslash before ", \, $ or `; outside quotes a backslash escapes the next
 * character. Shell syntax that would need a shell ($, `, |, ;, &, <, >,
 * globbing) is not interpreted: those characters are ordinary.
 */
int
parse_argv(const char *s, char ***argvp, int *argcp, const char **errstr)
{
	char	**argv = NULL, *word;
	size_t	  wlen;
	int	  argc = 0, inword;

	word = xmalloc(strlen(s) + 1);
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		wlen = 0;
		inword = 1;
		while (inword && *s != '\0') {
			switch (*s) {
			case ' ':
			case '\t':
				inword = 0;
				break;
			case '\'':
				for (s++; *s != '\'' && *s != '\0'; s++)
					word[wlen++] = *s;
				if (*s == '\0')
					goto unterminated;
				s++;
				break;
			case '"':
				for (s++; *s != '"' && *s != '\0'; s++) {
					if (*s == '\\' && s[1] != '\0' &&
					    strchr("\"\\$`", s[1]) != NULL)
						s++;
					word[wlen++] = *s;
				}
				if (*s == '\0')
					goto unterminated;
				s++;
				break;
			case '\\':
				if (s[1] == '\0') {
					*errstr = "a backslash ends the command";
					goto fail;
				}
				word[wlen++] = s[1];
				s += 2;
				break;
			default:
				word[wlen++] = *s++;
			}
		}
		argv = xreallocarray(argv, (size_t)argc + 2, sizeof *argv);
		argv[argc++] = xstrndup(word, wlen);
		argv[argc] = NULL;
	}
	free(word);
	if (argc == 0) {
		*errstr = "the command is empty";
		return -1;
	}
	*argvp = argv;
	*argcp = argc;
	return 0;
unterminated:
	*errstr = "a quote is not closed";
fail:
	free(word);
	if (argv != NULL)
		parse_argv_free(argv);
	return -1;
}

void
parse_argv_free(char **argv)
{
	char	**p;

	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}
