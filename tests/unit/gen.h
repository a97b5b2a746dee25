/*
 * gen.h: fixed-seed pseudo-random inputs for the unit tests, so that every
 * run tests the same inputs: rng(), and gen_lines() for lines inputs. A
 * test may set rng_state first for a sequence of its own. Include after
 * <cmocka.h>.
 */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>
#include <stdint.h>

static uint32_t	rng_state = 12345;

static inline uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 16) & 0x7fff;
}

/*
 * Random lines into DATA (at most CAP bytes), about NLINES of them: mostly
 * 0 to 30 bytes of text with tabs, '\r' and NUL, some empty, some a few
 * hundred or thousand bytes, now and then one of many thousands; '\r\n'
 * line ends if CRLF; no newline after the last if !FINAL_NL.
 */
static inline size_t
gen_lines(char *data, size_t cap, size_t nlines, int crlf, int final_nl)
{
	static const char	 alphabet[] = "abcxyz \t\r\0";
	size_t			 size = 0, len, k, n;
	uint32_t		 r;

	for (n = 0; n < nlines; n++) {
		r = rng() % 100;
		if (r < 10)
			len = 0;
		else if (r < 14)
			len = 200 + rng() % 3000;
		else if (r == 14)
			len = 8000 + rng() % 8000;
		else
			len = 1 + rng() % 30;
		if (size + len + 2 > cap)
			break;
		for (k = 0; k < len; k++)
			data[size++] = alphabet[rng() % (sizeof alphabet - 1)];
		if (crlf)
			data[size++] = '\r';
		data[size++] = '\n';
	}
	if (!final_nl && size > 0) {
		size--;
		if (crlf && size > 0 && rng() % 2 == 0)
			size--;		/* and its '\r', sometimes */
	}
	return size;
}

#endif
