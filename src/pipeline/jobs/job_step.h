/*
 * job_step.h — a job step's options as JSON, and running a step.
 *
 * A step is stored as {"--option": [words], ...} (job_args.h): the values of
 * an option set, through the option tables, never a hand-written list.
 * Which options a step holds: every option that is neither a job key
 * (FU_OPTF_JOB: execution, download, memory, log level, temp/jobs path…,
 * given when the job runs) nor the front end's own (FU_OPTF_FRONT), and
 * that this build takes. As FaceFusion stores a step's args, the step
 * keeps the value of each such option whether the user set it or it is the
 * default, so a stored step runs the same after the defaults (an ini, a
 * later facefuse) change; an option with neither value nor default is left
 * out (it reads as unset). Words are whole: a path with a space stays one
 * word; a flag is ["true"] or ["false"].
 *
 * The step runner turns such a step into an option set and a run
 * configuration (fu_run_config_init) over the job options it was made with
 * (the job keys of `job-run`'s command line, or of `facefuse run`), and runs
 * it in this process with fu_run_target on one shared context: progress
 * goes to the job store, the cancel flag stops it. Several steps may run at
 * once (the context is thread-safe for sessions).
 *
 * Between runs it applies --video-memory-strategy, as FaceFusion's
 * processors' post_process: when the last running step ends, strict
 * unloads every model session, moderate those of the processors (swapper,
 * enhancers…) but keeps the face analysers (detector, landmarker,
 * recognizer, classifier, masker), tolerant keeps everything.
 */
#ifndef FU_JOB_STEP_H
#define FU_JOB_STEP_H

#include "core/option.h"
#include "pipeline/config.h"
#include "pipeline/jobs/job_runner.h"

/* 1 when option o belongs in a stored step (see above). */
int fu_job_step_option(const fu_option *o);

/* The step options of set as JSON text (malloc'd, *json). */
facefuse_status fu_job_step_json(const fu_optset *set, char **json, fu_err *err);

/* Sets each option of a step's JSON in set (fu_optset_set, FU_ORIGIN_ARG):
 * FACEFUSE_ERR_INVALID_ARGUMENT for JSON that is not a step, an unknown
 * option or a job key (named), and fu_optset_set's errors for bad values. */
facefuse_status fu_job_step_apply(fu_optset *set, const char *json, fu_err *err);

typedef struct fu_step_runner fu_step_runner;

/* A runner on ctx (which must outlive it). job_options (may be NULL): the
 * job keys set there (FU_OPTF_JOB, from arguments or an ini) apply to every
 * step; they are copied. */
facefuse_status fu_step_runner_new(facefuse_context *ctx, const fu_optset *job_options, fu_step_runner **out,
                                   fu_err *err);
void fu_step_runner_free(fu_step_runner *r);

/* Replaces the unloading between runs: release(user, ctx, keep) is called
 * instead, with the runner's lock held (no step starts meanwhile), when
 * sessions should go; keep = 1 for moderate (keep the face analysers). A
 * caller that holds sessions of its own (a cached preview chain) drops them
 * there, then calls fu_context_release_sessions itself. */
void fu_step_runner_on_release(fu_step_runner *r, void (*release)(void *user, facefuse_context *ctx, int keep),
                               void *user);

/* A step's option set and run configuration: the runner's job keys, then
 * the step's JSON. set is initialised here (free it, also on failure) and
 * must outlive cfg. */
facefuse_status fu_step_runner_config(const fu_step_runner *r, const char *json, fu_optset *set, fu_run_config *cfg,
                                      fu_err *err);

/* Runs one step (a fu_job_step_fn; user is the fu_step_runner). */
facefuse_status fu_step_runner_run(void *user, const char *json, const fu_job_progress *progress,
                                   volatile int *cancel, fu_err *err);

#endif
