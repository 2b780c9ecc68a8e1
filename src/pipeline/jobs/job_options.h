/*
 * job_options.h — the options the job store owns: where jobs live
 * (--jobs-path, FaceFusion's [paths] jobs_path) and whether the *-all job
 * commands stop at the first failure (--halt-on-error, [misc]
 * halt_on_error). Both are job keys (FU_OPTF_JOB): never stored in a step.
 * Two groups, so --help lists them under FaceFusion's "paths" and "misc".
 */
#ifndef FU_JOB_OPTIONS_H
#define FU_JOB_OPTIONS_H

#include "core/option.h"

typedef struct fu_job_settings {
    const char *jobs_path;          /* .jobs */
    int halt_on_error;
} fu_job_settings;

extern const fu_option_group fu_jobs_path_options;   /* "paths" */
extern const fu_option_group fu_jobs_misc_options;   /* "misc" */

#endif
