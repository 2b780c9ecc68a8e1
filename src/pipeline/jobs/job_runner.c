/*
 * job_runner.c — running queued jobs, joining step outputs, and recovering
 * jobs whose process died (see job_runner.h).
 *
 * While a job runs, a watcher thread polls (every 100 ms) the caller's stop
 * flag and the store's cancel request — which may come from another process,
 * e.g. the web UI cancelling a `facefuse job-run` — and raises the cancel flag
 * the step callback watches.
 */
#include "pipeline/jobs/job_runner.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/log.h"
#include "media/image_io.h"
#include "media/video_join.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_lock.h"

#define POLL_MS 100
#define PROGRESS_INTERVAL_NS 200000000LL

typedef struct run_state {
    fu_job_store *s;
    const fu_job_runner *r;
    const char *id;
    volatile int cancel;         /* what the step callback watches */
    volatile int finished;       /* tells the watcher to leave */
    volatile int cancelled;      /* cancel came from the store (the UI) */
    volatile int stopped;        /* cancel came from the caller's stop flag */
    int step_index, step_count;
    int64_t last_write_ns;
    int wrote_once;
} run_state;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void say(const fu_job_runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const fu_job_runner *r, const char *fmt, ...)
{
    char line[FU_ERRMSG_MAX + 128];
    va_list ap;
    if (r->quiet)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fu_info("%s", line);
}

/* ------------------------------------------------------------ paths */

/* Removes "<path>.partial-*" left beside path (fu_output's temp files). */
static void remove_partials(const char *path)
{
    char dir[PATH_MAX], prefix[NAME_MAX + 16], full[PATH_MAX + NAME_MAX + 2];
    const char *slash = strrchr(path, '/');
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    snprintf(prefix, sizeof prefix, "%s.partial-", slash ? slash + 1 : path);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
            unlink(full);
        }
    closedir(d);
}

/* The --output-path of a step and its step output path; *has = 0 when the
 * step names no output. */
static facefuse_status step_paths(const char *id, int index, const char *args, char *output, char *step_output,
                                  int *has, fu_err *err)
{
    facefuse_status st = fu_job_args_first(args, FU_ARG_OUTPUT_PATH, output, PATH_MAX, has, err);
    if (st != FACEFUSE_OK || !*has)
        return st;
    return fu_job_step_output_path(id, index, output, step_output, PATH_MAX, err);
}

/* Removes every step output of the job and partial files beside them and
 * beside the outputs (FaceFusion's clean_steps, plus what a crash leaves). */
static void clean_steps(const char *id, const fu_job_step *steps, int count)
{
    char output[PATH_MAX], step_output[PATH_MAX];
    for (int i = 0; i < count; i++) {
        int has;
        if (step_paths(id, i, steps[i].args, output, step_output, &has, NULL) != FACEFUSE_OK || !has)
            continue;
        unlink(step_output);
        remove_partials(step_output);
        remove_partials(output);
    }
}

/* ------------------------------------------------------------ finalize */

/* Joins the step outputs of each output path (FaceFusion's finalize_steps). */
static facefuse_status finalize(const char *id, const fu_job_step *steps, int count, fu_err *err)
{
    char (*outputs)[PATH_MAX] = calloc((size_t)count, PATH_MAX);
    char (*parts)[PATH_MAX] = calloc((size_t)count, PATH_MAX);
    const char **group = calloc((size_t)count + 1, sizeof *group);
    int *has = calloc((size_t)count, sizeof *has);
    facefuse_status st = FACEFUSE_OK;

    if (!outputs || !parts || !group || !has) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory finishing job %s", id);
        goto done;
    }
    for (int i = 0; i < count && st == FACEFUSE_OK; i++)
        st = step_paths(id, i, steps[i].args, outputs[i], parts[i], &has[i], err);
    for (int i = 0; i < count && st == FACEFUSE_OK; i++) {
        int n = 0, images = 0;
        if (!has[i])
            continue;
        /* Group every later step with the same output (once, at its first). */
        int first = 1;
        for (int k = 0; k < i; k++)
            if (has[k] && strcmp(outputs[k], outputs[i]) == 0)
                first = 0;
        if (!first)
            continue;
        for (int k = i; k < count; k++)
            if (has[k] && strcmp(outputs[k], outputs[i]) == 0) {
                group[n++] = parts[k];
                images += fu_image_path_is_image(parts[k]);
            }
        /* Every part has the output's extension: one kind for the group. */
        if (images == n) {
            for (int k = 0; k < n && st == FACEFUSE_OK; k++)
                if (rename(group[k], outputs[i]) != 0)
                    st = fu_fail(err, FACEFUSE_ERR_IO, "cannot move %s to %s: %s", group[k], outputs[i],
                                 strerror(errno));
        } else if (n == 1) {
            if (rename(group[0], outputs[i]) != 0)
                st = fu_fail(err, FACEFUSE_ERR_IO, "cannot move %s to %s: %s", group[0], outputs[i],
                             strerror(errno));
        } else {
            st = fu_video_join(outputs[i], group, n, err);
        }
    }
