/*
 * cli_context.c — the command line's facefuse_context (see cli_context.h).
 */
#include "cli/cli_context.h"

#include <string.h>
#include <unistd.h>

#include "infer/context.h"
#include "infer/context_options.h"
#include "infer/download.h"
#include "infer/registry.h"
#include "media/image_io.h"

/* ONNX Runtime's intra-op threads a session: for a video, frames are
 * processed by several workers, so each Run gets cores / workers threads
 * (no oversubscription); for an image, ORT's default (all cores). */
static int intra_op_threads(const fu_run_config *cfg, int videos)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int workers = cfg->context.thread_count > 0 ? cfg->context.thread_count : (int)cores;
    if (!videos && (!cfg->paths.target_path || fu_image_path_is_image(cfg->paths.target_path)))
        return 0;
    if (workers <= 0)
        return 0;
    return cores / workers > 1 ? (int)(cores / workers) : 1;
}

facefuse_status fu_cli_context_new(const fu_run_config *cfg, int videos, facefuse_context **ctx, fu_err *err)
{
    facefuse_context_params p = fu_context_params_of(&cfg->context, intra_op_threads(cfg, videos));
    if (fu_model_dir_check(p.model_dir, err) != FACEFUSE_OK)
        return err->code;
    fu_providers check;
    memset(&check, 0, sizeof check);
    for (int i = 0; p.execution_providers[i]; i++)
        check.names[i] = p.execution_providers[i];
    if (fu_ort_check_providers(&check, err) != FACEFUSE_OK)
        return err->code;
    if (facefuse_context_new(&p, ctx) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "cannot create the facefuse context");
    (*ctx)->store.progress = fu_progress_bar;
    return FACEFUSE_OK;
}
