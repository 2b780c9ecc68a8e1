/*
 * video_workflow.h — the image-to-video workflow: a target video through the
 * processor chain into the output video, audio kept (see video_run.h for the
 * engine). The reference faces come from --reference-frame-number.
 */
#ifndef FU_VIDEO_WORKFLOW_H
#define FU_VIDEO_WORKFLOW_H

#include "core/error.h"
#include "pipeline/run.h"

/* hooks->cancel set non-zero (e.g. by SIGINT) stops; FACEFUSE_ERR_CANCELLED then. */
facefuse_status fu_run_video(facefuse_context *ctx, const fu_run_config *cfg, const fu_run_hooks *hooks, fu_err *err);

#endif
