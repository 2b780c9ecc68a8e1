/*
 * run.h — one target through the chain, as headless-run does it; the one
 * entry point the command line, stored jobs and the web UI share.
 *
 * fu_run_target first checks everything that can be checked without work —
 * a target that exists, an output of the right kind in a writable place
 * (a directory gets the target's file name), the workflow mode, and each
 * processor's own pre-check (a transparent background needs an output that
 * keeps alpha) — then runs the image-to-image or image-to-video workflow.
 * The output appears only when complete.
 */
#ifndef FU_RUN_H
#define FU_RUN_H

#include <limits.h>
#include <stdint.h>

#include "core/error.h"
#include "pipeline/config.h"

typedef struct fu_run_hooks {
    volatile int *cancel;                /* non-zero stops the run (FACEFUSE_ERR_CANCELLED) */
    /* Called after each written video frame, from the calling thread; may be NULL. */
    void (*progress)(void *user, int64_t done, int64_t total, double fps);
    void *progress_user;
} fu_run_hooks;

typedef struct fu_run_result {
    char output_path[PATH_MAX];          /* where the output was written */
    int is_video;
    int faces_selected;                  /* image targets: faces processed */
} fu_run_result;

/* hooks and result may be NULL. */
facefuse_status fu_run_target(facefuse_context *ctx, fu_run_config *cfg, const fu_run_hooks *hooks,
                              fu_run_result *result, fu_err *err);

/* The pre-checks alone; *output receives the resolved output path. */
facefuse_status fu_run_check(const fu_run_config *cfg, char *output, size_t output_size, int *is_video, fu_err *err);

#endif
