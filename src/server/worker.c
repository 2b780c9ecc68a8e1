/*
 * worker.c — the server's job workers: --ui-job-concurrency threads that run
 * the queued jobs made by the page (auto_run) through the service's
 * run_step. Jobs queued on the command line wait for `facefuse job-run`.
 * The machine slots (job_lock.h) still bound how many jobs run at once
 * across every program. Now and then a worker also recovers jobs whose
 * process died (e.g. a `facefuse job-run` killed while the UI watches).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/jobs/job_runner.h"
#include "server/server_internal.h"

#define RECOVER_EVERY_S 2

typedef struct worker_arg {
    fu_server *s;
    int index;
} worker_arg;

/* The oldest auto-run queued job no other worker of ours has taken. */
static int pick(fu_server *s, int self, char *id)
{
    fu_job_info *jobs;
    int n, found = 0;
    if (fu_job_list(s->store, FU_JOB_QUEUED, &jobs, &n, NULL) != FACEFUSE_OK)
        return 0;
    pthread_mutex_lock(&s->work_lock);
    for (int i = 0; i < n && !found; i++) {
        int taken = 0;
        if (!jobs[i].auto_run)
            continue;
        for (int w = 0; w < s->worker_count; w++)
            taken |= w != self && strcmp(s->taken[w], jobs[i].id) == 0;
        if (!taken) {
            snprintf(s->taken[self], FU_JOB_ID_MAX, "%s", jobs[i].id);
            snprintf(id, FU_JOB_ID_MAX, "%s", jobs[i].id);
            found = 1;
        }
    }
    pthread_mutex_unlock(&s->work_lock);
    free(jobs);
    return found;
}

static void *work(void *p)
{
    worker_arg *a = p;
    fu_server *s = a->s;
    char id[FU_JOB_ID_MAX];
    time_t last_recover = 0;
    fu_job_runner r = {0};
    r.run_step = s->service.run_step;
    r.user = s->service.user;
    r.concurrency = s->settings.job_concurrency;
    r.lock_dir = s->settings.lock_dir;
    r.stop = &s->stopping;
    r.quiet = 1;

    while (!s->stopping) {
        if (a->index == 0 && time(NULL) - last_recover >= RECOVER_EVERY_S) {
            fu_job_recover(s->store, NULL, NULL);
            last_recover = time(NULL);
        }
        if (pick(s, a->index, id)) {
            fu_job_run(s->store, &r, id, NULL); /* the outcome is in the store */
            pthread_mutex_lock(&s->work_lock);
            s->taken[a->index][0] = '\0';
            pthread_mutex_unlock(&s->work_lock);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_mutex_lock(&s->work_lock);
        if (!s->stopping)
            pthread_cond_timedwait(&s->work_cond, &s->work_lock, &until);
        pthread_mutex_unlock(&s->work_lock);
    }
    free(a);
    return NULL;
}

facefuse_status fu_workers_start(fu_server *s, fu_err *err)
{
    int n = s->settings.job_concurrency;
    s->workers = calloc((size_t)n, sizeof *s->workers);
    s->taken = calloc((size_t)n, sizeof *s->taken);
    if (!s->workers || !s->taken)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory starting the job workers");
    for (int i = 0; i < n; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory starting the job workers");
        a->s = s;
        a->index = i;
        pthread_mutex_lock(&s->work_lock);
        s->worker_count = i + 1;
        pthread_mutex_unlock(&s->work_lock);
        if (pthread_create(&s->workers[i], NULL, work, a) != 0) {
            free(a);
            pthread_mutex_lock(&s->work_lock);
            s->worker_count = i;
            pthread_mutex_unlock(&s->work_lock);
            return fu_fail(err, FACEFUSE_ERR_INTERNAL, "cannot start job worker %d", i);
        }
    }
    return FACEFUSE_OK;
}

void fu_workers_wake(fu_server *s)
{
    pthread_mutex_lock(&s->work_lock);
    pthread_cond_broadcast(&s->work_cond);
    pthread_mutex_unlock(&s->work_lock);
}

void fu_workers_stop(fu_server *s)
{
    s->stopping = 1;
    fu_workers_wake(s);
    for (int i = 0; i < s->worker_count; i++)
        pthread_join(s->workers[i], NULL);
    free(s->workers);
    free(s->taken);
    s->workers = NULL;
    s->taken = NULL;
    s->worker_count = 0;
}
