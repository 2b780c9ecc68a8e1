/*
 * cli_context.h — the facefuse_context a command runs on, made from the
 * execution, download and model-dir options of its run configuration: one
 * place for headless-run, the job commands and `run`.
 */
#ifndef FU_CLI_CONTEXT_H
#define FU_CLI_CONTEXT_H

#include "pipeline/config.h"

/* videos: the context will process videos (frames in parallel, so each ONNX
 * Runtime call gets cores / workers threads), as benchmark, job-run and the
 * web UI do; otherwise an image target gets ORT's default (all cores).
 * Models fetched on first use show a progress bar on a terminal. */
facefuse_status fu_cli_context_new(const fu_run_config *cfg, int videos, facefuse_context **ctx, fu_err *err);

#endif