done:
    free(outputs);
    free(parts);
    free(group);
    free(has);
    return st;
}

/* ------------------------------------------------------------ watcher, progress */

static void *watch(void *p)
{
    run_state *rs = p;
    int ticks = 0;
    while (!rs->finished) {
        sleep_ms(POLL_MS / 2);
        if (rs->finished)
            break;
        if (rs->r->stop && *rs->r->stop && !rs->cancel) {
            rs->stopped = 1;
            rs->cancel = 1;
        }
        if (++ticks % 2 == 0 && !rs->cancel && fu_job_cancel_requested(rs->s, rs->id)) {
            rs->cancelled = 1;
            rs->cancel = 1;
        }
    }
    return NULL;
}

static void on_progress(void *ctx, int64_t done, int64_t total, double fps)
{
    run_state *rs = ctx;
    int64_t now = fu_now_ns();
    double step = total > 0 ? (double)(done < total ? done : total) / (double)total : 0;
    double overall = (rs->step_index + step) / (rs->step_count > 0 ? rs->step_count : 1);
    /* The first report at once (the UI shows work started), then at most
     * five a second, and the last frame always. */
    if (rs->wrote_once && now - rs->last_write_ns < PROGRESS_INTERVAL_NS && !(total > 0 && done >= total))
        return;
    rs->wrote_once = 1;
    rs->last_write_ns = now;
    fu_job_set_progress(rs->s, rs->id, overall, done, total, fps, NULL);
}

/* ------------------------------------------------------------ one job */

/* Takes the job's liveness lock, then waits for a machine slot. */
static facefuse_status acquire(run_state *rs, fu_lock *job_lock, const char *job_lock_path, fu_lock *slot,
                               fu_err *err)
{
    char lock_dir[PATH_MAX], locks[PATH_MAX];
    int got, said = 0, which;
    facefuse_status st;

    snprintf(locks, sizeof locks, "%s/locks", fu_job_store_jobs_path(rs->s));
    if ((st = fu_mkdirs(locks, err)) != FACEFUSE_OK)
        return st;
    if (rs->r->lock_dir)
        snprintf(lock_dir, sizeof lock_dir, "%s", rs->r->lock_dir);
    else if ((st = fu_job_default_lock_dir(lock_dir, sizeof lock_dir, err)) != FACEFUSE_OK)
        return st;
    if ((st = fu_mkdirs(lock_dir, err)) != FACEFUSE_OK)
        return st;
    got = fu_lock_try(job_lock_path, job_lock, err);
    if (got <= 0)
        return got < 0 ? err->code
                       : fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s is being run by another process",
                                 rs->id);
    for (int tick = 0;; tick++) {
        got = fu_job_slot_try(lock_dir, rs->r->concurrency, slot, &which, err);
        if (got < 0)
            break;
        if (got > 0)
            return FACEFUSE_OK;
        if (!said++)
            say(rs->r, "job %s waits for a free slot (%d job%s may run at once on this machine)", rs->id,
                rs->r->concurrency > 1 ? rs->r->concurrency : 1, rs->r->concurrency > 1 ? "s" : "");
        if (rs->r->stop && *rs->r->stop) {
            fu_fail(err, FACEFUSE_ERR_CANCELLED, "stopped while job %s waited for a slot", rs->id);
            break;
        }
        if (tick % 5 == 4) { /* still queued? (cancelled or taken meanwhile) */
            fu_job_info j;
            if (fu_job_get(rs->s, rs->id, &j, err) != FACEFUSE_OK)
                break;
            if (j.status != FU_JOB_QUEUED) {
                fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s is %s; only a queued job can be run", rs->id,
                        fu_job_status_name(j.status));
                break;
            }
        }
        sleep_ms(POLL_MS);
    }
    fu_lock_release(job_lock);
    return err->code ? err->code : FACEFUSE_ERR_INTERNAL;
}

