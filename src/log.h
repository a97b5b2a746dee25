/* log.h: the three tiers of messages, always to stderr (systemd's journal
 * captures it): fatal/fatalx for what cannot happen (exit 70), log_warn* for a
 * misbehaving worker or a failed operation, log_info/log_debug by verbosity. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

#define LOG_QUIET	0	/* -q: errors and warnings only */
#define LOG_NORMAL	1
#define LOG_VERBOSE	2	/* -v */
#define LOG_DEBUG	3	/* -vv */

void	log_init(const char *, int);
void	log_setlevel(int);
int	log_getlevel(void);
void	log_line_start(void);
void	log_bar_drawn(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
