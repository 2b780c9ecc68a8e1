/*
 * parallel.c — fu_parallel_for on POSIX threads (see parallel.h).
 */
#include "core/parallel.h"

#include <pthread.h>
#include <unistd.h>

typedef struct range_job {
    fu_range_fn fn;
    void *ud;
    int worker, begin, end;
} range_job;

static void *run_range(void *arg)
{
    range_job *j = arg;
    j->fn(j->ud, j->worker, j->begin, j->end);
    return NULL;
}

void fu_parallel_for(int n, int threads, fu_range_fn fn, void *ud)
{
    if (n <= 0)
        return;
    if (threads > FU_MAX_THREADS)
        threads = FU_MAX_THREADS;
    if (threads > n)
        threads = n;
    if (threads <= 1) {
        fn(ud, 0, 0, n);
        return;
    }
    range_job jobs[FU_MAX_THREADS];
    pthread_t tid[FU_MAX_THREADS];
    int started[FU_MAX_THREADS] = {0};
    for (int t = 0; t < threads; t++) {
        jobs[t] = (range_job){fn, ud, t, (int)((long long)n * t / threads),
                              (int)((long long)n * (t + 1) / threads)};
    }
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_range, &jobs[t]) == 0;
    run_range(&jobs[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_range(&jobs[t]);
    }
}

int fu_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
