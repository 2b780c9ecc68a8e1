/*
 * job_runner.h — runs queued jobs (FaceFusion's job_runner.py), one step
 * after another through a step callback, then joins the steps' outputs.
 *
 * Step i of job J writes the step output "<dir>/<name>-J-i<.ext>" of its
 * --output-path (job_id.h): the runner hands the callback the step's options
 * with --output-path replaced by that path, so a step never writes the user's
 * file directly. When every step succeeded, the step outputs of each output
 * path are joined into it (videos: end to end by stream copy; images: moved,
 * the last step's wins), then removed; on failure they are removed too.
 *
 * A running job holds its liveness lock and one of the machine's slots
 * (job_lock.h); jobs beyond the slots wait, still queued. fu_job_recover
 * turns a job left "running" by a dead process into a failed one (error
 * "interrupted ...") and removes its partial files, so job-retry can run it.
 */
#ifndef FU_JOB_RUNNER_H
#define FU_JOB_RUNNER_H

#include <stdint.h>

#include "core/error.h"
#include "pipeline/jobs/job_store.h"

/* Progress of the running step: frames done of total (0 when unknown) at
 * fps. The shape of fu_video_job's progress callback, so it can be passed on. */
typedef struct fu_job_progress {
    void (*fn)(void *ctx, int64_t done, int64_t total, double fps);
    void *ctx;
} fu_job_progress;

/* Runs one step. step_args_json: {option: [words]} with --output-path set to
 * where this step must write (through fu_output: never half-written). Must
 * return FACEFUSE_ERR_CANCELLED soon after *cancel becomes non-zero. May call
 * progress->fn(progress->ctx, ...) from the calling thread any number of times. */
typedef facefuse_status (*fu_job_step_fn)(void *user, const char *step_args_json, const fu_job_progress *progress,
                                          volatile int *cancel, fu_err *err);

typedef struct fu_job_runner {
    fu_job_step_fn run_step;
    void *user;
    int concurrency;            /* jobs running at once on this machine (default 1) */
    const char *lock_dir;       /* NULL = fu_job_default_lock_dir */
    int halt_on_error;          /* the *_all calls stop at the first failed job */
    volatile int *stop;         /* may be NULL; non-zero (Ctrl-C) stops: the job fails "stopped" */
    int quiet;                  /* no info lines (the server) */
} fu_job_runner;

/* Runs a queued job: FACEFUSE_OK when it completed. Waits for a free slot. */
facefuse_status fu_job_run(fu_job_store *s, const fu_job_runner *r, const char *id, fu_err *err);
/* Every queued job, oldest first; fails when there is none, as FaceFusion. */
facefuse_status fu_job_run_all(fu_job_store *s, const fu_job_runner *r, fu_err *err);
/* A failed (or cancelled) job back to queued, then run. */
facefuse_status fu_job_retry(fu_job_store *s, const fu_job_runner *r, const char *id, fu_err *err);
facefuse_status fu_job_retry_all(fu_job_store *s, const fu_job_runner *r, fu_err *err);

/* Finds jobs left running by a process that is gone and fails them (see
 * above); *recovered (may be NULL) receives how many. Cheap: call it when a
 * program opens the store, and now and then from a long-lived server. */
facefuse_status fu_job_recover(fu_job_store *s, int *recovered, fu_err *err);

#endif
