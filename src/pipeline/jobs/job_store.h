/*
 * job_store.h — FaceFusion's jobs, kept in SQLite so the command line and the
 * web UI share them and a crash loses nothing that was committed.
 *
 * The store is <jobs path>/jobs.db (WAL mode, synchronous NORMAL: a commit
 * survives the process being killed; a power cut may undo the last commits
 * but never damages the database). A job has an
 * id (sanitised as FaceFusion does, job_id.h), a status, creation and update
 * dates, and ordered steps, each with its options as opaque JSON text
 * (job_args.h) and a step status. FaceFusion's statuses are drafted, queued,
 * completed and failed; facefuse adds running (a runner holds it) and
 * cancelled (stopped from the UI).
 *
 *   create → drafted ─submit (has steps)→ queued ─claim→ running ─→ completed
 *                                          ↑   └cancel→ cancelled      ├→ failed
 *                                          └──── retry ─── failed/cancelled
 *
 * Steps are changed only while a job is drafted. Step indexes may be negative
 * (-1 = the last step). Every call is one transaction; a store handle may be
 * shared by threads (calls are serialised). Lists come oldest first, ordered
 * by the last update as FaceFusion orders by the job file's mtime.
 */
#ifndef FU_JOB_STORE_H
#define FU_JOB_STORE_H

#include <stdint.h>

#include "core/error.h"
#include "pipeline/jobs/job_id.h"

typedef enum fu_job_status {
    FU_JOB_DRAFTED,
    FU_JOB_QUEUED,
    FU_JOB_RUNNING,
    FU_JOB_COMPLETED,
    FU_JOB_FAILED,
    FU_JOB_CANCELLED,
    FU_JOB_STATUS_COUNT
} fu_job_status;

typedef enum fu_step_status {
    FU_STEP_DRAFTED,
    FU_STEP_QUEUED,
    FU_STEP_STARTED,
    FU_STEP_COMPLETED,
    FU_STEP_FAILED
} fu_step_status;

const char *fu_job_status_name(fu_job_status status);
/* 0 and *status on a known name, -1 otherwise. */
int fu_job_status_parse(const char *name, fu_job_status *status);
const char *fu_step_status_name(fu_step_status status);

typedef struct fu_job_info {
    char id[FU_JOB_ID_MAX];
    fu_job_status status;
    char date_created[32];      /* UTC ISO 8601, "2024-05-01T12:00:00.123456Z" */
    char date_updated[32];      /* "" until the job is first changed */
    int step_count;
    double progress;            /* 0..1 over all steps */
    int64_t frames_done, frames_total; /* of the running step (0 when unknown) */
    double fps;                 /* of the running step */
    int auto_run;               /* 1: a server runs it as soon as it is queued */
    int cancel_requested;
    char label[256];            /* a name to show (the UI's output name), "" if none */
    char error[512];            /* why it failed, "" otherwise */
} fu_job_info;

typedef struct fu_job_step {
    char *args;                 /* JSON text, malloc'd */
    fu_step_status status;
} fu_job_step;

typedef struct fu_job_store fu_job_store;

/* Opens (creating the directory and the database when needed)
 * <jobs_path>/jobs.db. */
facefuse_status fu_job_store_open(const char *jobs_path, fu_job_store **out, fu_err *err);
void fu_job_store_close(fu_job_store *s);
const char *fu_job_store_jobs_path(const fu_job_store *s);
/* PRAGMA integrity_check: FACEFUSE_OK when "ok", else FACEFUSE_ERR_IO with
 * SQLite's first complaint. */
facefuse_status fu_job_store_check(fu_job_store *s, fu_err *err);

/* The job manager (FaceFusion's job_manager.py). Ids are used as given:
 * sanitise user input with fu_job_id_sanitize first. Failures say why:
 * FACEFUSE_ERR_NOT_FOUND for an unknown job, FACEFUSE_ERR_INVALID_ARGUMENT
 * for a wrong status, a step index out of range or an existing id. */
