/* shm.h: anonymous shared memory (memfd): the spooled input and the result
 * arenas. Nothing is ever named in /dev/shm, so nothing can be left there. */
#ifndef SHM_H
#define SHM_H

int	shm_create(const char *);

#endif
