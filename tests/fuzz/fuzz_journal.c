/* fuzz_journal.c: libFuzzer target for the journal reader: any bytes as a
 * journal (a damaged disk, a foreign file at its path) must give 0 or an
 * exit status with a message, never a crash, a leak or an out-of-bounds
 * access. */
#include <sys/mman.h>

#include <stdint.h>
#include <unistd.h>

#include "journal.h"

/* Its messages go to stderr: run it with -close_fd_mask=2. */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal	j;
	int		fd;

	if ((fd = memfd_create("fuzz.journal", MFD_CLOEXEC)) == -1)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		journal_init(&j);
		(void)journal_read(&j, "fuzz.journal", fd);
		journal_close(&j, 0);
	}
	close(fd);
	return 0;
}