facefuse_status fu_job_create(fu_job_store *s, const char *id, fu_err *err);
facefuse_status fu_job_submit(fu_job_store *s, const char *id, fu_err *err);
/* Submits every drafted job; with halt_on_error stops at the first failure.
 * Fails when there is no drafted job, as FaceFusion does. */
facefuse_status fu_job_submit_all(fu_job_store *s, int halt_on_error, fu_err *err);
/* Deletes a job that is not running. */
facefuse_status fu_job_delete(fu_job_store *s, const char *id, fu_err *err);
facefuse_status fu_job_delete_all(fu_job_store *s, int halt_on_error, fu_err *err);
facefuse_status fu_job_add_step(fu_job_store *s, const char *id, const char *args_json, fu_err *err);
/* Adds a step whose --target-path is the output of step step_index. */
facefuse_status fu_job_remix_step(fu_job_store *s, const char *id, int step_index, const char *args_json,
                                  fu_err *err);
/* Inserts a step before step_index. */
facefuse_status fu_job_insert_step(fu_job_store *s, const char *id, int step_index, const char *args_json,
                                   fu_err *err);
facefuse_status fu_job_remove_step(fu_job_store *s, const char *id, int step_index, fu_err *err);

facefuse_status fu_job_get(fu_job_store *s, const char *id, fu_job_info *info, fu_err *err);
/* Jobs with status (or all when status < 0), oldest first; *jobs malloc'd. */
facefuse_status fu_job_list(fu_job_store *s, int status, fu_job_info **jobs, int *count, fu_err *err);
/* The steps of a job; free with fu_job_steps_free. */
facefuse_status fu_job_steps(fu_job_store *s, const char *id, fu_job_step **steps, int *count, fu_err *err);
void fu_job_steps_free(fu_job_step *steps, int count);
/* Sets who runs a job (auto_run) and its label (NULL keeps it). */
facefuse_status fu_job_set_meta(fu_job_store *s, const char *id, int auto_run, const char *label, fu_err *err);

/* For runners (job_runner.h). */
facefuse_status fu_job_set_step_status(fu_job_store *s, const char *id, int step_index, fu_step_status status,
                                       fu_err *err);
facefuse_status fu_job_set_steps_status(fu_job_store *s, const char *id, fu_step_status status, fu_err *err);
/* queued → running, atomically: FACEFUSE_ERR_INVALID_ARGUMENT when the job
 * is no longer queued (another runner took it). Clears progress and error. */
facefuse_status fu_job_claim(fu_job_store *s, const char *id, fu_err *err);
/* running → status (completed, failed or cancelled) with its error text. */
facefuse_status fu_job_finish(fu_job_store *s, const char *id, fu_job_status status, const char *error,
                              fu_err *err);
facefuse_status fu_job_set_progress(fu_job_store *s, const char *id, double progress, int64_t frames_done,
                                    int64_t frames_total, double fps, fu_err *err);
/* A queued job becomes cancelled at once; a running one is asked to stop
 * (its runner sees fu_job_cancel_requested). Other statuses fail. */
facefuse_status fu_job_request_cancel(fu_job_store *s, const char *id, fu_err *err);
int fu_job_cancel_requested(fu_job_store *s, const char *id);
/* failed or cancelled → queued with every step queued (retry). */
facefuse_status fu_job_requeue(fu_job_store *s, const char *id, fu_err *err);
/* The oldest queued job (only auto_run ones when auto_run_only) into id
 * (FU_JOB_ID_MAX bytes); *found = 0 when none. */
facefuse_status fu_job_next_queued(fu_job_store *s, int auto_run_only, char *id, int *found, fu_err *err);

/* A counter bumped by every change made through this handle, and a wait for
 * it to move past *seen (or timeout_ms to pass; changes made by other
 * processes are seen only by reading again). Updates *seen. */
uint64_t fu_job_store_version(fu_job_store *s);
void fu_job_store_wait(fu_job_store *s, uint64_t *seen, int timeout_ms);

#endif
