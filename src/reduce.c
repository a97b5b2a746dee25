/*
 * reduce.c: column-wise reduction of chunk results. A result is rows of
 * numbers separated by blanks, one row a line; every row of every chunk must
 * have the same number of columns. A column stays an exact 64-bit integer
 * while all its values are integers and the arithmetic does not overflow,
 * and becomes a double otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "reduce.h"
#include "xmalloc.h"

struct num {
	int		 n_int;
	long long	 n_i;
	double		 n_d;
};

static int	reduce_token(const char *, size_t, struct num *);
static int	reduce_rows(struct reduce *, const char *, size_t, int,
		    size_t *, char *, size_t);
static void	reduce_apply(struct reduce *, size_t, const struct num *);
static double	col_double(const struct reduce_col *);

void
reduce_init(struct reduce *r, int kind)
{
	memset(r, 0, sizeof *r);
	r->r_kind = kind;
}

void
reduce_free(struct reduce *r)
{
	free(r->r_cols);
	memset(r, 0, sizeof *r);
}

/* One token: an integer if it reads as one in 64 bits, else a finite
 * double. Returns 0 if it is not a number. */
static int
reduce_token(const char *s, size_t len, struct num *n)
{
	char	 buf[128], *end;

	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	n->n_i = strtoll(buf, &end, 10);
	if (*end == '\0' && errno == 0) {
		n->n_int = 1;
		n->n_d = (double)n->n_i;
		return 1;
	}
	errno = 0;
	n->n_d = strtod(buf, &end);
	n->n_int = 0;
	return *end == '\0' && end != buf && isfinite(n->n_d);
}

static double
col_double(const struct reduce_col *c)
{
	return c->rc_int ? (double)c->rc_i : c->rc_d;
}

static void
reduce_apply(struct reduce *r, size_t col, const struct num *n)
{
	struct reduce_col	*c = &r->r_cols[col];
	long long		 sum;
	long double		 old, new;

	if (r->r_rows == 0) {
		c->rc_int = n->n_int;
		c->rc_i = n->n_i;
		c->rc_d = n->n_d;
		return;
	}
	if (r->r_kind == REDUCE_SUM || r->r_kind == REDUCE_MEAN) {
		if (c->rc_int && n->n_int &&
		    !__builtin_add_overflow(c->rc_i, n->n_i, &sum)) {
			c->rc_i = sum;
			return;
		}
		c->rc_d = col_double(c) + n->n_d;
		c->rc_int = 0;
		return;
	}
	/* long double holds every int64 exactly, so an integer and a double
	 * compare without rounding, and the winner keeps its own type: the
	 * result does not depend on the order of the rows. */
	old = c->rc_int ? (long double)c->rc_i : (long double)c->rc_d;
	new = n->n_int ? (long double)n->n_i : (long double)n->n_d;
	if (r->r_kind == REDUCE_MIN ? new < old : new > old)
		*c = (struct reduce_col){ n->n_int, n->n_i, n->n_d };
}

/*
 * Walks the rows of BUF. When !APPLY it checks them: every token a number,
 * every row *NCOLS columns (set from the first row if 0). When APPLY it adds
 * them; they were checked. A blank line is no row.
 */
static int
reduce_rows(struct reduce *r, const char *buf, size_t len, int apply,
    size_t *ncols, char *err, size_t errsz)
{
	const char	*p = buf, *end = buf + len, *eol, *t;
	size_t		 line = 0, col;
	struct num	 n;

	for (; p < end; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		for (col = 0, t = p; ; col++) {
			while (t < eol && isspace((unsigned char)*t))
				t++;
			if (t == eol)
				break;
			for (p = t; t < eol && !isspace((unsigned char)*t); t++)
				;
			if (!reduce_token(p, (size_t)(t - p), &n)) {
				snprintf(err, errsz, "line %zu, column %zu: "
				    "'%.*s' is not a number", line, col + 1,
				    (int)((t - p) > 40 ? 40 : (t - p)), p);
				return -1;
			}
			if (apply)
				reduce_apply(r, col, &n);
		}
		if (col == 0)
			continue;
		if (*ncols == 0)
			*ncols = col;
		if (col != *ncols) {
			snprintf(err, errsz, "line %zu has %zu columns; "
			    "expected %zu", line, col, *ncols);
			return -1;
		}
		if (apply)
			r->r_rows++;
	}
	return 0;
}

