/*
 * chain.c — analysis, selection and the processor chain for one frame
 * (see chain.h).
 */
#include "pipeline/chain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/log.h"
#include "face/analyse.h"
#include "media/image_io.h"
#include "processors/processor.h"

struct fu_chain {
    facefuse_context *ctx;
    const fu_run_config *cfg;
    facefuse_analysis_params analysis;
    facefuse_selector_params selector;
    const fu_processor *processors[FU_MAX_PROCESSOR_KINDS];
    void *states[FU_MAX_PROCESSOR_KINDS];
    int count;
    unsigned needs;               /* FU_NEEDS_* of all processors */
    facefuse_face *reference_faces;
    int reference_count;
    fu_chain_target target;       /* zeros for an image */
};

void fu_frame_faces_free(fu_frame_faces *faces)
{
    free(faces->all);
    free(faces->selected);
    memset(faces, 0, sizeof *faces);
}

static int index_of(const char *name)
{
    int n;
    const fu_processor *const *all = fu_processor_all(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0)
            return i;
    return -1;
}

/* Gender and race "auto": those of the largest face among all source
 * images (FaceFusion's sort_and_filter_faces). */
static facefuse_status resolve_auto_filters(fu_chain *c, fu_err *err)
{
    const fu_run_config *cfg = c->cfg;
    facefuse_analysis_params a = c->analysis;
    float best_area = -1;
    facefuse_status rc = FACEFUSE_OK;

    if (!cfg->selector_gender_auto && !cfg->selector_race_auto)
        return FACEFUSE_OK;
    a.classifier_model = "fairface";
    a.recognizer_model = NULL;
    for (int i = 0; i < cfg->paths.source_paths.n && rc == FACEFUSE_OK; i++) {
        facefuse_image img = {0};
        facefuse_face *faces = NULL;
        int n = 0;
        if (!fu_image_path_is_image(cfg->paths.source_paths.v[i]))
            continue;
        rc = fu_image_read(cfg->paths.source_paths.v[i], &img, err);
        if (rc == FACEFUSE_OK)
            rc = fu_analyse_frame(c->ctx, &img, &a, &faces, &n, err);
        for (int k = 0; k < n; k++) {
            float area = (faces[k].box[2] - faces[k].box[0]) * (faces[k].box[3] - faces[k].box[1]);
            if (area > best_area) {
                best_area = area;
                if (cfg->selector_gender_auto)
                    c->selector.gender = faces[k].gender;
                if (cfg->selector_race_auto)
                    c->selector.race = faces[k].race;
            }
        }
        free(faces);
        facefuse_image_free(&img);
    }
    if (rc == FACEFUSE_OK && best_area < 0)
        fu_warn("--face-selector-gender/race auto: no face in the sources; not filtering");
    return rc;
}

facefuse_status fu_chain_new(facefuse_context *ctx, const fu_run_config *cfg, const fu_chain_target *target,
                             fu_chain **out, fu_err *err)
{
    fu_chain *c = calloc(1, sizeof *c);
    facefuse_status rc = FACEFUSE_OK;

    *out = NULL;
    if (!c)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    c->ctx = ctx;
    c->cfg = cfg;
    if (target)
        c->target = *target;
    c->analysis = cfg->analysis;
    c->selector = cfg->selector;
    for (int i = 0; i < cfg->processors.n && i < FU_MAX_PROCESSOR_KINDS; i++) {
        const fu_processor *p = fu_processor_find(cfg->processors.v[i]);
        if (!p) {
            rc = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "the %s processor is not in this build of facefuse yet",
                         cfg->processors.v[i]);
            break;
        }
        c->processors[c->count++] = p;
        c->needs |= p->needs;
    }
    /* The recognizer runs when a processor needs identities, or a video is
     * selected by reference (each frame's faces compared with it). */
    int by_reference = c->selector.mode == FACEFUSE_SELECT_REFERENCE && target && target->is_video;
    if (!(c->needs & FU_NEEDS_IDENTITY) && !by_reference)
        c->analysis.recognizer_model = NULL;
    if (c->needs & FU_NEEDS_AGE)
        c->analysis.classifier_model = "fairface";
    if (rc == FACEFUSE_OK && (c->needs & FU_NEEDS_FACES))
        rc = resolve_auto_filters(c, err);

    fu_processor_env env = {ctx, cfg->paths.source_paths, &c->analysis, &cfg->masker, 0, 0, 0, cfg->voice.model};
    if (target) {
        env.target_is_video = target->is_video;
        env.target_fps = target->fps;
        env.trim_frame_start = target->trim_frame_start;
    }
    for (int i = 0; i < c->count && rc == FACEFUSE_OK; i++) {
        const fu_processor *p = c->processors[i];
        if (p->prepare)
            rc = p->prepare(&env, cfg->processor_settings[index_of(p->name)], &c->states[i], err);
    }
    if (rc != FACEFUSE_OK) {
        fu_chain_free(c);
        return rc;
    }
    *out = c;
    return FACEFUSE_OK;
}

void fu_chain_free(fu_chain *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->count; i++)
        if (c->processors[i]->release)
            c->processors[i]->release(c->states[i]);
    free(c->reference_faces);
    free(c);
}

const facefuse_analysis_params *fu_chain_analysis(const fu_chain *c)
{
    return &c->analysis;
}

int fu_chain_uses_faces(const fu_chain *c)
{
    return (c->needs & FU_NEEDS_FACES) != 0;
}

facefuse_status fu_chain_set_reference(fu_chain *c, const facefuse_image *frame, fu_err *err)
{
    free(c->reference_faces);
    c->reference_faces = NULL;
    c->reference_count = 0;
    if (!(c->needs & FU_NEEDS_FACES))
        return FACEFUSE_OK;
    return fu_analyse_frame(c->ctx, frame, &c->analysis, &c->reference_faces, &c->reference_count, err);
}

