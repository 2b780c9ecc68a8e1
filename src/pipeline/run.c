/*
 * run.c — pre-checks and the choice of workflow for one target (see run.h).
 */
#include "pipeline/run.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "core/log.h"
#include "media/image_io.h"
#include "media/video_writer.h"
#include "pipeline/image_run.h"
#include "pipeline/video_workflow.h"
#include "processors/processor.h"

/* -o may name a directory: the output is then <dir>/<target name>. */
static facefuse_status resolve_output(const char *output, const char *target, char *buf, size_t size, fu_err *err)
{
    struct stat st;
    int n;
    if (stat(output, &st) == 0 && S_ISDIR(st.st_mode)) {
        const char *slash = strrchr(target, '/');
        n = snprintf(buf, size, "%s/%s", output, slash ? slash + 1 : target);
    } else {
        n = snprintf(buf, size, "%s", output);
    }
    if (n < 0 || (size_t)n >= size)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "output path too long: %s", output);
    return FACEFUSE_OK;
}

/* Each processor's own pre-check (e.g. a transparent background needs an
 * output that keeps alpha), before any model is loaded. */
static facefuse_status check_processors(const fu_run_config *cfg, const char *output, int is_video, fu_err *err)
{
    const char *pixel_format = cfg->output.temp_pixel_format;
    fu_processor_target t = {cfg->paths.target_path, output, is_video, cfg->output.video_encoder,
                             pixel_format && strcmp(pixel_format, "bgr24") == 0, cfg->paths.source_paths};
    for (int i = 0; i < cfg->processors.n; i++) {
        const fu_processor *p = fu_processor_find(cfg->processors.v[i]);
        facefuse_status rc;
        if (p && p->check && (rc = p->check(fu_run_config_processor_settings(cfg, p->name), &t, err)) != FACEFUSE_OK)
            return rc;
    }
    return FACEFUSE_OK;
}

facefuse_status fu_run_check(const fu_run_config *cfg, char *output, size_t output_size, int *is_video, fu_err *err)
{
    const char *target = cfg->paths.target_path;
    const char *mode = cfg->output.workflow_mode;
    facefuse_status rc;

    if (!target)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no target given (-t/--target-path)");
    if (!cfg->paths.output_path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no output given (-o/--output-path)");
    if (!fu_file_exists(target))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "target %s does not exist", target);
    if ((rc = resolve_output(cfg->paths.output_path, target, output, output_size, err)) != FACEFUSE_OK)
        return rc;
    if (fu_output_check(output, err) != FACEFUSE_OK) {
        err->code = FACEFUSE_ERR_INVALID_ARGUMENT; /* a pre-check, as FaceFusion's */
        return err->code;
    }
    int image = fu_image_path_is_image(target);
    *is_video = !image;
    /* as FaceFusion: a workflow mode other than the target's is an error */
    if (mode && strcmp(mode, "auto") != 0 && strcmp(mode, image ? "image-to-image" : "image-to-video") != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--workflow-mode %s does not fit target %s (an %s)", mode,
                       target, image ? "image" : "video");
    if (image && !fu_image_path_is_writable(output))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "output %s: an image target is written as .jpg, .png or .webp", output);
    if (!image && (fu_image_path_is_image(output) || !fu_video_path_is_writable(output)))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "output %s: a video target is written as a video (.mp4, .mov, .mkv, .webm, .avi, ...)",
                       output);
    return check_processors(cfg, output, *is_video, err);
}

facefuse_status fu_run_target(facefuse_context *ctx, fu_run_config *cfg, const fu_run_hooks *hooks,
                              fu_run_result *result, fu_err *err)
{
    fu_run_hooks none = {0};
    fu_run_result local;
    fu_run_config run = *cfg;   /* the resolved output path without touching the caller's */
    facefuse_status rc;

    if (!hooks)
        hooks = &none;
    if (!result)
        result = &local;
    memset(result, 0, sizeof *result);
    rc = fu_run_check(cfg, result->output_path, sizeof result->output_path, &result->is_video, err);
    if (rc != FACEFUSE_OK)
        return rc;
    run.paths.output_path = result->output_path;
    run.target_is_video = result->is_video;
    if (result->is_video)
        rc = fu_run_video(ctx, &run, hooks, err);
    else
        rc = fu_run_image(ctx, &run, hooks, &result->faces_selected, err);
    if (rc == FACEFUSE_OK && hooks->cancel && *hooks->cancel)
        rc = fu_fail(err, FACEFUSE_ERR_CANCELLED, "stopped");
    return rc;
}
