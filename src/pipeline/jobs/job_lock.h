/*
 * job_lock.h — locks that work across processes (flock on small files), for
 * two things:
 *
 *  - machine slots: at most N jobs run at once on a machine, whichever
 *    program runs them (facefuse job-run, the web UI's server, ...). Slot k is
 *    <lock dir>/slot-<k>.lock; the default lock dir is per user and machine
 *    ($FACEFUSE_LOCK_DIR, else $XDG_RUNTIME_DIR/facefuse, else
 *    /tmp/facefuse-<uid>).
 *  - job liveness: a runner holds <jobs path>/locks/<job id>.lock while the job
 *    is running, so a job that is "running" in the store while nobody holds
 *    its lock was interrupted (its process died; the kernel dropped the lock).
 *
 * Lock files are opened close-on-exec, so a child program never inherits them.
 */
#ifndef FU_JOB_LOCK_H
#define FU_JOB_LOCK_H

#include <stddef.h>

#include "core/error.h"

typedef struct fu_lock {
    int fd;        /* -1 when not held */
} fu_lock;

#define FU_LOCK_NONE {-1}

/* Tries to take path's lock without waiting: 1 taken, 0 held by someone
 * else, -1 error (message in err). Creates the file when missing. */
int fu_lock_try(const char *path, fu_lock *lock, fu_err *err);
void fu_lock_release(fu_lock *lock);
/* Removes path (while still holding its lock), then releases it. */
void fu_lock_release_remove(fu_lock *lock, const char *path);

/* The machine's lock directory into out (created when missing). */
facefuse_status fu_job_default_lock_dir(char *out, size_t size, fu_err *err);

/* Tries each of the concurrency slots in lock_dir once: 1 taken (*slot set),
 * 0 all busy, -1 error. */
int fu_job_slot_try(const char *lock_dir, int concurrency, fu_lock *lock, int *slot, fu_err *err);

/* The liveness lock path of a job into out. */
void fu_job_lock_path(const char *jobs_path, const char *job_id, char *out, size_t size);

#endif