facefuse_status fu_chain_analyse(fu_chain *c, const facefuse_image *frame, fu_frame_faces *out, fu_err *err)
{
    facefuse_status rc;
    memset(out, 0, sizeof *out);
    if (!(c->needs & FU_NEEDS_FACES))
        return FACEFUSE_OK;
    if ((rc = fu_analyse_frame(c->ctx, frame, &c->analysis, &out->all, &out->all_count, err)) != FACEFUSE_OK)
        return rc;
    if (out->all_count == 0)
        return FACEFUSE_OK;
    out->selected = malloc((size_t)out->all_count * sizeof *out->selected);
    if (!out->selected) {
        fu_frame_faces_free(out);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for faces");
    }
    memcpy(out->selected, out->all, (size_t)out->all_count * sizeof *out->selected);
    out->selected_count = out->all_count;
    rc = facefuse_select_faces(c->ctx, &c->selector, c->reference_faces, c->reference_count, out->selected,
                               &out->selected_count);
    if (rc != FACEFUSE_OK) {
        fu_frame_faces_free(out);
        return fu_fail(err, rc, "face selection failed");
    }
    return FACEFUSE_OK;
}

/* Scales every coordinate of a face by (sx, sy): faces found on the
 * original frame, used on an enlarged one (FaceFusion's scale_face). */
static void scale_face(facefuse_face *f, float sx, float sy)
{
    f->box[0] *= sx, f->box[2] *= sx;
    f->box[1] *= sy, f->box[3] *= sy;
    for (int i = 0; i < 5; i++) {
        f->landmark_5[i].x *= sx, f->landmark_5[i].y *= sy;
        f->landmark_5_68[i].x *= sx, f->landmark_5_68[i].y *= sy;
    }
    for (int i = 0; i < 68; i++) {
        f->landmark_68[i].x *= sx, f->landmark_68[i].y *= sy;
        f->landmark_68_5[i].x *= sx, f->landmark_68_5[i].y *= sy;
    }
}

/* Copies n faces scaled from a w0×h0 frame to the frame's size. */
static facefuse_face *scaled_faces(const facefuse_face *faces, int n, int w0, int h0, const facefuse_image *frame)
{
    if (n == 0)
        return NULL;
    facefuse_face *copy = malloc((size_t)n * sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, faces, (size_t)n * sizeof *copy);
    for (int i = 0; i < n; i++)
        scale_face(&copy[i], (float)frame->width / w0, (float)frame->height / h0);
    return copy;
}

/* A frame's time when the caller gave none: its index at the target's rate. */
static double index_time_s(const fu_chain *c, int64_t frame_index)
{
    if (!c->target.is_video || !(c->target.fps > 0))
        return 0;
    return (double)(frame_index - c->target.trim_frame_start) / c->target.fps;
}

facefuse_status fu_chain_apply(fu_chain *c, facefuse_image *frame, const fu_frame_faces *faces, int64_t frame_index,
                               fu_err *err)
{
    return fu_chain_apply_at(c, frame, faces, frame_index, index_time_s(c, frame_index), err);
}

facefuse_status fu_chain_apply_at(fu_chain *c, facefuse_image *frame, const fu_frame_faces *faces,
                                  int64_t frame_index, double time_s, fu_err *err)
{
    facefuse_image original = {0};
    facefuse_face *sel = NULL, *all = NULL;
    const int w0 = frame->width, h0 = frame->height;
    facefuse_status rc = FACEFUSE_OK;

    if ((c->needs & FU_NEEDS_ORIGINAL) && fu_image_copy(&original, frame) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory copying frame %lld", (long long)frame_index);
    for (int i = 0; i < c->count && rc == FACEFUSE_OK; i++) {
        fu_frame f = {c->ctx, frame, faces->selected, faces->selected_count, faces->all, faces->all_count,
                      original.data ? &original : NULL, original.data ? faces->selected : NULL, frame_index,
                      c->states[i], time_s};
        if (frame->width != w0 || frame->height != h0) {
            /* an earlier processor enlarged the frame: faces follow */
            if (!sel || !all) {
                free(sel), free(all);
                sel = scaled_faces(faces->selected, faces->selected_count, w0, h0, frame);
                all = scaled_faces(faces->all, faces->all_count, w0, h0, frame);
                if ((faces->selected_count && !sel) || (faces->all_count && !all)) {
                    rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for faces");
                    break;
                }
            }
            f.faces = sel;
            f.all_faces = all;
        }
        rc = c->processors[i]->process(&f, err);
    }
    free(sel);
    free(all);
    facefuse_image_free(&original);
    return rc;
}

facefuse_status fu_chain_process(fu_chain *c, facefuse_image *frame, int64_t frame_index, int *faces_selected,
                                 fu_err *err)
{
    return fu_chain_process_at(c, frame, frame_index, index_time_s(c, frame_index), faces_selected, err);
}

facefuse_status fu_chain_process_at(fu_chain *c, facefuse_image *frame, int64_t frame_index, double time_s,
                                    int *faces_selected, fu_err *err)
{
    fu_frame_faces faces;
    facefuse_status rc = fu_chain_analyse(c, frame, &faces, err);
    if (faces_selected)
        *faces_selected = rc == FACEFUSE_OK ? faces.selected_count : 0;
    if (rc == FACEFUSE_OK)
        rc = fu_chain_apply_at(c, frame, &faces, frame_index, time_s, err);
    fu_frame_faces_free(&faces);
    return rc;
}
