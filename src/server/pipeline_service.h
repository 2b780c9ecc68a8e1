/*
 * pipeline_service.h — the web UI's processing service (service.h) on the
 * real pipeline: the option tables, the processor chain, fu_run_target.
 *
 * One long-lived facefuse_context serves the page and the jobs. The page's
 * defaults are the step options of the `run` command line (and ini); every
 * step the page makes starts from them, so a stored step is complete
 * (pipeline/jobs/job_step.h). The job options of that command line
 * (execution, download, memory, temp path) apply to every job.
 *
 * Preview: the decoded target frame is kept (two: the frame shown and the
 * reference frame), and so is the prepared chain (models, source identity,
 * reference faces) while the step's options do not change: a new frame
 * only decodes and runs the chain; a moved slider prepares the chain again
 * (the sessions stay loaded; the sources' faces are analysed again, the
 * reference frame's are kept while its frame and analysis options stay)
 * but does not decode. Between jobs the
 * --video-memory-strategy applies (strict unloads every model when no job
 * runs, also dropping the preview's chain; moderate keeps the face
 * analysers; tolerant keeps all).
 */
#ifndef FU_PIPELINE_SERVICE_H
#define FU_PIPELINE_SERVICE_H

#include "core/option.h"
#include "server/service.h"

typedef struct fu_pipeline_service fu_pipeline_service;

/* defaults: an option set holding at least every group of
 * fu_run_option_groups (the run command's); its values are copied. ctx
 * must outlive the service. */
facefuse_status fu_pipeline_service_new(facefuse_context *ctx, const fu_optset *defaults, fu_pipeline_service **out,
                                        fu_err *err);
void fu_pipeline_service_free(fu_pipeline_service *s);

/* The table for fu_server_start (user = s). */
fu_service fu_pipeline_service_table(fu_pipeline_service *s);

#endif
