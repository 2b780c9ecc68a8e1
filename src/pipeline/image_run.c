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

#include "core/geometry.h"
#include "core/log.h"
#include "media/resize.h"
#include "media/image_io.h"
#include "pipeline/chain.h"
#include "pipeline/provenance.h"

static facefuse_status scale_output(facefuse_image *frame, float scale, fu_err *err)
{
    facefuse_image scaled = {0};
    if (fabsf(scale - 1.0f) < 1e-6f)
        return FACEFUSE_OK;
    int w = (int)lroundf(frame->width * scale), h = (int)lroundf(frame->height * scale);
    if (w < 1 || h < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--output-image-scale %.2f gives an empty image", scale);
    if (fu_resize(frame, &scaled, w, h) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory scaling the output");
    facefuse_image_free(frame);
    *frame = scaled;
    return FACEFUSE_OK;
}

facefuse_status fu_run_image(facefuse_context *ctx, const fu_run_config *cfg, int *faces_selected,
                             fu_err *err)
{
    facefuse_image frame = {0};
    fu_chain *chain = NULL;
    int selected = 0;
    facefuse_status rc;

    if (faces_selected)
        *faces_selected = 0;
    if ((rc = fu_chain_new(ctx, cfg, &chain, err)) != FACEFUSE_OK)
        return rc;
    if ((rc = fu_image_read(cfg->target_path, &frame, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_chain_set_reference(chain, &frame, err)) != FACEFUSE_OK)
        goto done;
    if ((rc = fu_chain_process(chain, &frame, &selected, err)) != FACEFUSE_OK)
        goto done;
    if (selected == 0)
        fu_warn("no face selected in %s: the output is the unchanged target", cfg->target_path);
    if ((rc = scale_output(&frame, cfg->output_image_scale, err)) != FACEFUSE_OK)
        goto done;
    fu_provenance provenance;
    char tag[FU_PROVENANCE_TAG_MAX];
    fu_provenance_init(&provenance);
    fu_provenance_from_config(cfg, &provenance);
    rc = fu_image_write_tagged(cfg->output_path, &frame, cfg->output_image_quality,
                               fu_provenance_tag(&provenance, NULL, tag, sizeof tag), err);
    if (faces_selected)
        *faces_selected = selected;
done:
    facefuse_image_free(&frame);
    fu_chain_free(chain);
    return rc;
}
