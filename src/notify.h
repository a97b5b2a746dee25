/* notify.h: the systemd notification protocol (sd_notify), spoken natively:
 * datagrams to $NOTIFY_SOCKET, no libsystemd. Silent when not under a
 * service manager that asked for it. */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

int		notify_init(void);
void		notify_send(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
uint64_t	notify_watchdog_usec(void);
void		notify_close(void);

#endif