/* Adds one chunk's result. All or nothing: a result with one bad row adds
 * nothing, and ERR says what is wrong. */
int
reduce_add(struct reduce *r, const char *buf, size_t len, char *err,
    size_t errsz)
{
	size_t	ncols = r->r_ncols;

	if (reduce_rows(r, buf, len, 0, &ncols, err, errsz) == -1)
		return -1;
	if (r->r_ncols == 0 && ncols != 0) {
		r->r_ncols = ncols;
		r->r_cols = xcalloc(ncols, sizeof *r->r_cols);
	}
	return reduce_rows(r, buf, len, 1, &ncols, err, errsz);
}

/*
 * The reduced row as a line. Without FORMAT: the columns separated by
 * spaces, integers exactly, doubles to 17 significant digits. With FORMAT
 * (checked by conf.c): its text with each conversion filled from the next
 * column. For mean, each column but the last is divided by the sum of the
 * last. NULL with ERR set if the row cannot be made.
 */
char *
reduce_result(const struct reduce *r, const char *format, char *err,
    size_t errsz)
{
	struct reduce_col	 cols[64], *c;
	size_t			 ncols = r->r_ncols, i = 0, len;
	char			*out, *spec;
	const char		*f, *s;
	double			 weight;
	FILE			*fp;

	if (r->r_rows == 0) {
		snprintf(err, errsz, "no chunk produced a row to reduce");
		return NULL;
	}
	c = r->r_cols;
	if (r->r_kind == REDUCE_MEAN) {
		if (ncols < 2 || ncols - 1 > sizeof cols / sizeof cols[0]) {
			snprintf(err, errsz, "reduce = mean needs rows of "
			    "2 to 65 columns (sums, then a count); got %zu",
			    ncols);
			return NULL;
		}
		weight = col_double(&c[ncols - 1]);
		if (weight == 0) {
			snprintf(err, errsz, "reduce = mean: the counts "
			    "(last column) add up to 0");
			return NULL;
		}
		for (i = 0; i < ncols - 1; i++)
			cols[i] = (struct reduce_col){ 0, 0,
			    col_double(&c[i]) / weight };
		c = cols;
		ncols--;
	}
	if ((fp = open_memstream(&out, &len)) == NULL)
		fatal("open_memstream");
	for (f = format, i = 0; f != NULL && *f != '\0'; f++) {
		if (*f != '%' || f[1] == '%') {
			fputc(*f, fp);
			f += *f == '%';
			continue;
		}
		for (s = f + 1; strchr("feEgGd", *s) == NULL; s++)
			;
		if (i == ncols)
			break;
		/* The conversion with its flags, width and precision, then
		 * the length modifier and letter for the column's value. */
		spec = xasprintf("%.*s%s", (int)(s - f), f,
		    *s == 'd' ? "lld" : (char[2]){ *s, '\0' });
		if (*s == 'd')
			fprintf(fp, spec, c[i].rc_int ? c[i].rc_i :
			    llround(c[i].rc_d));
		else
			fprintf(fp, spec, col_double(&c[i]));
		free(spec);
		i++;
		f = s;
	}
	for (; format == NULL && i < ncols; i++)
		if (c[i].rc_int)
			fprintf(fp, "%s%lld", i ? " " : "", c[i].rc_i);
		else
			fprintf(fp, "%s%.17g", i ? " " : "", c[i].rc_d);
	fputc('\n', fp);
	if (fclose(fp) != 0)
		fatal("open_memstream");
	if (format != NULL && (i != ncols || (f != NULL && *f != '\0'))) {
		snprintf(err, errsz, "job.format has %s conversions than the "
		    "reduced row has columns (%zu)", i < ncols ? "fewer" :
		    "more", ncols);
		free(out);
		return NULL;
	}
	return out;
}
