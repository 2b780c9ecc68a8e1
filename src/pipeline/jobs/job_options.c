/*
 * job_options.c — the job store's option tables (see job_options.h).
 */
#include "pipeline/jobs/job_options.h"

#include <stddef.h>

#define J(field) offsetof(fu_job_settings, field)

static const fu_option path_options[] = {
    {.name = "--jobs-path", .section = "paths", .type = FU_OPT_STRING, .def = ".jobs",
     .flags = FU_OPTF_JOB | FU_OPTF_FRONT, .offset = J(jobs_path),
     .help = "specify the directory to store jobs (the job store, jobs.db, and the web UI's files)"},
    {0}};

static const fu_option misc_options[] = {
    {.name = "--halt-on-error", .section = "misc", .type = FU_OPT_BOOL,
     .flags = FU_OPTF_JOB | FU_OPTF_FRONT, .offset = J(halt_on_error),
     .help = "halt the program once an error occurred (job-submit-all, job-delete-all, job-run-all, job-retry-all)"},
    {0}};

const fu_option_group fu_jobs_path_options = {"jobs_path", "paths", path_options, sizeof(fu_job_settings), NULL};
const fu_option_group fu_jobs_misc_options = {"jobs_misc", "misc", misc_options, sizeof(fu_job_settings), NULL};
