/*
 * reload.c: SIGHUP. The job file is read again (with the same command
 * line over it) and what can change while the job runs is applied: the
 * worker count (the pool grows, or shrinks without losing a chunk), the
 * timeouts, the restart policy, on_poison, sync_interval and keep. A
 * change to anything else is reported and ignored; a job file that no
 * longer loads is reported (FILE:LINE) and the running configuration stays.
 * The service manager is told RELOADING=1 first, READY=1 after.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "master.h"
#include "notify.h"
#include "xmalloc.h"

static void	reload_resize(struct master *);

/* Slots whose worker is (or is to be) part of the pool. */
size_t
master_live_slots(const struct master *m)
{
	const struct slot	*s;
	size_t			 i, n = 0;

	for (i = 0; i < m->m_nslots; i++) {
		s = m->m_slots[i];
		n += (!s->s_retiring || s->s_revive) && !s->s_retired;
	}
	return n;
}

/* Grows or shrinks the pool to workers.count: the highest slots retire
 * first, retired ones come back first. */
static void
reload_resize(struct master *m)
{
	size_t		 want = (size_t)m->m_conf->workers, live, i;
	struct slot	*s;

	live = master_live_slots(m);
	for (i = 0; i < m->m_nslots && live < want; i++) {
		s = m->m_slots[i];
		if ((s->s_retiring && !s->s_revive) || s->s_retired) {
			slot_unretire(s);
			live++;
		}
	}
	if (live < want) {
		m->m_slots = xreallocarray(m->m_slots, m->m_nslots + want -
		    live, sizeof *m->m_slots);
		for (; live < want; live++) {
			s = m->m_slots[m->m_nslots] = slot_new(m,
			    (int)m->m_nslots);
			m->m_nslots++;
			slot_spawn(s);
		}
	}
	for (i = m->m_nslots; i-- > 0 && live > want; ) {
		s = m->m_slots[i];
		if (s->s_revive) {		/* stopping: let it go */
			s->s_revive = 0;
			live--;
		} else if (!s->s_retiring && !s->s_retired) {
			slot_retire(s);
			live--;
		}
	}
}

void
master_reload(struct master *m)
{
	struct conf	 new;
	struct conf	*run = m->m_conf;
	struct timespec	 ts;
	uint64_t	 restarts = run->max_restarts, interval;
	size_t		 i;
	int		 rc, ignored = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000,
	    run->path != NULL ? run->path : "the configuration");
	interval = run->sync_interval_ms;
	conf_init(&new);
	rc = m->m_reload != NULL ? m->m_reload(&new) : -1;
	if (rc != 0)
		log_warnx("SIGHUP: %s%s; the running configuration stays",
		    run->path != NULL ? run->path : "the job",
		    rc == -1 ? " cannot be read again" :
		    " has errors (above)");
	else if (conf_apply_live(run, &new, &ignored) == 0)
		log_warnx("SIGHUP: %s read again: %s",
		    run->path != NULL ? run->path : "the job", ignored > 0 ?
		    "nothing that can change live changed" : "nothing changed");
	conf_free(&new);
	if (m->m_status == -1 && !m->m_draining) {
		reload_resize(m);
		/* New timeouts, for what runs now. */
		for (i = 0; i < m->m_nslots; i++)
			slot_arm_timeout(m->m_slots[i]);
		if (run->max_restarts != restarts) {
			free(m->m_restart_ms);
			m->m_restart_ms = xcalloc((size_t)run->max_restarts + 1,
			    sizeof *m->m_restart_ms);
			m->m_restart_pos = 0;
		}
		if (m->m_ev_sync != NULL && run->sync_interval_ms != interval)
			commit_arm(m);
		master_dispatch(m);
	}
	/* Reloaded; before the first READY=1, that one says it. */
	if (m->m_ready_sent)
		notify_send("READY=1\nSTATUS=%s with %zu workers",
		    m->m_draining ? "stopping" : "running",
		    master_live_slots(m));
}
