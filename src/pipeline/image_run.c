/*
 * image_run.c — image target → image output (see image_run.h).
 *
 * As FaceFusion's image-to-image workflow, without its temp-file round trip
 * through ffmpeg: the target is decoded once, the chain runs on it with the
 * target itself as the reference frame, the result is scaled by
 * --output-image-scale and encoded straight to "<output>.partial-XXXXXX",
 * renamed into place when complete.
 */
#include "pipeline/image_run.h"

#include <math.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "core/log.h"
#include "infer/context.h"
#include "media/resize.h"
#include "media/image_io.h"
#include "pipeline/chain.h"
#include "pipeline/frame_extras.h"
#include "pipeline/provenance.h"
#include "pipeline/run_check.h"

static facefuse_status scale_output(facefuse_image *frame, float scale, const char *path, fu_err *err)
{
    facefuse_image scaled = {0};
    if (fabsf(scale - 1.0f) < 1e-6f)
        return FACEFUSE_OK;
    double wd = round(frame->width * (double)scale), hd = round(frame->height * (double)scale);
    if (!(wd >= 1 && hd >= 1))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--output-image-scale %.2f gives an empty image", scale);
    facefuse_status rc = fu_image_size_check(wd < 1e9 ? (int64_t)wd : 1000000000, hd < 1e9 ? (int64_t)hd : 1000000000,
                                             path, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (fu_resize(frame, &scaled, (int)wd, (int)hd) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory scaling the output");
    facefuse_image_free(frame);
    *frame = scaled;
    return FACEFUSE_OK;
}

/* --temp-pixel-format bgr24 processes (and writes) the frame without its alpha. */
static facefuse_status apply_pixel_format(facefuse_image *frame, const fu_run_config *cfg, fu_err *err)
{
    facefuse_image rgb = {0};
    if (frame->channels != 4 || !cfg->output.temp_pixel_format || strcmp(cfg->output.temp_pixel_format, "bgr24"))
        return FACEFUSE_OK;
    if (fu_image_to_rgb(&rgb, frame) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory dropping the alpha channel");
    facefuse_image_free(frame);
    *frame = rgb;
    return FACEFUSE_OK;
}

/* Between stages: a stop request (Ctrl-C, or the caller's cancel flag) ends
 * the run before the output is written. Inside the chain, model sessions
 * refuse to run once the context's flag is set. */
static facefuse_status stop_point(facefuse_context *ctx, const fu_run_config *cfg, const fu_run_hooks *hooks,
                                  fu_err *err)
{
    if (fu_context_cancelled(ctx) || (hooks && hooks->cancel && *hooks->cancel))
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "stopped while processing %s; nothing written",
                       cfg->paths.target_path);
    return FACEFUSE_OK;
}

facefuse_status fu_run_image(facefuse_context *ctx, const fu_run_config *cfg, const fu_run_hooks *hooks,
                             int *faces_selected, fu_err *err)
{
    facefuse_image frame = {0};
    fu_chain *chain = NULL;
    fu_frame_extras *extras = NULL;
    int selected = 0;
    facefuse_status rc;

    if (faces_selected)
        *faces_selected = 0;
    /* The target is decoded and its result's size checked before any model
     * is loaded. */
    if ((rc = fu_image_read(cfg->paths.target_path, &frame, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = apply_pixel_format(&frame, cfg, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_run_check_image_size(cfg, frame.width, frame.height, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_chain_new(ctx, cfg, NULL, &chain, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = stop_point(ctx, cfg, hooks, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_chain_set_reference(chain, &frame, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_frame_extras_open(ctx, cfg, chain, &extras, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_frame_extras_process(extras, &frame, 0, NAN, &selected, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = stop_point(ctx, cfg, hooks, err)) != FACEFUSE_OK)
        goto done;
    if (selected == 0 && fu_chain_uses_faces(chain))
        fu_warn("no face selected in %s: the output is the unchanged target", cfg->paths.target_path);
    if ((rc = scale_output(&frame, cfg->output.image_scale, cfg->paths.output_path, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = stop_point(ctx, cfg, hooks, err)) != FACEFUSE_OK)
        goto done;
    fu_provenance provenance;
    char tag[FU_PROVENANCE_TAG_MAX];
    fu_provenance_init(&provenance);
    fu_provenance_from_config(cfg, &provenance);
    rc = fu_image_write_tagged(cfg->paths.output_path, &frame, cfg->output.image_quality,
                               fu_provenance_tag(&provenance, cfg->provenance.mode, tag, sizeof tag), err);
    if (rc == FACEFUSE_OK)
        rc = fu_frame_extras_finish(extras, err);
    if (faces_selected)
        *faces_selected = selected;
done:
    facefuse_image_free(&frame);
    fu_frame_extras_free(extras);
    fu_chain_free(chain);
    return rc;
}
