/* wc.c: counts lines, words and bytes of each chunk, as wc(1) does, one
 * row "LINES WORDS BYTES" per chunk: reduce = sum gives the input's. A word
 * is a run of bytes that are not blanks (space, \t, \n, \v, \f, \r). With
 * split = bytes a word cut by a chunk boundary counts twice. */
#include <stdint.h>

#include "chunkvisor.h"

static int
wc_map(const struct cv_chunk *c, struct cv_out *out, void *arg)
{
	uint64_t	 lines = 0, words = 0;
	size_t		 i;
	int		 inword = 0, blank;

	(void)arg;
	for (i = 0; i < c->len; i++) {
		unsigned char ch = (unsigned char)c->data[i];

		lines += ch == '\n';
		blank = ch == ' ' || (ch >= '\t' && ch <= '\r');
		words += !blank && !inword;
		inword = !blank;
	}
	return cv_printf(out, "%llu %llu %llu\n", (unsigned long long)lines,
	    (unsigned long long)words, (unsigned long long)c->len) < 0;
}

int
main(void)
{
	return cv_worker_main(wc_map, NULL);
}