static facefuse_status run_one_step(run_state *rs, const fu_job_step *step, int index, fu_err *err)
{
    char output[PATH_MAX], step_output[PATH_MAX], *args = NULL;
    int has;
    fu_job_progress progress = {on_progress, rs};
    facefuse_status st = step_paths(rs->id, index, step->args, output, step_output, &has, err);

    if (st == FACEFUSE_OK && !has)
        st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s step %d has no output path (--output-path)", rs->id,
                     index);
    if (st == FACEFUSE_OK) {
        const char *words[1] = {step_output};
        st = fu_job_args_set(step->args, FU_ARG_OUTPUT_PATH, words, 1, &args, err);
    }
    if (st == FACEFUSE_OK)
        st = fu_job_set_step_status(rs->s, rs->id, index, FU_STEP_STARTED, err);
    if (st == FACEFUSE_OK) {
        rs->step_index = index;
        rs->wrote_once = 0; /* the step's first report is written at once */
        fu_job_set_progress(rs->s, rs->id, (double)index / rs->step_count, 0, 0, 0, NULL);
        st = rs->r->run_step(rs->r->user, args, &progress, &rs->cancel, err);
        if (st == FACEFUSE_OK && rs->cancel)
            st = fu_fail(err, FACEFUSE_ERR_CANCELLED, "cancelled");
        if (st == FACEFUSE_OK && !fu_file_exists(step_output))
            st = fu_fail(err, FACEFUSE_ERR_INTERNAL, "job %s step %d wrote no output (%s)", rs->id, index,
                         step_output);
    }
    if (st == FACEFUSE_OK)
        st = fu_job_set_step_status(rs->s, rs->id, index, FU_STEP_COMPLETED, err);
    else
        fu_job_set_step_status(rs->s, rs->id, index, FU_STEP_FAILED, NULL);
    free(args);
    return st;
}

/* Runs the steps and finalizes; the job is claimed and running. */
static facefuse_status run_claimed(run_state *rs, fu_err *err)
{
    fu_job_step *steps = NULL;
    int count = 0;
    facefuse_status st = fu_job_steps(rs->s, rs->id, &steps, &count, err);

    if (st == FACEFUSE_OK && count == 0)
        st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s has no steps", rs->id);
    rs->step_count = count;
    for (int i = 0; i < count && st == FACEFUSE_OK; i++) {
        say(rs->r, "job %s: processing step %d of %d", rs->id, i + 1, count);
        st = run_one_step(rs, &steps[i], i, err);
        if (st != FACEFUSE_OK && err && st != FACEFUSE_ERR_CANCELLED && count > 1) {
            char msg[FU_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "step %d of %d: %.980s", i + 1, count, err->msg);
            snprintf(err->msg, sizeof err->msg, "%s", msg);
        }
    }
    if (st == FACEFUSE_OK)
        st = finalize(rs->id, steps, count, err);
    if (steps)
        clean_steps(rs->id, steps, count);
    fu_job_steps_free(steps, count);
    return st;
}

facefuse_status fu_job_run(fu_job_store *s, const fu_job_runner *r, const char *id, fu_err *err)
{
    run_state rs = {.s = s, .r = r, .id = id};
    fu_lock job_lock = FU_LOCK_NONE, slot = FU_LOCK_NONE;
    char job_lock_path[PATH_MAX];
    pthread_t watcher;
    fu_job_info j;
    fu_err local;
    facefuse_status st;

    if (!err) {
        fu_err_clear(&local);
        err = &local;
    }
    if ((st = fu_job_get(s, id, &j, err)) != FACEFUSE_OK)
        return st;
    if (j.status != FU_JOB_QUEUED)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s is %s; only a queued job can be run", id,
                       fu_job_status_name(j.status));
    fu_job_lock_path(fu_job_store_jobs_path(s), id, job_lock_path, sizeof job_lock_path);
    if ((st = acquire(&rs, &job_lock, job_lock_path, &slot, err)) != FACEFUSE_OK)
        return st;
    if ((st = fu_job_claim(s, id, err)) != FACEFUSE_OK) {
        fu_lock_release(&slot);
        fu_lock_release(&job_lock);
        return st;
    }
    say(r, "running queued job %s", id);
    int watching = pthread_create(&watcher, NULL, watch, &rs) == 0;
    st = run_claimed(&rs, err);
    rs.finished = 1;
    if (watching)
        pthread_join(watcher, NULL);

    fu_job_status final = FU_JOB_COMPLETED;
    const char *why = "";
    if (st != FACEFUSE_OK) {
        final = rs.cancelled ? FU_JOB_CANCELLED : FU_JOB_FAILED;
        if (rs.cancelled)
            fu_fail(err, FACEFUSE_ERR_CANCELLED, "job %s was cancelled", id);
        else if (rs.stopped)
            fu_fail(err, FACEFUSE_ERR_CANCELLED, "job %s was stopped by the user", id);
        why = err->msg[0] ? err->msg : facefuse_strerror(st);
    }
    fu_err finish_err;
    if (fu_job_finish(s, id, final, why, &finish_err) != FACEFUSE_OK && st == FACEFUSE_OK)
        st = fu_fail(err, finish_err.code, "%s", finish_err.msg);
    fu_lock_release(&slot);
    fu_lock_release_remove(&job_lock, job_lock_path);
    if (st == FACEFUSE_OK)
        say(r, "processing of job %s succeeded", id);
    else
        say(r, "processing of job %s failed: %s", id, err->msg);
    return st;
}

