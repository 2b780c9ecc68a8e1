/*
 * cmd_jobs.h — FaceFusion's job commands on the command line:
 *
 *   job-list STATUS [--json]          job-create ID      job-submit ID
 *   job-submit-all                    job-delete ID      job-delete-all
 *   job-add-step ID [step options]    job-remix-step ID INDEX [step options]
 *   job-insert-step ID INDEX [step options]              job-remove-step ID INDEX
 *   job-run ID        job-run-all      job-retry ID       job-retry-all
 *
 * with --jobs-path (default .jobs) and --halt-on-error for the *-all
 * commands. Exit codes: 0 success, 1 the job command failed (FaceFusion's),
 * 2 invalid arguments, 4 stopped by the user.
 *
 * Two ADAPTERS (marked in cmd_jobs.c) bridge to today's option parser and
 * headless-run; the lead replaces them with the option tables:
 *   - step_args_json(): parsed options → the step's {option: [words]} JSON;
 *   - fu_cli_run_step(): a step's JSON → argv → headless-run in this process.
 */
#ifndef FU_CMD_JOBS_H
#define FU_CMD_JOBS_H

#include <stdio.h>

#include "pipeline/jobs/job_runner.h"

/* A command of main.c run in this process from its argv ("facefuse",
 * "headless-run", options...); returns its exit code. */
typedef int (*fu_cli_command_fn)(int argc, char **argv);

int fu_cmd_jobs_is(const char *command);
int fu_cmd_jobs(int argc, char **argv, fu_cli_command_fn headless);
void fu_cmd_jobs_usage(FILE *out);

/* Ctrl-C / SIGTERM handlers for the job commands and `run`: the first sets
 * the returned flag, the second leaves at once (partial files removed). */
volatile int *fu_cli_install_stop(void);

/* 1 if an option describes a step (FaceFusion's step keys) rather than how
 * jobs run (job keys: execution, download, memory, paths, log level). */
struct fu_option;
int fu_cli_is_step_option(const struct fu_option *o);

/* main.c's error printer records the last error line here, so a step run
 * through headless-run fails with that message. */
void fu_cli_note_error(const char *msg);

/* ADAPTER: the job step callback (fu_job_step_fn) that runs headless-run in
 * this process. user: a fu_cli_step_adapter. */
typedef struct fu_cli_step_adapter {
    fu_cli_command_fn headless;
    char **job_argv;            /* options of the run command passed to every step (execution, model dir...) */
    int job_argc;
    volatile int *stop;         /* set when a step was stopped with Ctrl-C */
} fu_cli_step_adapter;

facefuse_status fu_cli_run_step(void *user, const char *step_args_json, const fu_job_progress *progress,
                                volatile int *cancel, fu_err *err);

#endif
