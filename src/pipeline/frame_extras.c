/*
 * frame_extras.c — quality observation and watermarks around the chain
 * (see frame_extras.h).
 */
#include "pipeline/frame_extras.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/log.h"
#include "media/resize.h"
#include "pipeline/quality_report.h"
#include "processors/swap_identity.h"
#include "processors/watermark.h"

struct fu_frame_extras {
    fu_chain *chain;
    fu_quality *quality;      /* NULL: no report */
    fu_watermark *watermark;  /* NULL: no mark */
};

/* The source identity, normalised, from the run's source images; 0 values
 * when there is none (no image source, or no face in them: the report then
 * compares with the target faces only). */
static int source_embedding(facefuse_context *ctx, const fu_run_config *cfg, const facefuse_analysis_params *p,
                            float *out)
{
    facefuse_source_identity *id = NULL;
    fu_err err;
    int dim = 0;
    fu_err_clear(&err);
    if (cfg->paths.source_paths.n == 0)
        return 0;
    if (fu_identity_from_paths(ctx, cfg->paths.source_paths.v, cfg->paths.source_paths.n, p, &id, &err) !=
        FACEFUSE_OK) {
        fu_warn("quality report without source similarity: %s", err.msg);
        return 0;
    }
    double norm = 0;
    for (int i = 0; i < id->dim; i++)
        norm += (double)id->normed_embedding[i] * id->normed_embedding[i];
    if (norm > 0) {
        dim = id->dim;
        for (int i = 0; i < dim; i++)
            out[i] = (float)(id->normed_embedding[i] / sqrt(norm));
    }
    facefuse_source_identity_free(id);
    return dim;
}

static facefuse_status open_quality(facefuse_context *ctx, const fu_run_config *cfg, fu_frame_extras *x,
                                    fu_err *err)
{
    facefuse_analysis_params p = *fu_chain_analysis(x->chain);
    fu_quality_settings s = cfg->quality;
    float source[FACEFUSE_EMBEDDING_MAX];
    int dim;

    s.faces_embedded = p.recognizer_model != NULL;
    if (!p.recognizer_model)
        p.recognizer_model = "arcface_w600k_r50";
    s.recognizer_model = p.recognizer_model;
    dim = source_embedding(ctx, cfg, &p, source);
    return fu_quality_new(ctx, &s, dim ? source : NULL, dim, &x->quality, err);
}

facefuse_status fu_frame_extras_open(facefuse_context *ctx, const fu_run_config *cfg, fu_chain *chain,
                                     fu_frame_extras **out, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    fu_frame_extras *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the run");
    x->chain = chain;
    if (cfg->quality.path && cfg->quality.path[0])
        rc = open_quality(ctx, cfg, x, err);
    if (rc == FACEFUSE_OK)
        rc = fu_watermark_new(&cfg->watermark, &x->watermark, err);
    if (rc != FACEFUSE_OK) {
        fu_frame_extras_free(x);
        return rc;
    }
    *out = x;
    return FACEFUSE_OK;
}

/* The chain on frame (on the faces given, or those it finds), and the
 * report's look at the result. */
static facefuse_status process_observed(fu_frame_extras *x, facefuse_image *frame, const fu_frame_faces *given,
                                        int64_t index, double time_s, int *selected, fu_err *err)
{
    facefuse_image original = {0}, scaled = {0};
    fu_frame_faces found;
    const fu_frame_faces *faces = given ? given : &found;
    facefuse_status rc = FACEFUSE_OK;

    memset(&found, 0, sizeof found);
    if (fu_image_copy(&original, frame) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report (frame %lld)",
                       (long long)index);
    if (!given)
        rc = fu_chain_analyse(x->chain, frame, &found, err);
    if (selected)
        *selected = rc == FACEFUSE_OK ? faces->selected_count : 0;
    if (rc == FACEFUSE_OK)
        rc = isnan(time_s) ? fu_chain_apply(x->chain, frame, faces, index, err)
                           : fu_chain_apply_at(x->chain, frame, faces, index, time_s, err);
    const facefuse_image *output = frame;
    if (rc == FACEFUSE_OK && (frame->width != original.width || frame->height != original.height)) {
        rc = fu_resize(frame, &scaled, original.width, original.height);
        if (rc != FACEFUSE_OK)
            rc = fu_fail(err, rc, "quality report: cannot scale frame %lld back to the target's size",
                         (long long)index);
        output = &scaled;
    }
    if (rc == FACEFUSE_OK)
        rc = fu_quality_observe(x->quality, index, &original, output, faces->selected, faces->selected_count, NULL,
                                0, NULL, err);
    fu_frame_faces_free(&found);
    facefuse_image_free(&original);
    facefuse_image_free(&scaled);
    return rc;
}

facefuse_status fu_frame_extras_process(fu_frame_extras *x, facefuse_image *frame, int64_t frame_index,
                                        double time_s, int *faces_selected, fu_err *err)
{
    facefuse_status rc;
    if (x->quality)
        rc = process_observed(x, frame, NULL, frame_index, time_s, faces_selected, err);
    else if (isnan(time_s))
        rc = fu_chain_process(x->chain, frame, frame_index, faces_selected, err);
    else
        rc = fu_chain_process_at(x->chain, frame, frame_index, time_s, faces_selected, err);
    if (rc == FACEFUSE_OK && x->watermark)
        rc = fu_watermark_apply(x->watermark, frame, err);
    return rc;
}

facefuse_status fu_frame_extras_apply(fu_frame_extras *x, facefuse_image *frame, const fu_frame_faces *faces,
                                      int64_t frame_index, double time_s, fu_err *err)
{
    facefuse_status rc;
    if (x->quality)
        rc = process_observed(x, frame, faces, frame_index, time_s, NULL, err);
    else
        rc = fu_chain_apply_at(x->chain, frame, faces, frame_index, time_s, err);
    if (rc == FACEFUSE_OK && x->watermark)
        rc = fu_watermark_apply(x->watermark, frame, err);
    return rc;
}

facefuse_status fu_frame_extras_finish(fu_frame_extras *x, fu_err *err)
{
    if (!x->quality)
        return FACEFUSE_OK;
    return fu_quality_finish(x->quality, err);
}

void fu_frame_extras_free(fu_frame_extras *x)
{
    if (!x)
        return;
    fu_quality_free(x->quality);
    fu_watermark_free(x->watermark);
    free(x);
}