/* ------------------------------------------------------------ all, retry */

static facefuse_status for_each(fu_job_store *s, const fu_job_runner *r, fu_job_status status,
                                facefuse_status (*one)(fu_job_store *, const fu_job_runner *, const char *, fu_err *),
                                const char *none, fu_err *err)
{
    fu_job_info *jobs;
    int n, failed = 0;
    fu_err first;
    facefuse_status st = fu_job_list(s, (int)status, &jobs, &n, err);
    if (st != FACEFUSE_OK)
        return st;
    fu_err_clear(&first);
    if (n == 0) {
        free(jobs);
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "%s", none);
    }
    for (int i = 0; i < n && !(r->stop && *r->stop); i++) {
        fu_err e;
        fu_job_info now;
        fu_err_clear(&e);
        /* A job another runner took (or someone changed) meanwhile is skipped. */
        if (fu_job_get(s, jobs[i].id, &now, NULL) != FACEFUSE_OK || now.status != status)
            continue;
        if (one(s, r, jobs[i].id, &e) != FACEFUSE_OK) {
            if (!failed++)
                first = e;
            if (r->halt_on_error)
                break;
        }
    }
    free(jobs);
    if (r->stop && *r->stop && !failed)
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "stopped by the user");
    if (failed) {
        if (err) {
            *err = first;
            if (failed > 1) {
                size_t len = strlen(err->msg);
                snprintf(err->msg + len, sizeof err->msg - len, " (%d jobs failed)", failed);
            }
        }
        return first.code ? first.code : FACEFUSE_ERR_INTERNAL;
    }
    return FACEFUSE_OK;
}

facefuse_status fu_job_run_all(fu_job_store *s, const fu_job_runner *r, fu_err *err)
{
    return for_each(s, r, FU_JOB_QUEUED, fu_job_run, "no queued job to run", err);
}

facefuse_status fu_job_retry(fu_job_store *s, const fu_job_runner *r, const char *id, fu_err *err)
{
    facefuse_status st = fu_job_requeue(s, id, err);
    return st == FACEFUSE_OK ? fu_job_run(s, r, id, err) : st;
}

facefuse_status fu_job_retry_all(fu_job_store *s, const fu_job_runner *r, fu_err *err)
{
    return for_each(s, r, FU_JOB_FAILED, fu_job_retry, "no failed job to retry", err);
}

/* ------------------------------------------------------------ recovery */

static facefuse_status recover_one(fu_job_store *s, const char *id, int *done, fu_err *err)
{
    char path[PATH_MAX];
    fu_lock lock = FU_LOCK_NONE;
    fu_job_step *steps = NULL;
    int count = 0, got;
    facefuse_status st = FACEFUSE_OK;

    fu_job_lock_path(fu_job_store_jobs_path(s), id, path, sizeof path);
    got = fu_lock_try(path, &lock, err);
    if (got <= 0) /* alive, or a lock we cannot judge */
        return got < 0 ? err->code : FACEFUSE_OK;
    fu_job_info j;
    if (fu_job_get(s, id, &j, NULL) == FACEFUSE_OK && j.status == FU_JOB_RUNNING) {
        if ((st = fu_job_steps(s, id, &steps, &count, err)) == FACEFUSE_OK) {
            for (int i = 0; i < count; i++)
                if (steps[i].status == FU_STEP_STARTED)
                    fu_job_set_step_status(s, id, i, FU_STEP_FAILED, NULL);
            clean_steps(id, steps, count);
            fu_job_steps_free(steps, count);
            st = fu_job_finish(s, id, FU_JOB_FAILED,
                               "interrupted: the process running it stopped before it finished "
                               "(killed or crashed); retry it",
                               err);
            if (st == FACEFUSE_OK) {
                (*done)++;
                fu_warn("job %s was interrupted (its process stopped); it is failed now and can be retried", id);
            }
        }
    }
    fu_lock_release_remove(&lock, path);
    return st;
}

facefuse_status fu_job_recover(fu_job_store *s, int *recovered, fu_err *err)
{
    fu_job_info *jobs;
    int n, done = 0;
    char locks[PATH_MAX];
    facefuse_status st = fu_job_list(s, FU_JOB_RUNNING, &jobs, &n, err);
    if (recovered)
        *recovered = 0;
    if (st != FACEFUSE_OK)
        return st;
    snprintf(locks, sizeof locks, "%s/locks", fu_job_store_jobs_path(s));
    if (n > 0 && (st = fu_mkdirs(locks, err)) != FACEFUSE_OK) {
        free(jobs);
        return st;
    }
    for (int i = 0; i < n && st == FACEFUSE_OK; i++)
        st = recover_one(s, jobs[i].id, &done, err);
    free(jobs);
    if (recovered)
        *recovered = done;
    return st;
}
