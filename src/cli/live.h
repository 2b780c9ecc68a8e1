/*
 * live.h — the `facefuse live` command: a source face on a camera, to a
 * virtual camera, a stream or a recording (pipeline/live_workflow.h).
 */
#ifndef FU_CLI_LIVE_H
#define FU_CLI_LIVE_H

#include "core/option.h"
#include "pipeline/config.h"

/* Runs the session the options describe until the camera ends or *stop is
 * set (Ctrl-C): both FACEFUSE_OK. --face-selector-mode is `one` unless the
 * user set it, as in FaceFusion's webcam mode. */
facefuse_status fu_cli_live(facefuse_context *ctx, const fu_optset *set, fu_run_config *cfg, volatile int *stop,
                            fu_err *err);

#endif
