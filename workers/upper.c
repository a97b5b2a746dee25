/* upper.c: upper-cases ASCII letters in place of `tr a-z A-Z`, without a
 * process per chunk: the chunk is read in place and written straight into
 * the result arena. */
#include <string.h>

#include "chunkvisor.h"

static int
upper_map(const struct cv_chunk *c, struct cv_out *out, void *arg)
{
	char	*p;
	size_t	 i;

	(void)arg;
	if ((p = cv_reserve(out, c->len)) == NULL)
		return 1;
	for (i = 0; i < c->len; i++) {
		unsigned char ch = (unsigned char)c->data[i];

		p[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
	}
	cv_commit(out, c->len);
	return 0;
}

int
main(void)
{
	return cv_worker_main(upper_map, NULL);
}
