/* progress.c: draws one progress line on stderr, in place:
 *	[########............]  40%  812/2000 chunks  51.2 MB/s  ETA 0:14
 *	    2 restarts  0 quarantined
 * (on one line). The caller redraws it at most ten times a second; any
 * other line written to stderr erases it first (log_line_start). */
#include <stdio.h>

#include "log.h"
#include "progress.h"

#define BAR	20

void
progress_draw(const struct progress *p)
{
	char	bar[BAR + 1];
	double	f = p->p_fraction, rate, eta;
	int	i, n;

	n = f < 0 ? 0 : (int)(f * BAR + 0.5);
	for (i = 0; i < BAR; i++)
		bar[i] = i < n ? '#' : '.';
	bar[BAR] = '\0';
	log_line_start();
	if (f >= 0)
		fprintf(stderr, "\r[%s] %3.0f%% ", bar, f * 100);
	else
		fprintf(stderr, "\r[%s] ", bar);
	if (p->p_total != 0)
		fprintf(stderr, " %llu/%llu chunks",
		    (unsigned long long)p->p_chunks,
		    (unsigned long long)p->p_total);
	else
		fprintf(stderr, " %llu chunks", (unsigned long long)p->p_chunks);
	rate = p->p_seconds > 0 ? (p->p_bytes > 0 ?
	    (double)(p->p_bytes - p->p_base_bytes) / 1e6 :
	    (double)(p->p_chunks - p->p_base_chunks)) / p->p_seconds : 0;
	fprintf(stderr, "  %.1f %s/s", rate, p->p_bytes > 0 ? "MB" : "chunks");
	if (f > p->p_base_fraction && f < 1) {
		eta = p->p_seconds * (1 - f) / (f - p->p_base_fraction);
		fprintf(stderr, "  ETA %d:%02d", (int)(eta / 60),
		    (int)eta % 60);
	}
	fprintf(stderr, "  %llu restarts  %llu quarantined\033[K",
	    (unsigned long long)p->p_restarts,
	    (unsigned long long)p->p_quarantined);
	fflush(stderr);
	log_bar_drawn();
}
