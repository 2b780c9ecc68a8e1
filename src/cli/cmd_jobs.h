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
 * commands. Step options are stored through the option tables
 * (pipeline/jobs/job_step.h); the run commands take the job options
 * (execution, download, memory, temp path, log level) and run each step in
 * this process. Exit codes: 0 success, 1 the job command failed
 * (FaceFusion's), 2 invalid arguments, 4 stopped by the user.
 */
#ifndef FU_CMD_JOBS_H
#define FU_CMD_JOBS_H

#include <stdio.h>

int fu_cmd_jobs_is(const char *command);
/* argv: "facefuse", the command, its arguments. */
int fu_cmd_jobs(int argc, char **argv);
void fu_cmd_jobs_usage(FILE *out);

/* Ctrl-C / SIGTERM handlers for the job commands and `run`: the first sets
 * the returned flag, the second leaves at once (partial files removed). */
volatile int *fu_cli_install_stop(void);

#endif
