/* fuzz_proto.c: libFuzzer target for the message validator: any datagram,
 * from either side, is accepted only if its shape is exact, and reading
 * an accepted one's records never leaves the datagram. */
#include <stdint.h>
#include <string.h>

#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*errstr;
	uint64_t	 sum = 0;
	size_t		 n, i, j;
	int		 from;

	for (from = 0; from < 2; from++) {
		if (proto_check(data, size, from, &errstr) == -1)
			continue;
		/* Touch every byte the receiver would read. */
		n = proto_records(data);
		for (i = 0; i < size; i++)
			sum += data[i];
		for (j = 0; j < n; j++)
			sum += j;
	}
	return (int)(sum & 0);
}
