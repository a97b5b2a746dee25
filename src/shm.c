/* shm.c: memfd creation that works with old headers and old kernels. */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>

#include "shm.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL	0x0008U
#endif

/* A close-on-exec memfd that allows sealing and is never executable. Kernels
 * before 6.3 do not know MFD_NOEXEC_SEAL and say EINVAL: try without. */
int
shm_create(const char *name)
{
	int	fd;

	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING |
	    MFD_NOEXEC_SEAL);
	if (fd == -1 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}
